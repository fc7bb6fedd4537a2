//! The similarity findings of a batch: a finding on each submission involved (so every
//! format shows it) and an optional report file for the TA.

use std::collections::HashMap;
use std::path::Path;

use crate::grade::similarity::{self, Candidate, SimilarGroup};
use crate::grade::{Finding, FindingSeverity, MAX_FINDINGS_PER_CHECK};
use crate::i18n::messages::similarity::SimilarityMessage;
use crate::i18n::{Lang, List, Separator};
use crate::pipeline::SubmissionOutcome;

/// Others a finding names before it only counts the rest.
const MAX_NAMED: usize = 10;
/// Members a group of the text report lists before it only counts the rest (the JSON report
/// lists them all).
const MAX_LISTED: usize = 50;

/// Finds what submissions share and notes it on the first grade of each one involved;
/// points and verdicts are untouched. Linear in the class: each submission finds its groups
/// in an index, and a finding names at most [`MAX_NAMED`] others (10,000 identical
/// submissions each naming the 9,999 others were 10⁸ names).
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
    let mut groups_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, group) in groups.iter().enumerate() {
        for member in &group.members {
            groups_of.entry(member.id.as_str()).or_default().push(index);
        }
    }
    for submission in submissions.iter_mut() {
        let Some(grade) = submission.grades.first_mut() else {
            continue;
        };
        let Some(mine) = groups_of.get(submission.id.as_str()) else {
            continue;
        };
        for &index in mine.iter().take(MAX_FINDINGS_PER_CHECK) {
            let group = &groups[index];
            let others: Vec<String> = group
                .members
                .iter()
                .map(|m| &m.id)
                .filter(|id| **id != submission.id)
                .take(MAX_NAMED)
                .cloned()
                .collect();
            let more = group.members.len() - 1 - others.len();
            let what = group.shared.describe();
            let others = List::new(others, Separator::Enumeration);
            let key = short(&group.key).to_string();
            let message = if more > 0 {
                SimilarityMessage::SharesWithMore {
                    what,
                    others,
                    more,
                    key,
                }
            } else {
                SimilarityMessage::Shares { what, others, key }
            };
            grade.findings.push(Finding {
                check: "similar-submission",
                severity: FindingSeverity::Warning,
                message: message.text(),
                evidence: None,
            });
        }
        let unlisted = mine.len().saturating_sub(MAX_FINDINGS_PER_CHECK);
        if unlisted > 0 {
            grade.findings.push(Finding {
                check: "similar-submission",
                severity: FindingSeverity::Warning,
                message: SimilarityMessage::MoreThings { unlisted }.text(),
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
        out.push_str(&format!(
            "{} ({}), {} submissions:\n",
            group.shared.describe().get(Lang::En),
            short(&group.key),
            group.members.len()
        ));
        for member in group.members.iter().take(MAX_LISTED) {
            out.push_str(&format!("  {}  {}\n", member.id, member.file.display()));
        }
        if group.members.len() > MAX_LISTED {
            out.push_str(&format!(
                "  … and {} more (all of them in a .json report)\n",
                group.members.len() - MAX_LISTED
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::InputHash;

    /// A class where everyone handed in the same file.
    fn class(size: usize) -> Vec<SubmissionOutcome> {
        let scenario = crate::scenario::builtin("smtp-client-send").expect("built-in");
        (0..size)
            .map(|i| SubmissionOutcome {
                id: format!("s{i:05}"),
                hashes: vec![InputHash {
                    file: "capture.pcapng".into(),
                    sha256: "ab".repeat(32),
                }],
                grades: vec![crate::grade::ungradable(
                    &scenario,
                    None,
                    crate::i18n::Text::new("x", "x"),
                )],
                ..SubmissionOutcome::default()
            })
            .collect()
    }

    #[test]
    fn a_class_of_identical_files_costs_linear_findings() {
        let size = 10_000;
        let mut submissions = class(size);
        let groups = annotate(&mut submissions);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members.len(), size);
        let mut text = 0;
        for submission in &submissions {
            let findings = &submission.grades[0].findings;
            assert_eq!(findings.len(), 1, "{}", submission.id);
            let message = &findings[0].message;
            let more = size - 1 - MAX_NAMED;
            // No space between Chinese words ("…人有相同的文件").
            let wanted = [
                (&message.en, format!("and {more} more")),
                (&message.zh_cn, format!("等另外 {more} 人有相同")),
            ];
            for (said, part) in wanted {
                assert!(said.contains(&part), "{said}");
            }
            assert!(!message.en.contains(&submission.id));
            text += message.en.len() + message.zh_cn.len();
        }
        assert!(text < size * 600, "{text} bytes of findings");
        let report = render(&groups, Path::new("similar.txt"));
        assert!(report.contains(&format!("{size} submissions")));
        assert!(report.contains(&format!("… and {} more", size - MAX_LISTED)));
        assert!(report.lines().count() < MAX_LISTED + 5);
        let json = render(&groups, Path::new("similar.json"));
        assert_eq!(
            json.matches("\"id\"").count(),
            size,
            "the JSON lists everyone"
        );
    }

    #[test]
    fn two_students_name_each_other() {
        let mut submissions = class(2);
        annotate(&mut submissions);
        let message = &submissions[0].grades[0].findings[0].message.en;
        assert!(
            message.starts_with("shares the same file with s00001 ("),
            "{message}"
        );
    }
}
