//! A session written back as a `C:` / `S:` transcript that mailgrade reads again.

use std::fmt::Write;

use crate::session::{CommandKind, Session};

pub fn render(session: &Session) -> String {
    let mut out = String::new();
    if let Some(connect) = &session.connect {
        let port = connect.port.map(|p| format!(" {p}")).unwrap_or_default();
        let _ = writeln!(out, "C: telnet {}{port}", connect.host);
    }
    for exchange in &session.exchanges {
        if let Some(command) = &exchange.command {
            match &command.kind {
                CommandKind::Message { content } => match &content.bytes {
                    Some(bytes) => {
                        for line in String::from_utf8_lossy(bytes).lines() {
                            let stuffed = if line.starts_with('.') { "." } else { "" };
                            let _ = writeln!(out, "C: {stuffed}{line}");
                        }
                        let _ = writeln!(out, "C: .");
                    }
                    None => {
                        let size = content
                            .size
                            .map(|s| format!(", {s} bytes"))
                            .unwrap_or_default();
                        let _ = writeln!(out, "C: DATA fragment{size}");
                    }
                },
                _ => {
                    let _ = writeln!(out, "C: {command}");
                }
            }
        }
        if let Some(reply) = &exchange.reply {
            let last = reply.lines.len().saturating_sub(1);
            if reply.lines.is_empty() {
                let _ = writeln!(out, "S: {}", reply.code);
            }
            for (i, line) in reply.lines.iter().enumerate() {
                let sep = if i < last && reply.code.smtp().is_some() {
                    "-"
                } else {
                    " "
                };
                let _ = writeln!(out, "S: {}{sep}{line}", reply.code);
            }
            if let Some(body) = &reply.body {
                match &body.bytes {
                    Some(bytes) => {
                        for line in String::from_utf8_lossy(bytes).lines() {
                            let stuffed = if line.starts_with('.') { "." } else { "" };
                            let _ = writeln!(out, "S: {stuffed}{line}");
                        }
                        let _ = writeln!(out, "S: .");
                    }
                    None => {
                        let size = body
                            .size
                            .map(|s| format!(", {s} bytes"))
                            .unwrap_or_default();
                        let _ = writeln!(out, "S: DATA fragment{size}");
                    }
                }
            }
        }
    }
    out
}
