//! A Canvas gradebook import CSV: the fixed student columns, one assignment column, the
//! `Points Possible` row, one row per submission.
//!
//! Canvas matches rows by `ID`, `SIS User ID` or `SIS Login ID`; mailgrade knows only the
//! submission id (a student id from the folder name, or a path), so it goes into
//! `SIS User ID` and `Student`. An ungradable submission gets an empty cell, which Canvas
//! reads as "no change".

use super::{summary, Outcome};

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
    let possible = outcome
        .submissions
        .iter()
        .map(summary::totals)
        .find(|t| t.gradable)
        .map(|t| t.max_score.to_string())
        .unwrap_or_default();
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
            possible,
        ],
    ];
    for submission in &outcome.submissions {
        let totals = summary::totals(submission);
        let score = if totals.gradable {
            totals.score.to_string()
        } else {
            String::new()
        };
        rows.push(vec![
            submission.id.clone(),
            String::new(),
            submission.id.clone(),
            String::new(),
            String::new(),
            score,
        ]);
    }
    super::csv_text::write(&rows)
}
