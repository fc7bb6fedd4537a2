//! `extract --format text`: every session found, one block each, like Follow Stream.
//!
//! Written straight into the output (a buffered writer), formatted with `write!` rather
//! than strings built per line: a capture can hold hundreds of thousands of exchanges.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Outcome, SubmissionOutcome};
use crate::session::{Reading, Session, TlsHandshake, TlsSide};

pub fn render(outcome: &Outcome) -> String {
    let mut out = Vec::new();
    write(outcome, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the report is UTF-8")
}

/// [`render`] into `out`.
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for submission in &outcome.submissions {
        write_problems(out, submission)?;
        let mut sessions = SessionWriter::default();
        for session in &submission.sessions {
            sessions.write(out, session)?;
        }
    }
    Ok(())
}

/// A submission's problems, which come before its sessions.
pub fn write_problems(out: &mut dyn Write, submission: &SubmissionOutcome) -> io::Result<()> {
    for problem in &submission.problems {
        writeln!(out, "error: {problem}")?;
        if let Some(hint) = &problem.hint {
            writeln!(out, "  help: {hint}")?;
        }
    }
    Ok(())
}

/// Writes one submission's sessions one after the other, numbered, as they come.
#[derive(Default)]
pub struct SessionWriter {
    written: usize,
    previous: Option<std::path::PathBuf>,
    /// Reused for each command and reply, which are padded or trimmed as a whole.
    scratch: String,
}

impl SessionWriter {
    pub fn write(&mut self, out: &mut dyn Write, session: &Session) -> io::Result<()> {
        // What the reader learned is the file's: shown once, before its first session.
        if self.previous.as_ref() != Some(&session.source.path) {
            if let Some(reading) = &session.reading {
                render_reading(out, &session.source.path, reading)?;
            }
            self.previous = Some(session.source.path.clone());
        }
        self.written += 1;
        render_session(out, self.written, session, &mut self.scratch)
    }
}

/// How a file's lines were told apart: the markers and how each was read.
fn render_reading(
    out: &mut dyn Write,
    path: &std::path::Path,
    reading: &Reading,
) -> io::Result<()> {
    let sides: Vec<String> = reading.sides_from.iter().map(|s| s.to_string()).collect();
    writeln!(
        out,
        "read {}: sides from {}",
        path.display(),
        sides.join(" and ")
    )?;
    for marker in &reading.markers {
        writeln!(out, "  {marker}")?;
    }
    Ok(())
}

fn render_session(
    out: &mut dyn Write,
    number: usize,
    session: &Session,
    scratch: &mut String,
) -> io::Result<()> {
    writeln!(
        out,
        "session {number}: {} — {}",
        session.protocol.name().to_uppercase(),
        session.source
    )?;
    if let Some(connect) = &session.connect {
        write!(out, "  connects to {}", connect.host)?;
        if let Some(port) = connect.port {
            write!(out, " port {port}")?;
        }
        writeln!(out)?;
    }
    for exchange in &session.exchanges {
        let origin = exchange
            .command
            .as_ref()
            .map(|c| c.origin)
            .or(exchange.reply.as_ref().map(|r| r.origin))
            .unwrap_or_default();
        // `Origin` writes itself without padding, as it always has here.
        write!(out, "  {origin:>10}  ")?;
        scratch.clear();
        match &exchange.command {
            Some(command) => {
                let _ = write!(scratch, "{command}");
            }
            None => scratch.push_str("(greeting)"),
        }
        write!(out, "{scratch:<40} → ")?;
        scratch.clear();
        match &exchange.reply {
            Some(reply) => {
                let _ = write!(scratch, "{} {}", reply.code, reply.text());
            }
            None => scratch.push_str("(no reply)"),
        }
        writeln!(out, "{}", scratch.trim_end())?;
    }
    if let Some(tls) = &session.tls {
        render_tls(out, tls)?;
    }
    for note in &session.notes {
        writeln!(out, "  note ({}): {}", note.origin, note.detail)?;
    }
    if let Some(reading) = session.reading.as_ref().filter(|r| !r.is_sure()) {
        let doubts: Vec<String> = reading.doubts.iter().map(|d| d.to_string()).collect();
        writeln!(
            out,
            "  unsure how this was read: {}; check the lines above, or mark them C:/S:",
            doubts.join("; ")
        )?;
    }
    writeln!(out)
}

/// The handshake: a summary line, then one line per message with its frames.
fn render_tls(out: &mut dyn Write, tls: &TlsHandshake) -> io::Result<()> {
    writeln!(out, "  tls: {}", tls.summary())?;
    if let Some(kx) = &tls.key_exchange {
        writeln!(out, "    key exchange {kx}")?;
    }
    if let Some(cert) = &tls.certificate {
        let subject = cert.subject.as_deref().unwrap_or("(unparsed)");
        let issuer = cert.issuer.as_deref().unwrap_or("(unparsed)");
        writeln!(
            out,
            "    certificate {subject}, issued by {issuer} ({} in chain, {} bytes)",
            cert.chain, cert.size
        )?;
    }
    for message in &tls.messages {
        let arrow = match message.from {
            TlsSide::Client => "C →",
            TlsSide::Server => "← S",
        };
        let encrypted = if message.encrypted {
            " (encrypted)"
        } else {
            ""
        };
        let detail = if message.detail.is_empty() {
            String::new()
        } else {
            format!("  {}", message.detail)
        };
        writeln!(
            out,
            "  {:>10}  {arrow} {}{encrypted}{detail}",
            message.origin.to_string(),
            message.name
        )?;
    }
    let data = tls.application_data;
    let more = if data.more {
        " (counting stopped there)"
    } else {
        ""
    };
    writeln!(
        out,
        "    application data records: {} from the client, {} from the server{more}",
        data.client, data.server
    )?;
    if let Some(why) = &tls.unreadable {
        writeln!(out, "    {why}")?;
    }
    Ok(())
}
