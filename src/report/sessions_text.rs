//! `extract --format text`: every session found, one block each, like Follow Stream.

use std::fmt::Write;

use super::{Outcome, SubmissionOutcome};
use crate::session::{Reading, Session, TlsHandshake, TlsSide};

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for submission in &outcome.submissions {
        render_submission(&mut out, submission);
    }
    out
}

fn render_submission(out: &mut String, submission: &SubmissionOutcome) {
    for problem in &submission.problems {
        let _ = writeln!(out, "error: {problem}");
        if let Some(hint) = &problem.hint {
            let _ = writeln!(out, "  help: {hint}");
        }
    }
    let mut previous = None;
    for (index, session) in submission.sessions.iter().enumerate() {
        // What the reader learned is the file's: shown once, before its first session.
        if previous != Some(&session.source.path) {
            if let Some(reading) = &session.reading {
                render_reading(out, &session.source.path, reading);
            }
        }
        previous = Some(&session.source.path);
        render_session(out, index + 1, session);
    }
}

/// How a file's lines were told apart: the markers and how each was read.
fn render_reading(out: &mut String, path: &std::path::Path, reading: &Reading) {
    let sides: Vec<String> = reading.sides_from.iter().map(|s| s.to_string()).collect();
    let _ = writeln!(
        out,
        "read {}: sides from {}",
        path.display(),
        sides.join(" and ")
    );
    for marker in &reading.markers {
        let _ = writeln!(out, "  {marker}");
    }
}

fn render_session(out: &mut String, number: usize, session: &Session) {
    let _ = writeln!(
        out,
        "session {number}: {} — {}",
        session.protocol.name().to_uppercase(),
        session.source
    );
    if let Some(connect) = &session.connect {
        let port = connect
            .port
            .map(|p| format!(" port {p}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  connects to {}{port}", connect.host);
    }
    for exchange in &session.exchanges {
        let origin = exchange
            .command
            .as_ref()
            .map(|c| c.origin)
            .or(exchange.reply.as_ref().map(|r| r.origin))
            .unwrap_or_default();
        let command = exchange
            .command
            .as_ref()
            .map_or("(greeting)".to_string(), |c| c.to_string());
        let reply = exchange
            .reply
            .as_ref()
            .map_or("(no reply)".to_string(), |r| {
                format!("{} {}", r.code, r.text()).trim_end().to_string()
            });
        let _ = writeln!(out, "  {origin:>10}  {command:<40} → {reply}");
    }
    if let Some(tls) = &session.tls {
        render_tls(out, tls);
    }
    for note in &session.notes {
        let _ = writeln!(out, "  note ({}): {}", note.origin, note.detail);
    }
    if let Some(reading) = session.reading.as_ref().filter(|r| !r.is_sure()) {
        let doubts: Vec<String> = reading.doubts.iter().map(|d| d.to_string()).collect();
        let _ = writeln!(
            out,
            "  unsure how this was read: {}; check the lines above, or mark them C:/S:",
            doubts.join("; ")
        );
    }
    out.push('\n');
}

/// The handshake: a summary line, then one line per message with its frames.
fn render_tls(out: &mut String, tls: &TlsHandshake) {
    let _ = writeln!(out, "  tls: {}", tls.summary());
    if let Some(kx) = &tls.key_exchange {
        let _ = writeln!(out, "    key exchange {kx}");
    }
    if let Some(cert) = &tls.certificate {
        let subject = cert.subject.as_deref().unwrap_or("(unparsed)");
        let issuer = cert.issuer.as_deref().unwrap_or("(unparsed)");
        let _ = writeln!(
            out,
            "    certificate {subject}, issued by {issuer} ({} in chain, {} bytes)",
            cert.chain, cert.size
        );
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
        let _ = writeln!(
            out,
            "  {:>10}  {arrow} {}{encrypted}{detail}",
            message.origin.to_string(),
            message.name
        );
    }
    let data = tls.application_data;
    let more = if data.more {
        " (counting stopped there)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "    application data records: {} from the client, {} from the server{more}",
        data.client, data.server
    );
    if let Some(why) = &tls.unreadable {
        let _ = writeln!(out, "    {why}");
    }
}
