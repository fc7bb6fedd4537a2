//! `extract --format text`: every session found, one block each, like Follow Stream.

use std::fmt::Write;

use super::{Outcome, SubmissionOutcome};
use crate::session::Session;

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
    for (index, session) in submission.sessions.iter().enumerate() {
        render_session(out, index + 1, session);
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
    for note in &session.notes {
        let _ = writeln!(out, "  note ({}): {}", note.origin, note.detail);
    }
    out.push('\n');
}
