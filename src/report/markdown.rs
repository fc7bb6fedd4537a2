//! Markdown for people reading CI output (`$GITHUB_STEP_SUMMARY`, merge-request notes): a
//! table per submission, then each lost point with its feedback and where it happened.

use std::fmt::Write;

use super::summary;
use super::{escape, Outcome, SubmissionOutcome};
use crate::grade::Verdict;
use crate::i18n::messages::report::ReportWord;
use crate::i18n::Lang;

pub fn render(outcome: &Outcome, lang: Lang) -> String {
    let mut out = String::new();
    for submission in &outcome.submissions {
        render_submission(&mut out, submission, lang);
    }
    out
}

fn render_submission(out: &mut String, submission: &SubmissionOutcome, lang: Lang) {
    let totals = summary::totals(submission);
    let mark = match (totals.gradable, totals.passed) {
        (false, _) => "⚠️",
        (true, true) => "✅",
        (true, false) => "❌",
    };
    let _ = writeln!(
        out,
        "## {mark} {} — {} {}\n",
        escape::markdown(&submission.id),
        summary::score_text(&totals),
        summary::verdict_word(&totals, lang)
    );
    if let Some(late) = summary::late_line(submission, lang) {
        let _ = writeln!(out, "{}\n", escape::markdown(late));
    }
    for problem in &submission.problems {
        let _ = writeln!(
            out,
            "- **{}**: {}",
            ReportWord::Error.get(lang),
            escape::markdown(&summary::problem_line(problem, lang))
        );
    }
    if !submission.problems.is_empty() {
        out.push('\n');
    }
    if submission.grades.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} |\n|---|---|---:|---|",
        ReportWord::Scenario.get(lang),
        ReportWord::Session.get(lang),
        ReportWord::Score.get(lang),
        ReportWord::Result.get(lang),
    );
    for grade in &submission.grades {
        let session = grade
            .session
            .as_ref()
            .map(|s| escape::markdown(&summary::source_in(&s.source, lang)))
            .unwrap_or_else(|| "—".into());
        let _ = writeln!(
            out,
            "| {} | {session} | {}/{} | {} |",
            escape::markdown(grade.title.get(lang)),
            grade.score,
            grade.max_score,
            summary::grade_verdict_word(grade, lang)
        );
    }
    out.push('\n');
    for grade in &submission.grades {
        let losses: Vec<_> = grade.losses().collect();
        let ungradable = grade.verdict == Verdict::Ungradable;
        if losses.is_empty() && grade.findings.is_empty() && !ungradable {
            continue;
        }
        let _ = writeln!(out, "### {}\n", escape::markdown(grade.title.get(lang)));
        if ungradable {
            let _ = writeln!(
                out,
                "{}\n",
                escape::markdown_feedback(&summary::ungradable_reason(grade, lang))
            );
        }
        for check in &losses {
            let _ = write!(
                out,
                "- **{}** −{}: {}",
                escape::markdown(check.name_in(lang)),
                check.max_points - check.points,
                escape::markdown_feedback(&summary::check_message(check, lang))
            );
            if let Some(evidence) = &check.evidence {
                let _ = write!(
                    out,
                    " {}",
                    escape::markdown_code(&summary::evidence_place_in(evidence, lang))
                );
            }
            out.push('\n');
        }
        for finding in &grade.findings {
            let label = summary::severity_word(finding.severity, lang);
            let _ = writeln!(
                out,
                "- _{label}_: {}",
                escape::markdown_feedback(finding.message.get(lang))
            );
        }
        if !losses.is_empty() {
            let _ = write!(
                out,
                "\n<details><summary>{}</summary>\n\n{}\n</details>\n",
                ReportWord::ExpectedVsYours.get(lang),
                escape::markdown_block("diff", &summary::diff_in(&grade.unified_diff(), lang))
            );
        }
        out.push('\n');
    }
}
