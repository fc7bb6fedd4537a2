//! What the course-format renderers share: the grades that count, totals, and the words for
//! verdicts and statuses (from the catalogue, `i18n/messages/report.toml`).

use crate::grade::{Check, Evidence, FindingSeverity, Grade, Status, Verdict};
use crate::i18n::messages::report::{CommandText, ReportWord, SourcePart};
use std::fmt;

use crate::i18n::Lang;
use crate::session::{Command, CommandKind, Origin, Source};

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

/// What the lab's late policy took off, when it took anything: `late: −7 points (10 % off …)`.
pub fn late_line(submission: &SubmissionOutcome, lang: Lang) -> Option<&str> {
    submission
        .grade
        .late
        .as_ref()
        .map(|late| late.reason.get(lang))
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
pub fn verdict_word(totals: &Totals, lang: Lang) -> &'static str {
    verdict_of(totals).get(lang)
}

/// The word for a submission's verdict.
pub fn verdict_of(totals: &Totals) -> ReportWord {
    match (totals.gradable, totals.passed) {
        (false, _) => ReportWord::Ungradable,
        (true, true) => ReportWord::Passed,
        (true, false) => ReportWord::BelowPassMark,
    }
}

/// What a lab's task says in a per-submission format: its line (score, status, the
/// section that decided), then why its counted grade lost points, one line each.
pub fn task_feedback(
    submission: &SubmissionOutcome,
    task: &crate::pipeline::TaskGrade,
    lang: Lang,
) -> String {
    let mut out = super::text::task_line(task, lang);
    let Some(grade) = task.counted.and_then(|i| submission.grades.get(i)) else {
        return out;
    };
    if grade.verdict == Verdict::Ungradable {
        out.push('\n');
        out.push_str(&ungradable_reason(grade, lang));
        return out;
    }
    for check in grade.losses() {
        out.push_str("\n- ");
        out.push_str(&check_message(check, lang));
    }
    out
}

/// How a lab's task came out, as a word.
pub fn task_status_word(status: crate::pipeline::TaskStatus) -> ReportWord {
    use crate::pipeline::TaskStatus;
    match status {
        TaskStatus::Passed => ReportWord::Passed,
        TaskStatus::Failed => ReportWord::BelowPassMark,
        TaskStatus::Missing => ReportWord::Missing,
        TaskStatus::Ungradable => ReportWord::Ungradable,
    }
}

/// The verdict of one grade as a word.
pub fn grade_verdict_word(grade: &Grade, lang: Lang) -> &'static str {
    verdict_of_grade(grade.verdict).get(lang)
}

/// The word for a grade's verdict.
pub fn verdict_of_grade(verdict: Verdict) -> ReportWord {
    match verdict {
        Verdict::Passed => ReportWord::Passed,
        Verdict::Failed => ReportWord::Failed,
        Verdict::Ungradable => ReportWord::Ungradable,
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
pub fn status_word(status: Status, lang: Lang) -> &'static str {
    match status {
        Status::Passed => ReportWord::Passed,
        Status::WrongReply => ReportWord::WrongReply,
        Status::WrongArguments => ReportWord::WrongArguments,
        Status::Missing => ReportWord::Missing,
        Status::OutOfOrder => ReportWord::OutOfOrder,
        Status::Skipped => ReportWord::SkippedOptional,
        Status::Failed => ReportWord::Failed,
        Status::NotChecked => ReportWord::NotChecked,
        Status::Unexpected => ReportWord::Unexpected,
    }
    .get(lang)
}

/// How serious a finding is, as a word.
pub fn severity_word(severity: FindingSeverity, lang: Lang) -> &'static str {
    match severity {
        FindingSeverity::Info => ReportWord::Note,
        FindingSeverity::Warning => ReportWord::Warning,
        FindingSeverity::Error => ReportWord::Error,
    }
    .get(lang)
}

/// Why a check lost points: its feedback, else what was expected and how it ended.
pub fn check_message(check: &Check, lang: Lang) -> String {
    match &check.feedback {
        Some(feedback) if !feedback.get(lang).is_empty() => feedback.get(lang).to_string(),
        _ => format!(
            "{}: {}",
            check.name_in(lang),
            status_word(check.status, lang)
        ),
    }
}

/// Why a grade could not be given.
pub fn ungradable_reason(grade: &Grade, lang: Lang) -> String {
    match &grade.reason {
        Some(reason) => reason.get(lang).to_string(),
        None => ReportWord::NoSessionFits.get(lang).to_string(),
    }
}

/// A skeleton line (`message → (no reply)`) in `lang`: verbs and codes stay, the words
/// `session::Exchange::skeleton_line` writes for a missing reply (and those of a claimed
/// exchange shown beside its replayed one) are translated.
pub fn skeleton_in(line: &str, lang: Lang) -> String {
    crate::grade::skeleton_in(line, lang)
}

/// A command as `Display` writes it (secrets redacted), in `lang`: a message shown only by
/// its size reads `<邮件，2429 字节>` in Chinese.
pub fn write_command(out: &mut impl fmt::Write, command: &Command, lang: Lang) -> fmt::Result {
    match &command.kind {
        CommandKind::Message { content } if lang != Lang::En => {
            let text = match content.size {
                Some(size) => CommandText::MessageOfSize { size },
                None => CommandText::Message,
            };
            out.write_str(&text.render(lang))
        }
        _ => write!(out, "{command}"),
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

/// [`evidence_place`] with the skeleton's words in `lang`.
pub fn evidence_place_in(evidence: &Evidence, lang: Lang) -> String {
    format!(
        "{}:{}  {}",
        evidence.source.display(),
        evidence.origin.display(lang),
        skeleton_in(&evidence.exchange, lang)
    )
}

/// A grade's skeleton diff with its lines in `lang` (see [`skeleton_in`]).
pub fn diff_in(diff: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(diff.len());
    for line in diff.split_inclusive('\n') {
        let (text, end) = match line.strip_suffix('\n') {
            Some(text) => (text, "\n"),
            None => (line, ""),
        };
        out.push_str(&skeleton_in(text, lang));
        out.push_str(end);
    }
    out
}

/// `file, place: message` in `lang` — a file or place that could not be used.
pub fn problem_line(problem: &Problem, lang: Lang) -> String {
    problem.line_in(lang)
}

/// The line of a text file an origin points at; none for capture frames and replays.
pub fn text_line(origin: &Origin) -> Option<(u32, u32)> {
    match *origin {
        Origin::Line { line, column } => Some((line, column)),
        _ => None,
    }
}

/// Where a session was read from, in `lang`: `seed.md (code block 2)` / `seed.md（代码块 2）`.
/// The text reader labels a session `code block N` or `code blocks A–B` (see
/// `ingest/text/assemble`); other labels (a TCP flow) are addresses and stay as they are.
pub fn source_in(source: &Source, lang: Lang) -> String {
    let mut out = String::new();
    write_source_in(&mut out, source, lang);
    out
}

/// [`source_in`] pushed onto `out`: written once per grade, it was a few allocations each.
pub fn write_source_in(out: &mut String, source: &Source, lang: Lang) {
    let rendered;
    let part = if let Some(range) = source.label.strip_prefix("code blocks ") {
        match range.split_once('–') {
            Some((first, last)) => {
                rendered = SourcePart::CodeBlocks {
                    first: first.to_string(),
                    last: last.to_string(),
                }
                .render(lang);
                &rendered
            }
            None => &source.label,
        }
    } else if let Some(number) = source.label.strip_prefix("code block ") {
        rendered = SourcePart::CodeBlock {
            number: number.to_string(),
        }
        .render(lang);
        &rendered
    } else {
        &source.label
    };
    // As `Path::display` writes it.
    out.push_str(&source.path.to_string_lossy());
    match (part.is_empty(), lang) {
        (true, _) => {}
        (false, Lang::ZhCn) => {
            out.push('（');
            out.push_str(part);
            out.push('）');
        }
        (false, _) => {
            out.push_str(" (");
            out.push_str(part);
            out.push(')');
        }
    }
}

/// Where evidence is, as people write it in `lang`: `lab.md:86:4` for a text line,
/// `lab.pcapng, frame 17` (`lab.pcapng，第 17 帧`) for a capture.
pub fn location(source: &std::path::Path, origin: Origin, lang: Lang) -> String {
    match (origin, lang) {
        (Origin::Line { .. }, _) => format!("{}:{origin}", source.display()),
        (_, Lang::ZhCn) => format!("{}，{}", source.display(), origin.render(lang)),
        _ => format!("{}, {origin}", source.display()),
    }
}
