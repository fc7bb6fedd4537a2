//! Events → sessions. This is where transcript events meet the protocol: every line goes to
//! a [`DialogueBuilder`](crate::protocol::DialogueBuilder), which pairs commands with
//! replies. Here we only decide where sessions start and end (a `telnet` line, a new
//! greeting, QUIT answered, `Connection closed`), which protocol each speaks, which side an
//! unmarked line is on (asking the protocol), and what a line reads as once its note is cut.

mod current;
mod side;
mod sniff;

use crate::i18n::messages::notes::NoteText;
use std::path::Path;

use crate::protocol::{detect, Direction, Expect};
use crate::session::{Connect, Note, NoteKind, Protocol, Session};

use super::comment;
use super::connect::{aside, Aside};
use super::event::{Event, Located};
use super::info::interpret;
use current::Current;
use sniff::{
    command_protocol, looks_like_greeting, looks_like_reply, port_protocol, protocol_of_line,
};

/// Sessions read from a file, and notes about lines that belong to no session.
#[derive(Debug, Default)]
pub struct Assembled {
    pub sessions: Vec<Session>,
    pub notes: Vec<Note>,
}

pub fn assemble(path: &Path, events: &[Located]) -> Assembled {
    let mut assembler = Assembler {
        path,
        events,
        current: None,
        pending: None,
        out: Assembled::default(),
    };
    for index in 0..events.len() {
        assembler.step(index);
    }
    assembler.finish_current();
    assembler.out
}

/// A connection line seen, its dialogue not begun yet.
struct Pending {
    connect: Option<Connect>,
    /// `openssl s_client -starttls`: the tool did the plaintext part itself.
    starttls: bool,
    /// The session before went encrypted, yet the transcript goes on (swaks' `~>`, Wireshark
    /// with TLS keys): what follows is the dialogue inside TLS.
    inside_tls: bool,
}

struct Assembler<'a> {
    path: &'a Path,
    events: &'a [Located],
    current: Option<Current>,
    pending: Option<Pending>,
    out: Assembled,
}

/// The text of a line event, for looking at (not for feeding).
fn line_text(event: &Event) -> Option<(&str, Option<Direction>)> {
    match event {
        Event::Line { direction, text } => Some((comment::strip(text).trim(), Some(*direction))),
        Event::Unmarked { text, .. } => Some((comment::strip(text).trim(), None)),
        _ => None,
    }
}

/// How far to look for the line after a line: blank lines between two dialogue lines are
/// few, and a long run of them must not make reading quadratic.
const LOOKAHEAD: usize = 64;

/// The next line after `index` that is not blank, and its side when the file says it.
fn next_line(events: &[Located], index: usize) -> Option<(&str, Option<Direction>)> {
    events[index + 1..]
        .iter()
        .take(LOOKAHEAD)
        .find_map(|e| match &e.event {
            Event::Summary { .. } => Some(("", Some(Direction::Client))),
            Event::Bytes { direction, .. } => Some(("", Some(*direction))),
            Event::Connect { .. } => Some(("", None)),
            event => line_text(event).filter(|(text, side)| side.is_some() || !text.is_empty()),
        })
}

/// Whether the next line reads as a reply (and is not marked as the client's).
fn next_is_reply(events: &[Located], index: usize) -> bool {
    matches!(next_line(events, index),
        Some((text, side)) if side != Some(Direction::Client) && looks_like_reply(text))
}

/// A line of message text or POP3 body as written: notes are text there, except after the
/// lone `.` that ends it (`. //end of the message`).
fn as_written(text: &str) -> &str {
    if comment::strip(text).trim() == "." {
        "."
    } else {
        text
    }
}

impl Assembler<'_> {
    fn step(&mut self, index: usize) {
        let events = self.events;
        let located = &events[index];
        match &located.event {
            Event::Connect { host, port } => {
                self.finish_current();
                self.pending = Some(Pending {
                    connect: Some(Connect {
                        host: host.clone(),
                        port: *port,
                        origin: located.origin,
                    }),
                    starttls: false,
                    inside_tls: false,
                });
            }
            Event::Summary { text } => {
                if let Some(current) = self.current.as_mut() {
                    current.note_block(located.block);
                    current.summary(text, located.origin);
                }
            }
            Event::Bytes { direction, bytes } => {
                if self.current.is_none() {
                    self.start(index);
                }
                if let Some(current) = self.current.as_mut() {
                    current.note_block(located.block);
                    match direction {
                        Direction::Client => current.client_bytes(bytes, located.origin),
                        Direction::Server => current.server_bytes(bytes, located.origin),
                    }
                }
            }
            Event::Info { text, raw } => self.info(index, text, *raw),
            Event::Line { direction, text } => self.line(index, Some(*direction), text, false),
            Event::Unmarked { text, infer } => self.line(index, None, text, *infer),
        }
    }

    /// Begins a session at event `index`.
    fn start(&mut self, index: usize) {
        let located = &self.events[index];
        let pending = self.pending.take();
        let connect = pending.as_ref().and_then(|p| p.connect.clone());
        let hint = connect.as_ref().and_then(|c| port_protocol(c.port));
        let protocol = self
            .detect_protocol(index)
            .or(hint)
            .unwrap_or(Protocol::Smtp);
        let mut current = Current::new(protocol, connect, located.block, located.origin);
        match pending {
            Some(Pending {
                starttls: true,
                connect,
                ..
            }) => {
                current.skip_server_preamble = true;
                current.note(
                    NoteKind::Gap,
                    connect.map_or(located.origin, |c| c.origin),
                    NoteText::OpensslPreamble,
                );
            }
            Some(Pending {
                inside_tls: true, ..
            }) => current.note(
                NoteKind::Encrypted,
                located.origin,
                NoteText::DecryptedInsideTls,
            ),
            _ => {}
        }
        self.current = Some(current);
    }

    /// The protocol of the session starting at `index`, from the first line that tells.
    fn detect_protocol(&self, index: usize) -> Option<Protocol> {
        let mut by_command = None;
        for (offset, located) in self.events[index..].iter().take(500).enumerate() {
            let found = match &located.event {
                Event::Connect { .. } if offset > 0 => break,
                Event::Bytes { bytes, direction } => detect::detect_protocol_bytes(bytes)
                    .filter(|(_, side)| side == direction)
                    .map(|(protocol, side)| (protocol, side == Direction::Server)),
                event => match line_text(event) {
                    Some((text, _))
                        if offset > 0 && matches!(aside(text), Some(Aside::Connect { .. })) =>
                    {
                        break
                    }
                    Some((text, side)) => {
                        protocol_of_line(text, side.map(|s| s == Direction::Server))
                    }
                    None => None,
                },
            };
            match found {
                Some((protocol, true)) => return Some(protocol),
                Some((protocol, false)) => {
                    by_command.get_or_insert(protocol);
                }
                None => {}
            }
        }
        by_command
    }

    /// `telnet host 25`, `Connection closed …`, terminal noise: handled here, unless the
    /// line is inside a message or a POP3 body, where it is only text.
    fn aside(&mut self, index: usize, stripped: &str) -> bool {
        let in_content = self.current.as_ref().is_some_and(|c| {
            c.expect() == Expect::MessageContent
                || (c.expect() == Expect::ServerContinuation && c.protocol == Protocol::Pop3)
        });
        if in_content {
            return false;
        }
        let Some(found) = aside(stripped) else {
            return false;
        };
        match found {
            Aside::Connect {
                host,
                port,
                starttls,
            } => {
                self.finish_current();
                self.pending = Some(Pending {
                    connect: Some(Connect {
                        host,
                        port,
                        origin: self.events[index].origin,
                    }),
                    starttls,
                    inside_tls: false,
                });
            }
            Aside::Closed => {
                self.finish_current();
                self.pending = None;
            }
            Aside::Noise => {}
        }
        true
    }

    /// A line of the tool that wrote the log: about the connection (swaks' `=== Trying …`),
    /// text inside a message of a raw log, or nothing.
    fn info(&mut self, index: usize, text: &str, raw: bool) {
        let in_content = self.current.as_ref().is_some_and(|c| {
            c.expect() == Expect::MessageContent
                || (c.expect() == Expect::ServerContinuation && c.protocol == Protocol::Pop3)
        });
        if raw && in_content {
            return self.line(index, None, text, true);
        }
        self.aside(index, comment::strip(text).trim_start());
    }

    /// Ends the session before this line if the line cannot belong to it: a new greeting,
    /// anything after QUIT was answered.
    fn ends_session(&self, direction: Option<Direction>, stripped: &str, infer: bool) -> bool {
        let Some(current) = &self.current else {
            return false;
        };
        let greeting = looks_like_greeting(stripped);
        let server_side = direction == Some(Direction::Server)
            || (direction.is_none() && infer && looks_like_reply(stripped));
        let new_greeting = server_side
            && greeting.is_some()
            && current.client_input > 0
            && (greeting != Some(current.protocol)
                || (current.protocol == Protocol::Smtp && current.expect() == Expect::Command));
        let after_quit = current.closed && (direction.is_some() || infer) && !stripped.is_empty();
        new_greeting || after_quit
    }

    /// The session is encrypted but the transcript shows more of it: its connect target, for
    /// the session inside TLS.
    fn goes_on_inside_tls(
        &self,
        direction: Option<Direction>,
        stripped: &str,
        infer: bool,
    ) -> Option<Option<Connect>> {
        let current = self.current.as_ref()?;
        let dialogue_line = direction.is_some() || (infer && !stripped.is_empty());
        (current.expect() == Expect::Encrypted && dialogue_line && !stripped.is_empty())
            .then(|| current.connect.clone())
    }

    /// Whether a session may begin at this line.
    fn begins_session(
        &self,
        index: usize,
        direction: Option<Direction>,
        stripped: &str,
        infer: bool,
    ) -> bool {
        let inside_tls = self.pending.as_ref().is_some_and(|p| p.inside_tls);
        match direction {
            Some(_) => !stripped.is_empty(),
            None if infer && inside_tls => {
                command_protocol(stripped).is_some() || looks_like_reply(stripped)
            }
            None if infer => {
                looks_like_greeting(stripped).is_some()
                    || (command_protocol(stripped).is_some() && next_is_reply(self.events, index))
            }
            None => false,
        }
    }

    fn line(&mut self, index: usize, direction: Option<Direction>, text: &str, infer: bool) {
        let events = self.events;
        let located = &events[index];
        let origin = located.origin;
        let stripped = comment::strip(text).trim_start();
        if self.aside(index, stripped) {
            return;
        }
        if let Some(connect) = self.goes_on_inside_tls(direction, stripped, infer) {
            self.finish_current();
            self.pending = Some(Pending {
                connect,
                starttls: false,
                inside_tls: true,
            });
        } else if self.ends_session(direction, stripped, infer) {
            self.finish_current();
        }
        if self.current.is_none() {
            if !self.begins_session(index, direction, stripped, infer) {
                return;
            }
            self.start(index);
        }
        let Some(current) = self.current.as_mut() else {
            return;
        };
        current.note_block(located.block);
        let expect = current.expect();

        let unmarked = side::Unmarked {
            events,
            index,
            origin,
            text,
            stripped,
        };
        let direction = match direction {
            Some(direction) => direction,
            None if text.trim().is_empty() => return side::blank(current, &unmarked, infer),
            None if !infer => match side::in_marked_file(current, &unmarked) {
                Some(direction) => direction,
                None => return,
            },
            None => match side::inferred(current, &unmarked) {
                Some(direction) => direction,
                None => return,
            },
        };

        if current.skip_server_preamble {
            match direction {
                Direction::Server => {
                    current.note(NoteKind::Unrecognised, origin, NoteText::OpensslOwnOutput);
                    return;
                }
                Direction::Client => current.skip_server_preamble = false,
            }
        }

        // Message text and POP3 bodies are read as written; everything else without its note.
        let read_as_written = match direction {
            Direction::Client => expect == Expect::MessageContent,
            Direction::Server => expect == Expect::ServerContinuation,
        };
        let text = match (read_as_written, current.protocol) {
            // An SMTP reply line is never indented: a log that indents its continuation
            // lines (PHPMailer) means nothing by it.
            (true, Protocol::Smtp) if direction == Direction::Server => {
                as_written(text).trim_start()
            }
            (true, _) => as_written(text),
            (false, _) => stripped,
        };
        if direction == Direction::Client
            && current.protocol == Protocol::Pop3
            && expect == Expect::ServerContinuation
            && !infer
        {
            current.body_left_out();
        }
        let expect = current.expect();
        for action in interpret(direction, text, current.protocol, expect) {
            current.feed(action, origin);
        }
    }

    fn finish_current(&mut self) {
        let Some(current) = self.current.take() else {
            return;
        };
        match current.finish(self.path) {
            Ok(session) => self.out.sessions.push(session),
            Err(Some(note)) => self.out.notes.push(note),
            Err(None) => {}
        }
    }
}
