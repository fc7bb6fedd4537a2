//! The client half: queued input, read as far as its meaning is known.

use crate::i18n::messages::notes::NoteText;
use std::borrow::Cow;
use std::collections::VecDeque;

use super::command::{self, Effect};
use super::{DialogueBuilder, Expect, MAX_CONTENT, MAX_LINE};
use crate::protocol::dotstuff::{DataEvent, DataReceiver};
use crate::protocol::line::{self, LineInPlace, LineReceiver};
use crate::protocol::smtp::{BdatEvent, BdatReceiver};
use crate::protocol::{pop3, smtp, Request, Verb};
use crate::session::{
    Args, Command, CommandKind, Content, Note, NoteKind, Origin, Pop3Status, Protocol, ReplyCode,
    Secret,
};

/// One piece of client input, with how many commands had been answered when it arrived.
#[derive(Debug)]
enum Input {
    Bytes {
        data: Vec<u8>,
        pos: usize,
        origin: Origin,
        answered: u32,
    },
    AuthResponse {
        payload: Secret,
        origin: Origin,
        answered: u32,
    },
    ElidedMessage {
        size: Option<u64>,
        origin: Origin,
        answered: u32,
    },
}

/// What the client's next bytes are.
#[derive(Debug)]
enum Mode {
    Command(LineReceiver),
    /// A SASL response line; `guess`: no challenge was seen (the conversation ended), so a
    /// line that is a command is read as one.
    AuthResponse {
        lines: LineReceiver,
        guess: bool,
    },
    /// The reply to the last command decides.
    Waiting(Effect),
    Message(DataReceiver),
    Chunk(BdatReceiver),
    Encrypted,
}

/// Where the unit being read (a line, a message) started.
#[derive(Clone, Copy, Debug)]
struct Unit {
    origin: Origin,
    answered: u32,
}

#[derive(Debug)]
pub(super) struct Client {
    inputs: VecDeque<Input>,
    mode: Mode,
    unit: Option<Unit>,
    /// After a gap inside a line: the bytes up to the next line end are a tail, not a line.
    resync: bool,
}

/// A line is borrowed from the input it lay in whole, or the line buffer's own bytes.
enum Event<'a> {
    NeedsMoreData,
    Skipped,
    Line(Cow<'a, str>),
    AuthLine { text: Cow<'a, str>, guess: bool },
    TooLong(usize),
    Message(Content),
    Chunk(Vec<u8>),
}

impl Event<'_> {
    /// The event with a borrowed line copied: its input is going back to the queue.
    fn into_owned(self) -> Event<'static> {
        match self {
            Event::NeedsMoreData => Event::NeedsMoreData,
            Event::Skipped => Event::Skipped,
            Event::Line(text) => Event::Line(Cow::Owned(text.into_owned())),
            Event::AuthLine { text, guess } => Event::AuthLine {
                text: Cow::Owned(text.into_owned()),
                guess,
            },
            Event::TooLong(len) => Event::TooLong(len),
            Event::Message(content) => Event::Message(content),
            Event::Chunk(bytes) => Event::Chunk(bytes),
        }
    }
}

fn command_mode() -> Mode {
    Mode::Command(LineReceiver::new(MAX_LINE))
}

impl Client {
    pub(super) fn new() -> Self {
        Client {
            inputs: VecDeque::new(),
            mode: command_mode(),
            unit: None,
            resync: false,
        }
    }

    pub(super) fn push_bytes(&mut self, data: Vec<u8>, origin: Origin, answered: u32) {
        self.inputs.push_back(Input::Bytes {
            data,
            pos: 0,
            origin,
            answered,
        });
    }

    /// Whether input waits in the queue (read before anything newer).
    pub(super) fn has_queued_input(&self) -> bool {
        !self.inputs.is_empty()
    }

    pub(super) fn push_auth_response(&mut self, payload: Secret, origin: Origin, answered: u32) {
        self.inputs.push_back(Input::AuthResponse {
            payload,
            origin,
            answered,
        });
    }

    pub(super) fn push_elided_message(&mut self, size: Option<u64>, origin: Origin, answered: u32) {
        self.inputs.push_back(Input::ElidedMessage {
            size,
            origin,
            answered,
        });
    }

    pub(super) fn expect(&self) -> Option<Expect> {
        match self.mode {
            Mode::Message(_) | Mode::Chunk(_) => Some(Expect::MessageContent),
            Mode::AuthResponse { .. } => Some(Expect::AuthResponse),
            _ => None,
        }
    }

    pub(super) fn waiting_for(&self, effect: Effect) -> bool {
        matches!(self.mode, Mode::Waiting(waiting) if waiting == effect)
    }

    /// The reply to the command being waited for arrived; true when it started TLS.
    pub(super) fn resolve(&mut self, effect: Effect, code: ReplyCode) -> bool {
        let (smtp, pop3) = match code {
            ReplyCode::Smtp(code) => (Some(code.value()), None),
            ReplyCode::Pop3(status) => (None, Some(status)),
        };
        self.mode = match effect {
            Effect::Data if smtp == Some(354) => Mode::Message(DataReceiver::new(MAX_CONTENT)),
            Effect::Auth if smtp == Some(334) || pop3 == Some(Pop3Status::Continue) => {
                Mode::AuthResponse {
                    lines: LineReceiver::new(MAX_LINE),
                    guess: false,
                }
            }
            Effect::Tls if smtp == Some(220) || pop3 == Some(Pop3Status::Ok) => return true,
            _ => command_mode(),
        };
        false
    }

    pub(super) fn encrypt(&mut self) {
        self.mode = Mode::Encrypted;
        self.inputs.clear();
        self.unit = None;
    }

    pub(super) fn resync(&mut self) {
        let mid_line = match &mut self.mode {
            Mode::Command(lines) | Mode::AuthResponse { lines, .. } => {
                let mid = lines.is_mid_line();
                lines.clear();
                mid
            }
            _ => false,
        };
        self.resync = mid_line;
        if mid_line {
            self.unit = None;
        }
    }

    pub(super) fn is_message_started(&self) -> Option<bool> {
        match &self.mode {
            Mode::Message(data) => Some(data.is_started()),
            _ => None,
        }
    }

    /// A command line read and done with: its bytes take the next line.
    fn recycle(&mut self, line: String) {
        if let Mode::Command(lines) = &mut self.mode {
            lines.recycle(line.into_bytes());
        }
    }

    fn ingest<'a>(&mut self, input: &mut &'a [u8]) -> Event<'a> {
        let resync = &mut self.resync;
        match &mut self.mode {
            Mode::Command(lines) => match lines.ingest_in_place(input) {
                LineInPlace::NeedsMoreData => Event::NeedsMoreData,
                _ if std::mem::take(resync) => Event::Skipped,
                LineInPlace::Line(line) => Event::Line(line::text_of(line)),
                LineInPlace::TooLong { len } => Event::TooLong(len),
            },
            Mode::AuthResponse { lines, guess } => match lines.ingest_in_place(input) {
                LineInPlace::NeedsMoreData => Event::NeedsMoreData,
                _ if std::mem::take(resync) => Event::Skipped,
                LineInPlace::Line(line) => Event::AuthLine {
                    text: line::text_of(line),
                    guess: *guess,
                },
                LineInPlace::TooLong { len } => Event::TooLong(len),
            },
            Mode::Message(data) => match data.ingest(input) {
                DataEvent::NeedsMoreData => Event::NeedsMoreData,
                DataEvent::Complete(body) => Event::Message(Content::from_bytes(body)),
                DataEvent::TooBig { size } => Event::Message(Content::elided(Some(size))),
            },
            Mode::Chunk(chunk) => match chunk.ingest(input) {
                BdatEvent::NeedsMoreData => Event::NeedsMoreData,
                BdatEvent::Chunk(bytes) => Event::Chunk(bytes),
            },
            Mode::Waiting(_) | Mode::Encrypted => Event::NeedsMoreData,
        }
    }
}

impl DialogueBuilder {
    /// Reads queued client input until it runs out or a reply must decide what comes next.
    pub(super) fn pump_client(&mut self) {
        loop {
            if let Mode::Waiting(effect) = self.client.mode {
                if self.answer_wait_early() {
                    continue;
                }
                if !self.finishing {
                    return;
                }
                self.resolve_unanswered(effect);
                continue;
            }
            let Some(input) = self.client.inputs.pop_front() else {
                return;
            };
            if matches!(self.client.mode, Mode::Encrypted) {
                continue;
            }
            match input {
                Input::AuthResponse {
                    payload,
                    origin,
                    answered,
                } => {
                    self.client.unit = None;
                    self.push_client_command(
                        CommandKind::AuthResponse { payload },
                        origin,
                        answered,
                        Effect::Auth,
                    );
                }
                Input::ElidedMessage {
                    size,
                    origin,
                    answered,
                } => {
                    self.client.unit = None;
                    let content = Content::elided(size);
                    self.push_client_command(
                        CommandKind::Message { content },
                        origin,
                        answered,
                        Effect::None,
                    );
                }
                Input::Bytes {
                    data,
                    pos,
                    origin,
                    answered,
                } => {
                    let unit = self.client.unit.get_or_insert(Unit { origin, answered });
                    unit.origin = unit.origin.extend(origin);
                    let mut rest = &data[pos..];
                    let event = self.client.ingest(&mut rest);
                    let pos = data.len() - rest.len();
                    if pos < data.len() {
                        let event = event.into_owned();
                        self.client.inputs.push_front(Input::Bytes {
                            data,
                            pos,
                            origin,
                            answered,
                        });
                        self.client_event(event);
                    } else {
                        self.client_event(event);
                    }
                }
            }
        }
    }

    /// Reads client bytes where they lie, as [`Self::pump_client`] reads queued ones, when
    /// nothing is queued before them: only what a reply must decide first is copied into
    /// the queue.
    pub(super) fn read_client_in_place(&mut self, bytes: &[u8], origin: Origin) {
        let answered = self.answered;
        let mut rest = bytes;
        while !rest.is_empty() {
            match self.client.mode {
                Mode::Encrypted => return,
                Mode::Waiting(_) => {
                    if self.answer_wait_early() {
                        continue;
                    }
                    self.client.push_bytes(rest.to_vec(), origin, answered);
                    return;
                }
                _ => {}
            }
            let unit = self.client.unit.get_or_insert(Unit { origin, answered });
            unit.origin = unit.origin.extend(origin);
            let event = self.client.ingest(&mut rest);
            self.client_event(event);
        }
    }

    fn client_event(&mut self, event: Event<'_>) {
        let unit = match event {
            Event::NeedsMoreData => return,
            _ => self.client.unit.take(),
        };
        let Some(Unit { origin, answered }) = unit else {
            return;
        };
        match event {
            Event::NeedsMoreData | Event::Skipped => {}
            Event::Line(text) => {
                self.client_command_line(&text, origin, answered);
                if let Cow::Owned(text) = text {
                    self.client.recycle(text);
                }
            }
            Event::AuthLine { text, guess } => {
                if guess && self.is_known_command(&text) {
                    self.client.mode = command_mode();
                    self.client_command_line(&text, origin, answered);
                } else {
                    let kind = command::auth_response(&text);
                    self.push_client_command(kind, origin, answered, Effect::Auth);
                }
            }
            Event::TooLong(len) => {
                self.notes.push(Note {
                    kind: NoteKind::Unrecognised,
                    origin,
                    detail: NoteText::ClientLineTooLong { len }.text(),
                });
                // Still a command the server answers: keep it so replies pair up.
                let (kind, effect) = match self.client.mode {
                    Mode::AuthResponse { .. } => (
                        CommandKind::AuthResponse {
                            payload: Secret::default(),
                        },
                        Effect::Auth,
                    ),
                    _ => (
                        CommandKind::Line {
                            request: Request::Unknown(String::new()),
                            written: Default::default(),
                            args: Args::default(),
                        },
                        Effect::None,
                    ),
                };
                self.push_client_command(kind, origin, answered, effect);
            }
            Event::Message(content) => {
                if content.is_elided() {
                    self.notes.push(Note {
                        kind: NoteKind::Truncated,
                        origin,
                        detail: NoteText::MessageTooBig {
                            size: content.size.unwrap_or(0),
                        }
                        .text(),
                    });
                }
                self.push_client_command(
                    CommandKind::Message { content },
                    origin,
                    answered,
                    Effect::None,
                );
            }
            Event::Chunk(bytes) => self.chunk_read(bytes, origin),
        }
    }

    fn client_command_line(&mut self, text: &str, origin: Origin, answered: u32) {
        let read = command::read_line(self.protocol, text, self.after_credentials());
        let command = Command::new(read.kind, origin);
        self.push_command(command, read.effect, read.multiline, answered);
        self.client.mode = match (read.chunk, read.effect) {
            // Nothing follows `BDAT 0 LAST`, so its empty chunk is complete now.
            (Some(0), _) => return self.chunk_read(Vec::new(), origin),
            (Some(size), _) => Mode::Chunk(BdatReceiver::new(size, MAX_CONTENT)),
            (None, Effect::None) => command_mode(),
            (None, effect) => Mode::Waiting(effect),
        };
    }

    fn chunk_read(&mut self, bytes: Vec<u8>, origin: Origin) {
        self.client.mode = command_mode();
        let message = Command::new(
            CommandKind::Message {
                content: Content::from_bytes(bytes),
            },
            origin,
        );
        match self.pending.back_mut() {
            Some(bdat) if bdat.chunk.is_none() && bdat.command.verb() == Some(Verb::Bdat) => {
                bdat.chunk = Some(Box::new(message))
            }
            _ => self.exchanges.push(crate::session::Exchange {
                command: Some(message),
                reply: None,
            }),
        }
    }

    /// A SASL response or a message: it waits for its reply; `effect` is what that reply decides.
    fn push_client_command(
        &mut self,
        kind: CommandKind,
        origin: Origin,
        answered: u32,
        effect: Effect,
    ) {
        self.push_command(Command::new(kind, origin), effect, false, answered);
        self.client.mode = match effect {
            Effect::None => command_mode(),
            effect => Mode::Waiting(effect),
        };
    }

    /// Whether the last command sent was about credentials (USER, PASS, APOP, AUTH, LOGIN or
    /// a SASL response): a line after it that is no command is taken for a password.
    fn after_credentials(&self) -> bool {
        let last = self
            .pending
            .back()
            .map(|p| &p.command)
            .or_else(|| self.exchanges.iter().rev().find_map(|e| e.command.as_ref()));
        last.is_some_and(|c| command::follows_credentials(&c.kind))
    }

    fn is_known_command(&self, line: &str) -> bool {
        match self.protocol {
            Protocol::Smtp => smtp::parse_request(line).is_ok(),
            Protocol::Pop3 => pop3::parse_request(line).is_ok(),
            Protocol::Tls => false,
        }
    }

    /// The conversation ended without the reply a command waits for: read on as if it
    /// had been positive, except that STARTTLS is only taken as accepted when a TLS
    /// handshake follows it.
    fn resolve_unanswered(&mut self, effect: Effect) {
        self.client.mode = match effect {
            Effect::Data => Mode::Message(DataReceiver::new(MAX_CONTENT)),
            Effect::Auth => Mode::AuthResponse {
                lines: LineReceiver::new(MAX_LINE),
                guess: true,
            },
            Effect::Tls => {
                let handshake = self.client.inputs.front().and_then(|input| match input {
                    // 0x16: a TLS handshake record.
                    Input::Bytes {
                        data, pos, origin, ..
                    } if data.get(*pos) == Some(&0x16) => Some(*origin),
                    _ => None,
                });
                if let Some(origin) = handshake {
                    while let Some(pending) = self.pending.pop_front() {
                        self.push_unanswered(pending);
                    }
                    self.start_encryption(origin, NoteText::TlsHandshakeFollows);
                    return;
                }
                command_mode()
            }
            Effect::None => command_mode(),
        };
    }

    /// A server reply while the client is inside its message (line input only): the
    /// transcript left the `.` line out.
    pub(super) fn close_client_message(&mut self, origin: Origin) {
        let Some(started) = self.client.is_message_started() else {
            return;
        };
        let Mode::Message(data) = &mut self.client.mode else {
            return;
        };
        let content = if started {
            Content::from_bytes(data.take_partial())
        } else {
            Content::elided(None)
        };
        let unit = self.client.unit.take();
        let (origin, answered) = unit.map_or((origin, self.answered), |u| (u.origin, u.answered));
        self.notes.push(Note {
            kind: NoteKind::Truncated,
            origin,
            detail: if started {
                NoteText::MessageUnended.text()
            } else {
                NoteText::MessageMissing.text()
            },
        });
        self.push_client_command(
            CommandKind::Message { content },
            origin,
            answered,
            Effect::None,
        );
    }

    /// What is left of the client's input when the conversation ends.
    pub(super) fn finish_client(&mut self) {
        let unit = self.client.unit.take();
        let origin = unit.map_or(Origin::Synthetic, |u| u.origin);
        let detail = match &mut self.client.mode {
            Mode::Command(lines) | Mode::AuthResponse { lines, .. } if lines.is_mid_line() => {
                NoteText::ClientLastLineUnended {
                    len: lines.partial().len(),
                }
            }
            Mode::Message(data) if data.is_started() => {
                let size = data.size();
                let content = Content::from_bytes(data.take_partial());
                let answered = unit.map_or(self.answered, |u| u.answered);
                self.push_client_command(
                    CommandKind::Message { content },
                    origin,
                    answered,
                    Effect::None,
                );
                NoteText::EndsInsideMessage { size }
            }
            Mode::Chunk(chunk) => NoteText::EndsInsideChunk {
                remaining: chunk.remaining(),
            },
            _ => return,
        };
        self.notes.push(Note {
            kind: NoteKind::Truncated,
            origin,
            detail: detail.text(),
        });
    }
}
