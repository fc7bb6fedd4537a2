//! Autolab: a readable report, then the `{"scores": {...}}` line Autolab's driver reads
//! from the last line of the autograder's output. Keys are scenario ids, so the
//! assessment's problems must be named after the scenarios; with `--lab` they are the lab's
//! task ids, every task each time, so the problems are named after the tasks.

use crate::i18n::Lang;
use std::collections::BTreeMap;

use serde::Serialize;

use super::summary;
use super::text::{self, TextStyle};
use super::SubmissionOutcome;

#[derive(Serialize)]
struct Scores<'a> {
    scores: BTreeMap<&'a str, u32>,
    /// Autolab's scoreboard column: the total.
    scoreboard: [u32; 1],
}

/// The report and the scores line for one submission, in `lang`.
pub fn render(submission: &SubmissionOutcome, server: &str, lang: Lang) -> String {
    let style = TextStyle { lang, color: false };
    let mut out = text::render_submission_text(submission, style, server);
    let counted = summary::counted_grades(submission);
    let tasks = &submission.grade.tasks;
    let scores = Scores {
        // With a lab the problems are its tasks, every one of them (missing ones score 0).
        scores: if tasks.is_empty() {
            counted
                .iter()
                .map(|g| (g.scenario.as_str(), g.score))
                .collect()
        } else {
            tasks.iter().map(|t| (t.id.as_str(), t.score)).collect()
        },
        scoreboard: [summary::totals(submission).score],
    };
    out.push_str(&serde_json::to_string(&scores).expect("scores always serialise"));
    out.push('\n');
    out
}
