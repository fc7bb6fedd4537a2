//! A GitHub Classroom autograding runner result, base64-encoded as the runners
//! (`autograding-command-grader` and friends) hand it to `autograding-grading-reporter`
//! through a step output or a `<RUNNER>_RESULTS` variable.
//!
//! The reporter adds up the tests' `score` and the top-level `max_score`, prints each test's
//! `message` when its `status` is not `pass`, and fails the job on `fail` or `error`.

use base64::Engine;
use serde::Serialize;

use super::summary;
use super::SubmissionOutcome;
use crate::grade::{Grade, Verdict};
use crate::i18n::messages::report::ReportWord;
use crate::i18n::Lang;

#[derive(Serialize)]
struct RunnerResult {
    version: u32,
    status: &'static str,
    max_score: u32,
    tests: Vec<Test>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    status: &'static str,
    score: u32,
    /// Not read by the reporter; kept so the result explains itself.
    max_score: u32,
    message: String,
    test_code: String,
    filename: String,
    line_no: u32,
    duration: u32,
}

/// The runner result as one line of base64, as the reporter expects.
pub fn render(submission: &SubmissionOutcome, lang: Lang) -> String {
    let json = result_json(submission, lang);
    let mut text = base64::engine::general_purpose::STANDARD.encode(json);
    text.push('\n');
    text
}

/// The runner result as plain JSON (what `render` encodes).
pub fn result_json(submission: &SubmissionOutcome, lang: Lang) -> String {
    let totals = summary::totals(submission);
    let counted = summary::counted_grades(submission);
    let mut tests: Vec<Test> = counted.iter().flat_map(|g| tests(g, lang)).collect();
    for problem in &submission.problems {
        tests.push(Test {
            name: ReportWord::Input.get(lang).to_string(),
            status: "error",
            score: 0,
            max_score: 0,
            message: summary::problem_line(problem, lang),
            test_code: String::new(),
            filename: problem.file.display().to_string(),
            line_no: 0,
            duration: 0,
        });
    }
    let result = RunnerResult {
        version: 1,
        status: match (totals.gradable, totals.passed) {
            (false, _) => "error",
            (true, true) => "pass",
            (true, false) => "fail",
        },
        max_score: totals.max_score,
        tests,
    };
    serde_json::to_string(&result).expect("the runner result always serialises")
}

fn tests(grade: &Grade, lang: Lang) -> Vec<Test> {
    let title = grade.title.get(lang);
    if grade.verdict == Verdict::Ungradable {
        return vec![Test {
            name: title.to_string(),
            status: "error",
            score: 0,
            max_score: grade.max_score,
            message: summary::ungradable_reason(grade, lang),
            test_code: grade.scenario.clone(),
            filename: String::new(),
            line_no: 0,
            duration: 0,
        }];
    }
    grade
        .checks
        .iter()
        .map(|check| {
            let place = check.evidence.as_ref();
            let line = place.and_then(|e| summary::text_line(&e.origin));
            Test {
                name: format!("{title}: {}", check.name_in(lang)),
                status: if check.status.is_ok() { "pass" } else { "fail" },
                score: check.points,
                max_score: check.max_points,
                message: if check.status.is_ok() {
                    String::new()
                } else {
                    let mut message = summary::check_message(check, lang);
                    if let Some(evidence) = place {
                        message.push_str(&format!(
                            " ({})",
                            summary::evidence_place_in(evidence, lang)
                        ));
                    }
                    message
                },
                test_code: format!("{}/{}", grade.scenario, check.id),
                filename: place
                    .map(|e| e.source.display().to_string())
                    .unwrap_or_default(),
                line_no: line.map_or(0, |(line, _)| line),
                duration: 0,
            }
        })
        .collect()
}
