//! What the reader learned about a file, as the session model's [`Reading`]: the markers
//! used and how each was read, and the doubts a grade should show. Marker tokens and counts
//! only; no line's text.

use std::collections::BTreeSet;

use crate::protocol::dialogue::is_known_command;
use crate::session::{
    CommandKind, Doubt, MarkerReading, MarkerRole, NoteKind, Reading, Session, SidesFrom,
};

use super::learn::{Marker, Notation, Role};

/// A marker is mixed when the other side's lines are more than this share of its own.
const MIXED_SHARE: u32 = 5;

fn role_of(notation: &Notation, marker: &Marker) -> MarkerRole {
    match marker.role {
        Role::Client => MarkerRole::Client,
        Role::Server => MarkerRole::Server,
        Role::Both => MarkerRole::Both,
        Role::Info => MarkerRole::Info,
        Role::Echo(of) => MarkerRole::Echo {
            of: notation.markers[of].display.clone(),
        },
    }
}

/// The file's reading: the markers that were used (`used`: lines per marker), how, and the
/// doubts about them.
pub fn reading(notation: &Notation, used: &[u32], sides_from: &BTreeSet<SidesFrom>) -> Reading {
    let mut markers: Vec<(&Marker, u32)> = notation
        .markers
        .iter()
        .zip(used.iter().copied().chain(std::iter::repeat(0)))
        .filter(|(_, lines)| *lines > 0)
        .collect();
    markers.sort_by_key(|(marker, _)| marker.first_line);
    let mut doubts = Vec::new();
    for (marker, _) in &markers {
        let (c, r) = (marker.counts.commands, marker.counts.replies);
        let minority = match marker.role {
            Role::Client => r,
            Role::Server => c,
            Role::Both => c.min(r),
            _ => 0,
        };
        let majority = c.max(r);
        if marker.role == Role::Both || (minority > 0 && minority * MIXED_SHARE > majority) {
            doubts.push(Doubt::MixedMarker {
                marker: marker.display.clone(),
                commands: c,
                replies: r,
            });
        }
    }
    Reading {
        sides_from: sides_from.iter().copied().collect(),
        markers: markers
            .iter()
            .map(|(marker, lines)| MarkerReading {
                marker: marker.display.clone(),
                read_as: role_of(notation, marker),
                lines: *lines,
                commands: marker.counts.commands,
                replies: marker.counts.replies,
                quoted: marker.quoted,
                escaped: marker.escaped,
                first_line: marker.first_line,
            })
            .collect(),
        doubts,
    }
}

/// What makes one session's reading doubtful: many sides guessed, and — where no marker
/// said the sides — many client lines that are no command (prose read as dialogue, or
/// lines put on the wrong side). `marked`: the file's markers gave the sides.
pub fn doubts_of_session(session: &Session, marked: bool) -> Vec<Doubt> {
    let mut doubts = Vec::new();
    let lines = session
        .exchanges
        .iter()
        .map(|e| u32::from(e.command.is_some()) + u32::from(e.reply.is_some()))
        .sum::<u32>();
    let exchanges = session.exchanges.len() as u32;
    let guessed = session
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::DirectionInferred)
        .count() as u32;
    if guessed >= 3 && guessed * 4 >= lines {
        doubts.push(Doubt::GuessedSides { guessed, exchanges });
    }
    if marked {
        return doubts;
    }
    let verbs: Vec<&str> = session
        .commands()
        .filter_map(|c| match &c.kind {
            CommandKind::Line { request, .. } => Some(request.word()),
            _ => None,
        })
        .collect();
    let unknown = verbs
        .iter()
        .filter(|verb| !is_known_command(session.protocol, verb))
        .count() as u32;
    let commands = verbs.len() as u32;
    if unknown >= 2 && unknown * 3 >= commands {
        doubts.push(Doubt::UnknownCommands { unknown, commands });
    }
    doubts
}
