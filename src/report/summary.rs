//! What the course-format renderers share: the grades that count, totals, and short texts in
//! both languages.

use crate::grade::{Check, Evidence, Grade, Status, Verdict};
use crate::session::Origin;

use super::{Problem, SubmissionOutcome};

/// A submission's total over the scenarios it was graded against, as its
/// [`SubmissionGrade`](crate::pipeline::SubmissionGrade) decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    pub score: u32,
    pub max_score: u32,
    /// False when nothing in the submission could be graded: no score, not a zero.
    pub gradable: bool,
    pub passed: bool,
}

impl Totals {
    /// The score as a fraction of the maximum, 0.0 when the maximum is 0.
    pub fn fraction(&self) -> f64 {
        if self.max_score == 0 {
            0.0
        } else {
            f64::from(self.score) / f64::from(self.max_score)
        }
    }
}

/// The grade that counts for each scenario, in the order scenarios first appear.
pub fn counted_grades(submission: &SubmissionOutcome) -> Vec<&Grade> {
    submission.grade.counted(&submission.grades).collect()
}

/// The submission's score, maximum and verdict.
pub fn totals(submission: &SubmissionOutcome) -> Totals {
    let grade = &submission.grade;
    Totals {
        score: grade.score,
        max_score: grade.max_score,
        gradable: grade.gradable(),
        passed: grade.passed(),
    }
}

pub fn is_zh(lang: &str) -> bool {
    lang.starts_with("zh")
}

/// A fixed text of a report in the language asked for.
pub fn say(lang: &str, en: &'static str, zh: &'static str) -> &'static str {
    if is_zh(lang) {
        zh
    } else {
        en
    }
}

/// `85/100`, or `—` when there is no score.
pub fn score_text(totals: &Totals) -> String {
    if totals.gradable {
        format!("{}/{}", totals.score, totals.max_score)
    } else {
        "—".to_string()
    }
}

/// The verdict of a submission as a word.
pub fn verdict_word(totals: &Totals, lang: &str) -> &'static str {
    match (totals.gradable, totals.passed) {
        (false, _) => say(lang, "ungradable", "无法评分"),
        (true, true) => say(lang, "passed", "通过"),
        (true, false) => say(lang, "below the pass mark", "未达到及格线"),
    }
}

/// The verdict of one grade as a word.
pub fn grade_verdict_word(grade: &Grade, lang: &str) -> &'static str {
    match grade.verdict {
        Verdict::Passed => say(lang, "passed", "通过"),
        Verdict::Failed => say(lang, "failed", "未通过"),
        Verdict::Ungradable => say(lang, "ungradable", "无法评分"),
    }
}

/// How a check ended, as the JSON report spells it.
pub fn status_id(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::WrongReply => "wrong-reply",
        Status::WrongArguments => "wrong-arguments",
        Status::Missing => "missing",
        Status::OutOfOrder => "out-of-order",
        Status::Skipped => "skipped",
        Status::Failed => "failed",
        Status::NotChecked => "not-checked",
        Status::Unexpected => "unexpected",
    }
}

/// How a check ended, for people.
pub fn status_word(status: Status, lang: &str) -> &'static str {
    match status {
        Status::Passed => say(lang, "passed", "通过"),
        Status::WrongReply => say(lang, "wrong reply", "回复不对"),
        Status::WrongArguments => say(lang, "wrong arguments", "参数不对"),
        Status::Missing => say(lang, "missing", "缺失"),
        Status::OutOfOrder => say(lang, "out of order", "顺序不对"),
        Status::Skipped => say(lang, "skipped (optional)", "已跳过（可选）"),
        Status::Failed => say(lang, "failed", "未通过"),
        Status::NotChecked => say(lang, "not checked", "未检查"),
        Status::Unexpected => say(lang, "unexpected", "多余"),
    }
}

/// Why a check lost points: its feedback, else what was expected and how it ended.
pub fn check_message(check: &Check, lang: &str) -> String {
    match &check.feedback {
        Some(feedback) if !feedback.get(lang).is_empty() => feedback.get(lang).to_string(),
        _ => format!("{}: {}", check.name, status_word(check.status, lang)),
    }
}

/// Why a grade could not be given.
pub fn ungradable_reason(grade: &Grade, lang: &str) -> String {
    match &grade.reason {
        Some(reason) => reason.get(lang).to_string(),
        None => say(
            lang,
            "No session in the submission fits this scenario.",
            "提交中没有与该场景相符的会话。",
        )
        .to_string(),
    }
}

/// `file:line:col  EXCHANGE` — where a check looked.
pub fn evidence_place(evidence: &Evidence) -> String {
    format!(
        "{}:{}  {}",
        evidence.source.display(),
        evidence.origin,
        evidence.exchange
    )
}

/// `file, place: message` — a file or place that could not be used.
pub fn problem_line(problem: &Problem) -> String {
    let place = problem
        .place
        .as_deref()
        .map(|p| format!(", {p}"))
        .unwrap_or_default();
    format!("{}{place}: {}", problem.file.display(), problem.message)
}

/// The line of a text file an origin points at; none for capture frames and replays.
pub fn text_line(origin: &Origin) -> Option<(u32, u32)> {
    match *origin {
        Origin::Line { line, column } => Some((line, column)),
        _ => None,
    }
}

/// Where evidence is, as people write it: `lab.md:86:4` for a text line, `lab.pcapng, frame 17`
/// for a capture.
pub fn location(source: &std::path::Path, origin: Origin) -> String {
    match origin {
        Origin::Line { .. } => format!("{}:{origin}", source.display()),
        _ => format!("{}, {origin}", source.display()),
    }
}
