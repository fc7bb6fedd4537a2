//! The server side: POP3 command lines, and SASL responses during AUTH.

use super::{parse_request, Request, SyntaxError};
use crate::protocol::line::{LineEvent, LineReceiver};
use crate::protocol::sasl;
use crate::session::Secret;

/// One thing the client sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientInput {
    Request {
        request: Result<Request, SyntaxError>,
    },
    /// RFC 2449 §4: a command line must not exceed 255 octets; servers allow more.
    LineTooLong {
        len: usize,
    },
    AuthResponse(Secret),
    AuthCancel,
    NeedsMoreData,
}

/// Reads client bytes in any chunking; after each `+ ` challenge call
/// [`expect_auth_response`](Self::expect_auth_response).
#[derive(Clone, Debug)]
pub struct ServerReceiver {
    lines: LineReceiver,
    auth: bool,
}

impl ServerReceiver {
    pub fn new(max_line_len: usize) -> Self {
        ServerReceiver {
            lines: LineReceiver::new(max_line_len),
            auth: false,
        }
    }

    pub fn expect_auth_response(&mut self) {
        self.auth = true;
    }

    pub fn ingest(&mut self, input: &mut &[u8]) -> ClientInput {
        let line = match self.lines.ingest(input) {
            LineEvent::NeedsMoreData => return ClientInput::NeedsMoreData,
            LineEvent::TooLong { len } => {
                self.auth = false;
                return ClientInput::LineTooLong { len };
            }
            LineEvent::Line(line) => line.text(),
        };
        if std::mem::take(&mut self.auth) {
            if sasl::is_cancel(&line) {
                return ClientInput::AuthCancel;
            }
            return ClientInput::AuthResponse(Secret::new(line));
        }
        ClientInput::Request {
            request: parse_request(&line),
        }
    }
}

impl Default for ServerReceiver {
    fn default() -> Self {
        ServerReceiver::new(LineReceiver::DEFAULT_MAX_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_commands_and_auth_responses() {
        let mut rx = ServerReceiver::default();
        let mut input: &[u8] = b"AUTH PLAIN\r\nAHN0dWRlbnQAc2VjcmV0\r\nSTAT\r\n";
        assert_eq!(
            rx.ingest(&mut input),
            ClientInput::Request {
                request: Ok(Request::Auth {
                    mechanism: Some(crate::protocol::sasl::Mechanism::Plain),
                    initial: None
                })
            }
        );
        rx.expect_auth_response();
        assert_eq!(
            rx.ingest(&mut input),
            ClientInput::AuthResponse(Secret::new("AHN0dWRlbnQAc2VjcmV0"))
        );
        assert_eq!(
            rx.ingest(&mut input),
            ClientInput::Request {
                request: Ok(Request::Stat)
            }
        );
        assert_eq!(rx.ingest(&mut input), ClientInput::NeedsMoreData);
    }
}
