//! The JSON report, schema `mailgrade/v1` (documented in `docs/json-schema.md`).

use std::fmt::Display;

use std::cell::{Cell, RefCell};

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::{Outcome, Problem, SubmissionGrade, SubmissionOutcome, SubmissionStream};
use crate::grade::Grade;
use crate::session::{
    CommandKind, Connect, Exchange, Note, Origin, Protocol, Reading, Session, Source, TlsHandshake,
};

pub const SCHEMA: &str = "mailgrade/v1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    tool: Tool,
    server: &'a str,
    submissions: Vec<SubmissionView<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct SubmissionView<'a> {
    id: &'a str,
    files: &'a [std::path::PathBuf],
    /// Passed when every scenario graded has a passing session (with a lab: the lab's
    /// pass mark reached, every required task there).
    passed: bool,
    /// The submission's grade: score, maximum, verdict, the grade counted per scenario (or
    /// task), each task with a lab, and the `basis` of the total.
    grade: &'a SubmissionGrade,
    sessions: Vec<SessionView<'a>>,
    grades: &'a [Grade],
    problems: &'a [Problem],
}

#[derive(Serialize)]
struct SessionView<'a> {
    protocol: Protocol,
    source: &'a Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    connect: Option<&'a Connect>,
    skeleton: Skeleton<'a>,
    exchanges: Vec<ExchangeView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encrypted_after: Option<usize>,
    /// The TLS handshake after STARTTLS / STLS, of implicit TLS, or of a `tls` connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    tls: Option<&'a TlsHandshake>,
    notes: &'a [Note],
    /// How a text file was read: the direction markers learned from it, how each was read,
    /// and doubts about the reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    reading: Option<&'a Reading>,
    /// The same commands as replayed, with the replay server's replies.
    #[serde(skip_serializing_if = "Option::is_none")]
    replayed: Option<ReplayedView<'a>>,
}

#[derive(Serialize)]
struct ReplayedView<'a> {
    skeleton: Skeleton<'a>,
    exchanges: Vec<ExchangeView<'a>>,
}

#[derive(Serialize)]
struct ExchangeView<'a> {
    /// `greeting`, `command`, `auth-response`, `auth-cancel` or `message`.
    kind: &'static str,
    /// The upper-cased verb of a command line; null for the other kinds.
    verb: Option<&'a str>,
    /// The client's line as sent, secrets redacted; null for the greeting.
    command: Option<Shown<&'a crate::session::Command>>,
    /// The reply code as a string (`"250"`, `"+OK"`, `"-ERR"`, `"+"`); null when none was seen.
    reply: Option<Shown<&'a crate::session::ReplyCode>>,
    /// The reply's text lines after the code.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    reply_text: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    message_size: Option<u64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pipelined: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    command_origin: Option<Origin>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_origin: Option<Origin>,
}

/// A value written as a JSON string through its `Display`, with no `String` made for it.
struct Shown<T>(T);

impl<T: Display> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// A session's skeleton (`Session::skeleton`), one string per exchange, written as it goes.
struct Skeleton<'a>(&'a [Exchange]);

struct SkeletonLine<'a>(&'a Exchange);

impl Display for SkeletonLine<'_> {
    /// As `Exchange::skeleton_line` says it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = self
            .0
            .command
            .as_ref()
            .map_or("greeting", crate::session::Command::label);
        match &self.0.reply {
            Some(reply) => write!(f, "{label} → {}", reply.code),
            None => write!(f, "{label} → (no reply)"),
        }
    }
}

impl Serialize for Skeleton<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|e| Shown(SkeletonLine(e))))
    }
}

fn exchange_view(exchange: &Exchange) -> ExchangeView<'_> {
    let command = exchange.command.as_ref();
    let kind = match command.map(|c| &c.kind) {
        None => "greeting",
        Some(CommandKind::Line { .. }) => "command",
        Some(CommandKind::AuthResponse { .. }) => "auth-response",
        Some(CommandKind::AuthCancel) => "auth-cancel",
        Some(CommandKind::Message { .. }) => "message",
    };
    let message_size = match command.map(|c| &c.kind) {
        Some(CommandKind::Message { content }) => content.size,
        _ => None,
    };
    ExchangeView {
        kind,
        verb: command.and_then(|c| c.word()),
        command: command.map(Shown),
        reply: exchange.reply.as_ref().map(|r| Shown(&r.code)),
        reply_text: exchange.reply.as_ref().map_or(&[], |r| r.lines.as_slice()),
        message_size,
        pipelined: command.is_some_and(|c| c.pipelined),
        command_origin: command.map(|c| c.origin),
        reply_origin: exchange.reply.as_ref().map(|r| r.origin),
    }
}

fn session_view<'a>(session: &'a Session, replayed: Option<&'a Session>) -> SessionView<'a> {
    SessionView {
        protocol: session.protocol,
        source: &session.source,
        connect: session.connect.as_ref(),
        skeleton: Skeleton(&session.exchanges),
        exchanges: session.exchanges.iter().map(exchange_view).collect(),
        encrypted_after: session.encrypted_after,
        tls: session.tls.as_ref(),
        notes: &session.notes,
        reading: session.reading.as_ref(),
        replayed: replayed.map(|replayed| ReplayedView {
            skeleton: Skeleton(&replayed.exchanges),
            // Without reply text: queue ids and APOP timestamps differ from run to run, and
            // the same input must give the same report.
            exchanges: replayed
                .exchanges
                .iter()
                .map(|exchange| ExchangeView {
                    reply_text: &[],
                    ..exchange_view(exchange)
                })
                .collect(),
        }),
    }
}

fn submission_view(submission: &SubmissionOutcome) -> SubmissionView<'_> {
    SubmissionView {
        id: &submission.id,
        files: &submission.files,
        passed: submission.grade.passed(),
        grade: &submission.grade,
        sessions: submission
            .sessions
            .iter()
            .enumerate()
            .map(|(index, session)| session_view(session, submission.replayed.get(&index)))
            .collect(),
        grades: &submission.grades,
        problems: &submission.problems,
    }
}

/// The whole outcome as a pretty-printed JSON document.
pub fn render(outcome: &Outcome) -> String {
    let mut out = Vec::new();
    write(outcome, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// [`render`] into `out` (a buffered writer): serialised as it is written, never held whole.
pub fn write(outcome: &Outcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let document = Document {
        schema: SCHEMA,
        tool: Tool {
            name: "mailgrade",
            version: env!("CARGO_PKG_VERSION"),
        },
        server: &outcome.server,
        submissions: outcome.submissions.iter().map(submission_view).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

/// [`write`] for submissions still being read: each session is written as it comes and
/// dropped, so the report costs the memory of one session. The same document as [`write`]
/// gives for the same submissions; returns how many sessions it wrote.
pub fn write_stream(
    server: &str,
    submissions: &mut dyn Iterator<Item = Box<dyn SubmissionStream>>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<u64> {
    let written = Cell::new(0);
    let document = StreamDocument {
        schema: SCHEMA,
        tool: Tool {
            name: "mailgrade",
            version: env!("CARGO_PKG_VERSION"),
        },
        server,
        submissions: StreamSubmissions {
            submissions: RefCell::new(submissions),
            written: &written,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(written.get())
}

#[derive(Serialize)]
struct StreamDocument<'a> {
    schema: &'static str,
    tool: Tool,
    server: &'a str,
    submissions: StreamSubmissions<'a>,
}

/// Serialised once: the submissions are taken from the iterator as they are written.
struct StreamSubmissions<'a> {
    submissions: RefCell<&'a mut dyn Iterator<Item = Box<dyn SubmissionStream>>>,
    written: &'a Cell<u64>,
}

impl Serialize for StreamSubmissions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut submissions = self.submissions.borrow_mut();
        let mut seq = serializer.serialize_seq(None)?;
        for submission in &mut **submissions {
            seq.serialize_element(&StreamSubmission {
                submission: RefCell::new(Some(submission)),
                written: self.written,
            })?;
        }
        seq.end()
    }
}

struct StreamSubmission<'a> {
    submission: RefCell<Option<Box<dyn SubmissionStream>>>,
    written: &'a Cell<u64>,
}

impl Serialize for StreamSubmission<'_> {
    /// The fields of [`SubmissionView`], in its order.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(mut submission) = self.submission.borrow_mut().take() else {
            return Err(serde::ser::Error::custom("a submission is written once"));
        };
        let grade = submission.grade();
        let mut view = serializer.serialize_struct("SubmissionView", 7)?;
        view.serialize_field("id", submission.id())?;
        view.serialize_field("files", submission.files())?;
        view.serialize_field("passed", &grade.passed())?;
        view.serialize_field("grade", &grade)?;
        view.serialize_field(
            "sessions",
            &StreamSessions {
                submission: RefCell::new(&mut *submission),
                written: self.written,
            },
        )?;
        let rest = submission.finish();
        view.serialize_field("grades", &rest.grades)?;
        view.serialize_field("problems", &rest.problems)?;
        view.end()
    }
}

struct StreamSessions<'a, 'b> {
    submission: RefCell<&'b mut dyn SubmissionStream>,
    written: &'a Cell<u64>,
}

impl Serialize for StreamSessions<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut submission = self.submission.borrow_mut();
        let mut seq = serializer.serialize_seq(None)?;
        while let Some(session) = submission.next_session() {
            seq.serialize_element(&session_view(&session, None))?;
            self.written.set(self.written.get() + 1);
        }
        seq.end()
    }
}
