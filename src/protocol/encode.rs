//! What a client sends for a [`Command`] (replay): the line as the student wrote it, the
//! SASL response, or the dot-stuffed message with its `.` line.

use crate::protocol::dotstuff::stuff;
use crate::session::{Command, CommandKind};

/// The bytes that send `command`, CRLF included. This exposes secrets: it is for the socket
/// only. `None` for a message whose text was not recorded (a Wireshark summary).
pub fn command_bytes(command: &Command) -> Option<Vec<u8>> {
    let line = match &command.kind {
        CommandKind::Line { written, args, .. } => {
            let mut line = written.to_string();
            for part in [
                args.text.as_str(),
                args.secret.as_ref().map_or("", |s| s.expose()),
            ] {
                if !part.is_empty() {
                    line.push(' ');
                    line.push_str(part);
                }
            }
            line
        }
        CommandKind::AuthResponse { payload } => payload.expose().to_string(),
        CommandKind::AuthCancel => "*".to_string(),
        CommandKind::Message { content } => return content.bytes.as_deref().map(stuff),
    };
    let mut bytes = line.into_bytes();
    bytes.extend_from_slice(b"\r\n");
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Args, Content, Origin, Protocol, Secret};

    #[test]
    fn encodes_every_kind_of_command() {
        let command = |kind| Command::new(kind, Origin::Synthetic);
        let cases: Vec<(CommandKind, Option<&[u8]>)> = vec![
            (
                CommandKind::line(Protocol::Smtp, "mail", Args::plain("FROM: <a@b>")),
                Some(b"mail FROM: <a@b>\r\n"),
            ),
            (
                CommandKind::line(
                    Protocol::Pop3,
                    "PASS",
                    Args {
                        text: String::new(),
                        secret: Some(Secret::new("hunter2")),
                    },
                ),
                Some(b"PASS hunter2\r\n"),
            ),
            (
                CommandKind::line(
                    Protocol::Smtp,
                    "AUTH",
                    Args {
                        text: "PLAIN".into(),
                        secret: Some(Secret::new("AGEAYg==")),
                    },
                ),
                Some(b"AUTH PLAIN AGEAYg==\r\n"),
            ),
            (
                CommandKind::line(Protocol::Smtp, "QUIT", Args::default()),
                Some(b"QUIT\r\n"),
            ),
            (
                CommandKind::AuthResponse {
                    payload: Secret::new("c2VjcmV0"),
                },
                Some(b"c2VjcmV0\r\n"),
            ),
            (CommandKind::AuthCancel, Some(b"*\r\n")),
            (
                CommandKind::Message {
                    content: Content::from_bytes(b".x\r\n".to_vec()),
                },
                Some(b"..x\r\n.\r\n"),
            ),
            (
                CommandKind::Message {
                    content: Content::elided(Some(10)),
                },
                None,
            ),
        ];
        for (kind, expected) in cases {
            assert_eq!(
                command_bytes(&command(kind.clone())).as_deref(),
                expected,
                "{kind:?}"
            );
        }
    }
}
