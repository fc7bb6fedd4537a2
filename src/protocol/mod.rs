//! Sans-IO SMTP and POP3: grammar, reply parsing, framing and state machines.
//!
//! Nothing here touches a socket. The pcap stream decoder, the transcript reader, the
//! embedded server and the replay client all speak through these types, so they cannot
//! disagree about what a line means.
//!
//! Every receiver takes `&mut &[u8]`, consumes what it needs from the front and answers
//! with a whole unit or `NeedsMoreData`, so bytes can arrive in any chunking and the rest
//! of a chunk can go to the next receiver (a pipelined command after the message).
//!
//! # Who calls what
//!
//! - Readers of captures and transcripts feed a [`DialogueBuilder`] and take the
//!   [`Dialogue`] it finishes with; [`detect_protocol`] recognises a stream by its first line.
//! - A server reads with [`smtp::ServerReceiver`] / [`pop3::ServerReceiver`], checks order with
//!   [`smtp::SmtpState`] / [`pop3::Pop3State`] and decodes credentials with [`sasl`].
//! - A client reads replies with [`smtp::ReplyReceiver`] / [`pop3::ResponseReceiver`] and
//!   sends a message body with [`stuff`].
//!
//! ```
//! use mailgrade::protocol::DialogueBuilder;
//! use mailgrade::session::{Origin, Protocol};
//!
//! let mut dialogue = DialogueBuilder::new(Protocol::Smtp);
//! dialogue.server_bytes(b"220 mail.lab.test ESMTP\r\n", Origin::frame(1, 0));
//! // Pipelined: three commands in one segment, three replies in the next.
//! dialogue.client_bytes(b"MAIL FROM:<a@lab.test>\r\nRCPT TO:<b@lab.test>\r\nDATA\r\n", Origin::frame(2, 0));
//! dialogue.server_bytes(b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n", Origin::frame(3, 0));
//! dialogue.client_bytes(b"Subject: hi\r\n\r\n..dot\r\n.\r\n", Origin::frame(4, 0));
//! dialogue.server_bytes(b"250 2.0.0 Ok: queued\r\n", Origin::frame(5, 0));
//! let dialogue = dialogue.finish();
//! let skeleton: Vec<String> = dialogue.exchanges.iter().map(|e| e.skeleton_line()).collect();
//! assert_eq!(skeleton, ["greeting → 220", "MAIL → 250", "RCPT → 250", "DATA → 354", "message → 250"]);
//! ```

pub mod detect;
pub mod dialogue;
pub mod dotstuff;
pub mod encode;
pub mod line;
pub mod pop3;
pub mod redact;
pub mod replies;
mod request;
pub mod sasl;
pub mod smtp;
pub mod tls;
mod verbs;
mod words;

pub use detect::{detect_line, detect_protocol, detect_protocol_bytes, is_greeting};
pub use dialogue::{Dialogue, DialogueBuilder, Direction, Expect, Spare};
pub use dotstuff::{stuff, unstuff, DataEvent, DataReceiver};
pub use encode::command_bytes;
pub use line::{Line, LineEvent, LineReceiver};
pub use request::Request;
pub use verbs::{is_command_verb, Verb};

#[cfg(test)]
mod reference_tests;
