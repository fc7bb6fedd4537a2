//! A Canvas gradebook import CSV: the fixed student columns, one assignment column, the
//! `Points Possible` row, one row per submission.
//!
//! Canvas matches rows by `ID` (its numeric user id), then `SIS User ID` / `SIS Login ID`.
//! `Student` is the student's name (the roster's, else as the Canvas download wrote it; the
//! submission id when neither is known); `ID` is the Canvas user id from the download's file
//! names or the roster's `lms_id`; `SIS User ID` is the roster's id, and left empty when no
//! roster says it. `Points Possible` is the lab's total with `--lab` (else the maximum the
//! graded submissions share), and no score is written above it. An ungradable submission gets
//! an empty cell, which Canvas reads as "no change".

use super::{summary, Outcome};
use crate::pipeline::BasisKind;

/// Which Canvas assignment the grades are for: its title and, to update an existing
/// assignment rather than create one, its id.
#[derive(Clone, Copy, Debug)]
pub struct Assignment<'a> {
    pub title: &'a str,
    pub id: Option<&'a str>,
}

pub fn render(outcome: &Outcome, assignment: Assignment<'_>) -> String {
    let column = match assignment.id {
        Some(id) => format!("{} ({id})", assignment.title),
        None => assignment.title.to_string(),
    };
    // The lab's total when there is one; else the largest maximum among the graded.
    let lab_total = outcome
        .submissions
        .iter()
        .map(|s| &s.grade.basis)
        .find(|b| b.kind == BasisKind::Lab)
        .map(|b| b.total);
    let possible = lab_total.or_else(|| {
        outcome
            .submissions
            .iter()
            .map(summary::totals)
            .filter(|t| t.gradable)
            .map(|t| t.max_score)
            .max()
    });
    let mut rows: Vec<Vec<String>> = vec![
        [
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            column.as_str(),
        ]
        .map(String::from)
        .to_vec(),
        vec![
            "Points Possible".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            possible.map(|p| p.to_string()).unwrap_or_default(),
        ],
    ];
    for submission in &outcome.submissions {
        let totals = summary::totals(submission);
        let score = if totals.gradable {
            let score = possible.map_or(totals.score, |p| totals.score.min(p));
            score.to_string()
        } else {
            String::new()
        };
        let who = submission.student.clone().unwrap_or_default();
        rows.push(vec![
            who.name.unwrap_or_else(|| submission.id.clone()),
            who.canvas_id.unwrap_or_default(),
            who.sis_id.unwrap_or_default(),
            String::new(),
            String::new(),
            score,
        ]);
    }
    super::csv_text::write(&rows)
}
