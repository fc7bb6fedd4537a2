//! The server side: what the client sent, in whichever phase the session is.

use super::bdat::{BdatEvent, BdatReceiver};
use super::{parse_request, Request, SyntaxError};
use crate::protocol::dotstuff::{DataEvent, DataReceiver};
use crate::protocol::line::{LineEvent, LineReceiver};
use crate::protocol::sasl;
use crate::session::Secret;

/// Limits a server enforces on what it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest command line (RFC 5321 §4.5.3.1.4 says 512; Postfix allows 2048).
    pub max_line_len: usize,
    /// Largest message (the SIZE the server announces).
    pub max_message_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_len: 2048,
            max_message_size: 10 << 20,
        }
    }
}

/// One thing the client sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientInput {
    /// A command line, parsed (an AUTH initial response inside is a `Secret`).
    Request {
        request: Result<Request, SyntaxError>,
    },
    /// A command line longer than [`Limits::max_line_len`].
    LineTooLong { len: usize },
    /// The message after DATA, unstuffed.
    Message(Vec<u8>),
    /// The message after DATA was larger than the limit (answer 552 after the dot).
    MessageTooBig { size: u64 },
    /// A BDAT chunk (`last` as the BDAT command said).
    Chunk { bytes: Vec<u8>, last: bool },
    /// A SASL response line (base64, not yet decoded).
    AuthResponse(Secret),
    /// `*`: the client cancelled the AUTH exchange.
    AuthCancel,
    /// The input ended in the middle of something; feed more.
    NeedsMoreData,
}

/// What the server reads next; the state is in the variant, each holding its receiver.
#[derive(Clone, Debug)]
pub enum Phase {
    Request(LineReceiver),
    Data(DataReceiver),
    Bdat { receiver: BdatReceiver, last: bool },
    Auth(LineReceiver),
}

/// Reads client bytes in any chunking. After answering DATA with 354, call
/// [`expect_message`](Self::expect_message); after BDAT, [`expect_chunk`](Self::expect_chunk);
/// after each 334, [`expect_auth_response`](Self::expect_auth_response). Once the message,
/// chunk or response arrived, it reads commands again.
///
/// The message ends only at `<CR><LF>.<CR><LF>` (a strict [`DataReceiver`]), so bytes a
/// relay forwarded as text cannot end one message and start another (SMTP smuggling).
/// A client that has ended every line of the session with a bare LF (`nc` typed by hand)
/// may end the message with a bare-LF `.` line too: no relay speaks like that, and Postfix
/// 3.7, the lab's reference, accepts it.
#[derive(Clone, Debug)]
pub struct ServerReceiver {
    phase: Phase,
    limits: Limits,
    /// Whether any line so far ended in CRLF.
    crlf_seen: bool,
}

impl ServerReceiver {
    pub fn new(limits: Limits) -> Self {
        ServerReceiver {
            phase: Phase::Request(LineReceiver::new(limits.max_line_len)),
            limits,
            crlf_seen: false,
        }
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn expect_message(&mut self) {
        let max = self.limits.max_message_size;
        let data = if self.crlf_seen {
            DataReceiver::strict(max)
        } else {
            DataReceiver::new(max)
        };
        self.phase = Phase::Data(data);
    }

    pub fn expect_chunk(&mut self, size: u64, last: bool) {
        let receiver = BdatReceiver::new(size, self.limits.max_message_size);
        self.phase = Phase::Bdat { receiver, last };
    }

    pub fn expect_auth_response(&mut self) {
        self.phase = Phase::Auth(LineReceiver::new(self.limits.max_line_len));
    }

    /// Back to reading commands (after an error).
    pub fn expect_request(&mut self) {
        self.phase = Phase::Request(LineReceiver::new(self.limits.max_line_len));
    }

    /// Takes bytes from the front of `input` up to the end of the next whole input.
    pub fn ingest(&mut self, input: &mut &[u8]) -> ClientInput {
        let event = match &mut self.phase {
            Phase::Request(lines) => {
                return match lines.ingest(input) {
                    LineEvent::Line(line) => {
                        self.crlf_seen |= line.crlf;
                        ClientInput::Request {
                            request: parse_request(&line.text()),
                        }
                    }
                    LineEvent::TooLong { len } => ClientInput::LineTooLong { len },
                    LineEvent::NeedsMoreData => ClientInput::NeedsMoreData,
                }
            }
            Phase::Data(data) => match data.ingest(input) {
                DataEvent::Complete(body) => ClientInput::Message(body),
                DataEvent::TooBig { size } => ClientInput::MessageTooBig { size },
                DataEvent::NeedsMoreData => return ClientInput::NeedsMoreData,
            },
            Phase::Bdat { receiver, last } => match receiver.ingest(input) {
                BdatEvent::Chunk(bytes) => ClientInput::Chunk { bytes, last: *last },
                BdatEvent::NeedsMoreData => return ClientInput::NeedsMoreData,
            },
            Phase::Auth(lines) => match lines.ingest(input) {
                LineEvent::Line(line) => {
                    self.crlf_seen |= line.crlf;
                    if sasl::is_cancel(&line.text()) {
                        ClientInput::AuthCancel
                    } else {
                        ClientInput::AuthResponse(Secret::new(line.text()))
                    }
                }
                LineEvent::TooLong { len } => ClientInput::LineTooLong { len },
                LineEvent::NeedsMoreData => return ClientInput::NeedsMoreData,
            },
        };
        self.expect_request();
        event
    }
}

impl Default for ServerReceiver {
    fn default() -> Self {
        ServerReceiver::new(Limits::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_pasted_session_in_phases() {
        let wire: &[u8] = b"helo qq.com\r\nauth login\r\nc3R1ZGVudA==\r\n*\r\nMAIL FROM:<a@b>\r\nDATA\r\nSubject: x\r\n\r\n..body\r\n.\r\nBDAT 3 LAST\r\nabcQUIT\r\n";
        let mut rx = ServerReceiver::default();
        let mut input = wire;
        let mut seen = Vec::new();
        loop {
            let event = rx.ingest(&mut input);
            match &event {
                ClientInput::NeedsMoreData => break,
                ClientInput::Request {
                    request: Ok(Request::Auth { .. }),
                } => rx.expect_auth_response(),
                ClientInput::AuthResponse(_) => rx.expect_auth_response(),
                ClientInput::Request {
                    request: Ok(Request::Data),
                } => rx.expect_message(),
                ClientInput::Request {
                    request: Ok(Request::Bdat { size, last }),
                } => rx.expect_chunk(*size, *last),
                _ => {}
            }
            seen.push(event);
        }
        assert_eq!(seen.len(), 10, "{seen:?}");
        assert_eq!(seen[3], ClientInput::AuthCancel);
        assert_eq!(
            seen[6],
            ClientInput::Message(b"Subject: x\r\n\r\n.body\r\n".to_vec())
        );
        assert_eq!(
            seen[8],
            ClientInput::Chunk {
                bytes: b"abc".to_vec(),
                last: true
            }
        );
        assert_eq!(
            seen[9],
            ClientInput::Request {
                request: Ok(Request::Quit)
            }
        );
    }

    #[test]
    fn a_bare_lf_dot_ends_the_message_only_in_a_bare_lf_session() {
        let message = |commands: &[u8], data: &[u8]| {
            let mut rx = ServerReceiver::default();
            let mut input = commands;
            while !input.is_empty() {
                rx.ingest(&mut input);
            }
            rx.expect_message();
            let mut input = data;
            rx.ingest(&mut input)
        };
        let data: &[u8] = b"Subject: x\n\nhi\n.\nRSET\n";
        assert_eq!(
            message(b"HELO pc\nDATA\n", data),
            ClientInput::Message(b"Subject: x\n\nhi\n".to_vec())
        );
        assert_eq!(
            message(b"HELO pc\r\nDATA\n", data),
            ClientInput::NeedsMoreData,
            "after one CRLF line, only CRLF.CRLF ends the message"
        );
    }

    #[test]
    fn limits_lines_and_messages() {
        let mut rx = ServerReceiver::new(Limits {
            max_line_len: 8,
            max_message_size: 4,
        });
        let mut input: &[u8] = b"NOOP 123456789\r\n";
        assert_eq!(rx.ingest(&mut input), ClientInput::LineTooLong { len: 14 });
        rx.expect_message();
        let mut input: &[u8] = b"123456\r\n.\r\nQUIT\r\n";
        assert_eq!(
            rx.ingest(&mut input),
            ClientInput::MessageTooBig { size: 8 }
        );
        assert_eq!(
            rx.ingest(&mut input),
            ClientInput::Request {
                request: Ok(Request::Quit)
            }
        );
    }
}
