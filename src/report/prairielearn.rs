//! PrairieLearn's external-grader `results.json` for one submission: `score` in 0–1, one
//! test per check, and `gradable: false` with `format_errors` when nothing could be graded
//! (the student is then not charged an attempt).

use serde::Serialize;

use super::summary;
use super::SubmissionOutcome;
use crate::grade::{Grade, Verdict};
use crate::i18n::messages::report::ReportWord;
use crate::i18n::Lang;

#[derive(Serialize)]
struct Results {
    gradable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    message: String,
    output: String,
    tests: Vec<Test>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    format_errors: Vec<String>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    description: String,
    points: u32,
    max_points: u32,
    message: String,
    output: String,
}

/// `results.json` for one submission, in `lang`.
pub fn render(submission: &SubmissionOutcome, lang: Lang) -> String {
    let counted = summary::counted_grades(submission);
    let totals = summary::totals(submission);
    let results = if totals.gradable {
        Results {
            gradable: true,
            score: Some(round(totals.fraction())),
            message: format!(
                "{} {}/{} — {}",
                ReportWord::Score.get(lang),
                totals.score,
                totals.max_score,
                summary::verdict_word(&totals, lang)
            ),
            output: output(submission, &counted, lang),
            tests: if submission.grade.tasks.is_empty() {
                counted.iter().flat_map(|g| tests(g, lang)).collect()
            } else {
                // With a lab: one test per task, its points the task's.
                submission
                    .grade
                    .tasks
                    .iter()
                    .map(|task| Test {
                        name: format!("{} {}", task.id, task.title.get(lang)),
                        description: task.id.clone(),
                        points: task.score,
                        max_points: task.points,
                        message: summary::task_status_word(task.status).get(lang).to_string(),
                        output: summary::task_feedback(submission, task, lang),
                    })
                    .collect()
            },
            format_errors: Vec::new(),
        }
    } else {
        Results {
            gradable: false,
            score: None,
            message: ReportWord::NothingGradable.get(lang).to_string(),
            output: output(submission, &counted, lang),
            tests: Vec::new(),
            format_errors: format_errors(submission, &counted, lang),
        }
    };
    let mut text =
        serde_json::to_string_pretty(&results).expect("the results model always serialises");
    text.push('\n');
    text
}

/// Four decimals: enough for any score, stable in snapshots.
fn round(fraction: f64) -> f64 {
    (fraction * 10_000.0).round() / 10_000.0
}

fn tests(grade: &Grade, lang: Lang) -> Vec<Test> {
    if grade.verdict == Verdict::Ungradable {
        return vec![Test {
            name: grade.title.get(lang).to_string(),
            description: grade.scenario.clone(),
            points: 0,
            max_points: grade.max_score,
            message: summary::ungradable_reason(grade, lang),
            output: String::new(),
        }];
    }
    grade
        .checks
        .iter()
        .map(|check| {
            let (message, output) = if check.status.is_ok() {
                (
                    summary::status_word(check.status, lang).to_string(),
                    String::new(),
                )
            } else {
                (
                    summary::check_message(check, lang),
                    check
                        .evidence
                        .as_ref()
                        .map(|evidence| summary::evidence_place_in(evidence, lang))
                        .unwrap_or_default(),
                )
            };
            Test {
                name: check.name_in(lang).to_string(),
                description: format!("{} — {}", grade.title.get(lang), check.id),
                points: check.points,
                max_points: check.max_points,
                message,
                output,
            }
        })
        .collect()
}

fn output(submission: &SubmissionOutcome, counted: &[&Grade], lang: Lang) -> String {
    let mut out = String::new();
    if let Some(late) = summary::late_line(submission, lang) {
        out.push_str(&format!("{late}\n"));
    }
    for problem in &submission.problems {
        out.push_str(&format!(
            "{}: {}\n",
            ReportWord::Error.get(lang),
            summary::problem_line(problem, lang)
        ));
    }
    for grade in counted {
        for finding in &grade.findings {
            out.push_str(&format!("{}\n", finding.message.get(lang)));
        }
        if grade.verdict != Verdict::Ungradable && grade.losses().next().is_some() {
            out.push_str(&format!(
                "{} — {}\n{}",
                grade.scenario,
                ReportWord::ExpectedVsYoursLower.get(lang),
                grade.unified_diff()
            ));
        }
    }
    out
}

fn format_errors(submission: &SubmissionOutcome, counted: &[&Grade], lang: Lang) -> Vec<String> {
    let mut errors: Vec<String> = submission
        .problems
        .iter()
        .map(|p| summary::problem_line(p, lang))
        .collect();
    errors.extend(
        counted
            .iter()
            .map(|g| format!("{}: {}", g.scenario, summary::ungradable_reason(g, lang))),
    );
    if errors.is_empty() {
        errors.push(ReportWord::NoDialogueFound.get(lang).to_string());
    }
    errors
}
