//! A session written back as a `C:` / `S:` transcript that mailgrade reads again.
//!
//! Credentials print as `<redacted>`, and message bodies hold no known secret of their
//! session: `DialogueBuilder::finish` removed them when the session was read.

use std::fmt::Write;

use crate::protocol::{smtp, stuff};
use crate::session::{CommandKind, Content, Reply, ReplyCode, Session};

/// How message and POP3 bodies are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bodies {
    /// Line by line, dot-stuffed, as the transcript format needs them to be read back.
    Text,
    /// Only their size, as Wireshark summarises them (`DATA fragment, 2429 bytes`): for
    /// reports that show the dialogue but have no use for what the mail said.
    Sizes,
}

/// The session as a transcript with its bodies.
pub fn render(session: &Session) -> String {
    render_with(session, Bodies::Text)
}

pub fn render_with(session: &Session, bodies: Bodies) -> String {
    let mut out = String::new();
    if let Some(connect) = &session.connect {
        let port = connect.port.map(|p| format!(" {p}")).unwrap_or_default();
        let _ = writeln!(out, "C: telnet {}{port}", connect.host);
    }
    for exchange in &session.exchanges {
        if let Some(command) = &exchange.command {
            match &command.kind {
                CommandKind::Message { content } => write_body(&mut out, "C", content, bodies),
                _ => {
                    let _ = writeln!(out, "C: {command}");
                }
            }
        }
        if let Some(reply) = &exchange.reply {
            write_reply(&mut out, reply);
            if let Some(body) = &reply.body {
                write_body(&mut out, "S", body, bodies);
            }
        }
    }
    out
}

/// A reply as the server sent it: SMTP continuation lines by the protocol's encoder, a POP3
/// status line (its body follows apart).
fn write_reply(out: &mut String, reply: &Reply) {
    match reply.code {
        ReplyCode::Smtp(code) if !reply.lines.is_empty() => {
            for line in smtp::encode_reply(code, &reply.lines).lines() {
                let _ = writeln!(out, "S: {line}");
            }
        }
        _ if reply.lines.is_empty() => {
            let _ = writeln!(out, "S: {}", reply.code);
        }
        _ => {
            for line in &reply.lines {
                let _ = writeln!(out, "S: {} {line}", reply.code);
            }
        }
    }
}

fn write_body(out: &mut String, side: &str, content: &Content, bodies: Bodies) {
    match (&content.bytes, bodies) {
        (Some(bytes), Bodies::Text) => {
            // Dot-stuffed by the protocol, its `.` line included.
            for line in String::from_utf8_lossy(&stuff(bytes)).lines() {
                let _ = writeln!(out, "{side}: {line}");
            }
        }
        _ => {
            let size = content
                .size
                .map(|s| format!(", {s} bytes"))
                .unwrap_or_default();
            let _ = writeln!(out, "{side}: DATA fragment{size}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::DialogueBuilder;
    use crate::session::{Origin, Protocol, Source};

    fn session() -> Session {
        let mut builder = DialogueBuilder::new(Protocol::Smtp);
        let lines = [
            ("S", "220 hi"),
            ("C", "DATA"),
            ("S", "354 go"),
            ("C", "Subject: private"),
            ("C", ""),
            ("C", "..dot"),
            ("C", "."),
            ("S", "250 ok"),
        ];
        for (n, (side, line)) in lines.into_iter().enumerate() {
            let origin = Origin::line(n as u32 + 1);
            match side {
                "C" => builder.client_line(line, origin),
                _ => builder.server_line(line, origin),
            }
        }
        let mut session = Session::new(Protocol::Smtp, Source::default());
        session.exchanges = builder.finish().exchanges;
        session
    }

    #[test]
    fn bodies_as_text_or_as_sizes() {
        let session = session();
        assert_eq!(
            render(&session),
            "S: 220 hi\nC: DATA\nS: 354 go\nC: Subject: private\nC: \nC: ..dot\nC: .\nS: 250 ok\n"
        );
        assert_eq!(
            render_with(&session, Bodies::Sizes),
            "S: 220 hi\nC: DATA\nS: 354 go\nC: DATA fragment, 26 bytes\nS: 250 ok\n"
        );
    }
}
