//! A Moodle assignment grading worksheet (Assignment → "Upload grading worksheet"): one row
//! per submission, matched by `Identifier` = `Participant N`.
//!
//! N is Moodle's participant number. mailgrade finds it in the folder names Moodle's
//! "download all submissions" produces (`Full Name_123456_assignsubmission_file_`), or takes a
//! numeric submission id as it is. Otherwise the submission id stands in the Identifier
//! column unchanged, so Moodle reports the row as unknown instead of grading someone else.
//! `Full name` is the name the download wrote; `Last modified (grade)` the time of grading
//! ([`render_at`]), so that Moodle takes the row as newer than a grade it has not changed
//! since; the feedback is HTML (Moodle stores feedback comments as HTML), escaped, its
//! parts a line each.

use std::sync::LazyLock;

use regex::Regex;

use super::summary;
use super::{Outcome, SubmissionOutcome};
use crate::i18n::Lang;

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
    render_at(outcome, lang, None)
}

/// The worksheet, `Last modified (grade)` set to `graded_at` (seconds since the Unix
/// epoch) when given.
pub fn render_at(outcome: &Outcome, lang: Lang, graded_at: Option<i64>) -> String {
    let modified = graded_at.map(moodle_date).unwrap_or_default();
    let mut rows = vec![HEADER.map(String::from).to_vec()];
    for submission in &outcome.submissions {
        let mut row = row(submission, lang);
        row[8].clone_from(&modified);
        rows.push(row);
    }
    super::csv_text::write(&rows)
}

/// Who a submission is in Moodle: its participant number, when its name carries one (a
/// "download all submissions" folder, or a numeric id), and the full name the download wrote.
pub(super) struct Participant {
    pub number: Option<String>,
    pub full_name: String,
}

pub(super) fn participant(submission: &SubmissionOutcome) -> Participant {
    static FOLDER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(.*?)_(\d+)_assign(?:submission|feedback)_").expect("the pattern is valid")
    });
    let name = last_component(&submission.id);
    let (number, full_name) = match FOLDER.captures(name) {
        Some(found) => (Some(found[2].to_string()), found[1].to_string()),
        None if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) => {
            (Some(name.to_string()), String::new())
        }
        None => (None, String::new()),
    };
    let full_name = submission
        .student
        .as_ref()
        .and_then(|s| s.name.clone())
        .unwrap_or(full_name);
    Participant { number, full_name }
}

/// The grade as Moodle writes it (`55.00`), or nothing when the submission is ungradable.
pub(super) fn grade_cell(submission: &SubmissionOutcome) -> Option<String> {
    let totals = summary::totals(submission);
    totals.gradable.then(|| format!("{}.00", totals.score))
}

fn row(submission: &SubmissionOutcome, lang: Lang) -> Vec<String> {
    let Participant { number, full_name } = participant(submission);
    let identifier = match number {
        Some(number) => format!("Participant {number}"),
        None => submission.id.clone(),
    };
    let totals = summary::totals(submission);
    vec![
        identifier,
        full_name,
        String::new(),
        "Submitted for grading".into(),
        grade_cell(submission).unwrap_or_default(),
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
pub(super) fn feedback(submission: &SubmissionOutcome, lang: Lang) -> String {
    let totals = summary::totals(submission);
    let mut parts = vec![format!(
        "{}/{} {}",
        totals.score,
        totals.max_score,
        summary::verdict_word(&totals, lang)
    )];
    parts.extend(summary::late_line(submission, lang).map(str::to_string));
    for problem in &submission.problems {
        parts.push(summary::problem_line(problem, lang));
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
                check.name_in(lang),
                check.max_points - check.points,
                summary::check_message(check, lang)
            ));
        }
    }
    parts
        .iter()
        .map(|part| super::escape::html(part))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Moodle's own date and time format (`strftimedatetime`), which its upload reads back:
/// `Saturday, 05 December 2026, 06:45 PM UTC`.
pub(super) fn moodle_date(seconds: i64) -> String {
    const DAYS: [&str; 7] = [
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Howard Hinnant's days → civil date.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute) = (secs / 3600, secs % 3600 / 60);
    let (hour12, half) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!(
        "{}, {day:02} {} {year}, {hour12:02}:{minute:02} {half} UTC",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_as_moodle_writes_them() {
        assert_eq!(
            super::moodle_date(0),
            "Thursday, 01 January 1970, 12:00 AM UTC"
        );
        assert_eq!(
            super::moodle_date(1_796_496_300),
            "Saturday, 05 December 2026, 06:45 PM UTC"
        );
        assert_eq!(
            super::moodle_date(951_782_400),
            "Tuesday, 29 February 2000, 12:00 AM UTC"
        );
    }
}
