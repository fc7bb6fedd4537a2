//! `--format github`: GitHub Actions workflow commands (`::error` / `::warning` /
//! `::notice`), one per lost point and finding, pointing at the file and line when the
//! evidence is a line of a text file; then the Markdown report, fenced by `stop-commands`.

use super::summary;
use super::{escape, markdown, Outcome};
use crate::grade::{Evidence, FindingSeverity};
use crate::i18n::messages::report::ReportWord;
use crate::i18n::Lang;

pub fn render(outcome: &Outcome, lang: Lang) -> String {
    let mut out = annotations(outcome, lang);
    let report = markdown::render(outcome, lang);
    // The report quotes student text; between `stop-commands` and the token nothing is
    // read as a workflow command. The token is the report's own hash, so no student can
    // write it into the report.
    let token = {
        use sha2::{Digest, Sha256};
        format!("{:x}", Sha256::digest(report.as_bytes()))
    };
    out.push_str(&format!("::stop-commands::{token}\n{report}::{token}::\n"));
    out
}

/// Only the workflow commands.
pub fn annotations(outcome: &Outcome, lang: Lang) -> String {
    let mut out = String::new();
    for submission in &outcome.submissions {
        for problem in &submission.problems {
            out.push_str(&command(
                "error",
                Some(&problem.file.display().to_string()),
                None,
                &submission.id,
                &summary::problem_line(problem, lang),
            ));
        }
        for grade in &submission.grades {
            let title = format!("{} — {}", submission.id, grade.title.get(lang));
            if grade.verdict == crate::grade::Verdict::Ungradable {
                out.push_str(&command(
                    "error",
                    None,
                    None,
                    &title,
                    &summary::ungradable_reason(grade, lang),
                ));
            }
            for check in grade.losses() {
                let message = format!(
                    "{} (−{} {}): {}",
                    check.name_in(lang),
                    check.max_points - check.points,
                    ReportWord::Points.get(lang),
                    summary::check_message(check, lang)
                );
                out.push_str(&located(
                    "error",
                    check.evidence.as_ref(),
                    &title,
                    &message,
                    lang,
                ));
            }
            for finding in &grade.findings {
                let level = match finding.severity {
                    FindingSeverity::Info => "notice",
                    FindingSeverity::Warning => "warning",
                    FindingSeverity::Error => "error",
                };
                out.push_str(&located(
                    level,
                    finding.evidence.as_ref(),
                    &title,
                    finding.message.get(lang),
                    lang,
                ));
            }
        }
    }
    out
}

fn located(
    level: &str,
    evidence: Option<&Evidence>,
    title: &str,
    message: &str,
    lang: Lang,
) -> String {
    let file = evidence.map(|e| e.source.display().to_string());
    let line = evidence.and_then(|e| summary::text_line(&e.origin));
    let message = match evidence {
        Some(e) if line.is_none() => {
            format!("{message} ({})", summary::evidence_place_in(e, lang))
        }
        _ => message.to_string(),
    };
    command(level, file.as_deref(), line, title, &message)
}

fn command(
    level: &str,
    file: Option<&str>,
    line: Option<(u32, u32)>,
    title: &str,
    message: &str,
) -> String {
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", escape::workflow_property(file)));
    }
    if let Some((line, column)) = line {
        properties.push(format!("line={line}"));
        properties.push(format!("col={column}"));
    }
    properties.push(format!("title={}", escape::workflow_property(title)));
    format!(
        "::{level} {}::{}\n",
        properties.join(","),
        escape::workflow_message(message)
    )
}
