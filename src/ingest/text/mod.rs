//! Text submissions → sessions: decoding, where the dialogue is (code blocks), which dialect
//! it is written in, and the events each dialect gives, assembled through the protocol.
//!
//! The dialects, detected per code block (or for the whole file):
//!
//! | dialect | looks like | sides from |
//! |---|---|---|
//! | C:/S: transcript | `C: EHLO x`, `s:250 ok`, `S：221 Bye`, `客户端：`, swaks ` -> ` / `<-  ` | the marks |
//! | Wireshark Info column | `C: User: …`, `C: DATA fragment, 2429 bytes`, `S: 250-a \| B \| C`, an IMF line | the marks |
//! | packet list (text, CSV) | `No. Time Source Destination Protocol Length Info` rows | `S:` / `C:` in Info, else Source vs. the server |
//! | tshark follow | `Follow: tcp,ascii` chunks, `follow,tcp,yaml` packets | the node |
//! | terminal log | telnet / `nc` / `openssl s_client` output, no marks | the protocol ([`guess_direction`](crate::protocol::dialogue::guess_direction)), noted when unsure |
//!
//! HTML (an LMS's online text) is first turned into the text a browser shows ([`html`]);
//! quote marks, line numbers and time stamps around a pasted dialogue are taken off
//! ([`decoration`]).
//!
//! Flow: [`decode`] → [`lines`] → [`decoration`] → [`blocks`] → [`dialect`] (events) → [`assemble`]
//! (sessions, through [`DialogueBuilder`](crate::protocol::DialogueBuilder)).

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
mod read;

pub use read::read_text;
