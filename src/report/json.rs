//! The JSON report, schema `mailgrade/v1` (documented in `docs/json-schema.md`).

use std::fmt::Display;

use serde::{Serialize, Serializer};

mod writer;

use writer::JsonWriter;
pub use writer::Layout;

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
    exchanges: Exchanges<'a>,
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
    exchanges: Exchanges<'a>,
}

/// A session's exchanges, each viewed as it is written: no list of views is made.
struct Exchanges<'a> {
    exchanges: &'a [Exchange],
    /// Replayed: without reply text, as [`session_view`] says why.
    replayed: bool,
}

impl Serialize for Exchanges<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.exchanges.iter().map(|exchange| {
            let view = exchange_view(exchange);
            if self.replayed {
                ExchangeView {
                    reply_text: &[],
                    ..view
                }
            } else {
                view
            }
        }))
    }
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
        exchanges: Exchanges {
            exchanges: &session.exchanges,
            replayed: false,
        },
        encrypted_after: session.encrypted_after,
        tls: session.tls.as_ref(),
        notes: &session.notes,
        reading: session.reading.as_ref(),
        replayed: replayed.map(|replayed| ReplayedView {
            skeleton: Skeleton(&replayed.exchanges),
            // Without reply text: queue ids and APOP timestamps differ from run to run, and
            // the same input must give the same report.
            exchanges: Exchanges {
                exchanges: &replayed.exchanges,
                replayed: true,
            },
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
    render_in(outcome, Layout::Pretty)
}

/// The whole outcome as a JSON document laid out as `layout` says.
pub fn render_in(outcome: &Outcome, layout: Layout) -> String {
    let mut out = Vec::new();
    write(outcome, layout, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// [`render_in`] into `out`: serialised as it is written, never held whole.
pub fn write(
    outcome: &Outcome,
    layout: Layout,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let document = Document {
        schema: SCHEMA,
        tool: Tool {
            name: "mailgrade",
            version: env!("CARGO_PKG_VERSION"),
        },
        server: &outcome.server,
        submissions: outcome.submissions.iter().map(submission_view).collect(),
    };
    let mut json = JsonWriter::new(out, layout);
    json.value(0, &document)?;
    json.raw(b"\n");
    json.flush()
}

/// [`write`] for submissions still being read: each session is written as it comes and
/// dropped, so the report costs the memory of one session. The same bytes as [`write`]
/// gives for the same submissions; returns how many sessions it wrote.
///
/// A value is written only whole, so the document is framed here as the serialiser frames
/// it, and each value in it is serialised alone at its depth.
pub fn write_stream(
    server: &str,
    layout: Layout,
    submissions: &mut dyn Iterator<Item = Streamed>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<u64> {
    let mut json = JsonWriter::new(out, layout);
    let tool = Tool {
        name: "mailgrade",
        version: env!("CARGO_PKG_VERSION"),
    };
    json.raw(b"{");
    field(&mut json, 1, true, "schema", &SCHEMA)?;
    field(&mut json, 1, false, "tool", &tool)?;
    field(&mut json, 1, false, "server", &server)?;
    json.key(1, false, "submissions");
    json.raw(b"[");
    let mut written = 0;
    let mut any = false;
    for submission in submissions {
        json.element(2, !any);
        any = true;
        written += write_submission(&mut json, submission)?;
    }
    json.close(1, any, b"]");
    json.close(0, true, b"}");
    json.raw(b"\n");
    json.flush()?;
    Ok(written)
}

/// A submission for [`write_stream`]: its sessions come from `stream`, after those written
/// ahead of time to `sessions` (see [`Spill`]); grades written ahead of time to `grades`
/// follow those of the stream's outcome.
pub struct Streamed {
    pub stream: Box<dyn SubmissionStream>,
    pub sessions: Option<Spill>,
    pub grades: Option<Spill>,
}

type Out<'o> = JsonWriter<&'o mut dyn std::io::Write>;

fn field<T: Serialize + ?Sized>(
    json: &mut Out<'_>,
    depth: usize,
    first: bool,
    name: &str,
    value: &T,
) -> std::io::Result<()> {
    json.key(depth, first, name);
    json.value(depth, value)
}

/// The fields of [`SubmissionView`], in its order, at depth 2.
fn write_submission(json: &mut Out<'_>, submission: Streamed) -> std::io::Result<u64> {
    let Streamed {
        stream: mut submission,
        sessions: spilled_sessions,
        grades: spilled_grades,
    } = submission;
    let grade = submission.grade();
    json.raw(b"{");
    field(json, 3, true, "id", &submission.id())?;
    field(json, 3, false, "files", &submission.files())?;
    field(json, 3, false, "passed", &grade.passed())?;
    field(json, 3, false, "grade", &grade)?;
    json.key(3, false, "sessions");
    json.raw(b"[");
    let mut written = 0;
    if let Some(spilled) = spilled_sessions {
        written = spilled.copy_to(json.sink()?, true)?;
    }
    while let Some(session) = submission.next_session() {
        json.element(4, written == 0);
        json.value(4, &session_view(&session, None))?;
        written += 1;
    }
    json.close(3, written > 0, b"]");
    let rest = submission.finish();
    json.key(3, false, "grades");
    json.raw(b"[");
    for (index, grade) in rest.grades.iter().enumerate() {
        json.element(4, index == 0);
        json.value(4, grade)?;
    }
    let mut any = !rest.grades.is_empty();
    if let Some(spilled) = spilled_grades {
        any |= spilled.copy_to(json.sink()?, rest.grades.is_empty())? > 0;
    }
    json.close(3, any, b"]");
    field(json, 3, false, "problems", &rest.problems)?;
    json.close(2, true, b"}");
    Ok(written)
}

/// Sessions or grades written ahead of their place in the report, to a file (the caller's:
/// a temporary one), so a submission of many sessions need not hold them until the values
/// before them are known (its grade comes before its sessions); [`write_stream`] copies
/// them in, sessions first, grades after those its submission kept.
pub struct Spill {
    json: JsonWriter<std::fs::File>,
    count: u64,
}

impl Spill {
    pub fn new(file: std::fs::File, layout: Layout) -> Self {
        Spill {
            json: JsonWriter::new(file, layout),
            count: 0,
        }
    }

    pub fn push_grade(&mut self, grade: &Grade) -> std::io::Result<()> {
        self.push(grade)
    }

    pub fn push_session(&mut self, session: &Session) -> std::io::Result<()> {
        self.push(&session_view(session, None))
    }

    /// An element of an array at depth 4, where a submission's sessions and grades sit,
    /// never the first: [`Spill::copy_to`] drops the comma of the first.
    fn push<T: Serialize>(&mut self, value: &T) -> std::io::Result<()> {
        self.json.element(4, false);
        self.json.value(4, value)?;
        self.count += 1;
        Ok(())
    }

    /// Copies the values into `out`, as the first elements of their array when `first`;
    /// how many there were.
    fn copy_to(self, out: &mut dyn std::io::Write, first: bool) -> std::io::Result<u64> {
        use std::io::Seek;
        let mut file = self.json.into_inner()?;
        file.seek(std::io::SeekFrom::Start(if first { 1 } else { 0 }))?;
        std::io::copy(&mut file, out)?;
        Ok(self.count)
    }
}
