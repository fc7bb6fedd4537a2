//! Text submissions → sessions: decoding, where the dialogue is (code blocks), how it is
//! written, and the events each region gives, assembled through the protocol.
//!
//! Exports with a structure of their own are read by it ([`dialect`]): Wireshark's packet
//! list (text, CSV: the Info column's `S:`/`C:` or the addresses) and tshark's follow output
//! (the nodes). Everything else is a transcript in some notation, read by the direction
//! markers learned from the file itself ([`notation`]): `C:`/`S:`, swaks' arrows, curl's
//! `>`/`<`, Python's `send:`/`reply:` with quoted payloads, PHPMailer's `CLIENT -> SERVER:`,
//! a server's `SENT:`/`RECEIVED:`, syslog lines, Chinese labels … each marker read as the
//! side its lines parse as. A file with no markers (telnet, `nc`, `openssl s_client`) has
//! every line's side inferred from the protocol
//! ([`guess_direction`](crate::protocol::dialogue::guess_direction)), noted when unsure.
//!
//! HTML (an LMS's online text) is first turned into the text a browser shows ([`html`]);
//! quote marks, line numbers and time stamps around a pasted dialogue are taken off
//! ([`decoration`]), and dialogue glued to a Markdown fence is unglued ([`blocks`]).
//!
//! Flow: [`decode`] → [`lines`] → [`decoration`] → [`blocks`] → [`dialect`] or
//! [`notation`] (events) → [`assemble`] (sessions, through a transcript
//! [`DialogueBuilder`](crate::protocol::DialogueBuilder), which pairs replies by the protocol).

mod assemble;
mod blocks;
mod comment;
mod connect;
mod decode;
mod decoration;
mod dialect;
mod event;
mod html;
mod info;
mod lines;
mod notation;
pub mod outline;
mod read;

pub use read::read_text;
