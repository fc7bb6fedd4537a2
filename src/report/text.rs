//! Terminal text for people: a student checking their work, a TA reading one submission.

use crate::i18n::Lang;
use std::fmt::Write;
use std::fs::File;
use std::io::{self, Read, Seek, Write as _};

use super::{location, summary, Outcome, SubmissionOutcome};
use crate::grade::{Check, Evidence, Finding, FindingSeverity, Grade, Status, Verdict};
use crate::i18n::messages::report::{ReportMessage, ReportWord};
use crate::session::{Session, Source};

/// How to render: the feedback language and whether to colour.
#[derive(Clone, Copy, Debug)]
pub struct TextStyle {
    pub lang: Lang,
    pub color: bool,
}

struct Paint {
    color: bool,
}

/// The SGR codes [`Paint`] colours with.
const GREEN: &str = "32";
const RED: &str = "31";
const YELLOW: &str = "33";
const BOLD: &str = "1";
const DIM: &str = "2";

/// Colours by pushing into the text being rendered: a report of thousands of grades was
/// mostly `format!` of short strings, each allocated, copied in and freed.
impl Paint {
    /// Starts colour `code`, when colouring; [`Paint::close`] ends it.
    fn open(&self, out: &mut String, code: &str) {
        if self.color {
            out.push_str("\x1b[");
            out.push_str(code);
            out.push('m');
        }
    }
    fn close(&self, out: &mut String) {
        if self.color {
            out.push_str("\x1b[0m");
        }
    }
    /// `text` in colour `code`.
    fn put(&self, out: &mut String, code: &str, text: &str) {
        self.open(out, code);
        out.push_str(text);
        self.close(out);
    }
}

/// `number` in decimal, without core::fmt.
fn push_number(out: &mut String, number: u32) {
    out.push_str(itoa::Buffer::new().format(number));
}

pub fn render(outcome: &Outcome, style: TextStyle) -> String {
    let paint = Paint { color: style.color };
    let mut out = String::new();
    for submission in &outcome.submissions {
        render_submission(&mut out, submission, style.lang, &paint, &outcome.server);
    }
    out
}

/// One submission's text, without colour choices beyond `style` (for reports that embed it).
pub fn render_submission_text(
    submission: &SubmissionOutcome,
    style: TextStyle,
    server: &str,
) -> String {
    let mut out = String::new();
    let paint = Paint { color: style.color };
    render_submission(&mut out, submission, style.lang, &paint, server);
    out
}

fn render_submission(
    out: &mut String,
    submission: &SubmissionOutcome,
    lang: Lang,
    paint: &Paint,
    server: &str,
) {
    render_head(out, submission, lang, paint);
    for grade in &submission.grades {
        let source = grade
            .session
            .as_ref()
            .and_then(|s| submission.graded_session(s.index))
            .map(|s| &s.source);
        render_grade(out, grade, source, lang, paint);
    }
    let graded = submission.grades.iter().filter(|g| counts(g)).count();
    render_tail(out, submission, graded, lang, server);
}

/// The submission's name and its problems, before its grades.
fn render_head(out: &mut String, submission: &SubmissionOutcome, lang: Lang, paint: &Paint) {
    paint.put(out, BOLD, &submission.id);
    out.push('\n');
    for problem in &submission.problems {
        out.push_str("  ");
        paint.put(out, RED, ReportWord::Error.get(lang));
        out.push_str(": ");
        out.push_str(&problem.line_in(lang));
        out.push('\n');
        if let Some(hint) = &problem.hint {
            out.push_str("    ");
            out.push_str(ReportWord::Help.get(lang));
            out.push_str(": ");
            out.push_str(hint.get(lang));
            out.push('\n');
        }
    }
}

/// After the grades: the lab's tasks, the score, what lateness took, the result line;
/// `graded` is how many grades [`counts`].
fn render_tail(
    out: &mut String,
    submission: &SubmissionOutcome,
    graded: usize,
    lang: Lang,
    server: &str,
) {
    for task in &submission.grade.tasks {
        let _ = writeln!(out, "  {}", task_line(task, lang));
    }
    let basis = &submission.grade.basis;
    if submission.grade.gradable() {
        let line = ReportMessage::ScoreOutOf {
            score: submission.grade.score,
            total: submission.grade.max_score,
            reason: basis.reason.clone(),
        };
        let _ = writeln!(out, "  {}", line.render(lang));
    }
    if let Some(late) = super::summary::late_line(submission, lang) {
        let _ = writeln!(out, "  {late}");
    }
    let summary = summary_line(submission, graded, lang, server);
    let _ = writeln!(out, "{summary}\n");
}

/// Whether a grade counts as graded in the result line.
fn counts(grade: &Grade) -> bool {
    grade.verdict != Verdict::Ungradable
}

/// `task 3.4 (Send by hand with telnet): 30/30, passed, from section “4.4 telnet收发邮件”`.
pub fn task_line(task: &crate::pipeline::TaskGrade, lang: Lang) -> String {
    let status = super::summary::task_status_word(task.status);
    let line = ReportMessage::TaskLine {
        task: task.id.clone(),
        title: task.title.clone(),
        score: task.score,
        points: task.points,
        status,
    }
    .render(lang);
    match &task.section {
        Some(heading) => format!(
            "{line}{}{}",
            crate::i18n::Separator::Comma.get(lang),
            ReportMessage::FromSection {
                heading: heading.clone()
            }
            .render(lang)
        ),
        None => line,
    }
}

fn summary_line(submission: &SubmissionOutcome, graded: usize, lang: Lang, server: &str) -> String {
    let verdict = super::summary::verdict_of(&super::summary::totals(submission));
    let replies = match server {
        "none" => ReportWord::RepliesAsHandedIn.text(),
        name => ReportMessage::RepliesFrom {
            server: name.to_string(),
        }
        .text(),
    };
    let result = ReportMessage::SubmissionResult {
        verdict,
        graded,
        replies,
    };
    format!("  {}", result.render(lang))
}

/// One grade; `source` is where its session came from. Pushed piece by piece into `out`
/// (see [`Paint`]): this is most of what `grade` does on its main thread for a capture.
fn render_grade(
    out: &mut String,
    grade: &Grade,
    source: Option<&Source>,
    lang: Lang,
    paint: &Paint,
) {
    out.push_str("  ");
    paint.open(out, BOLD);
    out.push_str(&grade.scenario);
    out.push_str(" — ");
    out.push_str(grade.title.get(lang));
    paint.close(out);
    out.push_str("  ");
    let score = |out: &mut String| {
        push_number(out, grade.score);
        out.push('/');
        push_number(out, grade.max_score);
        out.push(' ');
    };
    match grade.verdict {
        Verdict::Passed => {
            paint.open(out, GREEN);
            score(out);
            out.push_str(ReportWord::Passed.get(lang));
            paint.close(out);
        }
        Verdict::Failed => {
            let failed = ReportMessage::FailedBelow {
                pass_mark: grade.pass_mark,
            };
            paint.open(out, RED);
            score(out);
            out.push_str(&failed.render(lang));
            paint.close(out);
        }
        Verdict::Ungradable => paint.put(out, YELLOW, ReportWord::Ungradable.get(lang)),
    }
    out.push('\n');
    if let Some(source) = source {
        let line = out.len();
        out.push_str("    ");
        paint.open(out, DIM);
        let text = out.len();
        summary::write_source_in(out, source, lang);
        // No line for a source with neither a path nor a label.
        if out.len() == text {
            out.truncate(line);
        } else {
            paint.close(out);
            out.push('\n');
        }
    }
    if let Some(reason) = &grade.reason {
        out.push_str("    ");
        out.push_str(reason.get(lang));
        out.push('\n');
    }
    for check in &grade.checks {
        render_check(out, check, lang, paint);
    }
    for finding in &grade.findings {
        render_finding(out, finding, lang, paint);
    }
    if grade.verdict != Verdict::Ungradable && grade.losses().next().is_some() {
        out.push_str("    ");
        paint.put(out, DIM, ReportWord::ExpectedVsYoursLower.get(lang));
        out.push('\n');
        for line in summary::diff_in(&grade.unified_diff(), lang).lines() {
            out.push_str("      ");
            match line.chars().next() {
                Some('-') => paint.put(out, RED, line),
                Some('+') => paint.put(out, GREEN, line),
                _ => out.push_str(line),
            }
            out.push('\n');
        }
    }
}

fn render_check(out: &mut String, check: &Check, lang: Lang, paint: &Paint) {
    out.push_str("    ");
    match check.status {
        Status::Passed => paint.put(out, GREEN, "✓"),
        Status::Skipped | Status::NotChecked => paint.put(out, DIM, "·"),
        _ => paint.put(out, RED, "✗"),
    }
    out.push(' ');
    out.push_str(check.name_in(lang));
    if check.max_points > 0 {
        out.push_str("  ");
        push_number(out, check.points);
        out.push('/');
        push_number(out, check.max_points);
    }
    out.push('\n');
    // A check that could not look (an elided body) is told once, as a finding.
    if check.status.is_ok() {
        return;
    }
    if let Some(feedback) = &check.feedback {
        out.push_str("        ");
        out.push_str(feedback.get(lang));
        out.push('\n');
    }
    if let Some(evidence) = &check.evidence {
        render_evidence(out, evidence, lang, paint);
    }
}

fn render_finding(out: &mut String, finding: &Finding, lang: Lang, paint: &Paint) {
    let word = super::summary::severity_word(finding.severity, lang);
    let code = match finding.severity {
        FindingSeverity::Info => DIM,
        FindingSeverity::Warning => YELLOW,
        FindingSeverity::Error => RED,
    };
    out.push_str("    ");
    paint.put(out, code, word);
    out.push_str(": ");
    out.push_str(finding.message.get(lang));
    out.push('\n');
    if let Some(evidence) = &finding.evidence {
        render_evidence(out, evidence, lang, paint);
    }
}

fn render_evidence(out: &mut String, evidence: &Evidence, lang: Lang, paint: &Paint) {
    let place = location(&evidence.source, evidence.origin, lang);
    let exchange = summary::skeleton_in(&evidence.exchange, lang);
    out.push_str("        ");
    paint.open(out, DIM);
    let text = out.len();
    out.push_str("--> ");
    out.push_str(&place);
    out.push_str("  ");
    out.push_str(&exchange);
    out.truncate(text + out[text..].trim_end().len());
    paint.close(out);
    out.push('\n');
}

/// A submission's text written while its one file is still being graded (`grade --server
/// none`, see `pipeline::stream::grade_claimed_streamed`): each grade but the first is
/// rendered as it comes into a file (the caller's: a temporary one), so neither sessions
/// nor grades are held; [`TextSpill::write`] then gives the bytes [`render`] would.
pub struct TextSpill {
    file: File,
    lang: Lang,
    paint: Paint,
    /// Grades pushed that [`counts`].
    graded: usize,
    /// The grades rendered and not yet in the file: they are rendered straight into it and
    /// it is written out when [`SPILLED_AT`] is reached, so it is the file's only buffer.
    text: String,
}

/// How much text [`TextSpill`] gathers before writing it to its file.
const SPILLED_AT: usize = 1 << 16;

impl TextSpill {
    pub fn new(file: File, style: TextStyle) -> Self {
        TextSpill {
            file,
            lang: style.lang,
            paint: Paint { color: style.color },
            graded: 0,
            text: String::with_capacity(SPILLED_AT + (SPILLED_AT >> 2)),
        }
    }

    /// A grade that comes after the submission's first, and the session it grades.
    pub fn push_grade(&mut self, grade: &Grade, session: &Session) -> io::Result<()> {
        let source = Some(&session.source);
        render_grade(&mut self.text, grade, source, self.lang, &self.paint);
        self.graded += usize::from(counts(grade));
        if self.text.len() >= SPILLED_AT {
            self.file.write_all(self.text.as_bytes())?;
            self.text.clear();
        }
        Ok(())
    }

    /// The submission's text into `out`: its head, the grades it kept (the first, whose
    /// session came from `first_source`), those pushed, its tail.
    pub fn write(
        self,
        submission: &SubmissionOutcome,
        first_source: Option<&Source>,
        server: &str,
        out: &mut dyn io::Write,
    ) -> io::Result<()> {
        let TextSpill {
            mut file,
            lang,
            paint,
            graded,
            mut text,
        } = self;
        // What is left of the grades pushed goes last, after those in the file.
        let mut head = String::new();
        render_head(&mut head, submission, lang, &paint);
        for grade in &submission.grades {
            render_grade(&mut head, grade, first_source, lang, &paint);
        }
        out.write_all(head.as_bytes())?;
        file.seek(io::SeekFrom::Start(0))?;
        copy_in_large_pieces(&mut file, out)?;
        out.write_all(text.as_bytes())?;
        text.clear();
        let graded = graded + submission.grades.iter().filter(|g| counts(g)).count();
        render_tail(&mut text, submission, graded, lang, server);
        out.write_all(text.as_bytes())
    }
}

/// `io::copy` into a `dyn Write` reads 8 KiB at a time, each copied once more into the
/// output's buffer; pieces larger than that buffer go through it untouched.
fn copy_in_large_pieces(file: &mut File, out: &mut dyn io::Write) -> io::Result<()> {
    let mut piece = vec![0; 1 << 18];
    loop {
        match file.read(&mut piece) {
            Ok(0) => return Ok(()),
            Ok(read) => out.write_all(&piece[..read])?,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
}
