//! Stand-ins for what a submission does not show: a message body it only gives the size
//! of, and the messages a POP3 session reads from a mailbox.

use crate::protocol::pop3::Request;
use crate::session::{Protocol, Session};

/// The message sent when neither the submission nor the scenario has one.
pub const DEFAULT_BODY: &[u8] = b"From: <student@lab.test>\r\nTo: <student@lab.test>\r\nSubject: mailgrade replay\r\n\r\nThis message stands in for one the submission shows only by its size.\r\n";

/// `text` with every line ended by CRLF, as it goes on the wire.
pub fn crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut previous = 0u8;
    for &byte in text {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// The highest message number a POP3 session reads, lists or deletes (0 if none).
pub fn messages_needed(session: &Session) -> usize {
    if session.protocol != Protocol::Pop3 {
        return 0;
    }
    session
        .commands()
        .filter_map(|command| match command.request()? {
            crate::protocol::Request::Pop3(request) => Some(request),
            _ => None,
        })
        .filter_map(|request| match *request {
            Request::Retr { msg } | Request::Dele { msg } | Request::Top { msg, .. } => Some(msg),
            Request::List { msg } | Request::Uidl { msg } => msg,
            _ => None,
        })
        .max()
        .map_or(0, |n| n as usize)
}

/// Message `n` of a generated mailbox: small, fixed, different from its neighbours.
pub fn generated_message(n: usize, user: &str) -> Vec<u8> {
    format!(
        "From: <teacher@lab.test>\r\nTo: <{user}>\r\nSubject: lab message {n}\r\nMessage-ID: <lab-{n}@lab.test>\r\n\r\nThis is message {n} of the lab mailbox.\r\n"
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_become_crlf() {
        let cases: [(&[u8], &[u8]); 4] = [
            (b"a\nb\n", b"a\r\nb\r\n"),
            (b"a\r\nb", b"a\r\nb\r\n"),
            (b"", b""),
            (b"x\r\n", b"x\r\n"),
        ];
        for (input, expected) in cases {
            assert_eq!(crlf(input), expected);
        }
    }
}
