//! What a dialect reader makes of a file: a list of events in the order they happened, each
//! with the place it came from. The assembler turns them into sessions.

use crate::protocol::Direction;
use crate::session::Origin;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A line whose side the file says (`C:` / `S:`, a packet list's Info column, …).
    Line { direction: Direction, text: String },
    /// A line with no mark. `infer`: guess its side from the protocol (raw logs); otherwise
    /// it is message content while a message is being sent, and prose elsewhere.
    /// Connection lines (`telnet host 25`, `Connection closed …`) are lines too: whether they
    /// are about the connection or text in a message depends on where the dialogue is.
    Unmarked { text: String, infer: bool },
    /// A line of the tool that wrote the log, not of the dialogue (`* Connected …`,
    /// `DEBUG SMTP: …`): skipped, unless it tells of the connection or, in a log whose sides
    /// are inferred (`raw`), stands inside a message.
    Info { text: String, raw: bool },
    /// Wireshark's IMF summary of a message (`from: <…>, subject: …, (text/plain)`).
    Summary { text: String },
    /// A new TCP connection an export shows (a SYN, a new conversation, a stream header),
    /// with the server's address.
    Connect { host: String, port: Option<u16> },
    /// Raw bytes from a stream dump (tshark follow output).
    Bytes {
        direction: Direction,
        bytes: Vec<u8>,
    },
}

/// An event and where in the file it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub event: Event,
    pub origin: Origin,
    /// Which code block it came from, when the file is a report with code blocks.
    pub block: Option<usize>,
}

impl Located {
    pub fn new(event: Event, line: u32, column: u32) -> Self {
        Located {
            event,
            origin: Origin::Line { line, column },
            block: None,
        }
    }
}

/// 1-based column of `part` (a subslice of `line`) in characters.
pub fn column_of(line: &str, part: &str) -> u32 {
    let offset = (part.as_ptr() as usize).saturating_sub(line.as_ptr() as usize);
    let offset = offset.min(line.len());
    line.get(..offset)
        .map_or(1, |s| s.chars().count() as u32 + 1)
}
