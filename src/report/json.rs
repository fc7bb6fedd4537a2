//! The JSON report, schema `mailgrade/v1` (documented in `docs/json-schema.md`).

use serde::Serialize;

mod grade;
mod origin;
mod piece;
mod session;
mod writer;

use writer::JsonWriter;
pub use writer::Layout;

use super::{Outcome, SubmissionStream};
use crate::grade::Grade;
use crate::session::Session;

pub const SCHEMA: &str = "mailgrade/v1";

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

const TOOL: Tool = Tool {
    name: "mailgrade",
    version: env!("CARGO_PKG_VERSION"),
};

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
    let mut json = JsonWriter::new(out, layout);
    open_document(&mut json, &outcome.server)?;
    for (index, submission) in outcome.submissions.iter().enumerate() {
        json.element(2, index == 0);
        let grade = &submission.grade;
        open_submission(&mut json, &submission.id, &submission.files, grade)?;
        for (index, session) in submission.sessions.iter().enumerate() {
            json.element(4, index == 0);
            let replayed = submission.replayed.get(&index);
            session::write(&mut json, 4, session, replayed)?;
            json.flush_some()?;
        }
        json.close(3, !submission.sessions.is_empty(), b"]");
        json.key(3, false, "grades");
        json.raw(b"[");
        for (index, grade) in submission.grades.iter().enumerate() {
            json.element(4, index == 0);
            grade::write(&mut json, 4, grade)?;
            json.flush_some()?;
        }
        json.close(3, !submission.grades.is_empty(), b"]");
        field(&mut json, 3, false, "problems", &submission.problems)?;
        json.close(2, true, b"}");
    }
    close_document(&mut json, !outcome.submissions.is_empty())
}

/// The document up to its submissions' array, open.
fn open_document<W: std::io::Write>(json: &mut JsonWriter<W>, server: &str) -> std::io::Result<()> {
    json.raw(b"{");
    field(json, 1, true, "schema", &SCHEMA)?;
    field(json, 1, false, "tool", &TOOL)?;
    field(json, 1, false, "server", &server)?;
    json.key(1, false, "submissions");
    json.raw(b"[");
    Ok(())
}

fn close_document<W: std::io::Write>(json: &mut JsonWriter<W>, any: bool) -> std::io::Result<()> {
    json.close(1, any, b"]");
    json.close(0, true, b"}");
    json.raw(b"\n");
    json.flush()
}

/// A submission's fields before its sessions, at depth 3, its sessions' array open.
/// `passed`: every scenario graded has a passing session (with a lab: the lab's pass mark
/// reached, every required task there); `grade`: score, maximum, verdict, the grade counted
/// per scenario (or task), each task with a lab, and the `basis` of the total.
fn open_submission<W: std::io::Write>(
    json: &mut JsonWriter<W>,
    id: &str,
    files: &[std::path::PathBuf],
    grade: &super::SubmissionGrade,
) -> std::io::Result<()> {
    json.raw(b"{");
    field(json, 3, true, "id", &id)?;
    field(json, 3, false, "files", &files)?;
    field(json, 3, false, "passed", &grade.passed())?;
    field(json, 3, false, "grade", grade)?;
    json.key(3, false, "sessions");
    json.raw(b"[");
    Ok(())
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
    open_document(&mut json, server)?;
    let mut written = 0;
    let mut any = false;
    for submission in submissions {
        json.element(2, !any);
        any = true;
        written += write_submission(&mut json, submission)?;
    }
    close_document(&mut json, any)?;
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

fn field<W: std::io::Write, T: Serialize + ?Sized>(
    json: &mut JsonWriter<W>,
    depth: usize,
    first: bool,
    name: &str,
    value: &T,
) -> std::io::Result<()> {
    json.key(depth, first, name);
    json.value(depth, value)
}

/// A submission at depth 2, its fields in the order [`write`] writes them.
fn write_submission(json: &mut Out<'_>, submission: Streamed) -> std::io::Result<u64> {
    let Streamed {
        stream: mut submission,
        sessions: spilled_sessions,
        grades: spilled_grades,
    } = submission;
    let grade = submission.grade();
    open_submission(json, submission.id(), submission.files(), &grade)?;
    let mut written = 0;
    if let Some(spilled) = spilled_sessions {
        written = spilled.copy_to(json.sink()?, true)?;
    }
    while let Some(session) = submission.next_session() {
        json.element(4, written == 0);
        session::write(json, 4, &session, None)?;
        submission.give_back(session);
        json.flush_some()?;
        written += 1;
    }
    json.close(3, written > 0, b"]");
    let rest = submission.finish();
    json.key(3, false, "grades");
    json.raw(b"[");
    for (index, grade) in rest.grades.iter().enumerate() {
        json.element(4, index == 0);
        grade::write(json, 4, grade)?;
        json.flush_some()?;
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

/// What [`Spill::copy_to`] reads at once.
const COPY_PIECE: usize = 1 << 20;

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

    /// A grade as an element of an array at depth 4, where a submission's grades sit, never
    /// the first: [`Spill::copy_to`] drops the comma of the first. So are sessions.
    pub fn push_grade(&mut self, grade: &Grade) -> std::io::Result<()> {
        self.json.element(4, false);
        grade::write(&mut self.json, 4, grade)?;
        self.json.flush_some()?;
        self.count += 1;
        Ok(())
    }

    pub fn push_session(&mut self, session: &Session) -> std::io::Result<()> {
        self.json.element(4, false);
        session::write(&mut self.json, 4, session, None)?;
        self.json.flush_some()?;
        self.count += 1;
        Ok(())
    }

    /// Copies the values into `out`, as the first elements of their array when `first`;
    /// how many there were.
    fn copy_to(self, out: &mut dyn std::io::Write, first: bool) -> std::io::Result<u64> {
        use std::io::{Read, Seek};
        let mut file = self.json.into_inner()?;
        file.seek(std::io::SeekFrom::Start(if first { 1 } else { 0 }))?;
        // In pieces as large as the copy's buffer, which pass the caller's buffered writer
        // by: `io::copy`'s 8 KiB went through it, a read call and a copy each.
        let mut piece = vec![0; COPY_PIECE];
        loop {
            match file.read(&mut piece) {
                Ok(0) => break,
                Ok(read) => out.write_all(&piece[..read])?,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        Ok(self.count)
    }
}
