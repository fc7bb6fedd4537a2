//! Turns the two directions of a conversation into [`Exchange`]s.
//!
//! Fed bytes (captures, replay) or whole lines (transcripts) in the order they happened, it
//! pairs every client command with its reply (pipelined commands with their replies in
//! order), knows that after `DATA` → `354` the client sends a message, and after `334` / `+ `
//! an AUTH response (a [`Secret`]).
//!
//! How: client input is queued and read as far as its meaning is known. After DATA, AUTH
//! (or a SASL response) and STARTTLS/STLS the meaning of the next bytes depends on the reply,
//! so reading waits for it; a client that sent on regardless (pasted, pipelined) is read
//! once the reply arrives. When the conversation ends with such a reply missing, the rest is
//! read as the successful case would have it.

mod client;
mod command;
mod guess;
mod pairing;
mod server;

use crate::i18n::messages::notes::NoteText;
use crate::i18n::Text;
use std::collections::VecDeque;

pub use guess::{guess_direction, is_known_command, is_verb};

use crate::protocol::redact;
use crate::session::{
    Command, CommandKind, Content, Exchange, Note, NoteKind, Origin, Protocol, Reply, Secret,
};
use client::Client;
use command::Effect;
use server::Server;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Client,
    Server,
}

/// What the conversation expects next; transcript readers use it to infer direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Nothing yet: the server's greeting.
    Greeting,
    /// A client command (replies to everything sent so far have arrived).
    Command,
    /// Commands are waiting for their replies.
    Reply,
    /// The client is sending a message after DATA.
    MessageContent,
    /// The next client line is a SASL response (after `334` or `+ `).
    AuthResponse,
    /// The server is in the middle of a multi-line reply or POP3 body.
    ServerContinuation,
    /// TLS started: nothing more is readable.
    Encrypted,
}

/// What a finished [`DialogueBuilder`] produced.
#[derive(Clone, Debug, Default)]
pub struct Dialogue {
    pub exchanges: Vec<Exchange>,
    pub notes: Vec<Note>,
    pub encrypted_after: Option<usize>,
}

/// Largest message or POP3 body whose bytes are kept; a larger one keeps only its size.
const MAX_CONTENT: u64 = 64 << 20;
/// Longest command or reply line; a longer one is dropped with a note.
const MAX_LINE: usize = 64 << 10;
/// Exchanges room is made for at first: a whole lab session (greeting, EHLO, AUTH, the
/// envelope, DATA, the message, QUIT) without the list growing and copying itself three
/// times on the way (issue 18); `finish` gives back what was not used.
const EXCHANGES: usize = 16;

/// What finished builders leave for new ones: their command queues and exchange lists,
/// empty, so a capture's thousands of sessions do not each allocate them (several hundred
/// bytes and several KB, issue 18).
#[derive(Debug, Default)]
pub struct Spare {
    queues: Vec<VecDeque<Pending>>,
    exchanges: Vec<Vec<Exchange>>,
}

/// Queues kept in a [`Spare`]: about as many as sessions are open at once in a busy capture.
const SPARE_QUEUES: usize = 64;
/// A queue grown past this many commands (a long pipelined run) is not kept.
const SPARE_QUEUE_ROOM: usize = 8;
/// An exchange list grown past this many (a long session) is not kept.
const SPARE_EXCHANGES_ROOM: usize = 4 * EXCHANGES;

/// A command waiting for its reply. What few commands have (a BDAT chunk, a reply shown
/// before them, a reply held out of line order) is boxed: every command is moved into the
/// queue and out of it into an exchange, and the rare fields made each move twice as long
/// (issue 18).
#[derive(Debug)]
struct Pending {
    command: Command,
    effect: Effect,
    /// POP3: a positive answer carries a multi-line body.
    multiline: bool,
    /// A BDAT chunk: shown as a message right after its BDAT line, answered by the same reply.
    chunk: Option<Box<Command>>,
    /// Its reply, taken out of line order because the protocol says it answers this
    /// command; the exchange waits for the commands before it (transcripts only).
    reply: Option<Box<Reply>>,
    /// A reply the transcript shows before this command, which it may answer.
    early: Option<Box<Reply>>,
    /// Replies shown before this command that answer nothing (unasked-for).
    unasked: Vec<Reply>,
}

impl Pending {
    fn new(command: Command, effect: Effect, multiline: bool) -> Self {
        Pending {
            command,
            effect,
            multiline,
            chunk: None,
            reply: None,
            early: None,
            unasked: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Greeting {
    Awaiting,
    Seen,
    /// The client spoke before any server byte: no greeting was recorded.
    Missing,
}

/// Assembles exchanges from client and server input, in either bytes or lines.
#[derive(Debug)]
pub struct DialogueBuilder {
    protocol: Protocol,
    client: Client,
    server: Server,
    pending: VecDeque<Pending>,
    exchanges: Vec<Exchange>,
    notes: Vec<Note>,
    encrypted_after: Option<usize>,
    encrypted: bool,
    greeting: Greeting,
    /// Commands answered so far (the greeting not counted).
    answered: u32,
    /// Commands sent so far.
    sent: u32,
    fed: bool,
    server_fed: bool,
    /// `finish` is reading what is left: waiting for replies that will never come is over.
    finishing: bool,
    /// Lines of a transcript, whose order a person may have garbled: a reply is paired with
    /// the command the protocol says it answers, not only the oldest one waiting.
    reorder: bool,
    /// Replies that came while no command was waiting (transcripts): the next command may
    /// be the one they answer.
    early: VecDeque<Reply>,
    /// How this transcript orders a reply and its command (see [`pairing`]): above zero, it
    /// prints replies first.
    lead: i32,
}

impl DialogueBuilder {
    pub fn new(protocol: Protocol) -> Self {
        DialogueBuilder::with_room(protocol, VecDeque::new(), Vec::with_capacity(EXCHANGES))
    }

    /// A builder whose command queue and exchange list (both empty) are given.
    fn with_room(protocol: Protocol, pending: VecDeque<Pending>, exchanges: Vec<Exchange>) -> Self {
        DialogueBuilder {
            protocol,
            client: Client::new(),
            server: Server::new(),
            pending,
            exchanges,
            notes: Vec::new(),
            encrypted_after: None,
            encrypted: false,
            greeting: Greeting::Awaiting,
            answered: 0,
            sent: 0,
            fed: false,
            server_fed: false,
            finishing: false,
            reorder: false,
            early: VecDeque::new(),
            lead: 0,
        }
    }

    /// A builder for a transcript's lines: where the line order and the protocol disagree
    /// (a reply printed late, or before the command it answers), the protocol decides, and
    /// a [`NoteKind::Paired`] note says so.
    pub fn for_transcript(protocol: Protocol) -> Self {
        DialogueBuilder {
            reorder: true,
            ..DialogueBuilder::new(protocol)
        }
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Raw client bytes in any chunking (a TCP segment, a replay write).
    pub fn client_bytes(&mut self, bytes: &[u8], origin: Origin) {
        self.fed = true;
        if bytes.is_empty() || self.encrypted {
            return;
        }
        self.close_unterminated_line();
        if self.client.has_queued_input() {
            self.client
                .push_bytes(bytes.to_vec(), origin, self.answered);
        } else {
            self.read_client_in_place(bytes, origin);
        }
        self.pump_client();
    }

    /// Raw server bytes in any chunking.
    pub fn server_bytes(&mut self, bytes: &[u8], origin: Origin) {
        self.fed = true;
        self.server_fed = true;
        self.feed_server(bytes, origin);
    }

    /// One whole client line as a transcript shows it, without its line end.
    pub fn client_line(&mut self, line: &str, origin: Origin) {
        // In a transcript the server cannot still be mid-reply when the client speaks: the
        // rest of the reply was left out (Wireshark shows one `250-…` line for a whole EHLO
        // reply, for instance).
        self.close_server_reply(origin);
        let mut bytes = line.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        self.client_bytes(&bytes, origin);
    }

    /// One whole server line as a transcript shows it (`250-PIPELINING`, `+OK 2 320`, `.`).
    pub fn server_line(&mut self, line: &str, origin: Origin) {
        // A reply while the client is inside its message: the transcript left out the `.`
        // (unless commands before the DATA still wait: the reply is theirs).
        if self.pending.iter().all(|p| p.reply.is_some()) && !self.reply_leads_message() {
            self.close_client_message(origin);
        }
        let mut bytes = line.as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        self.server_bytes(&bytes, origin);
    }

    /// Wireshark's `User: …` / `Pass: …`: a SASL response given as a summary.
    pub fn client_auth_response(&mut self, payload: Secret, origin: Origin) {
        self.fed = true;
        if self.encrypted {
            return;
        }
        self.close_server_reply(origin);
        self.client
            .push_auth_response(payload, origin, self.answered);
        self.pump_client();
    }

    /// Wireshark's `DATA fragment, N bytes` / `Message Body, N bytes`: the message without its text.
    pub fn client_message_elided(&mut self, size: Option<u64>, origin: Origin) {
        self.fed = true;
        if self.encrypted {
            return;
        }
        self.close_server_reply(origin);
        self.client.push_elided_message(size, origin, self.answered);
        self.pump_client();
    }

    /// Wireshark's IMF line (`from: <…>, subject: …`): attached to the current message.
    pub fn message_summary(&mut self, summary: &str) {
        match self.last_message() {
            Some(content) => content.summary = Some(summary.to_string()),
            None => self.notes.push(Note {
                kind: NoteKind::Unrecognised,
                origin: Origin::Synthetic,
                detail: NoteText::SummaryWithoutMessage.text(),
            }),
        }
    }

    /// The content of the latest message sent, answered or not.
    fn last_message(&mut self) -> Option<&mut Content> {
        let waiting = self.pending.iter_mut().rev().flat_map(|p| {
            let chunk = p.chunk.as_deref_mut();
            chunk.into_iter().chain(std::iter::once(&mut p.command))
        });
        let answered = self
            .exchanges
            .iter_mut()
            .rev()
            .filter_map(|e| e.command.as_mut());
        waiting
            .chain(answered)
            .find_map(|command| match &mut command.kind {
                CommandKind::Message { content } => Some(content),
                _ => None,
            })
    }

    /// A POP3 `S: DATA fragment, N bytes`: a multi-line body seen only as a size.
    pub fn server_body_elided(&mut self, size: Option<u64>, origin: Origin) {
        self.fed = true;
        self.server_fed = true;
        if self.encrypted {
            return;
        }
        if self.server_elided_body(size, origin) {
            return;
        }
        // The status line was already taken as a whole reply: give it the body.
        match self.exchanges.last_mut().and_then(|e| e.reply.as_mut()) {
            Some(reply) if reply.body.is_none() => {
                reply.body = Some(Box::new(Content::elided(size)));
                reply.origin = reply.origin.extend(origin);
            }
            _ => self.notes.push(Note {
                kind: NoteKind::Unrecognised,
                origin,
                detail: NoteText::BodySummaryWithoutResponse.text(),
            }),
        }
    }

    /// TLS began (after STARTTLS/STLS and their positive reply, or from the start).
    /// STARTTLS answered positively is noticed without this call; call it when a capture
    /// shows TLS some other way (port 465/995, a handshake after an unanswered STARTTLS).
    /// Commands still waiting stay unanswered; `encrypted_after` is the last exchange
    /// before it (`Some(0)` with no exchange at all).
    pub fn tls_started(&mut self, origin: Origin) {
        self.fed = true;
        if self.encrypted {
            return;
        }
        // Commands still waiting will get no readable reply.
        while let Some(pending) = self.pending.pop_front() {
            self.push_unanswered(pending);
        }
        self.start_encryption(origin, NoteText::TlsStarted);
    }

    /// Bytes are missing (a capture lost segments); the detail names what and where.
    pub fn gap(&mut self, direction: Direction, origin: Origin, detail: Text) {
        self.fed = true;
        self.notes.push(Note {
            kind: NoteKind::Gap,
            origin,
            detail,
        });
        match direction {
            Direction::Client => self.client.resync(),
            Direction::Server => self.server.resync(),
        }
    }

    /// An observation to keep with the session (direction inferred, unreadable line …).
    pub fn note(&mut self, note: Note) {
        self.notes.push(note);
    }

    pub fn expect(&self) -> Expect {
        if self.encrypted {
            return Expect::Encrypted;
        }
        if self.server.is_mid_reply() {
            return Expect::ServerContinuation;
        }
        if let Some(expect) = self.client.expect() {
            return expect;
        }
        match (self.greeting, self.pending.is_empty()) {
            (Greeting::Awaiting, true) => Expect::Greeting,
            (_, false) => Expect::Reply,
            (_, true) => Expect::Command,
        }
    }

    /// The client's AUTH (or its last SASL response) waits for the server's challenge: a
    /// client line now that is no reply is a SASL response typed ahead of the `334` / `+ `
    /// it answers, read (and redacted) as one once the challenge arrives.
    pub fn awaits_challenge(&self) -> bool {
        !self.encrypted && self.client.waiting_for(command::Effect::Auth)
    }

    /// Whether anything was fed at all.
    pub fn is_empty(&self) -> bool {
        !self.fed
    }

    /// [`DialogueBuilder::new`], its command queue taken from what finished builders left
    /// in `spare`.
    pub fn new_from(protocol: Protocol, spare: &mut Spare) -> Self {
        let pending = spare.queues.pop().unwrap_or_default();
        let exchanges = spare
            .exchanges
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(EXCHANGES));
        DialogueBuilder::with_room(protocol, pending, exchanges)
    }

    /// [`DialogueBuilder::finish`], leaving the command queue's and the exchange list's room
    /// in `spare` for the next builder. The exchanges are moved into a list of their own
    /// size: cutting the builder's list down in place (`shrink_to_fit`) made the allocator
    /// copy it anyway, at several times the cost (issue 18).
    pub fn finish_into(self, spare: &mut Spare) -> Dialogue {
        let (mut dialogue, queue) = self.end();
        if spare.queues.len() < SPARE_QUEUES && queue.capacity() <= SPARE_QUEUE_ROOM {
            spare.queues.push(queue);
        }
        let built = &mut dialogue.exchanges;
        if spare.exchanges.len() < SPARE_QUEUES && built.capacity() <= SPARE_EXCHANGES_ROOM {
            let mut own = Vec::with_capacity(built.len());
            own.append(built);
            spare.exchanges.push(std::mem::replace(built, own));
        } else {
            built.shrink_to_fit();
        }
        dialogue
    }

    /// Ends the conversation: partial lines become notes, unanswered commands stay with no
    /// reply, and every secret of the session is removed from its other texts
    /// ([`redact`](crate::protocol::redact)).
    pub fn finish(self) -> Dialogue {
        let mut dialogue = self.end().0;
        dialogue.exchanges.shrink_to_fit();
        dialogue
    }

    /// [`DialogueBuilder::finish`] but for cutting the exchange list to size, and the
    /// command queue, empty.
    fn end(mut self) -> (Dialogue, VecDeque<Pending>) {
        self.finishing = true;
        self.settle_early();
        self.pump_client();
        self.finish_client();
        self.finish_server();
        while let Some(pending) = self.pending.pop_front() {
            self.push_unanswered(pending);
        }
        // Every reader and replay ends here: no known secret leaves in another text.
        redact::redact_dialogue(self.protocol, &mut self.exchanges, &mut self.notes);
        let dialogue = Dialogue {
            exchanges: self.exchanges,
            notes: self.notes,
            encrypted_after: self.encrypted_after,
        };
        (dialogue, self.pending)
    }

    /// A command was read: it waits for its reply. Made in its place in the queue and
    /// looked at there, not moved in once everything is known about it: every command of
    /// a capture passes here (issue 18).
    fn push_command(
        &mut self,
        command: Command,
        effect: Effect,
        multiline: bool,
        answered_at_arrival: u32,
    ) {
        if self.greeting == Greeting::Awaiting && !self.server_fed {
            self.greeting = Greeting::Missing;
            self.notes.push(Note {
                kind: NoteKind::Gap,
                origin: command.origin,
                detail: NoteText::NoGreeting.text(),
            });
        }
        // Sent before the reply to the command before it had arrived.
        let pipelined = answered_at_arrival < self.sent;
        self.sent += 1;
        self.pending
            .push_back(Pending::new(command, effect, multiline));
        if let Some(pending) = self.pending.back_mut() {
            pending.command.pipelined = pipelined;
        }
        self.take_early();
    }

    /// A whole reply arrived: it answers the oldest command waiting (in a transcript, the
    /// one the protocol says it answers).
    fn deliver(&mut self, reply: Reply) {
        if self.greeting == Greeting::Awaiting {
            self.greeting = Greeting::Seen;
            self.exchanges.push(Exchange {
                command: None,
                reply: Some(reply),
            });
            return;
        }
        if !self.reorder {
            // Wire order (captures, replay): a reply answers the oldest command, so no
            // command waiting holds one and none need be looked for (issue 18).
            if self.pending.is_empty() {
                // Unasked for: a 421 before closing, or a reply to a command not seen.
                self.exchanges.push(Exchange {
                    command: None,
                    reply: Some(reply),
                });
            } else {
                self.answer_with(0, reply);
            }
            return;
        }
        if self.pending.iter().all(|p| p.reply.is_some()) {
            if !pairing::is_unsolicited(&reply) {
                // Printed before the command it answers, perhaps: the next command decides.
                self.early.push_back(reply);
                return;
            }
            // Unasked for: a 421 before closing, or a reply to a line the input does not show.
            self.exchanges.push(Exchange {
                command: None,
                reply: Some(reply),
            });
            return;
        }
        if let Some((target, reply)) = self.answer(reply) {
            self.answer_with(target, reply);
        }
    }

    /// Answered commands at the front become exchanges, in command order.
    fn settle_answered(&mut self) {
        while self.pending.front().is_some_and(|p| p.reply.is_some()) {
            let Some(mut pending) = self.pending.pop_front() else {
                break;
            };
            let reply = pending.reply.take().map(|reply| *reply);
            self.push_settled(pending, reply);
        }
    }

    /// A command taken off the queue with its reply: the replies shown before it that
    /// answered nothing, its exchange, and its BDAT chunk's.
    fn push_settled(&mut self, mut pending: Pending, reply: Option<Reply>) {
        for unasked in std::mem::take(&mut pending.unasked) {
            self.exchanges.push(Exchange {
                command: None,
                reply: Some(unasked),
            });
        }
        self.exchanges.push(Exchange {
            command: Some(pending.command),
            reply,
        });
        if let Some(chunk) = pending.chunk {
            self.exchanges.push(Exchange {
                command: Some(*chunk),
                reply: None,
            });
        }
    }

    fn push_unanswered(&mut self, mut pending: Pending) {
        let reply = pending
            .reply
            .take()
            .or(pending.early.take())
            .map(|reply| *reply);
        self.push_settled(pending, reply);
    }

    fn start_encryption(&mut self, origin: Origin, detail: NoteText) {
        self.encrypted = true;
        self.encrypted_after = Some(self.exchanges.len().saturating_sub(1));
        self.client.encrypt();
        self.server.encrypt();
        self.notes.push(Note {
            kind: NoteKind::Encrypted,
            origin,
            detail: detail.text(),
        });
    }
}

#[cfg(test)]
mod tests;
