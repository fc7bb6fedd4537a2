//! Which side a line without a `C:`/`S:` mark is on, or that it is not dialogue at all.
//! The protocol guesses ([`guess_direction`]); every guess it is unsure of becomes a note.

use crate::i18n::messages::notes::{NoteText, SideName};
use std::sync::LazyLock;

use regex::Regex;

use crate::protocol::dialogue::guess_direction;
use crate::protocol::{Direction, Expect};
use crate::session::{NoteKind, Origin};

use super::super::event::Located;
use super::super::info::Action;
use super::current::Current;
use super::sniff::{is_command_of, looks_like_reply};
use super::{as_written, next_is_reply, next_line};

/// Wireshark's IMF summary starts with the From or the Subject it found.
static IMF_SUMMARY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:from|subject): ").expect("valid regex"));

/// An unmarked line and where it is.
pub struct Unmarked<'a> {
    pub events: &'a [Located],
    pub index: usize,
    pub origin: Origin,
    /// As written.
    pub text: &'a str,
    /// Without its trailing note.
    pub stripped: &'a str,
}

fn side_name(side: Direction) -> SideName {
    match side {
        Direction::Client => SideName::Client,
        Direction::Server => SideName::Server,
    }
}

/// A blank line: message text or POP3 body, else nothing.
pub fn blank(current: &mut Current, line: &Unmarked, infer: bool) {
    match current.expect() {
        Expect::MessageContent => current.feed(Action::Client(String::new(), 0), line.origin),
        Expect::ServerContinuation if infer => {
            current.feed(Action::Server(String::new(), 0), line.origin)
        }
        _ => {}
    }
}

/// In a file with C:/S: marks, an unmarked line is message text, Wireshark's IMF summary, a
/// command or reply whose mark was forgotten, or prose. `None`: handled or skipped.
pub fn in_marked_file(current: &mut Current, line: &Unmarked) -> Option<Direction> {
    let expect = current.expect();
    let next_side = || next_line(line.events, line.index).and_then(|(_, side)| side);
    let summary = IMF_SUMMARY.is_match(line.stripped)
        && (current.last_was_message
            || (expect == Expect::MessageContent && next_side() == Some(Direction::Server)));
    if summary {
        current.summary(line.stripped, line.origin);
        return None;
    }
    if expect == Expect::MessageContent {
        let text = as_written(line.text).to_string();
        current.feed(Action::Client(text, 0), line.origin);
        return None;
    }
    let (side, sure) = guess_direction(current.protocol, line.stripped, expect);
    // An indented line that goes on with the server's multi-line reply: how some logs write
    // a reply's further lines (PHPMailer), not a forgotten mark.
    let continues = expect == Expect::ServerContinuation
        && side == Direction::Server
        && sure
        && line.text.starts_with([' ', '\t']);
    if continues {
        return Some(side);
    }
    let forgotten = sure
        && match side {
            Direction::Client => is_command_of(current.protocol, line.stripped),
            Direction::Server => looks_like_reply(line.stripped),
        };
    if !forgotten || current.closed {
        current.prose(line.origin, NoteText::UnmarkedProse);
        return None;
    }
    current.note(
        NoteKind::DirectionInferred,
        line.origin,
        NoteText::ReadAsSideFromText {
            side: side_name(side),
        },
    );
    Some(side)
}

/// In a terminal log, every line's side is inferred. `None`: skipped as prose.
pub fn inferred(current: &mut Current, line: &Unmarked) -> Option<Direction> {
    let expect = current.expect();
    let for_guess = if expect == Expect::MessageContent {
        line.text
    } else {
        line.stripped
    };
    // A client that typed its SASL responses ahead of the challenges: what its AUTH waits
    // for is a reply, so a line that is none is the next response.
    let expect = if expect == Expect::Reply
        && current.awaits_challenge()
        && !looks_like_reply(line.stripped)
    {
        Expect::AuthResponse
    } else {
        expect
    };
    let (mut side, mut sure) = guess_direction(current.protocol, for_guess, expect);
    let is_command = is_command_of(current.protocol, line.stripped);
    let next_is_reply = || next_is_reply(line.events, line.index);
    if expect == Expect::ServerContinuation && is_command && next_is_reply() {
        // A body that never got its `.`: the command after it is the client's.
        side = Direction::Client;
        sure = false;
    }
    let open_for_client = matches!(expect, Expect::MessageContent | Expect::AuthResponse);
    if side == Direction::Client && !open_for_client && !is_command && !next_is_reply() {
        current.prose(line.origin, NoteText::NeitherCommandNorReply);
        return None;
    }
    if !sure {
        current.note(
            NoteKind::DirectionInferred,
            line.origin,
            NoteText::ReadAsSideFromState {
                side: side_name(side),
            },
        );
    }
    Some(side)
}
