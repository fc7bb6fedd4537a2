//! Terminal logs with no side marks (telnet, `nc`, `openssl s_client`, Wireshark's "Follow
//! TCP Stream" saved as text): every line's side is inferred later, from the protocol. The
//! odd line that does carry a mark keeps it.

use super::super::event::{column_of, Event, Located};
use super::super::lines::Line;
use super::marked::mark;

pub fn read(lines: &[Line]) -> Vec<Located> {
    lines
        .iter()
        .map(|line| match mark(&line.text) {
            Some((direction, text)) => {
                let event = Event::Line {
                    direction,
                    text: text.to_string(),
                };
                Located::new(event, line.number, column_of(&line.text, text))
            }
            None => {
                let event = Event::Unmarked {
                    text: line.text.clone(),
                    infer: true,
                };
                Located::new(event, line.number, 1)
            }
        })
        .collect()
}
