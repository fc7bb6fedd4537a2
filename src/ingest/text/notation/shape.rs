//! What a payload is to the protocol — a command, a reply, or neither — and where a file's
//! message text and multi-line bodies are, so that learning counts only lines whose side
//! the protocol can tell (a `USER` line in a CAPA body or a `250 words` line in a message
//! says nothing about its marker).

use crate::protocol::dialogue::is_verb;
use crate::protocol::{pop3, smtp};
use crate::session::Pop3Status;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A command of SMTP or POP3 (its verb is known; its arguments may be wrong).
    Command {
        /// POP3: a positive answer carries a multi-line body (RETR, LIST, CAPA …).
        multiline: bool,
    },
    /// A known verb with arguments it does not take (`MAIL a@b`, `mail postfix/smtpd…`):
    /// a command typed wrong, or a word in a sentence.
    Sloppy,
    /// A reply line.
    Reply(Reply),
    Neither,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    Smtp(u16),
    Pop3Ok,
    Pop3Err,
    /// POP3's `+ …` SASL challenge.
    Pop3Challenge,
}

impl Reply {
    fn is_challenge(self) -> bool {
        matches!(self, Reply::Smtp(334) | Reply::Pop3Challenge)
    }
}

impl Shape {
    pub fn is_dialogue(self) -> bool {
        self != Shape::Neither
    }
}

/// The shape of one line of dialogue (a marker already taken off).
pub fn shape_of(text: &str) -> Shape {
    let text = text.trim();
    let Some(first) = text.bytes().next() else {
        return Shape::Neither;
    };
    if first.is_ascii_digit() {
        // RFC 5321 §4.2: the first digit is 2 to 5, the second 0 to 5; a port number or a
        // count (`587`, `1 350`) is no reply.
        return match smtp::parse_reply_line(text) {
            Ok(line)
                if (200..600).contains(&line.code.value()) && line.code.value() / 10 % 10 <= 5 =>
            {
                Shape::Reply(Reply::Smtp(line.code.value()))
            }
            _ => Shape::Neither,
        };
    }
    if first == b'+' || first == b'-' {
        return match pop3::parse_status_line(text) {
            // A bare `+` is too easily something else; `+ …` after AUTH is still a challenge.
            Ok(status) => match status.status {
                Pop3Status::Ok => Shape::Reply(Reply::Pop3Ok),
                Pop3Status::Err => Shape::Reply(Reply::Pop3Err),
                Pop3Status::Continue if text.len() > 1 => Shape::Reply(Reply::Pop3Challenge),
                Pop3Status::Continue => Shape::Neither,
            },
            Err(_) => Shape::Neither,
        };
    }
    if !first.is_ascii_alphabetic() {
        return Shape::Neither;
    }
    let verb_len = text
        .bytes()
        .position(|b| b == b' ' || b == b'\t')
        .unwrap_or(text.len());
    // A verb the protocols know, looked up before the parsers allocate.
    if !is_verb(&text[..verb_len]) {
        return Shape::Neither;
    }
    // A verb that takes no arguments, given some, is a word in a sentence ("data with
    // <CR><LF>", "quit the program"), not a command typed wrong.
    let verb = &text[..verb_len];
    match smtp::parse_request(text) {
        Ok(_) => return Shape::Command { multiline: false },
        Err(smtp::SyntaxError::UnknownCommand { .. } | smtp::SyntaxError::Empty) => {}
        Err(_) if smtp::parse_request(verb).is_ok() => return Shape::Neither,
        Err(_) => return Shape::Sloppy,
    }
    match pop3::parse_request(text) {
        Ok(request) => Shape::Command {
            multiline: request.has_multiline_response(),
        },
        Err(pop3::SyntaxError::UnknownCommand { .. } | pop3::SyntaxError::Empty) => Shape::Neither,
        Err(_) if pop3::parse_request(verb).is_ok() => Shape::Neither,
        Err(_) => Shape::Sloppy,
    }
}

/// Where in the dialogue a line is, followed line by line with no knowledge of markers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Span {
    #[default]
    Dialogue,
    /// After `354`: the client's message, up to its `.`.
    Message,
    /// After `+OK` to RETR, LIST, CAPA …: the server's body, up to its `.`; `opener` is the
    /// key of the line that opened it (a command under another marker ends it).
    Body { opener: u64 },
    /// After a SASL challenge: base64 lines until the next reply.
    Auth,
}

/// Follows the spans of a file as learning reads it.
#[derive(Debug, Default)]
pub struct Spans {
    span: Span,
    multiline_command: bool,
}

impl Spans {
    /// Inside message text or a body: only a dot, or a reply under a known marker, ends it.
    pub fn in_content(&self) -> bool {
        matches!(self.span, Span::Message | Span::Body { .. })
    }

    /// Whether a line is inside message text or a body (learning skips it), and moves on.
    /// `shape` is the line's shape, `marker` a hash of its marker's key (0 for none), `known`
    /// whether that marker was seen on dialogue before, `dot` whether the line is a lone `.`.
    pub fn inside(&mut self, shape: Shape, marker: u64, known: bool, dot: bool) -> bool {
        match self.span {
            Span::Message => {
                // A reply under a known marker ends a message whose text the log left out
                // (Postfix).
                let marked_reply = matches!(shape, Shape::Reply(_)) && known;
                if dot {
                    self.span = Span::Dialogue;
                    return true;
                }
                if !marked_reply {
                    return true;
                }
                self.span = Span::Dialogue;
            }
            Span::Body { opener } => {
                let command = matches!(shape, Shape::Command { .. } | Shape::Sloppy);
                let other_marker = command && marker != opener;
                if dot {
                    self.span = Span::Dialogue;
                    return true;
                }
                if !other_marker {
                    return true;
                }
                self.span = Span::Dialogue;
            }
            Span::Auth if !shape.is_dialogue() => return true,
            Span::Auth | Span::Dialogue => self.span = Span::Dialogue,
        }
        match shape {
            Shape::Command { multiline } => self.multiline_command = multiline,
            Shape::Sloppy => self.multiline_command = false,
            Shape::Reply(Reply::Smtp(354)) => self.span = Span::Message,
            Shape::Reply(reply) if reply.is_challenge() => self.span = Span::Auth,
            Shape::Reply(Reply::Pop3Ok) if self.multiline_command => {
                self.multiline_command = false;
                self.span = Span::Body { opener: marker };
            }
            Shape::Reply(_) => self.multiline_command = false,
            Shape::Neither => {}
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let command = Shape::Command { multiline: false };
        let cases = [
            ("EHLO x", command),
            ("mail from: a@b", command),
            ("MAIL a@b", Shape::Sloppy),
            ("mail postfix/smtpd[1]: x", Shape::Sloppy),
            ("RETR 1", Shape::Command { multiline: true }),
            ("QUIT", command),
            ("250 ok", Shape::Reply(Reply::Smtp(250))),
            ("334 VXNlcm5hbWU6", Shape::Reply(Reply::Smtp(334))),
            ("+OK ready", Shape::Reply(Reply::Pop3Ok)),
            ("-ERR no", Shape::Reply(Reply::Pop3Err)),
            ("+ ", Shape::Neither),
            ("+ VXNlcm5hbWU6", Shape::Reply(Reply::Pop3Challenge)),
            ("Subject: hi", Shape::Neither),
            ("c3R1ZGVudA==", Shape::Neither),
            ("1 350", Shape::Neither),
            ("587", Shape::Neither),
            ("110", Shape::Neither),
            ("we said hello", Shape::Neither),
            ("data with <CR><LF>", Shape::Neither),
            ("HELO", Shape::Sloppy),
        ];
        for (text, expected) in cases {
            assert_eq!(shape_of(text), expected, "{text:?}");
        }
    }

    #[test]
    fn message_and_body_lines_are_inside() {
        let mut spans = Spans::default();
        let command = |multiline| Shape::Command { multiline };
        let ok = Shape::Reply(Reply::Pop3Ok);
        let reply = |code| Shape::Reply(Reply::Smtp(code));
        // RETR, +OK, a body line that looks like a command, its dot, then QUIT.
        // A reply in the message: unmarked or under a new marker, text; under a known
        // marker, the end of a message the log left out.
        let lines = [
            // (shape, marker, known, dot, inside)
            (command(true), 1, true, false, false),
            (ok, 2, true, false, false),
            (command(false), 2, true, false, true),
            (Shape::Neither, 2, true, true, true),
            (command(false), 1, true, false, false),
            (reply(354), 2, true, false, false),
            (reply(250), 0, false, false, true),
            (reply(250), 3, false, false, true),
            (reply(250), 2, true, false, false),
        ];
        for (index, (shape, marker, known, dot, inside)) in lines.into_iter().enumerate() {
            assert_eq!(
                spans.inside(shape, marker, known, dot),
                inside,
                "line {index}"
            );
        }
    }
}
