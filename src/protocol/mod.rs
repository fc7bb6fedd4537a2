//! Sans-IO SMTP and POP3: grammar, reply parsing, framing and state machines.
//!
//! Nothing here touches a socket. The pcap stream decoder, the transcript reader, the
//! embedded server and the replay client all speak through these types, so they cannot
//! disagree about what a line means.
//!
//! Every receiver takes `&mut &[u8]`, consumes what it needs from the front and answers
//! with a whole unit or `NeedsMoreData`, so bytes can arrive in any chunking and the rest
//! of a chunk can go to the next receiver (a pipelined command after the message).

pub mod detect;
pub mod dialogue;
pub mod dotstuff;
pub mod line;
pub mod pop3;
pub mod sasl;
pub mod smtp;

pub use detect::{detect_line, detect_protocol, detect_protocol_bytes};
pub use dialogue::{Dialogue, DialogueBuilder, Direction, Expect};
pub use dotstuff::{stuff, unstuff, DataEvent, DataReceiver};
pub use line::{Line, LineEvent, LineReceiver};
