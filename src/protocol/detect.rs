//! Recognises SMTP and POP3 by content, for captures on any port.

use crate::protocol::dialogue::Direction;
use crate::protocol::{pop3, smtp, Verb};
use crate::session::Protocol;

/// The protocol and side a first line shows: a `220` greeting or any SMTP reply line, a
/// `+OK`/`-ERR` banner, or a client verb only one protocol has (`EHLO`, `MAIL` … /
/// `USER`, `STAT` …). Verbs both share (`QUIT`, `NOOP`, `RSET`, `AUTH`) say nothing.
pub fn detect_line(line: &str) -> Option<(Protocol, Direction)> {
    let line = line.trim_end_matches(['\r', '\n']);
    if smtp::is_reply_line(line) {
        return Some((Protocol::Smtp, Direction::Server));
    }
    if pop3::line_status(line).is_some_and(|s| s != crate::session::Pop3Status::Continue) {
        return Some((Protocol::Pop3, Direction::Server));
    }
    let verb = Verb::parse(line.split_whitespace().next()?)?;
    [Protocol::Smtp, Protocol::Pop3]
        .into_iter()
        .find(|&protocol| verb.is_in(protocol) && !verb.is_shared())
        .map(|protocol| (protocol, Direction::Client))
}

/// Whether the first line of `text` is a server's ready greeting: an SMTP `220` or a POP3
/// `+OK`.
pub fn is_greeting(text: &str) -> bool {
    let line = text.lines().next().unwrap_or("");
    smtp::reply_line_code(line.as_bytes()).is_some_and(|code| code.value() == smtp::GREETING)
        || pop3::line_status(line) == Some(crate::session::Pop3Status::Ok)
}

/// [`detect_line`] without the side.
pub fn detect_protocol(first_line: &str) -> Option<Protocol> {
    detect_line(first_line).map(|(protocol, _)| protocol)
}

/// [`detect_line`] on the first line of a byte stream (lossily decoded).
pub fn detect_protocol_bytes(bytes: &[u8]) -> Option<(Protocol, Direction)> {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    detect_line(&String::from_utf8_lossy(&bytes[..end.min(1024)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_first_lines() {
        use Direction::{Client, Server};
        use Protocol::{Pop3, Smtp};
        let cases = [
            (
                "220 mail.lab.test ESMTP Postfix (lab)",
                Some((Smtp, Server)),
            ),
            ("220-smtp.qq.com\r\n", Some((Smtp, Server))),
            ("554 no service", Some((Smtp, Server))),
            ("+OK Dovecot (lab) ready.", Some((Pop3, Server))),
            ("-ERR go away", Some((Pop3, Server))),
            ("EHLO DREAIFEDESKTOP", Some((Smtp, Client))),
            ("helo qq.com", Some((Smtp, Client))),
            ("MAIL FROM:<a@b>", Some((Smtp, Client))),
            ("USER student", Some((Pop3, Client))),
            ("capa", Some((Pop3, Client))),
            ("QUIT", None),
            ("AUTH PLAIN", None),
            ("GET / HTTP/1.1", None),
            ("", None),
            ("+ ", None),
        ];
        for (line, expected) in cases {
            assert_eq!(detect_line(line), expected, "{line}");
        }
        assert_eq!(
            detect_protocol_bytes(b"220 hi\r\n250 x\r\n"),
            Some((Smtp, Server))
        );
        assert_eq!(detect_protocol("USER x"), Some(Pop3));
    }
}
