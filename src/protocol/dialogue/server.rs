//! The server half: replies, read as soon as they arrive, each answering the oldest command.

use super::{DialogueBuilder, Greeting, MAX_CONTENT, MAX_LINE};
use crate::i18n::messages::notes::{NoteText, ServerLineKind};
use crate::i18n::Text;
use crate::protocol::dotstuff::{DataEvent, DataReceiver};
use std::borrow::Cow;

use crate::protocol::line::{self, LineInPlace, LineReceiver};
use crate::protocol::pop3::{self, Pop3Response, StatusLine};
use crate::protocol::smtp::ReplyAssembler;
use crate::session::{Content, Note, NoteKind, Origin, Protocol, Reply, ReplyLines};

#[derive(Debug)]
pub(super) struct Server {
    lines: LineReceiver,
    smtp: ReplyAssembler,
    /// A POP3 multi-line body being read, after its status line.
    body: Option<(StatusLine, DataReceiver)>,
    /// Where the reply being read started.
    unit: Option<Origin>,
    resync: bool,
    encrypted: bool,
}

impl Server {
    pub(super) fn new() -> Self {
        Server {
            lines: LineReceiver::new(MAX_LINE),
            smtp: ReplyAssembler::default(),
            body: None,
            unit: None,
            resync: false,
            encrypted: false,
        }
    }

    pub(super) fn is_mid_reply(&self) -> bool {
        self.smtp.is_mid_reply() || self.body.is_some()
    }

    pub(super) fn encrypt(&mut self) {
        self.encrypted = true;
        self.lines.clear();
    }

    pub(super) fn resync(&mut self) {
        self.resync = self.lines.is_mid_line();
        self.lines.clear();
    }
}

/// At most this much of a server line goes into a note.
const NOTE_TEXT: usize = 80;

/// Which side wrote a line: known from the wire (a capture's TCP direction, a replay's
/// socket), or read from a transcript's markers, which a misread export can get wrong.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Known,
    Read,
}

/// A server line for a note. A line that may hold a credential (a client line taken for the
/// server's, such as `C: Pass: …` in a misread export) is described, never quoted.
fn excerpt(text: &str, side: Side) -> Text {
    if may_hold_credential(text, side) {
        return hidden(text);
    }
    let quoted = match text.char_indices().nth(NOTE_TEXT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    };
    // The line itself is quoted alike in both languages.
    Text::new(quoted.clone(), quoted)
}

/// A line described, not quoted.
fn hidden(text: &str) -> Text {
    NoteText::LineHidden {
        chars: text.chars().count(),
    }
    .text()
}

fn may_hold_credential(text: &str, side: Side) -> bool {
    const VERBS: [&str; 5] = ["pass", "user", "auth", "apop", "login"];
    let lower = text.trim_start().to_ascii_lowercase();
    // A verb behind a marker or inside a literal (`C: PASS`, `'PASS …\r\n'`, `b"AUTH …"`,
    // `-> USER`): any of the first words counts.
    let opens_verb = lower
        .split_whitespace()
        .take(3)
        .any(|word| VERBS.iter().any(|verb| bare(word).starts_with(verb)));
    // Further in, behind a marker the reader did not learn (`<time> CLIENT -> SERVER: PASS
    // x`), a verb as a word of its own. Only where the side was read from markers: server
    // prose on the wire ("deferred due to user complaints") is the server's own words.
    let has_verb = || {
        side == Side::Read
            && lower.split_whitespace().any(|word| {
                let word = bare(word).trim_end_matches(':');
                VERBS.contains(&word)
            })
    };
    opens_verb
        || has_verb()
        || text.split_whitespace().map(bare).any(looks_encoded)
        || looks_like_password(text)
        // A password or SASL payload behind a marker (`send: hunter2`).
        || super::command::looks_like_payload(text)
        // Behind a mark the reader took for part of the line (`| hunter2`).
        || looks_like_password(text.trim_start_matches(|c: char| {
            c.is_whitespace() || (c.is_ascii_punctuation() && c != '+' && c != '-')
        }))
}

/// One word with small letters and digits or signs in it (not `PIPE_CONNECT`): what a password typed alone looks like
/// (a line the reader put on the wrong side loses the USER or PASS that made it one).
pub(super) fn looks_like_password(text: &str) -> bool {
    let word = text.trim();
    let has = |f: fn(&char) -> bool| word.chars().any(|c| f(&c));
    // Typed passwords are printable: control characters, U+FFFD and the Control Pictures
    // that stand for them mark binary junk, which stays shown so a TA can see it.
    let unprintable =
        |c: char| c.is_control() || c == '\u{FFFD}' || ('\u{2400}'..='\u{243F}').contains(&c);
    !word.is_empty()
        && !word.contains(char::is_whitespace)
        && !word.contains(unprintable)
        && has(char::is_ascii_lowercase)
        && (has(char::is_ascii_digit) || has(char::is_ascii_punctuation))
}

/// A word without what a log wraps it in: a marker's punctuation before it, a literal's
/// `b'` and closing quote, an escaped line end.
pub(super) fn bare(word: &str) -> &str {
    let word = word.trim_start_matches(|c: char| !c.is_ascii_alphanumeric() && c != '+');
    let word = match word.strip_prefix(['b', 'B']) {
        Some(rest) if rest.starts_with(['\'', '"']) => &rest[1..],
        _ => word,
    };
    let word = word.trim_end_matches(['\'', '"', ',', ')', ']']);
    let word = word.strip_suffix("\\r\\n").unwrap_or(word);
    word.strip_suffix("\\n").unwrap_or(word)
}

/// Base64 with the marks of an encoding (digits, padding), not a plain word like `response`
/// or `Messages` that also happens to decode.
fn looks_encoded(word: &str) -> bool {
    let marked = word
        .bytes()
        .any(|b| b.is_ascii_digit() || matches!(b, b'=' | b'+' | b'/'));
    word.len() >= 8 && marked && crate::protocol::sasl::looks_like_base64(word)
}

impl DialogueBuilder {
    /// Whether the client's next line is a credential: a USER or APOP waits, or an AUTH
    /// or SASL response waits for its challenge.
    fn in_credential_position(&self) -> bool {
        let credential = |pending: &super::Pending| match &pending.command.kind {
            crate::session::CommandKind::Line { .. } => pending.command.word().is_some_and(|w| {
                ["USER", "PASS", "APOP", "AUTH"]
                    .iter()
                    .any(|v| w.eq_ignore_ascii_case(v))
            }),
            crate::session::CommandKind::AuthResponse { .. } => true,
            _ => false,
        };
        self.awaits_challenge() || self.pending.iter().any(credential)
    }

    pub(super) fn feed_server(&mut self, bytes: &[u8], origin: Origin) {
        let mut rest = bytes;
        while !rest.is_empty() && !self.server.encrypted {
            self.server.unit = Some(self.server.unit.map_or(origin, |u| u.extend(origin)));
            if let Some((_, body)) = &mut self.server.body {
                let content = match body.ingest(&mut rest) {
                    DataEvent::NeedsMoreData => return,
                    DataEvent::Complete(bytes) => Content::from_bytes(bytes),
                    DataEvent::TooBig { size } => {
                        self.notes.push(Note {
                            kind: NoteKind::Truncated,
                            origin,
                            detail: NoteText::ServerBodyTooBig { size }.text(),
                        });
                        Content::elided(Some(size))
                    }
                };
                self.deliver_body(content);
                continue;
            }
            match self.server.lines.ingest_in_place(&mut rest) {
                LineInPlace::NeedsMoreData => return,
                _ if std::mem::take(&mut self.server.resync) => self.end_server_line(),
                LineInPlace::TooLong { len } => {
                    self.notes.push(Note {
                        kind: NoteKind::Unrecognised,
                        origin,
                        detail: NoteText::ServerLineTooLong { len }.text(),
                    });
                    self.end_server_line();
                }
                LineInPlace::Line(line) => self.server_line_read(line::text_of(line), origin),
            }
        }
    }

    /// A line that is no part of a reply: the next reply starts afresh (unless a
    /// multi-line reply is still open).
    fn end_server_line(&mut self) {
        if !self.server.is_mid_reply() {
            self.server.unit = None;
        }
    }

    /// A server line: borrowed where it lay in the input (its text copied once, into the
    /// reply), or the line buffer's own bytes (which become the reply's text).
    fn server_line_read(&mut self, mut text: Cow<'_, str>, origin: Origin) {
        match self.protocol {
            Protocol::Smtp => match self.server.smtp.push_text(&mut text) {
                Ok(Some(reply)) => {
                    let origin = self.server.unit.take().unwrap_or(origin);
                    self.deliver(reply.into_reply(origin));
                }
                Ok(None) => {}
                Err(_) => self.unrecognised_server_line(&text, origin, ServerLineKind::SmtpReply),
            },
            Protocol::Pop3 => match status_line(&mut text) {
                Ok(status) => {
                    let body = status.status == crate::session::Pop3Status::Ok
                        && self.greeting != Greeting::Awaiting
                        && self.pending.front().is_some_and(|p| p.multiline);
                    if body {
                        self.server.body = Some((status, DataReceiver::new(MAX_CONTENT)));
                    } else {
                        let origin = self.server.unit.take().unwrap_or(origin);
                        let response = Pop3Response {
                            status: status.status,
                            text: status.text,
                            body: None,
                        };
                        self.deliver(response.into_reply(origin));
                    }
                }
                Err(_) => self.unrecognised_server_line(&text, origin, ServerLineKind::Pop3Status),
            },
            Protocol::Tls => {
                self.unrecognised_server_line(&text, origin, ServerLineKind::TlsRecord)
            }
        }
    }
}

/// A POP3 status line, its text copied from a borrowed line or cut from an owned one.
fn status_line(line: &mut Cow<'_, str>) -> Result<StatusLine, pop3::ResponseError> {
    match line {
        Cow::Borrowed(line) => pop3::parse_status_line(line),
        Cow::Owned(line) => pop3::parse_owned_status_line(line),
    }
}

impl DialogueBuilder {
    /// Whether this builder's server lines are known to be the server's (see [`Side`]).
    fn side(&self) -> Side {
        if self.reorder {
            Side::Read
        } else {
            Side::Known
        }
    }

    fn unrecognised_server_line(&mut self, text: &str, origin: Origin, what: ServerLineKind) {
        // Where the client owes a credential (after USER, AUTH or a SASL response), a line
        // that is no reply is likely that credential on the wrong side: never quoted.
        let shown = if self.in_credential_position() {
            hidden(text)
        } else {
            excerpt(text, self.side())
        };
        self.notes.push(Note {
            kind: NoteKind::Unrecognised,
            origin,
            detail: NoteText::ServerLineNot { what, shown }.text(),
        });
        self.end_server_line();
    }

    fn deliver_body(&mut self, content: Content) {
        let Some((status, _)) = self.server.body.take() else {
            return;
        };
        let origin = self.server.unit.take().unwrap_or_default();
        let mut reply = Reply::new(
            crate::session::ReplyCode::Pop3(status.status),
            ReplyLines::one(status.text),
            origin,
        );
        reply.body = Some(Box::new(content));
        self.deliver(reply);
    }

    /// Wireshark's POP3 `DATA fragment`: the body being read, seen only as a size. False
    /// when no body was being read.
    pub(super) fn server_elided_body(&mut self, size: Option<u64>, origin: Origin) -> bool {
        if self.server.body.is_none() {
            return false;
        }
        self.server.unit = Some(self.server.unit.map_or(origin, |u| u.extend(origin)));
        self.deliver_body(Content::elided(size));
        true
    }

    /// A client line while the server is mid-reply (line input only): the transcript left
    /// the rest of the reply out.
    pub(super) fn close_server_reply(&mut self, origin: Origin) {
        if let Some((_, body)) = &mut self.server.body {
            let bytes = body.take_partial();
            self.notes.push(Note {
                kind: NoteKind::Truncated,
                origin,
                detail: NoteText::BodyUnended.text(),
            });
            self.deliver_body(Content::from_bytes(bytes));
            return;
        }
        let Some(reply) = self.server.smtp.take_partial() else {
            return;
        };
        // Wireshark folds a multi-line reply into one `250-a | b | c` line: not a loss.
        let folded = reply.lines.last().is_some_and(|line| line.contains(" | "));
        if !folded {
            self.notes.push(Note {
                kind: NoteKind::Truncated,
                origin,
                detail: NoteText::ReplyNoLastLine {
                    code: reply.code.to_string(),
                }
                .text(),
            });
        }
        let origin = self.server.unit.take().unwrap_or(origin);
        self.deliver(reply.into_reply(origin));
    }

    /// The client speaks while the server's last line has no line end yet and no command
    /// is waiting for a reply: the client took that line as whole (a conforming client
    /// reads to the CRLF, a crafted one does not wait), so it is read as a whole reply line
    /// rather than joined to the next reply. Only a line that reads as a last reply line.
    pub(super) fn close_unterminated_line(&mut self) {
        if self.server.encrypted || self.server.body.is_some() {
            return;
        }
        if let Some(hello) = self.hello_reply_left_open() {
            let origin = self.server.unit.unwrap_or_default();
            self.notes.push(Note {
                kind: NoteKind::Truncated,
                origin,
                detail: NoteText::HelloReplyOpen {
                    hello: hello.to_string(),
                }
                .text(),
            });
            self.close_server_reply_silently();
            return;
        }
        if self.server.smtp.is_mid_reply()
            || !self.pending.is_empty()
            || !self.server.lines.is_mid_line()
        {
            return;
        }
        let partial = String::from_utf8_lossy(self.server.lines.partial()).into_owned();
        let whole = match self.protocol {
            Protocol::Smtp => {
                crate::protocol::smtp::parse_reply_line(&partial).is_ok_and(|line| line.last)
            }
            Protocol::Pop3 => pop3::parse_status_line(&partial).is_ok(),
            Protocol::Tls => false,
        };
        if !whole {
            return;
        }
        self.server.lines.clear();
        let origin = self.server.unit.unwrap_or_default();
        self.notes.push(Note {
            kind: NoteKind::Truncated,
            origin,
            detail: NoteText::LineEndMissingMidway {
                shown: excerpt(&partial, self.side()),
            }
            .text(),
        });
        self.server_line_read(Cow::Owned(partial), origin);
    }

    /// The EHLO/HELO/LHLO whose reply is still open after whole `250-` lines when the client
    /// speaks: no client may send before that reply ends (RFC 2920 §3.1 ends a pipelined
    /// group with EHLO), so the client took it as ended. Anything else pending (commands
    /// pasted in one go, a pipelined group) leaves the reply open.
    fn hello_reply_left_open(&self) -> Option<&'static str> {
        if self.protocol != Protocol::Smtp
            || !self.server.smtp.is_mid_reply()
            || self.server.lines.is_mid_line()
            || self.pending.len() != 1
        {
            return None;
        }
        let verb = self.pending.front()?.command.word()?;
        ["EHLO", "HELO", "LHLO"]
            .into_iter()
            .find(|hello| verb.eq_ignore_ascii_case(hello))
    }

    /// What is left of the server's input when the conversation ends.
    pub(super) fn finish_server(&mut self) {
        if self.server.encrypted {
            return;
        }
        if self.server.lines.is_mid_line() {
            let partial = String::from_utf8_lossy(self.server.lines.partial()).into_owned();
            self.server.lines.clear();
            self.notes.push(Note {
                kind: NoteKind::Truncated,
                origin: self.server.unit.unwrap_or_default(),
                detail: NoteText::LastLineEndMissing {
                    shown: excerpt(&partial, self.side()),
                }
                .text(),
            });
            // A last reply line cut before its CRLF is still the reply.
            if self.server.body.is_none() {
                let origin = self.server.unit.unwrap_or_default();
                self.server_line_read(Cow::Owned(partial), origin);
            }
        }
        if self.server.is_mid_reply() {
            let origin = self.server.unit.unwrap_or_default();
            self.notes.push(Note {
                kind: NoteKind::Truncated,
                origin,
                detail: NoteText::EndsInsideReply.text(),
            });
            self.close_server_reply_silently();
        }
    }

    fn close_server_reply_silently(&mut self) {
        if let Some((_, body)) = &mut self.server.body {
            let bytes = body.take_partial();
            self.deliver_body(Content::from_bytes(bytes));
        } else if let Some(reply) = self.server.smtp.take_partial() {
            let origin = self.server.unit.take().unwrap_or_default();
            self.deliver(reply.into_reply(origin));
        }
    }
}
