//! Turns the two directions of a conversation into [`Exchange`]s.
//!
//! Fed bytes (captures, replay) or whole lines (transcripts) in the order they happened, it
//! pairs every client command with its reply (pipelined commands with their replies in
//! order), knows that after `DATA` → `354` the client sends a message, and after `334` / `+ `
//! an AUTH response (a [`Secret`]).

use crate::session::{Exchange, Note, Origin, Protocol, Secret};

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

/// Assembles exchanges from client and server input, in either bytes or lines.
#[derive(Debug)]
pub struct DialogueBuilder {
    protocol: Protocol,
}

impl DialogueBuilder {
    pub fn new(protocol: Protocol) -> Self {
        DialogueBuilder { protocol }
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Raw client bytes in any chunking (a TCP segment, a replay write).
    pub fn client_bytes(&mut self, _bytes: &[u8], _origin: Origin) {
        todo!()
    }

    /// Raw server bytes in any chunking.
    pub fn server_bytes(&mut self, _bytes: &[u8], _origin: Origin) {
        todo!()
    }

    /// One whole client line as a transcript shows it, without its line end.
    pub fn client_line(&mut self, _line: &str, _origin: Origin) {
        todo!()
    }

    /// One whole server line as a transcript shows it (`250-PIPELINING`, `+OK 2 320`, `.`).
    pub fn server_line(&mut self, _line: &str, _origin: Origin) {
        todo!()
    }

    /// Wireshark's `User: …` / `Pass: …`: a SASL response given as a summary.
    pub fn client_auth_response(&mut self, _payload: Secret, _origin: Origin) {
        todo!()
    }

    /// Wireshark's `DATA fragment, N bytes` / `Message Body, N bytes`: the message without its text.
    pub fn client_message_elided(&mut self, _size: Option<u64>, _origin: Origin) {
        todo!()
    }

    /// Wireshark's IMF line (`from: <…>, subject: …`): attached to the current message.
    pub fn message_summary(&mut self, _summary: &str) {
        todo!()
    }

    /// A POP3 `S: DATA fragment, N bytes`: a multi-line body seen only as a size.
    pub fn server_body_elided(&mut self, _size: Option<u64>, _origin: Origin) {
        todo!()
    }

    /// TLS began (after STARTTLS/STLS and their positive reply, or from the start).
    pub fn tls_started(&mut self, _origin: Origin) {
        todo!()
    }

    /// Bytes are missing (a capture lost segments); the detail names what and where.
    pub fn gap(&mut self, _direction: Direction, _origin: Origin, _detail: String) {
        todo!()
    }

    /// An observation to keep with the session (direction inferred, unreadable line …).
    pub fn note(&mut self, _note: Note) {
        todo!()
    }

    pub fn expect(&self) -> Expect {
        todo!()
    }

    /// Whether anything was fed at all.
    pub fn is_empty(&self) -> bool {
        todo!()
    }

    /// Ends the conversation: partial lines become notes, unanswered commands stay with no reply.
    pub fn finish(self) -> Dialogue {
        todo!()
    }
}

/// Which side a line with no `C:`/`S:` mark most likely came from, given what is expected.
/// `sure` is false when the guess should be reported to the student.
pub fn guess_direction(_protocol: Protocol, _line: &str, _expect: Expect) -> (Direction, bool) {
    todo!()
}
