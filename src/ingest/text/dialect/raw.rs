//! Terminal logs with no side marks (telnet, `nc`, `openssl s_client`, Wireshark's "Follow
//! TCP Stream" saved as text): every line's side is inferred later, from the protocol.

use super::super::comment;
use super::super::connect::aside;
use super::super::event::{Event, Located};
use super::super::lines::Line;
use super::aside_event;

pub fn read(lines: &[Line]) -> Vec<Located> {
    let mut events = Vec::new();
    for line in lines {
        let event = match aside(comment::strip(&line.text)) {
            Some(found) => match aside_event(found) {
                Some(event) => event,
                None => continue,
            },
            None => Event::Unmarked {
                text: line.text.clone(),
                infer: true,
            },
        };
        events.push(Located::new(event, line.number, 1));
    }
    events
}
