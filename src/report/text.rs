//! Terminal text for people: a student checking their work, a TA reading one submission.

use crate::i18n::Lang;
use std::fmt::Write;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write as _};

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

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn green(&self, text: &str) -> String {
        self.wrap("32", text)
    }
    fn red(&self, text: &str) -> String {
        self.wrap("31", text)
    }
    fn yellow(&self, text: &str) -> String {
        self.wrap("33", text)
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
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
    let _ = writeln!(out, "{}", paint.bold(&submission.id));
    for problem in &submission.problems {
        let _ = writeln!(
            out,
            "  {}: {}",
            paint.red(ReportWord::Error.get(lang)),
            problem.line_in(lang)
        );
        if let Some(hint) = &problem.hint {
            let _ = writeln!(
                out,
                "    {}: {}",
                ReportWord::Help.get(lang),
                hint.get(lang)
            );
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

/// One grade; `source` is where its session came from.
fn render_grade(
    out: &mut String,
    grade: &Grade,
    source: Option<&Source>,
    lang: Lang,
    paint: &Paint,
) {
    let where_ = source
        .map(|source| summary::source_in(source, lang))
        .unwrap_or_default();
    let head = format!("{} — {}", grade.scenario, grade.title.get(lang));
    let score = format!("{}/{}", grade.score, grade.max_score);
    let verdict = match grade.verdict {
        Verdict::Passed => paint.green(&format!("{score} {}", ReportWord::Passed.get(lang))),
        Verdict::Failed => {
            let failed = ReportMessage::FailedBelow {
                pass_mark: grade.pass_mark,
            };
            paint.red(&format!("{score} {}", failed.render(lang)))
        }
        Verdict::Ungradable => paint.yellow(ReportWord::Ungradable.get(lang)),
    };
    let _ = writeln!(out, "  {}  {verdict}", paint.bold(&head));
    if !where_.is_empty() {
        let _ = writeln!(out, "    {}", paint.dim(&where_));
    }
    if let Some(reason) = &grade.reason {
        let _ = writeln!(out, "    {}", reason.get(lang));
    }
    for check in &grade.checks {
        render_check(out, check, lang, paint);
    }
    for finding in &grade.findings {
        render_finding(out, finding, lang, paint);
    }
    if grade.verdict != Verdict::Ungradable && grade.losses().next().is_some() {
        let heading = ReportWord::ExpectedVsYoursLower.get(lang);
        let _ = writeln!(out, "    {}", paint.dim(heading));
        for line in summary::diff_in(&grade.unified_diff(), lang).lines() {
            let line = match line.chars().next() {
                Some('-') => paint.red(line),
                Some('+') => paint.green(line),
                _ => line.to_string(),
            };
            let _ = writeln!(out, "      {line}");
        }
    }
}

fn render_check(out: &mut String, check: &Check, lang: Lang, paint: &Paint) {
    let mark = match check.status {
        Status::Passed => paint.green("✓"),
        Status::Skipped | Status::NotChecked => paint.dim("·"),
        _ => paint.red("✗"),
    };
    let points = if check.max_points > 0 {
        format!("  {}/{}", check.points, check.max_points)
    } else {
        String::new()
    };
    let _ = writeln!(out, "    {mark} {}{points}", check.name_in(lang));
    // A check that could not look (an elided body) is told once, as a finding.
    if check.status.is_ok() {
        return;
    }
    if let Some(feedback) = &check.feedback {
        let _ = writeln!(out, "        {}", feedback.get(lang));
    }
    if let Some(evidence) = &check.evidence {
        render_evidence(out, evidence, lang, paint);
    }
}

fn render_finding(out: &mut String, finding: &Finding, lang: Lang, paint: &Paint) {
    let word = super::summary::severity_word(finding.severity, lang);
    let label = match finding.severity {
        FindingSeverity::Info => paint.dim(word),
        FindingSeverity::Warning => paint.yellow(word),
        FindingSeverity::Error => paint.red(word),
    };
    let _ = writeln!(out, "    {label}: {}", finding.message.get(lang));
    if let Some(evidence) = &finding.evidence {
        render_evidence(out, evidence, lang, paint);
    }
}

fn render_evidence(out: &mut String, evidence: &Evidence, lang: Lang, paint: &Paint) {
    let place = location(&evidence.source, evidence.origin, lang);
    let exchange = summary::skeleton_in(&evidence.exchange, lang);
    let _ = writeln!(
        out,
        "        {}",
        paint.dim(format!("--> {place}  {exchange}").trim_end())
    );
}

/// A submission's text written while its one file is still being graded (`grade --server
/// none`, see `pipeline::stream::grade_claimed_streamed`): each grade but the first is
/// rendered as it comes into a file (the caller's: a temporary one), so neither sessions
/// nor grades are held; [`TextSpill::write`] then gives the bytes [`render`] would.
pub struct TextSpill {
    file: BufWriter<File>,
    lang: Lang,
    paint: Paint,
    /// Grades pushed that [`counts`].
    graded: usize,
    /// One grade's text, reused.
    text: String,
}

impl TextSpill {
    pub fn new(file: File, style: TextStyle) -> Self {
        TextSpill {
            file: BufWriter::with_capacity(1 << 16, file),
            lang: style.lang,
            paint: Paint { color: style.color },
            graded: 0,
            text: String::new(),
        }
    }

    /// A grade that comes after the submission's first, and the session it grades.
    pub fn push_grade(&mut self, grade: &Grade, session: &Session) -> io::Result<()> {
        self.text.clear();
        let source = Some(&session.source);
        render_grade(&mut self.text, grade, source, self.lang, &self.paint);
        self.graded += usize::from(counts(grade));
        self.file.write_all(self.text.as_bytes())
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
            file,
            lang,
            paint,
            graded,
            mut text,
        } = self;
        text.clear();
        render_head(&mut text, submission, lang, &paint);
        for grade in &submission.grades {
            render_grade(&mut text, grade, first_source, lang, &paint);
        }
        out.write_all(text.as_bytes())?;
        let mut file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.seek(io::SeekFrom::Start(0))?;
        io::copy(&mut file, out)?;
        text.clear();
        let graded = graded + submission.grades.iter().filter(|g| counts(g)).count();
        render_tail(&mut text, submission, graded, lang, server);
        out.write_all(text.as_bytes())
    }
}
