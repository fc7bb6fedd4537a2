//! Terminal logs with no side marks (telnet, `nc`, `openssl s_client`, Wireshark's "Follow
//! TCP Stream" saved as text): every line's side is inferred later, from the protocol.

use super::super::event::{Event, Located};
use super::super::lines::Line;

pub fn read(lines: &[Line]) -> Vec<Located> {
    lines
        .iter()
        .map(|line| {
            let event = Event::Unmarked {
                text: line.text.clone(),
                infer: true,
            };
            Located::new(event, line.number, 1)
        })
        .collect()
}
