//! SMTP replies (RFC 5321 §4.2): `250-first`, `250-more`, `250 last`.

use crate::protocol::line::{LineEvent, LineReceiver};
use std::borrow::Cow;

use crate::session::{Origin, Reply, ReplyCode, ReplyLines, ReplyLinesBuf, SmtpCode};

/// One line of a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyLine {
    pub code: SmtpCode,
    /// `false` for `250-…`: more lines follow.
    pub last: bool,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// Not `ddd`, `ddd text` or `ddd-text` with a valid code.
    #[error("not an smtp reply line")]
    NotAReply,
    /// A reply line longer than the limit.
    #[error("reply line of {len} bytes is too long")]
    TooLong { len: usize },
}

/// Parses one reply line (no line end). Lenient: a code alone is a last line, and a tab
/// after the code is taken like a space.
pub fn parse_reply_line(line: &str) -> Result<ReplyLine, ReplyError> {
    let head = reply_head(line)?;
    Ok(ReplyLine {
        code: head.code,
        last: head.last,
        text: line[head.text].to_string(),
    })
}

/// A reply line's code, whether it is the last, and where its text lies in the line.
struct ReplyHead {
    code: SmtpCode,
    last: bool,
    text: std::ops::Range<usize>,
}

fn reply_head(line: &str) -> Result<ReplyHead, ReplyError> {
    // The head is ASCII and the line's end ASCII blanks: the range falls on char boundaries.
    reply_head_bytes(line.as_bytes())
}

/// [`reply_head`] on bytes: a line's code and end are ASCII, so what is not UTF-8 in it
/// does not change the answer, and a capture need not decode it first (issue 18).
fn reply_head_bytes(line: &[u8]) -> Result<ReplyHead, ReplyError> {
    let end = line
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(0, |at| at + 1);
    let line = &line[..end];
    let digits = line.get(..3).ok_or(ReplyError::NotAReply)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(ReplyError::NotAReply);
    }
    // Three ASCII digits: their value without `str::parse`'s general machinery.
    let value = digits
        .iter()
        .fold(0u16, |value, digit| value * 10 + u16::from(digit - b'0'));
    let code = SmtpCode::new(value).ok_or(ReplyError::NotAReply)?;
    // The byte after the code: a blank, `-` and the end are ASCII, anything else is no reply.
    let (last, start) = match line.get(3) {
        None => (true, 3),
        Some(b' ' | b'\t') => (true, 4),
        Some(b'-') => (false, 4),
        Some(_) => return Err(ReplyError::NotAReply),
    };
    Ok(ReplyHead {
        code,
        last,
        text: start..line.len(),
    })
}

/// The code of a server's greeting when it is ready (RFC 5321 §4.2: `220 <domain> Service ready`).
pub const GREETING: u16 = 220;

/// Whether a line looks like a reply line (what direction guessing and protocol
/// detection ask).
pub fn is_reply_line(line: &str) -> bool {
    reply_head(line).is_ok()
}

/// A reply line's code, from its bytes, its text not copied: what protocol detection asks
/// of the first lines of a capture's connections (issue 18).
pub fn reply_line_code(line: &[u8]) -> Option<SmtpCode> {
    reply_head_bytes(line).ok().map(|head| head.code)
}

/// A whole SMTP reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpReply {
    /// The code of the first line (RFC 5321 requires every line to repeat it).
    pub code: SmtpCode,
    /// The text of each line.
    pub lines: ReplyLines,
}

impl SmtpReply {
    pub fn into_reply(self, origin: Origin) -> Reply {
        Reply::new(ReplyCode::Smtp(self.code), self.lines, origin)
    }

    /// `2.1.0` from `250 2.1.0 Ok` (RFC 3463 enhanced status codes), when there is one.
    pub fn enhanced_status(&self) -> Option<&str> {
        let first = self.lines.first()?.split(' ').next()?;
        let parts: Vec<&str> = first.split('.').collect();
        let numeric = parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        numeric.then_some(first)
    }

    /// The reply as it goes on the wire, CRLF after each line.
    pub fn to_wire(&self) -> String {
        encode_reply(self.code, &self.lines)
    }
}

/// A reply's lines as they go on the wire: `250-first`, `250-more`, `250 last`, CRLF after
/// each; no lines at all is one line with the code alone.
pub fn encode_reply(code: SmtpCode, lines: &ReplyLines) -> String {
    let mut out = String::new();
    let count = lines.len().max(1);
    let mut texts = lines.iter();
    for index in 0..count {
        let text = texts.next().unwrap_or("");
        let sep = if index + 1 == count { ' ' } else { '-' };
        out.push_str(&format!("{code}{sep}{text}\r\n"));
    }
    out
}

/// Collects reply lines until the last one.
#[derive(Clone, Debug, Default)]
pub struct ReplyAssembler {
    code: Option<SmtpCode>,
    /// The lines so far of a multi-line reply (issue 18: gathered in room kept from the
    /// last one).
    lines: ReplyLinesBuf,
}

impl ReplyAssembler {
    /// Adds one line; a whole reply once its last line arrives. A line that is not a reply
    /// line is an error and leaves the reply in progress untouched.
    pub fn push_line(&mut self, line: &str) -> Result<Option<SmtpReply>, ReplyError> {
        let head = reply_head(line)?;
        self.push(head.code, head.last, Cow::Borrowed(&line[head.text]))
    }

    /// Like [`ReplyAssembler::push_line`], keeping the line's own bytes as the reply's text
    /// (the code cut off in place, no copy). The line is taken only when it is a reply line.
    pub fn push_owned_line(&mut self, line: &mut String) -> Result<Option<SmtpReply>, ReplyError> {
        let head = reply_head(line)?;
        let mut text = std::mem::take(line);
        text.truncate(head.text.end);
        text.drain(..head.text.start);
        self.push(head.code, head.last, Cow::Owned(text))
    }

    /// A line borrowed (its text copied) or owned (its bytes kept, as
    /// [`ReplyAssembler::push_owned_line`]).
    pub fn push_text(
        &mut self,
        line: &mut std::borrow::Cow<'_, str>,
    ) -> Result<Option<SmtpReply>, ReplyError> {
        match line {
            std::borrow::Cow::Borrowed(line) => self.push_line(line),
            std::borrow::Cow::Owned(line) => self.push_owned_line(line),
        }
    }

    fn push(
        &mut self,
        code: SmtpCode,
        last: bool,
        text: Cow<'_, str>,
    ) -> Result<Option<SmtpReply>, ReplyError> {
        if last && self.code.is_none() {
            // A one-line reply (most are): an owned line's bytes kept, a borrowed one copied once.
            return Ok(Some(SmtpReply {
                code,
                lines: ReplyLines::one(text.into_owned()),
            }));
        }
        let code = *self.code.get_or_insert(code);
        self.lines.push(&text);
        if !last {
            return Ok(None);
        }
        self.code = None;
        Ok(Some(SmtpReply {
            code,
            lines: self.lines.take(),
        }))
    }

    /// Whether a multi-line reply has started and not ended.
    pub fn is_mid_reply(&self) -> bool {
        self.code.is_some()
    }

    /// The lines of an unfinished reply, as a reply (a transcript that stopped at `250-…`).
    pub fn take_partial(&mut self) -> Option<SmtpReply> {
        let code = self.code.take()?;
        Some(SmtpReply {
            code,
            lines: self.lines.take(),
        })
    }
}

/// What [`ReplyReceiver::ingest`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyEvent {
    Reply(SmtpReply),
    /// A line that is not part of any reply (its text, lossily decoded), or an over-long one.
    Malformed(ReplyError, String),
    NeedsMoreData,
}

/// The client side: frames replies out of server bytes in any chunking.
#[derive(Clone, Debug, Default)]
pub struct ReplyReceiver {
    lines: LineReceiver,
    assembler: ReplyAssembler,
}

impl ReplyReceiver {
    pub fn new(max_line_len: usize) -> Self {
        ReplyReceiver {
            lines: LineReceiver::new(max_line_len),
            assembler: ReplyAssembler::default(),
        }
    }

    /// Takes bytes from the front of `input` up to the end of the next whole reply.
    pub fn ingest(&mut self, input: &mut &[u8]) -> ReplyEvent {
        loop {
            match self.lines.ingest(input) {
                LineEvent::NeedsMoreData => return ReplyEvent::NeedsMoreData,
                LineEvent::TooLong { len } => {
                    return ReplyEvent::Malformed(ReplyError::TooLong { len }, String::new())
                }
                LineEvent::Line(line) => {
                    let text = line.into_text();
                    match self.assembler.push_line(&text) {
                        Ok(Some(reply)) => return ReplyEvent::Reply(reply),
                        Ok(None) => continue,
                        Err(error) => return ReplyEvent::Malformed(error, text),
                    }
                }
            }
        }
    }

    /// Whether the input so far ends inside a reply.
    pub fn is_mid_reply(&self) -> bool {
        self.lines.is_mid_line() || self.assembler.is_mid_reply()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(value: u16) -> SmtpCode {
        SmtpCode::new(value).unwrap()
    }

    #[test]
    fn parses_reply_lines() {
        type Case<'a> = (&'a str, Option<(u16, bool, &'a str)>);
        let cases: &[Case] = &[
            ("250 OK", Some((250, true, "OK"))),
            ("250-PIPELINING", Some((250, false, "PIPELINING"))),
            ("250", Some((250, true, ""))),
            ("250-", Some((250, false, ""))),
            (
                "354 End data with <CR><LF>.<CR><LF>",
                Some((354, true, "End data with <CR><LF>.<CR><LF>")),
            ),
            ("334 VXNlcm5hbWU6", Some((334, true, "VXNlcm5hbWU6"))),
            ("221\t2.0.0 Bye", Some((221, true, "2.0.0 Bye"))),
            ("250 OK\r", Some((250, true, "OK"))),
            ("25 OK", None),
            ("2500 OK", None),
            ("099 OK", None),
            ("999 OK", None),
            // Outside RFC 5321's second digits, but servers send them (CommuniGate's 472).
            ("260 OK", Some((260, true, "OK"))),
            (
                "472 DNS A-record is empty",
                Some((472, true, "DNS A-record is empty")),
            ),
            ("abc", None),
            ("+OK", None),
            ("", None),
            ("25", None),
            ("２５０ wide digits", None),
        ];
        for (line, expected) in cases {
            let got = parse_reply_line(line)
                .ok()
                .map(|l| (l.code.value(), l.last, l.text));
            let expected = expected.map(|(c, l, t)| (c, l, t.to_string()));
            assert_eq!(got, expected, "{line}");
        }
    }

    #[test]
    fn assembles_multi_line_replies() {
        let mut assembler = ReplyAssembler::default();
        assert_eq!(assembler.push_line("250-mail.lab.test"), Ok(None));
        assert!(assembler.is_mid_reply());
        assert_eq!(assembler.push_line("250-PIPELINING"), Ok(None));
        assert_eq!(assembler.push_line("garbage"), Err(ReplyError::NotAReply));
        let reply = assembler.push_line("250 8BITMIME").unwrap().unwrap();
        assert_eq!(reply.code, code(250));
        assert_eq!(reply.lines, ["mail.lab.test", "PIPELINING", "8BITMIME"]);
        assert!(!assembler.is_mid_reply());
        assert_eq!(
            reply.to_wire(),
            "250-mail.lab.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
        );
    }

    #[test]
    fn receives_replies_at_every_split() {
        let wire = b"220 hi\r\n250-a\r\n250-b\n250 c\r\nnope\r\n354 go\r\n";
        let collect = |chunks: &[&[u8]]| {
            let mut rx = ReplyReceiver::new(100);
            let mut out = Vec::new();
            for chunk in chunks {
                let mut input = *chunk;
                loop {
                    match rx.ingest(&mut input) {
                        ReplyEvent::NeedsMoreData => break,
                        event => out.push(event),
                    }
                }
            }
            out
        };
        let whole = collect(&[wire]);
        assert_eq!(whole.len(), 4);
        assert_eq!(
            whole[1],
            ReplyEvent::Reply(SmtpReply {
                code: code(250),
                lines: ["a", "b", "c"].into_iter().collect()
            })
        );
        assert_eq!(
            whole[2],
            ReplyEvent::Malformed(ReplyError::NotAReply, "nope".into())
        );
        for split in 0..=wire.len() {
            assert_eq!(
                collect(&[&wire[..split], &wire[split..]]),
                whole,
                "split at {split}"
            );
        }
    }

    #[test]
    fn reads_enhanced_status_codes() {
        let reply = |text: &str| SmtpReply {
            code: code(250),
            lines: ReplyLines::one(text.into()),
        };
        assert_eq!(reply("2.1.0 Ok").enhanced_status(), Some("2.1.0"));
        assert_eq!(reply("OK").enhanced_status(), None);
        assert_eq!(reply("mail.lab.test").enhanced_status(), None);
    }
}
