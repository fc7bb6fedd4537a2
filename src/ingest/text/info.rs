//! Wireshark's summaries in a transcript line: `User: …` / `Pass: …` for SASL responses,
//! `DATA fragment, N bytes` / `Message Body, N bytes` for a message seen only as a size,
//! pipelined commands and multi-line replies joined with ` | `. Everything else is a line
//! for the protocol to read as it is.

use std::sync::LazyLock;

use regex::Regex;

use crate::protocol::{smtp, Direction, Expect};
use crate::session::{Protocol, Secret, SmtpCode};

use super::event::column_of;

/// What one transcript line stands for, in the order to feed it.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// A line and its 0-based character offset in the text it came from.
    Client(String, u32),
    Server(String, u32),
    AuthResponse(Secret),
    MessageElided(Option<u64>),
    BodyElided(Option<u64>),
}

static ELIDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:DATA fragment|Message Body), (\d+) bytes?$").expect("valid regex")
});
static AUTH_SUMMARY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:User|Pass|Username|Password): ?(.*)$").expect("valid regex"));
static AUTH_WITH_INITIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(AUTH\s+\S+)\s+(?:User|Pass): ?(\S+)$").expect("valid regex")
});

/// Reads one line of a known side. `text` is the line without any trailing note, except in
/// message content, where it is the line as written.
pub fn interpret(
    direction: Direction,
    text: &str,
    protocol: Protocol,
    expect: Expect,
) -> Vec<Action> {
    let size = |caps: regex::Captures| caps[1].parse::<u64>().ok();
    match direction {
        Direction::Client => {
            if let Some(caps) = ELIDED.captures(text) {
                return vec![Action::MessageElided(size(caps))];
            }
            if expect == Expect::MessageContent {
                return vec![Action::Client(text.to_string(), 0)];
            }
            if let Some(caps) = AUTH_WITH_INITIAL.captures(text) {
                return vec![Action::Client(format!("{} {}", &caps[1], &caps[2]), 0)];
            }
            if let Some(caps) = AUTH_SUMMARY.captures(text) {
                let payload = caps[1].trim();
                if payload == "*" {
                    return vec![Action::Client("*".into(), 0)];
                }
                return vec![Action::AuthResponse(Secret::new(payload))];
            }
            if expect != Expect::AuthResponse && text.contains(" | ") {
                return text
                    .split(" | ")
                    .map(|piece| {
                        Action::Client(piece.trim().to_string(), column_of(text, piece) - 1)
                    })
                    .collect();
            }
            vec![Action::Client(text.to_string(), 0)]
        }
        Direction::Server => {
            if let Some(caps) = ELIDED.captures(text) {
                return vec![Action::BodyElided(size(caps))];
            }
            match (
                protocol,
                smtp::parse_reply_line(text.split(" | ").next().unwrap_or(text)),
            ) {
                (Protocol::Smtp, Ok(first)) if text.contains(" | ") => {
                    joined_reply(text, first.code)
                }
                _ => vec![Action::Server(text.to_string(), 0)],
            }
        }
    }
}

/// `250-host | PIPELINING | 250 SIZE` (continuations without their code, the last piece
/// ending the reply) or `250 a | 334 b` (whole lines, as Wireshark shows several replies of
/// one segment). Pieces that all repeat one code are one multi-line reply.
fn joined_reply(text: &str, first_code: SmtpCode) -> Vec<Action> {
    let pieces: Vec<&str> = text.split(" | ").collect();
    let parsed: Vec<Option<smtp::ReplyLine>> = pieces
        .iter()
        .map(|p| smtp::parse_reply_line(p.trim()).ok())
        .collect();
    let one_reply = parsed
        .iter()
        .all(|p| p.as_ref().map_or(true, |p| p.code == first_code))
        || parsed.iter().skip(1).all(Option::is_none);
    let last = pieces.len() - 1;
    pieces
        .iter()
        .zip(&parsed)
        .enumerate()
        .map(|(index, (piece, parsed))| {
            let line = if !one_reply {
                piece.trim().to_string()
            } else {
                let rest = parsed.as_ref().map_or(piece.trim(), |p| p.text.as_str());
                let separator = if index == last { ' ' } else { '-' };
                format!("{first_code}{separator}{rest}")
            };
            Action::Server(line, column_of(text, piece) - 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                Action::Client(l, c) => format!("C@{c} {l}"),
                Action::Server(l, c) => format!("S@{c} {l}"),
                Action::AuthResponse(_) => "auth-response".into(),
                Action::MessageElided(n) => format!("message {n:?}"),
                Action::BodyElided(n) => format!("body {n:?}"),
            })
            .collect()
    }

    #[test]
    fn reads_wireshark_summaries() {
        use Direction::{Client as C, Server as S};
        use Expect::*;
        let smtp = Protocol::Smtp;
        let cases: Vec<(Direction, &str, Protocol, Expect, Vec<&str>)> = vec![
            (C, "EHLO x", smtp, Command, vec!["C@0 EHLO x"]),
            (
                C,
                "User: ODc3MjYxNzkzQHFxLmNvbQ==",
                smtp,
                AuthResponse,
                vec!["auth-response"],
            ),
            (
                C,
                "Pass: cGFzc3dvcmQxMjM0NTY=",
                smtp,
                AuthResponse,
                vec!["auth-response"],
            ),
            (C, "User: *", smtp, AuthResponse, vec!["C@0 *"]),
            (
                C,
                "AUTH LOGIN User: c3R1ZGVudA==",
                smtp,
                Command,
                vec!["C@0 AUTH LOGIN c3R1ZGVudA=="],
            ),
            (
                C,
                "DATA fragment, 2429 bytes",
                smtp,
                MessageContent,
                vec!["message Some(2429)"],
            ),
            (
                C,
                "DATA fragment, 1 byte",
                smtp,
                MessageContent,
                vec!["message Some(1)"],
            ),
            (
                C,
                "Message Body, 12 bytes",
                smtp,
                MessageContent,
                vec!["message Some(12)"],
            ),
            (C, "User: bob", smtp, MessageContent, vec!["C@0 User: bob"]),
            (
                C,
                "MAIL FROM:<a> | RCPT TO:<b> | DATA",
                smtp,
                Command,
                vec!["C@0 MAIL FROM:<a>", "C@16 RCPT TO:<b>", "C@30 DATA"],
            ),
            (C, "a | b", smtp, MessageContent, vec!["C@0 a | b"]),
            (
                S,
                "250-host | PIPELINING | SIZE 73400320 | 8BITMIME",
                smtp,
                Reply,
                vec![
                    "S@0 250-host",
                    "S@11 250-PIPELINING",
                    "S@24 250-SIZE 73400320",
                    "S@40 250 8BITMIME",
                ],
            ),
            (
                S,
                "250 host | 250 PIPELINING",
                smtp,
                Reply,
                vec!["S@0 250-host", "S@11 250 PIPELINING"],
            ),
            (
                S,
                "250 mail | 334 VXNl | 235 ok",
                smtp,
                Reply,
                vec!["S@0 250 mail", "S@11 334 VXNl", "S@22 235 ok"],
            ),
            (S, "+OK a | b", Protocol::Pop3, Reply, vec!["S@0 +OK a | b"]),
            (
                S,
                "DATA fragment, 438 bytes",
                Protocol::Pop3,
                ServerContinuation,
                vec!["body Some(438)"],
            ),
            (S, "250 OK", smtp, Reply, vec!["S@0 250 OK"]),
        ];
        for (direction, text, protocol, expect, expected) in cases {
            assert_eq!(
                show(&interpret(direction, text, protocol, expect)),
                expected,
                "{text:?}"
            );
        }
    }
}
