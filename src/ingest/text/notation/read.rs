//! A region's lines read with the file's markers: each marked line as its side's line(s) of
//! dialogue, the tool's own lines as asides, the rest unmarked. A region where the markers
//! carry little of the dialogue (a raw telnet log beside a C:/S: block) is read with each
//! line's side inferred from the protocol, as before.

use crate::protocol::Direction;

use super::super::event::{column_of, Event, Located};
use super::super::lines::Line;
use super::head::Head;
use super::learn::{Marked, Notation, Payload, Role};

/// What reading a region used, for the explanation.
#[derive(Debug, Default)]
pub struct Used {
    /// Lines read per marker (by index in the notation).
    pub lines: Vec<u32>,
    /// The region's sides came from its markers (else from the protocol).
    pub markers: bool,
}

pub fn read(notation: &Notation, lines: &[Line], used: &mut Used) -> Vec<Located> {
    used.lines.resize(notation.markers.len(), 0);
    let mut head = Head::default();
    let marks: Vec<Option<Marked>> = lines
        .iter()
        .map(|line| notation.marker_of_line(line, &mut head))
        .collect();
    let (mut client, mut server, mut nonblank) = (0, 0, 0);
    for (line, mark) in lines.iter().zip(&marks) {
        let role = mark.map(|m| notation.markers[m.marker].role);
        match role {
            Some(Role::Client) => client += 1,
            Some(Role::Server) => server += 1,
            Some(Role::Info | Role::Echo(_)) => continue,
            _ => {}
        }
        if !line.text.trim().is_empty() {
            nonblank += 1;
        }
    }
    let marked = client + server;
    let by_markers =
        (client > 0 && server > 0 && marked >= 2) || (marked > 0 && marked * 2 >= nonblank);
    used.markers |= by_markers;
    let mut events = Vec::with_capacity(lines.len());
    for (line, mark) in lines.iter().zip(marks) {
        let Some(mark) = mark else {
            let event = Event::Unmarked {
                text: line.text.clone(),
                infer: !by_markers,
            };
            events.push(Located::new(event, line.number, 1));
            continue;
        };
        used.lines[mark.marker] += 1;
        let direction = match notation.markers[mark.marker].role {
            Role::Client => Some(Direction::Client),
            Role::Server => Some(Direction::Server),
            Role::Both => None,
            Role::Info => {
                let event = Event::Info {
                    text: line.text.clone(),
                    raw: !by_markers,
                };
                events.push(Located::new(event, line.number, 1));
                continue;
            }
            Role::Echo(_) => continue,
        };
        let (written, texts) = match notation.payload(&line.text, &mark) {
            Payload::Written(written) => (written, vec![written.to_string()]),
            Payload::Lines(written, lines) => (written, lines),
        };
        let column = column_of(&line.text, written);
        for text in texts {
            let event = match direction {
                Some(direction) => Event::Line { direction, text },
                None => Event::Unmarked {
                    text,
                    infer: !by_markers,
                },
            };
            events.push(Located::new(event, line.number, column));
        }
    }
    events
}
