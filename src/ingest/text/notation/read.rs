//! A region's lines read with the file's markers: each marked line as its side's line(s) of
//! dialogue, the tool's own lines as asides, the rest unmarked. A region where the markers
//! carry little of the dialogue (a raw telnet log beside a C:/S: block) is read with each
//! line's side inferred from the protocol, as before.

use crate::protocol::Direction;

use super::super::event::{column_of, Event, Located};
use super::super::lines::Line;
use super::head::Head;
use super::learn::{Marked, Notation, Payload, Role};
use super::unquote::{is_literal, unquote};

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
    // A tool that logs string literals: its user's own `print(M.getwelcome())` before the
    // first logged line is the greeting (poplib reads it before debugging can be on).
    let quoting = by_markers
        && notation
            .markers
            .iter()
            .any(|m| m.quoted && matches!(m.role, Role::Client | Role::Server));
    let mut spoken = false;
    let mut events = Vec::with_capacity(lines.len());
    for (line, mark) in lines.iter().zip(marks) {
        if mark.is_none() && quoting && !spoken {
            if let Some(text) = printed_greeting(&line.text) {
                spoken = true;
                let event = Event::Line {
                    direction: Direction::Server,
                    text,
                };
                events.push(Located::new(event, line.number, 1));
                continue;
            }
        }
        spoken |= mark.is_some_and(|m| {
            matches!(
                notation.markers[m.marker].role,
                Role::Client | Role::Server | Role::Both
            )
        });
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

/// A line that is one string literal spelling a greeting (`b'+OK ready.'`, `'220 …'`).
fn printed_greeting(text: &str) -> Option<String> {
    let text = text.trim();
    if !is_literal(text) {
        return None;
    }
    let mut lines = unquote(text)?;
    let greeting = lines.swap_remove(0);
    let smtp = crate::protocol::smtp::parse_reply_line(&greeting)
        .is_ok_and(|reply| reply.code.value() == 220);
    let pop3 = crate::protocol::pop3::parse_status_line(&greeting)
        .is_ok_and(|status| status.status == crate::session::Pop3Status::Ok);
    (smtp || pop3).then_some(greeting)
}
