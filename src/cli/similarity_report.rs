//! The similarity findings of a batch: a finding on each submission involved (so every
//! format shows it) and an optional report file for the TA.

use std::path::Path;

use crate::grade::similarity::{self, Candidate, SimilarGroup};
use crate::grade::{Finding, FindingSeverity};
use crate::report::SubmissionOutcome;
use crate::scenario::Text;

/// Finds what submissions share and notes it on the first grade of each one involved;
/// points and verdicts are untouched.
pub fn annotate(submissions: &mut [SubmissionOutcome]) -> Vec<SimilarGroup> {
    let candidates: Vec<Candidate<'_>> = submissions
        .iter()
        .map(|s| Candidate {
            id: &s.id,
            sessions: &s.sessions,
            hashes: s
                .hashes
                .iter()
                .map(|h| (h.file.as_path(), h.sha256.as_str()))
                .collect(),
        })
        .collect();
    let groups = similarity::find(&candidates);
    for submission in submissions.iter_mut() {
        let Some(grade) = submission.grades.first_mut() else {
            continue;
        };
        for group in groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m.id == submission.id))
        {
            let others: Vec<&str> = group
                .members
                .iter()
                .map(|m| m.id.as_str())
                .filter(|id| *id != submission.id)
                .collect();
            let (en, zh) = group.shared.describe();
            grade.findings.push(Finding {
                check: "similar-submission",
                severity: FindingSeverity::Warning,
                message: Text::new(
                    format!(
                        "shares {en} with {} ({}); for the TA to look at, no points are taken",
                        others.join(", "),
                        short(&group.key)
                    ),
                    format!(
                        "与 {} 有{zh}（{}）；仅供助教核查，不扣分",
                        others.join("、"),
                        short(&group.key)
                    ),
                ),
                evidence: None,
            });
        }
    }
    groups
}

fn short(key: &str) -> &str {
    if key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()) {
        &key[..12]
    } else {
        key
    }
}

/// The report: JSON when `path` ends in `.json`, else one paragraph per group.
pub fn render(groups: &[SimilarGroup], path: &Path) -> String {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        let document = serde_json::json!({ "schema": "mailgrade-similarity/v1", "groups": groups });
        return serde_json::to_string_pretty(&document).unwrap_or_default() + "\n";
    }
    if groups.is_empty() {
        return "no submissions share a file, queue id, Message-ID or dialogue\n".into();
    }
    let mut out = String::new();
    for group in groups {
        let (en, _) = group.shared.describe();
        out.push_str(&format!("{en} ({}):\n", short(&group.key)));
        for member in &group.members {
            out.push_str(&format!("  {}  {}\n", member.id, member.file.display()));
        }
    }
    out
}
