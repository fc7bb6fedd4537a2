//! Transcripts in any notation, read by markers learned from the file itself.
//!
//! A notation is data, not code: the markers a file puts before its lines (`C:`/`S:`,
//! `->`/`<-`, `send:`/`reply:`, `<time> CLIENT -> SERVER:`, `客户端:` …), which side each
//! is on (tested with the protocol: its lines parse as commands or as replies), whether its
//! text is a quoted string literal, and which lines are the tool's own. [`learn`] finds them
//! ([`head`] cuts lines, [`shape`] asks the protocol, [`unquote`] reads literals); [`read`]
//! applies them to a region; [`explain`] says what was learned. A file with no markers is
//! read with every line's side inferred from the protocol.

mod explain;
mod head;
mod learn;
mod read;
mod shape;
mod unquote;

pub use explain::{doubts_of_session, reading};
pub use learn::{is_marked_dialogue, learn, reads_as_dialogue, Notation};
pub use read::{read, Used};
