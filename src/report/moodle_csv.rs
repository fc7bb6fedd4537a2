//! A Moodle assignment grading worksheet (Assignment → "Upload grading worksheet"): one row
//! per submission, matched by `Identifier` = `Participant N`.
//!
//! N is Moodle's participant number. mailgrade finds it in the folder names Moodle's
//! "download all submissions" produces (`Full Name_123456_assignsubmission_file_`), or takes a
//! numeric submission id as it is. Otherwise the submission id stands in the Identifier
//! column unchanged, so Moodle reports the row as unknown instead of grading someone else.

use regex::Regex;

use super::summary;
use super::{Outcome, SubmissionOutcome};
use crate::i18n::{Lang, Separator};

const HEADER: [&str; 10] = [
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum Grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
    "Feedback comments",
];

pub fn render(outcome: &Outcome, lang: Lang) -> String {
    let folder =
        Regex::new(r"^(.*?)_(\d+)_assign(?:submission|feedback)_").expect("the pattern is valid");
    let mut rows = vec![HEADER.map(String::from).to_vec()];
    for submission in &outcome.submissions {
        rows.push(row(submission, &folder, lang));
    }
    super::csv_text::write(&rows)
}

fn row(submission: &SubmissionOutcome, folder: &Regex, lang: Lang) -> Vec<String> {
    let name = last_component(&submission.id);
    let (identifier, full_name) = match folder.captures(name) {
        Some(found) => (format!("Participant {}", &found[2]), found[1].to_string()),
        None if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) => {
            (format!("Participant {name}"), String::new())
        }
        None => (submission.id.clone(), String::new()),
    };
    let totals = summary::totals(submission);
    let grade = if totals.gradable {
        format!("{}.00", totals.score)
    } else {
        String::new()
    };
    vec![
        identifier,
        full_name,
        String::new(),
        "Submitted for grading".into(),
        grade,
        format!("{}.00", totals.max_score),
        "Yes".into(),
        String::new(),
        String::new(),
        feedback(submission, lang),
    ]
}

/// The last path component of a submission id (Moodle folder names are directories).
fn last_component(id: &str) -> &str {
    id.trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(id)
}

/// A short comment: the verdict, then each lost point with its feedback.
fn feedback(submission: &SubmissionOutcome, lang: Lang) -> String {
    let totals = summary::totals(submission);
    let mut parts = vec![format!(
        "{}/{} {}",
        totals.score,
        totals.max_score,
        summary::verdict_word(&totals, lang)
    )];
    for problem in &submission.problems {
        parts.push(summary::problem_line(problem));
    }
    for grade in summary::counted_grades(submission) {
        if grade.verdict == crate::grade::Verdict::Ungradable {
            parts.push(format!(
                "{}: {}",
                grade.title.get(lang),
                summary::ungradable_reason(grade, lang)
            ));
        }
        for check in grade.losses() {
            parts.push(format!(
                "{} (-{}): {}",
                check.name,
                check.max_points - check.points,
                summary::check_message(check, lang)
            ));
        }
    }
    parts.join(Separator::Semicolon.get(lang))
}
