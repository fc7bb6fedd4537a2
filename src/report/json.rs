//! The JSON report, schema `mailgrade/v1` (documented in `docs/json-schema.md`).

use std::fmt::Display;
use std::io::Write as _;

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
    // serde_json writes a token at a time: into a writer of known type those writes are
    // inlined copies, where through `dyn Write` each is a call.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
    serde_json::to_writer_pretty(&mut buffered, &document).map_err(std::io::Error::from)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// [`write`] for submissions still being read: each session is written as it comes and
/// dropped, so the report costs the memory of one session. The same bytes as [`write`]
/// gives for the same submissions; returns how many sessions it wrote.
///
/// serde_json writes a value only whole, so the document is framed here as its pretty
/// printer frames it, and each value in it is serialised alone and indented to its depth.
pub fn write_stream(
    server: &str,
    submissions: &mut dyn Iterator<Item = Streamed>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<u64> {
    let mut pretty = Pretty {
        out,
        scratch: Vec::new(),
    };
    let tool = Tool {
        name: "mailgrade",
        version: env!("CARGO_PKG_VERSION"),
    };
    pretty.raw("{")?;
    pretty.field(1, true, "schema", &SCHEMA)?;
    pretty.field(1, false, "tool", &tool)?;
    pretty.field(1, false, "server", &server)?;
    pretty.key(1, false, "submissions")?;
    pretty.raw("[")?;
    let mut written = 0;
    let mut any = false;
    for submission in submissions {
        pretty.element(2, !any)?;
        any = true;
        written += write_submission(&mut pretty, submission)?;
    }
    pretty.close(1, any, "]")?;
    pretty.close(0, true, "}")?;
    pretty.raw("\n")?;
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

/// The fields of [`SubmissionView`], in its order, at depth 2.
fn write_submission(pretty: &mut Pretty<'_>, submission: Streamed) -> std::io::Result<u64> {
    let Streamed {
        stream: mut submission,
        sessions: spilled_sessions,
        grades: spilled_grades,
    } = submission;
    let grade = submission.grade();
    pretty.raw("{")?;
    pretty.field(3, true, "id", &submission.id())?;
    pretty.field(3, false, "files", &submission.files())?;
    pretty.field(3, false, "passed", &grade.passed())?;
    pretty.field(3, false, "grade", &grade)?;
    pretty.key(3, false, "sessions")?;
    pretty.raw("[")?;
    let mut written = 0;
    if let Some(spilled) = spilled_sessions {
        written = spilled.copy_to(pretty.out, true)?;
    }
    while let Some(session) = submission.next_session() {
        pretty.element(4, written == 0)?;
        pretty.value(4, &session_view(&session, None))?;
        written += 1;
    }
    pretty.close(3, written > 0, "]")?;
    let rest = submission.finish();
    pretty.key(3, false, "grades")?;
    pretty.raw("[")?;
    for (index, grade) in rest.grades.iter().enumerate() {
        pretty.element(4, index == 0)?;
        pretty.value(4, grade)?;
    }
    let mut any = !rest.grades.is_empty();
    if let Some(spilled) = spilled_grades {
        any |= spilled.copy_to(pretty.out, rest.grades.is_empty())? > 0;
    }
    pretty.close(3, any, "]")?;
    pretty.field(3, false, "problems", &rest.problems)?;
    pretty.close(2, true, "}")?;
    Ok(written)
}

const SPACES: &[u8; 32] = b"                                ";

/// serde_json's pretty layout, written a value at a time.
struct Pretty<'o> {
    out: &'o mut dyn std::io::Write,
    /// Each value is serialised here, then written to `out` in one piece: serde_json
    /// writes a token at a time, and into a `Vec` each write is an inlined copy, where
    /// through `dyn Write` it is a call (a third of `extract --format json`'s instructions).
    scratch: Vec<u8>,
}

impl Pretty<'_> {
    fn raw(&mut self, text: &str) -> std::io::Result<()> {
        self.out.write_all(text.as_bytes())
    }

    fn newline(&mut self, depth: usize) -> std::io::Result<()> {
        self.out.write_all(b"\n")?;
        self.out.write_all(&SPACES[..2 * depth])
    }

    /// Before an element of an array or object at `depth`.
    fn element(&mut self, depth: usize, first: bool) -> std::io::Result<()> {
        if !first {
            self.out.write_all(b",")?;
        }
        self.newline(depth)
    }

    fn key(&mut self, depth: usize, first: bool, name: &str) -> std::io::Result<()> {
        self.element(depth, first)?;
        write!(self.out, "\"{name}\": ")
    }

    fn field<T: Serialize + ?Sized>(
        &mut self,
        depth: usize,
        first: bool,
        name: &str,
        value: &T,
    ) -> std::io::Result<()> {
        self.key(depth, first, name)?;
        self.value(depth, value)
    }

    /// The end of an array or object whose elements sit at `depth + 1`.
    fn close(&mut self, depth: usize, any: bool, bracket: &str) -> std::io::Result<()> {
        if any {
            self.newline(depth)?;
        }
        self.raw(bracket)
    }

    fn value<T: Serialize + ?Sized>(&mut self, depth: usize, value: &T) -> std::io::Result<()> {
        self.scratch.clear();
        write_at(&mut self.scratch, value, depth)?;
        self.out.write_all(&self.scratch)?;
        // A session of huge replies need not keep its buffer for all the others.
        if self.scratch.capacity() > SCRATCH_KEPT {
            self.scratch = Vec::new();
        }
        Ok(())
    }
}

/// The most [`Pretty::scratch`] keeps between values.
const SCRATCH_KEPT: usize = 1 << 20;

/// `value` as serde_json's pretty printer writes it, as if `depth` levels deep.
fn write_at<W: std::io::Write, T: Serialize + ?Sized>(
    out: W,
    value: &T,
    depth: usize,
) -> std::io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, PrettyAt::new(depth));
    value
        .serialize(&mut serializer)
        .map_err(std::io::Error::from)
}

/// serde_json's `PrettyFormatter` (two spaces), starting `depth` levels deep: its rules,
/// so the bytes are the same as a whole document's.
struct PrettyAt {
    current: usize,
    has_value: bool,
}

impl PrettyAt {
    fn new(depth: usize) -> Self {
        PrettyAt {
            current: depth,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        let mut spaces = 2 * self.current;
        while spaces > 0 {
            let now = spaces.min(SPACES.len());
            out.write_all(&SPACES[..now])?;
            spaces -= now;
        }
        Ok(())
    }

    fn begin<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        open: &[u8],
    ) -> std::io::Result<()> {
        self.current += 1;
        self.has_value = false;
        out.write_all(open)
    }

    fn end<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        close: &[u8],
    ) -> std::io::Result<()> {
        self.current -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(close)
    }

    fn item<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }
}

impl serde_json::ser::Formatter for PrettyAt {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.begin(out, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.end(out, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.begin(out, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.end(out, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
    ) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Sessions or grades written ahead of their place in the report, to a file (the caller's:
/// a temporary one), so a submission of many sessions need not hold them until the values
/// before them are known (its grade comes before its sessions); [`write_stream`] copies
/// them in, sessions first, grades after those its submission kept.
pub struct Spill {
    file: std::io::BufWriter<std::fs::File>,
    count: u64,
}

impl Spill {
    pub fn new(file: std::fs::File) -> Self {
        Spill {
            file: std::io::BufWriter::with_capacity(1 << 16, file),
            count: 0,
        }
    }

    pub fn push_grade(&mut self, grade: &Grade) -> std::io::Result<()> {
        self.push(grade)
    }

    pub fn push_session(&mut self, session: &Session) -> std::io::Result<()> {
        self.push(&session_view(session, None))
    }

    /// An element of an array at depth 4, where a submission's sessions and grades sit.
    fn push<T: Serialize>(&mut self, value: &T) -> std::io::Result<()> {
        self.file.write_all(b",\n")?;
        self.file.write_all(&SPACES[..8])?;
        write_at(&mut self.file, value, 4)?;
        self.count += 1;
        Ok(())
    }

    /// Copies the values into `out`, as the first elements of their array when `first`;
    /// how many there were.
    fn copy_to(self, out: &mut dyn std::io::Write, first: bool) -> std::io::Result<u64> {
        use std::io::Seek;
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(std::io::SeekFrom::Start(if first { 1 } else { 0 }))?;
        std::io::copy(&mut file, out)?;
        Ok(self.count)
    }
}
