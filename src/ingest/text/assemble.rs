//! Events → sessions. This is the one place where transcript events meet the protocol: every
//! line goes to a [`DialogueBuilder`], which pairs commands with replies; here we only decide
//! where sessions start and end, which protocol each speaks, which side an unmarked line is
//! on (asking the protocol), and what a line stripped of its note reads as.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::protocol::dialogue::guess_direction;
use crate::protocol::{detect, pop3, smtp, DialogueBuilder, Direction, Expect};
use crate::session::{Connect, Note, NoteKind, Origin, Pop3Status, Protocol, Session, Source};

use super::comment;
use super::event::{Event, Located};
use super::info::{interpret, Action};

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

static IMF_SUMMARY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:from|subject): .*").expect("valid regex"));

/// What a command hidden behind a misplaced `DATA fragment` summary is fed as.
const UNSEEN_COMMAND: &str = "?";

/// A connection line seen, its dialogue not begun yet.
struct Pending {
    connect: Connect,
    starttls: bool,
}

/// The session being read.
struct Current {
    builder: DialogueBuilder,
    protocol: Protocol,
    connect: Option<Connect>,
    first_block: Option<usize>,
    last_block: Option<usize>,
    /// Client actions fed: a session with none is not a dialogue.
    commands: usize,
    quit_sent: bool,
    /// QUIT was answered: whatever follows is another session.
    closed: bool,
    /// `openssl s_client -starttls`: server lines before the first command are the tool's own.
    skip_server_preamble: bool,
    /// `DATA fragment` summaries not fed yet: consecutive fragments are one message.
    elided: Option<(Option<u64>, Origin)>,
    last_was_message: bool,
    last_server_origin: Origin,
    /// Prose skipped since the last line fed: noted only if the dialogue goes on after it.
    prose: Vec<Note>,
}

struct Assembler<'a> {
    path: &'a Path,
    events: &'a [Located],
    current: Option<Current>,
    pending: Option<Pending>,
    out: Assembled,
}

/// `+OK` / `-ERR` (not the bare `+` of a SASL challenge, which is too easily prose).
fn is_pop3_status(text: &str) -> bool {
    pop3::parse_status_line(text).is_ok_and(|s| s.status != Pop3Status::Continue)
}

fn looks_like_reply(text: &str) -> bool {
    smtp::is_reply_line(text) || is_pop3_status(text)
}

fn looks_like_greeting(text: &str) -> Option<Protocol> {
    if smtp::parse_reply_line(text).is_ok_and(|r| r.code.value() == 220) {
        Some(Protocol::Smtp)
    } else if pop3::parse_status_line(text).is_ok_and(|s| s.status == Pop3Status::Ok) {
        Some(Protocol::Pop3)
    } else {
        None
    }
}

/// Whether the line's first word is a command of `protocol` (valid or not in its arguments).
fn is_command_of(protocol: Protocol, text: &str) -> bool {
    match protocol {
        Protocol::Smtp => !matches!(
            smtp::parse_request(text.trim()),
            Err(smtp::SyntaxError::UnknownCommand { .. } | smtp::SyntaxError::Empty)
        ),
        Protocol::Pop3 => !matches!(
            pop3::parse_request(text.trim()),
            Err(pop3::SyntaxError::UnknownCommand { .. } | pop3::SyntaxError::Empty)
        ),
    }
}

/// The protocol a command line belongs to when only one of the two has its verb.
fn command_protocol(text: &str) -> Option<Protocol> {
    match detect::detect_line(text) {
        Some((protocol, Direction::Client)) => Some(protocol),
        _ => None,
    }
}

fn port_protocol(port: Option<u16>) -> Option<Protocol> {
    match port? {
        25 | 465 | 587 | 2525 | 1025 => Some(Protocol::Smtp),
        110 | 995 | 1110 => Some(Protocol::Pop3),
        _ => None,
    }
}

impl Assembler<'_> {
    fn step(&mut self, index: usize) {
        let events = self.events;
        let located = &events[index];
        match &located.event {
            Event::Connect {
                host,
                port,
                starttls,
            } => {
                self.finish_current();
                self.pending = Some(Pending {
                    connect: Connect {
                        host: host.clone(),
                        port: *port,
                        origin: located.origin,
                    },
                    starttls: *starttls,
                });
            }
            Event::Closed => {
                self.finish_current();
                self.pending = None;
            }
            Event::Summary { text } => {
                if let Some(current) = self.current.as_mut() {
                    if current.elided.is_none()
                        && current.builder.expect() == Expect::MessageContent
                    {
                        current.elided = Some((None, located.origin));
                    }
                    current.flush_elided();
                    current.builder.message_summary(text);
                    current.note_block(located.block);
                }
            }
            Event::Bytes { direction, bytes } => {
                if self.current.is_none() && !self.start(index) {
                    return;
                }
                if let Some(current) = self.current.as_mut() {
                    current.note_block(located.block);
                    match direction {
                        Direction::Client => {
                            current.commands += 1;
                            current.builder.client_bytes(bytes, located.origin);
                        }
                        Direction::Server => current.builder.server_bytes(bytes, located.origin),
                    }
                }
            }
            Event::Line { direction, text } => self.line(index, Some(*direction), text, false),
            Event::Unmarked { text, infer } => self.line(index, None, text, *infer),
        }
    }

    /// Begins a session at event `index` if one can begin there; says whether it did.
    fn start(&mut self, index: usize) -> bool {
        let pending = self.pending.take();
        let hint = pending.as_ref().and_then(|p| port_protocol(p.connect.port));
        let protocol = self
            .detect_protocol(index)
            .or(hint)
            .unwrap_or(Protocol::Smtp);
        let block = self.events[index].block;
        self.current = Some(Current {
            builder: DialogueBuilder::new(protocol),
            protocol,
            connect: pending.as_ref().map(|p| p.connect.clone()),
            first_block: block,
            last_block: block,
            commands: 0,
            quit_sent: false,
            closed: false,
            skip_server_preamble: pending.as_ref().is_some_and(|p| p.starttls),
            elided: None,
            last_was_message: false,
            last_server_origin: self.events[index].origin,
            prose: Vec::new(),
        });
        if let Some(pending) = pending.filter(|p| p.starttls) {
            if let Some(current) = self.current.as_mut() {
                current.note(
                    NoteKind::Gap,
                    pending.connect.origin,
                    "openssl s_client -starttls spoke the greeting, EHLO and STARTTLS itself; \
                     they are not in the transcript, and what follows went through TLS",
                );
            }
        }
        true
    }

    /// The protocol of the session starting at `index`, from the first line that tells.
    fn detect_protocol(&self, index: usize) -> Option<Protocol> {
        let mut by_command = None;
        for (offset, located) in self.events[index..].iter().take(2000).enumerate() {
            let (text, server_side) = match &located.event {
                Event::Connect { .. } | Event::Closed if offset > 0 => break,
                Event::Line { direction, text } => (
                    comment::strip(text).trim(),
                    Some(*direction == Direction::Server),
                ),
                Event::Unmarked { text, .. } => (comment::strip(text).trim(), None),
                Event::Bytes { bytes, direction } => {
                    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
                    let text = String::from_utf8_lossy(line).trim().to_string();
                    let side = Some(*direction == Direction::Server);
                    match self.protocol_of_text(&text, side) {
                        (Some(p), true) => return Some(p),
                        (Some(p), false) => {
                            by_command.get_or_insert(p);
                        }
                        _ => {}
                    }
                    continue;
                }
                _ => continue,
            };
            match self.protocol_of_text(text, server_side) {
                (Some(p), true) => return Some(p),
                (Some(p), false) => {
                    by_command.get_or_insert(p);
                }
                _ => {}
            }
        }
        by_command
    }

    /// `(protocol, from a reply)`: replies decide at once, commands only if no reply does.
    fn protocol_of_text(&self, text: &str, server_side: Option<bool>) -> (Option<Protocol>, bool) {
        match detect::detect_line(text) {
            Some((protocol, Direction::Server)) if server_side != Some(false) => {
                (Some(protocol), true)
            }
            Some((protocol, Direction::Client)) if server_side != Some(true) => {
                (Some(protocol), false)
            }
            _ => (None, false),
        }
    }

    /// The next line after `index` that is not blank: its text and whether it is marked as
    /// the server's.
    fn next_line(&self, index: usize) -> Option<(&str, Option<Direction>)> {
        self.events[index + 1..]
            .iter()
            .find_map(|e| match &e.event {
                Event::Line { direction, text } => {
                    Some((comment::strip(text).trim(), Some(*direction)))
                }
                Event::Unmarked { text, .. } if !text.trim().is_empty() => {
                    Some((comment::strip(text).trim(), None))
                }
                Event::Unmarked { .. } => None,
                Event::Summary { .. } => Some(("", Some(Direction::Client))),
                _ => Some(("", None)),
            })
    }

    fn next_is_reply(&self, index: usize) -> bool {
        matches!(self.next_line(index), Some((text, side)) if side != Some(Direction::Client) && looks_like_reply(text))
    }

    fn line(&mut self, index: usize, direction: Option<Direction>, text: &str, infer: bool) {
        let events = self.events;
        let located = &events[index];
        let stripped = comment::strip(text).trim_start();

        // Does this line end the session before it, or begin one?
        if let Some(current) = &self.current {
            let greeting = looks_like_greeting(stripped);
            let server_ish = direction == Some(Direction::Server)
                || (direction.is_none() && infer && looks_like_reply(stripped));
            let new_greeting = server_ish
                && greeting.is_some()
                && current.commands > 0
                && (greeting != Some(current.protocol)
                    || (current.protocol == Protocol::Smtp
                        && current.builder.expect() == Expect::Command));
            let after_quit =
                current.closed && (direction.is_some() || infer) && !stripped.is_empty();
            if new_greeting || after_quit {
                self.finish_current();
            }
        }
        if self.current.is_none() {
            let starts = match direction {
                Some(_) => !stripped.is_empty(),
                None if infer => {
                    looks_like_greeting(stripped).is_some()
                        || (command_protocol(stripped).is_some() && self.next_is_reply(index))
                }
                None => false,
            };
            if !starts || !self.start(index) {
                return;
            }
        }
        let next_is_reply = self.next_is_reply(index);
        let next_side = self.next_line(index).and_then(|(_, side)| side);
        let Some(current) = self.current.as_mut() else {
            return;
        };
        current.note_block(located.block);
        let origin = located.origin;
        let expect = current.builder.expect();

        let direction = match direction {
            Some(direction) => direction,
            None if text.trim().is_empty() => {
                match expect {
                    Expect::MessageContent => {
                        current.feed(Action::Client(String::new(), 0), origin)
                    }
                    Expect::ServerContinuation if infer => {
                        current.feed(Action::Server(String::new(), 0), origin)
                    }
                    _ => {}
                }
                return;
            }
            None if !infer => {
                if IMF_SUMMARY.is_match(stripped)
                    && (current.last_was_message
                        || (expect == Expect::MessageContent
                            && next_side == Some(Direction::Server)))
                {
                    if current.elided.is_none() && expect == Expect::MessageContent {
                        current.elided = Some((None, origin));
                    }
                    current.flush_elided();
                    current.builder.message_summary(stripped);
                } else if expect == Expect::MessageContent {
                    current.feed(Action::Client(text.to_string(), 0), origin);
                } else {
                    current.prose(
                        origin,
                        "a line with no C:/S: mark outside a message; skipped",
                    );
                }
                return;
            }
            None => {
                let line_for_guess = if expect == Expect::MessageContent {
                    text
                } else {
                    stripped
                };
                let (mut guessed, mut sure) =
                    guess_direction(current.protocol, line_for_guess, expect);
                let is_command = is_command_of(current.protocol, stripped);
                if expect == Expect::ServerContinuation && is_command && next_is_reply {
                    // A body that never got its `.`: the command after it is the client's.
                    guessed = Direction::Client;
                    sure = false;
                }
                let open_for_client =
                    matches!(expect, Expect::MessageContent | Expect::AuthResponse);
                if guessed == Direction::Client && !open_for_client && !is_command && !next_is_reply
                {
                    current.prose(origin, "neither a command nor a reply; skipped as prose");
                    return;
                }
                if !sure {
                    let side = match guessed {
                        Direction::Client => "client",
                        Direction::Server => "server",
                    };
                    current.note(
                        NoteKind::DirectionInferred,
                        origin,
                        &format!(
                            "no C:/S: mark; read as the {side}'s line from the protocol state"
                        ),
                    );
                }
                guessed
            }
        };

        if current.skip_server_preamble {
            match direction {
                Direction::Server => {
                    current.note(
                        NoteKind::Unrecognised,
                        origin,
                        "output of openssl s_client's own EHLO/STARTTLS before the dialogue; skipped",
                    );
                    return;
                }
                Direction::Client => current.skip_server_preamble = false,
            }
        }

        let in_message = direction == Direction::Client && expect == Expect::MessageContent;
        let in_body = direction == Direction::Server && expect == Expect::ServerContinuation;
        let text_to_read = if in_message || in_body {
            if comment::strip(text).trim() == "." {
                "."
            } else {
                text
            }
        } else {
            stripped
        };
        if direction == Direction::Client
            && current.protocol == Protocol::Pop3
            && expect == Expect::ServerContinuation
            && !infer
        {
            // Wireshark's POP lines show a multi-line response's first line only.
            current.flush_elided();
            let body_origin = current.last_server_origin;
            current.builder.server_body_elided(None, body_origin);
        }
        let expect = current.builder.expect();
        for action in interpret(direction, text_to_read, current.protocol, expect) {
            current.feed(action, origin);
        }
    }

    fn finish_current(&mut self) {
        let Some(mut current) = self.current.take() else {
            return;
        };
        current.flush_elided();
        let label = match (current.first_block, current.last_block) {
            (Some(first), Some(last)) if first == last => format!("code block {first}"),
            (Some(first), Some(last)) => format!("code blocks {first}–{last}"),
            _ => String::new(),
        };
        let commands = current.commands;
        let dialogue = current.builder.finish();
        if commands == 0 {
            if let Some(first) = dialogue.exchanges.first().and_then(|e| e.reply.as_ref()) {
                self.out.notes.push(Note {
                    kind: NoteKind::Unrecognised,
                    origin: first.origin,
                    detail:
                        "server replies with no client command around them; not a dialogue, skipped"
                            .into(),
                });
            }
            return;
        }
        let mut session = Session::new(
            current.protocol,
            Source {
                path: self.path.to_path_buf(),
                label,
            },
        );
        session.connect = current.connect;
        session.exchanges = dialogue.exchanges;
        session.notes = dialogue.notes;
        session.encrypted_after = dialogue.encrypted_after;
        self.out.sessions.push(session);
    }
}

impl Current {
    fn note_block(&mut self, block: Option<usize>) {
        if block.is_some() {
            self.first_block = self.first_block.or(block);
            self.last_block = block;
        }
    }

    /// A skipped line of prose inside the dialogue.
    fn prose(&mut self, origin: Origin, detail: &str) {
        if !self.closed {
            self.prose.push(Note {
                kind: NoteKind::Unrecognised,
                origin,
                detail: detail.to_string(),
            });
        }
    }

    fn note(&mut self, kind: NoteKind, origin: Origin, detail: &str) {
        self.builder.note(Note {
            kind,
            origin,
            detail: detail.to_string(),
        });
    }

    /// Feeds the `DATA fragment`s collected so far as one message.
    fn flush_elided(&mut self) {
        let Some((size, origin)) = self.elided.take() else {
            return;
        };
        self.commands += 1;
        if matches!(self.builder.expect(), Expect::Command | Expect::Greeting) {
            // Not a message: tshark's dissector lost track (a bare-LF `.`, a refused DATA) and
            // shows the next commands as message data. Which command it was is unknown.
            self.note(
                NoteKind::Unrecognised,
                origin,
                "Wireshark shows a DATA fragment where a command was expected (its SMTP dissector \
                 still thought a message was being sent); the command is not in the transcript \
                 and stands as `?`",
            );
            self.builder.client_line(UNSEEN_COMMAND, origin);
            return;
        }
        self.builder.client_message_elided(size, origin);
        self.last_was_message = true;
    }

    fn feed(&mut self, action: Action, origin: Origin) {
        let at = |offset: u32| match origin {
            Origin::Line { line, column } => Origin::Line {
                line,
                column: column + offset,
            },
            other => other,
        };
        if let Action::MessageElided(size) = action {
            self.elided = Some(match self.elided.take() {
                Some((before, first)) => (
                    before.zip(size).map(|(a, b)| a + b).or(before).or(size),
                    first,
                ),
                None => (size, origin),
            });
            return;
        }
        self.flush_elided();
        for note in self.prose.drain(..) {
            self.builder.note(note);
        }
        self.last_was_message = false;
        match action {
            Action::Client(line, offset) => {
                self.commands += 1;
                if self.builder.expect() != Expect::MessageContent
                    && line
                        .split_whitespace()
                        .next()
                        .is_some_and(|w| w.eq_ignore_ascii_case("QUIT"))
                {
                    self.quit_sent = true;
                }
                self.builder.client_line(&line, at(offset));
            }
            Action::Server(line, offset) => {
                self.last_server_origin = at(offset);
                self.builder.server_line(&line, at(offset));
                if self.quit_sent && self.builder.expect() == Expect::Command {
                    self.closed = true;
                }
            }
            Action::AuthResponse(payload) => {
                self.commands += 1;
                self.builder.client_auth_response(payload, origin);
            }
            Action::BodyElided(size) => {
                self.last_server_origin = origin;
                self.builder.server_body_elided(size, origin);
            }
            Action::MessageElided(_) => {}
        }
    }
}
