//! POP3 responses (RFC 1939 §3): a status line `+OK …` / `-ERR …`, for some commands
//! followed by a dot-stuffed multi-line body; and the SASL continuation `+ …` (RFC 5034).

use crate::protocol::dotstuff::{DataEvent, DataReceiver};
use crate::protocol::line::{LineEvent, LineReceiver};
use crate::session::{Content, Origin, Pop3Status, Reply, ReplyCode, ReplyLines};

/// A status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusLine {
    pub status: Pop3Status,
    /// The text after the indicator (for `+ `, the base64 challenge).
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("not a pop3 status line")]
    NotAStatusLine,
    #[error("status line of {len} bytes is too long")]
    TooLong { len: usize },
    #[error("multi-line body of {size} bytes is too big")]
    BodyTooBig { size: u64 },
}

/// Parses a status line (no line end). The indicator is matched in any case (`+ok` from a
/// hand-typed transcript), and `+` alone is an empty continuation.
pub fn parse_status_line(line: &str) -> Result<StatusLine, ResponseError> {
    let (status, text) = status_head(line)?;
    Ok(StatusLine {
        status,
        text: line[text].to_string(),
    })
}

/// Like [`parse_status_line`], keeping the line's own bytes as the text (the indicator cut
/// off in place, no copy). The line is taken only when it is a status line.
pub fn parse_owned_status_line(line: &mut String) -> Result<StatusLine, ResponseError> {
    let (status, range) = status_head(line)?;
    let mut text = std::mem::take(line);
    text.truncate(range.end);
    text.drain(..range.start);
    Ok(StatusLine { status, text })
}

/// A status line's status and where its text lies in the line. Read as bytes: the
/// indicator, the blanks and the line end are ASCII, so every place found is a char
/// boundary (`str`'s char-set trims cost a capture some 230 instructions a line, issue 18).
fn status_head(line: &str) -> Result<(Pop3Status, std::ops::Range<usize>), ResponseError> {
    let bytes = line.as_bytes();
    let end = bytes
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(0, |at| at + 1);
    let line = &bytes[..end];
    let blank = |at: usize| matches!(line.get(at), Some(b' ' | b'\t'));
    // Where the text starts after `word` and its blanks, when the line starts with `word`
    // followed by a blank or nothing.
    let indicator = |word: &[u8]| {
        let head = line.get(..word.len())?;
        if !head.eq_ignore_ascii_case(word) || !(word.len() == end || blank(word.len())) {
            return None;
        }
        let mut start = word.len();
        while blank(start) {
            start += 1;
        }
        Some(start)
    };
    let (status, start) = if let Some(start) = indicator(b"+OK") {
        (Pop3Status::Ok, start)
    } else if let Some(start) = indicator(b"-ERR") {
        (Pop3Status::Err, start)
    } else if let Some(start) = indicator(b"+") {
        (Pop3Status::Continue, start)
    } else {
        return Err(ResponseError::NotAStatusLine);
    };
    Ok((status, start..end))
}

/// The status an indicator alone names (`+OK`, `-ERR`, `+`), any case: how a scenario writes
/// the POP3 reply it expects.
pub fn parse_status(word: &str) -> Option<Pop3Status> {
    let line = parse_status_line(word).ok()?;
    (line.text.is_empty() && !word.ends_with(char::is_whitespace)).then_some(line.status)
}

/// How a status is written on the wire: `+OK`, `-ERR`, `+`.
pub fn indicator(status: Pop3Status) -> &'static str {
    match status {
        Pop3Status::Ok => "+OK",
        Pop3Status::Err => "-ERR",
        Pop3Status::Continue => "+",
    }
}

pub fn is_status_line(line: &str) -> bool {
    status_head(line).is_ok()
}

/// A status line's status, its text not copied (protocol detection, issue 18).
pub fn line_status(line: &str) -> Option<Pop3Status> {
    status_head(line).ok().map(|(status, _)| status)
}

/// A whole response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pop3Response {
    pub status: Pop3Status,
    pub text: String,
    /// The unstuffed multi-line body, for a positive answer to a multi-line command.
    pub body: Option<Vec<u8>>,
}

impl Pop3Response {
    pub fn into_reply(self, origin: Origin) -> Reply {
        let mut reply = Reply::new(
            ReplyCode::Pop3(self.status),
            ReplyLines::one(self.text),
            origin,
        );
        reply.body = self.body.map(|bytes| Box::new(Content::from_bytes(bytes)));
        reply
    }

    /// The response as it goes on the wire: status line, then the stuffed body and `.`.
    pub fn to_wire(&self) -> Vec<u8> {
        let indicator = indicator(self.status);
        let mut out = match (self.status, self.text.is_empty()) {
            (Pop3Status::Continue, _) => format!("+ {}\r\n", self.text),
            (_, true) => format!("{indicator}\r\n"),
            (_, false) => format!("{indicator} {}\r\n", self.text),
        }
        .into_bytes();
        if let Some(body) = &self.body {
            out.extend_from_slice(&crate::protocol::dotstuff::stuff(body));
        }
        out
    }

    /// The body as lines without line ends (LIST, UIDL, CAPA).
    pub fn body_lines(&self) -> Vec<String> {
        let Some(body) = &self.body else {
            return Vec::new();
        };
        String::from_utf8_lossy(body)
            .lines()
            .map(str::to_string)
            .collect()
    }
}

/// What [`ResponseReceiver::ingest`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseEvent {
    Response(Pop3Response),
    /// A line that is not a status line (its text, lossily decoded), an over-long line, or a
    /// body over the limit (then `String` is empty and the body was skipped).
    Malformed(ResponseError, String),
    NeedsMoreData,
}

#[derive(Clone, Debug)]
enum Phase {
    Status,
    Body { status: StatusLine },
}

/// The client side: frames responses out of server bytes in any chunking. Whether a body
/// follows depends on the command, so each call says whether it expects one
/// ([`Request::has_multiline_response`](super::Request::has_multiline_response)).
#[derive(Clone, Debug)]
pub struct ResponseReceiver {
    lines: LineReceiver,
    body: DataReceiver,
    phase: Phase,
}

impl ResponseReceiver {
    pub fn new(max_line_len: usize, max_body_size: u64) -> Self {
        ResponseReceiver {
            lines: LineReceiver::new(max_line_len),
            body: DataReceiver::new(max_body_size),
            phase: Phase::Status,
        }
    }

    /// Takes bytes from the front of `input` up to the end of the next whole response.
    /// `multiline`: whether the command being answered has a multi-line positive answer.
    pub fn ingest(&mut self, input: &mut &[u8], multiline: bool) -> ResponseEvent {
        if let Phase::Status = self.phase {
            let line = match self.lines.ingest(input) {
                LineEvent::NeedsMoreData => return ResponseEvent::NeedsMoreData,
                LineEvent::TooLong { len } => {
                    return ResponseEvent::Malformed(ResponseError::TooLong { len }, String::new())
                }
                LineEvent::Line(line) => line.text(),
            };
            let status = match parse_status_line(&line) {
                Ok(status) => status,
                Err(error) => return ResponseEvent::Malformed(error, line),
            };
            if !(multiline && status.status == Pop3Status::Ok) {
                return ResponseEvent::Response(Pop3Response {
                    status: status.status,
                    text: status.text,
                    body: None,
                });
            }
            self.phase = Phase::Body { status };
        }
        match self.body.ingest(input) {
            DataEvent::NeedsMoreData => ResponseEvent::NeedsMoreData,
            DataEvent::TooBig { size } => {
                self.phase = Phase::Status;
                ResponseEvent::Malformed(ResponseError::BodyTooBig { size }, String::new())
            }
            DataEvent::Complete(body) => match std::mem::replace(&mut self.phase, Phase::Status) {
                Phase::Body { status } => ResponseEvent::Response(Pop3Response {
                    status: status.status,
                    text: status.text,
                    body: Some(body),
                }),
                Phase::Status => ResponseEvent::NeedsMoreData,
            },
        }
    }

    /// Whether the input so far ends inside a response.
    pub fn is_mid_response(&self) -> bool {
        self.lines.is_mid_line() || matches!(self.phase, Phase::Body { .. })
    }
}

impl Default for ResponseReceiver {
    fn default() -> Self {
        ResponseReceiver::new(LineReceiver::DEFAULT_MAX_LEN, 64 << 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owned_status_line_reads_as_a_borrowed_one() {
        for line in [
            "+OK 2 320",
            "-ERR no\r",
            "+",
            "+ VXNlcg==",
            "+ok\t x ",
            "+OKAY",
            "",
            "-ERR",
        ] {
            let mut owned = line.to_string();
            assert_eq!(
                parse_owned_status_line(&mut owned),
                parse_status_line(line),
                "{line:?}"
            );
            // A line that is no status line is left as it was.
            if parse_status_line(line).is_err() {
                assert_eq!(owned, line);
            }
        }
    }

    #[test]
    fn parses_status_lines() {
        let cases: &[(&str, Option<(Pop3Status, &str)>)] = &[
            (
                "+OK Dovecot (lab) ready.",
                Some((Pop3Status::Ok, "Dovecot (lab) ready.")),
            ),
            ("+OK", Some((Pop3Status::Ok, ""))),
            ("+OK 2 900", Some((Pop3Status::Ok, "2 900"))),
            ("+ok hand typed", Some((Pop3Status::Ok, "hand typed"))),
            (
                "-ERR [AUTH] Authentication failed.",
                Some((Pop3Status::Err, "[AUTH] Authentication failed.")),
            ),
            ("-ERR", Some((Pop3Status::Err, ""))),
            ("+ ", Some((Pop3Status::Continue, ""))),
            ("+", Some((Pop3Status::Continue, ""))),
            (
                "+ VXNlcm5hbWU6",
                Some((Pop3Status::Continue, "VXNlcm5hbWU6")),
            ),
            ("+OK \t \r\n", Some((Pop3Status::Ok, ""))),
            (
                "-err\tno such message\r\n",
                Some((Pop3Status::Err, "no such message")),
            ),
            ("+OK 你好 \r", Some((Pop3Status::Ok, "你好 "))),
            ("+\r\n", Some((Pop3Status::Continue, ""))),
            ("+OKAY", None),
            ("+OK你好", None),
            ("+é", None),
            ("\r\n", None),
            ("-ERROR", None),
            ("250 OK", None),
            ("1 438", None),
            (".", None),
            ("", None),
        ];
        for (line, expected) in cases {
            let got = parse_status_line(line).ok().map(|s| (s.status, s.text));
            let expected = expected.map(|(s, t)| (s, t.to_string()));
            assert_eq!(got, expected, "{line}");
        }
    }

    fn collect(chunks: &[&[u8]], multiline: &[bool]) -> Vec<ResponseEvent> {
        let mut rx = ResponseReceiver::new(100, 1000);
        let mut out = Vec::new();
        for chunk in chunks {
            let mut input = *chunk;
            loop {
                let expect = multiline.get(out.len()).copied().unwrap_or(false);
                match rx.ingest(&mut input, expect) {
                    ResponseEvent::NeedsMoreData => break,
                    event => out.push(event),
                }
            }
        }
        out
    }

    #[test]
    fn reads_bodies_only_when_expected_and_positive() {
        let wire = b"+OK 2 messages:\r\n1 438\r\n2 462\r\n.\r\n-ERR There's no message 99.\r\n+OK 1 octets\r\n..x\r\n.\r\n";
        let events = collect(&[wire], &[true, true, true]);
        let response = |status, text: &str, body: Option<&[u8]>| {
            ResponseEvent::Response(Pop3Response {
                status,
                text: text.into(),
                body: body.map(<[u8]>::to_vec),
            })
        };
        assert_eq!(
            events,
            vec![
                response(Pop3Status::Ok, "2 messages:", Some(b"1 438\r\n2 462\r\n")),
                response(Pop3Status::Err, "There's no message 99.", None),
                response(Pop3Status::Ok, "1 octets", Some(b".x\r\n")),
            ]
        );
        for split in 0..=wire.len() {
            assert_eq!(
                collect(&[&wire[..split], &wire[split..]], &[true, true, true]),
                events,
                "split at {split}"
            );
        }
        let Some(ResponseEvent::Response(first)) = events.first() else {
            panic!("no response")
        };
        assert_eq!(first.body_lines(), ["1 438", "2 462"]);
    }

    #[test]
    fn writes_what_it_reads() {
        let responses = [
            Pop3Response {
                status: Pop3Status::Ok,
                text: "2 messages:".into(),
                body: Some(b"1 438\r\n.x\r\n".to_vec()),
            },
            Pop3Response {
                status: Pop3Status::Err,
                text: "no such message".into(),
                body: None,
            },
            Pop3Response {
                status: Pop3Status::Ok,
                text: String::new(),
                body: None,
            },
            Pop3Response {
                status: Pop3Status::Continue,
                text: String::new(),
                body: None,
            },
        ];
        for response in responses {
            let wire = response.to_wire();
            let mut input = &wire[..];
            let event = ResponseReceiver::default().ingest(&mut input, response.body.is_some());
            assert_eq!(event, ResponseEvent::Response(response.clone()));
            assert!(input.is_empty());
        }
    }

    #[test]
    fn skips_bodies_over_the_limit() {
        let mut rx = ResponseReceiver::new(100, 4);
        let mut input: &[u8] = b"+OK\r\n0123456789\r\n.\r\n+OK\r\n";
        assert_eq!(
            rx.ingest(&mut input, true),
            ResponseEvent::Malformed(ResponseError::BodyTooBig { size: 12 }, String::new())
        );
        assert!(matches!(
            rx.ingest(&mut input, false),
            ResponseEvent::Response(_)
        ));
    }
}
