//! Sans-IO SMTP and POP3: grammar, reply parsing, framing and state machines.
//!
//! Nothing here touches a socket. The pcap stream decoder, the transcript reader, the
//! embedded server and the replay client all speak through these types, so they cannot
//! disagree about what a line means.
//!
//! CONTRACT (skeleton): the signatures below are what the other parts build on. Bodies marked
//! `todo!` are being written; keep the signatures stable or update every caller.

pub mod dialogue;
pub mod pop3;
pub mod smtp;

pub use dialogue::{Dialogue, DialogueBuilder, Direction, Expect};
