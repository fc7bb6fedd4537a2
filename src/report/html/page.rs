//! The HTML document: styles, the class overview, one section per student.

use std::fmt::Write;

use super::{class, ladder};
use crate::grade::{Grade, Verdict};
use crate::i18n::messages::report::ReportWord;
use crate::i18n::Lang;
use crate::report::escape::html as esc;
use crate::report::summary;
use crate::report::{Outcome, SubmissionOutcome};

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#1d2330;background:#fff;overflow-wrap:break-word}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}.name{font-weight:normal}
h1{font-size:1.6rem}h2{border-bottom:1px solid #d5d9e0;padding-bottom:.3rem;margin-top:2.5rem}
.badge{display:inline-block;padding:.1rem .6rem;border-radius:1rem;font-size:.9rem;color:#fff}
.passed{background:#1a7f37}.failed{background:#cf222e}.ungradable{background:#9a6700}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d5d9e0;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.num{text-align:right}code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.9em}
.loss{color:#a40e26}.where{color:#57606a;font-size:.85rem}.problem{color:#a40e26}
.ladder{display:block;width:100%;min-width:560px;max-width:940px;height:auto}
.ladder text{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Noto Sans Mono CJK SC",monospace;font-size:12px;fill:#1d2330}
.ladder .lane-head{fill:#eef1f5;stroke:#8c959f}.ladder .lane-name{font-weight:bold}
.ladder .lifeline{stroke:#8c959f;stroke-dasharray:4 4}
.ladder .arrow line{stroke:#0969da;stroke-width:1.5}.ladder .arrow polygon{fill:#0969da}
.ladder .arrow.reply line{stroke:#1a7f37}.ladder .arrow.reply polygon{fill:#1a7f37}
.ladder .arrow.tls line{stroke:#8250df}.ladder .arrow.tls polygon{fill:#8250df}.ladder .arrow.encrypted line{stroke-dasharray:6 3}.ladder .tls-head{font-weight:bold;fill:#8250df}
.ladder .arrow.fail line{stroke:#cf222e;stroke-width:2.5}.ladder .arrow.fail polygon{fill:#cf222e}.ladder .arrow.fail text{fill:#cf222e;font-weight:bold}
.ladder .note.fail{fill:#cf222e}.ladder .origin,.ladder .no-reply{fill:#6e7781;font-size:11px}
.ladder .missing rect{fill:#fff0f0;stroke:#cf222e;stroke-dasharray:5 3}.ladder .missing text{fill:#cf222e}
.histogram{display:block;max-width:100%;height:auto}.histogram rect{fill:#0969da}
@media (max-width:600px){body{margin:1rem auto;padding:0 .6rem}h1{font-size:1.3rem}h2{font-size:1.2rem}td,th{padding:.2rem .4rem}}.histogram text{font-size:12px;fill:#1d2330}.histogram .axis{stroke:#57606a}
"#;

/// The whole outcome as one HTML document, texts in `lang`.
pub fn render(outcome: &Outcome, lang: Lang) -> String {
    let html_lang = lang.code();
    let title = ReportWord::ReportTitle.get(lang);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>{title}</title><style>{STYLE}</style></head><body><h1>{title}</h1>"
    );
    let _ = write!(
        out,
        r#"<p class="where">{} {}</p>"#,
        ReportWord::RepliesGradedFrom.get(lang),
        esc(&outcome.server)
    );
    if outcome.submissions.len() > 1 {
        out.push_str(&class::render(outcome, lang));
    }
    for (index, submission) in outcome.submissions.iter().enumerate() {
        student(&mut out, index + 1, submission, lang);
    }
    out.push_str("</body></html>\n");
    out
}

/// The student's full name (the roster's, else the LMS's), when known.
pub(super) fn name(submission: &SubmissionOutcome) -> Option<&str> {
    submission
        .student
        .as_ref()
        .and_then(|s| s.name.as_deref())
        .filter(|n| !n.trim().is_empty())
}

fn badge(verdict: &str, class: &str) -> String {
    format!(r#"<span class="badge {class}">{verdict}</span>"#)
}

fn student(out: &mut String, number: usize, submission: &SubmissionOutcome, lang: Lang) {
    let totals = summary::totals(submission);
    let class = match (totals.gradable, totals.passed) {
        (false, _) => "ungradable",
        (true, true) => "passed",
        (true, false) => "failed",
    };
    let _ = write!(
        out,
        r#"<section class="student" id="s{number}"><h2>{}{} — {} {}</h2>"#,
        esc(&submission.id),
        name(submission)
            .map(|name| format!(r#" <span class="name">{}</span>"#, esc(name)))
            .unwrap_or_default(),
        summary::score_text(&totals),
        badge(summary::verdict_word(&totals, lang), class)
    );
    if let Some(late) = summary::late_line(submission, lang) {
        let _ = write!(out, r#"<p class="problem">{}</p>"#, esc(late));
    }
    for problem in &submission.problems {
        let _ = write!(
            out,
            r#"<p class="problem">{}: {}</p>"#,
            ReportWord::Error.get(lang),
            esc(&summary::problem_line(problem, lang))
        );
    }
    // Grades that have no session (ungradable) are told first; then every dialogue.
    for grade in submission.grades.iter().filter(|g| g.session.is_none()) {
        grade_block(out, grade, lang);
    }
    for (index, session) in submission.sessions.iter().enumerate() {
        let grade = submission
            .grades
            .iter()
            .find(|g| g.session.as_ref().is_some_and(|s| s.index == index));
        let _ = write!(
            out,
            r#"<h3>{} {}: {} <span class="where">{}</span></h3>"#,
            ReportWord::Dialogue.get(lang),
            index + 1,
            session.protocol.name().to_uppercase(),
            esc(&summary::source_in(&session.source, lang))
        );
        // The ladder shows the replies the grade rests on: the replay server's, when replayed.
        let shown = submission.replayed.get(&index).unwrap_or(session);
        // Ladders scale down to the width of a phone's screen, then scroll in their own box.
        let _ = write!(
            out,
            r#"<div class="scroll">{}</div>"#,
            ladder::render(shown, grade, lang)
        );
        if let Some(grade) = grade {
            grade_block(out, grade, lang);
        }
    }
    out.push_str("</section>");
}

fn grade_block(out: &mut String, grade: &Grade, lang: Lang) {
    let class = match grade.verdict {
        Verdict::Passed => "passed",
        Verdict::Failed => "failed",
        Verdict::Ungradable => "ungradable",
    };
    let _ = write!(
        out,
        r#"<div class="grade"><p><b>{}</b> {}/{} {}</p>"#,
        esc(grade.title.get(lang)),
        grade.score,
        grade.max_score,
        badge(summary::grade_verdict_word(grade, lang), class)
    );
    if grade.verdict == Verdict::Ungradable {
        let _ = write!(
            out,
            "<p>{}</p>",
            esc(&summary::ungradable_reason(grade, lang))
        );
    }
    let losses: Vec<_> = grade.losses().collect();
    if !losses.is_empty() || !grade.findings.is_empty() {
        out.push_str("<ul>");
        for check in losses {
            let _ = write!(
                out,
                r#"<li class="loss"><code>{}</code> −{}: {}"#,
                esc(check.name_in(lang)),
                check.max_points - check.points,
                esc(&summary::check_message(check, lang))
            );
            if let Some(evidence) = &check.evidence {
                let _ = write!(
                    out,
                    r#" <span class="where">{}</span>"#,
                    esc(&summary::evidence_place_in(evidence, lang))
                );
            }
            out.push_str("</li>");
        }
        for finding in &grade.findings {
            let label = summary::severity_word(finding.severity, lang);
            let _ = write!(
                out,
                "<li><i>{label}</i>: {}</li>",
                esc(finding.message.get(lang))
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
}
