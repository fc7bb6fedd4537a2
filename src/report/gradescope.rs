//! Gradescope's `results.json` for one submission (Gradescope runs the autograder once per
//! submission): the total, one test per check of each scenario that counts, provenance in
//! `extra_data`.

use std::fmt::Write;

use serde::Serialize;

use super::summary;
use super::{escape, InputHash, SubmissionOutcome};
use crate::grade::{Grade, Verdict};
use crate::i18n::messages::report::ReportWord;
use crate::i18n::Lang;
use crate::pipeline::TaskStatus;

#[derive(Serialize)]
struct Results<'a> {
    score: u32,
    max_score: u32,
    output: String,
    output_format: &'static str,
    visibility: &'static str,
    tests: Vec<Test>,
    extra_data: ExtraData<'a>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    number: String,
    score: u32,
    max_score: u32,
    status: &'static str,
    output: String,
    output_format: &'static str,
    visibility: &'static str,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct ExtraData<'a> {
    tool: &'static str,
    version: &'static str,
    submission: &'a str,
    server: &'a str,
    scenarios: Vec<ScenarioEntry<'a>>,
    inputs: &'a [InputHash],
}

#[derive(Serialize)]
struct ScenarioEntry<'a> {
    id: &'a str,
    score: u32,
    max_score: u32,
    verdict: Verdict,
}

/// `results.json` for one submission, in `lang`.
pub fn render(submission: &SubmissionOutcome, server: &str, lang: Lang) -> String {
    let counted = summary::counted_grades(submission);
    let totals = summary::totals(submission);
    let mut tests = Vec::new();
    if submission.grade.tasks.is_empty() {
        for (number, grade) in counted.iter().enumerate() {
            tests.extend(grade_tests(grade, number + 1, lang));
        }
    } else {
        // With a lab: one test per task, numbered by the task's id (fixed for every
        // submission, missing tasks too), its points the task's, adding up to the total.
        tests.extend(submission.grade.tasks.iter().map(|task| Test {
            name: format!("{} {}", task.id, task.title.get(lang)),
            number: task.id.clone(),
            score: task.score,
            max_score: task.points,
            status: if task.status == TaskStatus::Passed {
                "passed"
            } else {
                "failed"
            },
            output: escape::markdown_feedback(&summary::task_feedback(submission, task, lang)),
            output_format: "md",
            visibility: "visible",
            tags: vec![task.id.clone(), format!("{:?}", task.status).to_lowercase()],
        }));
    }
    let results = Results {
        score: totals.score,
        max_score: totals.max_score,
        output: overview(submission, &counted, lang),
        output_format: "md",
        visibility: "visible",
        tests,
        extra_data: ExtraData {
            tool: "mailgrade",
            version: env!("CARGO_PKG_VERSION"),
            submission: &submission.id,
            server,
            scenarios: counted
                .iter()
                .map(|g| ScenarioEntry {
                    id: &g.scenario,
                    score: g.score,
                    max_score: g.max_score,
                    verdict: g.verdict,
                })
                .collect(),
            inputs: &submission.hashes,
        },
    };
    let mut text =
        serde_json::to_string_pretty(&results).expect("the results model always serialises");
    text.push('\n');
    text
}

fn grade_tests(grade: &Grade, number: usize, lang: Lang) -> Vec<Test> {
    let title = grade.title.get(lang);
    if grade.verdict == Verdict::Ungradable {
        return vec![Test {
            name: format!("{title}: {}", ReportWord::NotGraded.get(lang)),
            number: format!("{number}"),
            score: 0,
            max_score: grade.max_score,
            status: "failed",
            output: escape::markdown_feedback(&summary::ungradable_reason(grade, lang)),
            output_format: "md",
            visibility: "visible",
            tags: vec![grade.scenario.clone(), "ungradable".into()],
        }];
    }
    grade
        .checks
        .iter()
        .enumerate()
        .map(|(index, check)| {
            let mut output = String::new();
            if !check.status.is_ok() {
                output.push_str(&escape::markdown_feedback(&summary::check_message(
                    check, lang,
                )));
                if let Some(evidence) = &check.evidence {
                    let _ = write!(
                        output,
                        "\n\n{}",
                        escape::markdown_code(&summary::evidence_place_in(evidence, lang))
                    );
                }
            }
            Test {
                name: format!("{title}: {}", check.name_in(lang)),
                number: format!("{number}.{}", index + 1),
                score: check.points,
                max_score: check.max_points,
                status: if check.status.is_ok() {
                    "passed"
                } else {
                    "failed"
                },
                output,
                output_format: "md",
                visibility: "visible",
                tags: vec![
                    grade.scenario.clone(),
                    summary::status_id(check.status).into(),
                ],
            }
        })
        .collect()
}

/// The text above the tests: the verdict, unusable files, findings, the skeleton diffs.
fn overview(submission: &SubmissionOutcome, counted: &[&Grade], lang: Lang) -> String {
    let totals = summary::totals(submission);
    let mut out = format!(
        "**{} {}/{}** — {}\n",
        ReportWord::Score.get(lang),
        totals.score,
        totals.max_score,
        summary::verdict_word(&totals, lang)
    );
    if let Some(late) = summary::late_line(submission, lang) {
        let _ = writeln!(out, "\n{}", escape::markdown(late));
    }
    for problem in &submission.problems {
        let _ = writeln!(
            out,
            "\n- {}: {}",
            ReportWord::Error.get(lang),
            escape::markdown(&summary::problem_line(problem, lang))
        );
    }
    for grade in counted {
        let _ = write!(
            out,
            "\n### {} ({}/{})\n\n",
            escape::markdown(grade.title.get(lang)),
            grade.score,
            grade.max_score
        );
        if grade.verdict == Verdict::Ungradable {
            let _ = writeln!(
                out,
                "{}",
                escape::markdown_feedback(&summary::ungradable_reason(grade, lang))
            );
            continue;
        }
        for finding in &grade.findings {
            let _ = writeln!(
                out,
                "- {}",
                escape::markdown_feedback(finding.message.get(lang))
            );
        }
        if grade.losses().next().is_some() {
            let _ = write!(
                out,
                "\n{}\n\n{}",
                ReportWord::ExpectedVsYoursColon.get(lang),
                escape::markdown_block("diff", &summary::diff_in(&grade.unified_diff(), lang))
            );
        }
    }
    out
}
