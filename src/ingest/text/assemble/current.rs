//! The session being read: its [`DialogueBuilder`] and what the reader tracks beside it
//! (where it is in the file, whether QUIT was answered, Wireshark summaries not fed yet).

use crate::i18n::messages::notes::NoteText;
use std::path::Path;

use crate::protocol::{DialogueBuilder, Expect};
use crate::session::{Connect, Note, NoteKind, Origin, Protocol, Session, Source};

use super::super::info::Action;

/// What a command hidden behind a misplaced `DATA fragment` summary is fed as.
const UNSEEN_COMMAND: &str = "?";

pub struct Current {
    pub builder: DialogueBuilder,
    pub protocol: Protocol,
    pub connect: Option<Connect>,
    first_block: Option<usize>,
    last_block: Option<usize>,
    /// Client input fed: a session with none is not a dialogue.
    pub client_input: usize,
    quit_sent: bool,
    /// QUIT was answered: whatever follows is another session.
    pub closed: bool,
    /// `openssl s_client -starttls`: server lines before the first command are the tool's own.
    pub skip_server_preamble: bool,
    /// `DATA fragment` summaries not fed yet: consecutive fragments are one message.
    elided: Option<(Option<u64>, Origin)>,
    /// The last thing fed was a message: a Wireshark IMF line may follow.
    pub last_was_message: bool,
    /// Where the latest server line was, for a body Wireshark left out.
    pub last_server_origin: Origin,
    /// Prose skipped since the last line fed: noted only if the dialogue goes on after it.
    prose: Vec<Note>,
}

impl Current {
    pub fn new(
        protocol: Protocol,
        connect: Option<Connect>,
        block: Option<usize>,
        origin: Origin,
    ) -> Self {
        Current {
            builder: DialogueBuilder::for_transcript(protocol),
            protocol,
            connect,
            first_block: block,
            last_block: block,
            client_input: 0,
            quit_sent: false,
            closed: false,
            skip_server_preamble: false,
            elided: None,
            last_was_message: false,
            last_server_origin: origin,
            prose: Vec::new(),
        }
    }

    pub fn expect(&self) -> Expect {
        self.builder.expect()
    }

    /// See [`DialogueBuilder::awaits_challenge`].
    pub fn awaits_challenge(&self) -> bool {
        self.builder.awaits_challenge()
    }

    pub fn note_block(&mut self, block: Option<usize>) {
        if block.is_some() {
            self.first_block = self.first_block.or(block);
            self.last_block = block;
        }
    }

    /// A skipped line of prose inside the dialogue.
    pub fn prose(&mut self, origin: Origin, detail: NoteText) {
        if !self.closed {
            self.prose.push(Note {
                kind: NoteKind::Unrecognised,
                origin,
                detail: detail.text(),
            });
        }
    }

    pub fn note(&mut self, kind: NoteKind, origin: Origin, detail: NoteText) {
        self.builder.note(Note {
            kind,
            origin,
            detail: detail.text(),
        });
    }

    /// Wireshark's IMF line: a summary of the message just sent (or being sent, when the
    /// summary is all the transcript shows of it).
    pub fn summary(&mut self, summary: &str, origin: Origin) {
        if self.elided.is_none() && self.expect() == Expect::MessageContent {
            self.elided = Some((None, origin));
        }
        self.flush_elided();
        self.builder.message_summary(summary);
        self.last_was_message = false;
    }

    /// Wireshark's POP lines show a multi-line response's first line only: the body is
    /// known to exist but not shown.
    pub fn body_left_out(&mut self) {
        self.flush_elided();
        let origin = self.last_server_origin;
        self.builder.server_body_elided(None, origin);
    }

    pub fn client_bytes(&mut self, bytes: &[u8], origin: Origin) {
        self.client_input += 1;
        self.builder.client_bytes(bytes, origin);
    }

    pub fn server_bytes(&mut self, bytes: &[u8], origin: Origin) {
        self.builder.server_bytes(bytes, origin);
    }

    /// Feeds the `DATA fragment`s collected so far as one message.
    fn flush_elided(&mut self) {
        let Some((size, origin)) = self.elided.take() else {
            return;
        };
        self.client_input += 1;
        if matches!(self.expect(), Expect::Command | Expect::Greeting) {
            // Not a message: tshark's dissector lost track (a bare-LF `.`, a refused DATA) and
            // shows the next commands as message data. Which command it was is unknown.
            self.note(NoteKind::Unrecognised, origin, NoteText::WiresharkFragment);
            self.builder.client_line(UNSEEN_COMMAND, origin);
            return;
        }
        self.builder.client_message_elided(size, origin);
        self.last_was_message = true;
    }

    pub fn feed(&mut self, action: Action, origin: Origin) {
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
                self.client_input += 1;
                let is_quit = line.split_whitespace().next().is_some_and(|w| {
                    crate::protocol::Verb::parse(w) == Some(crate::protocol::Verb::Quit)
                });
                if is_quit && self.expect() != Expect::MessageContent {
                    self.quit_sent = true;
                }
                self.builder.client_line(&line, at(offset));
            }
            Action::Server(line, offset) => {
                self.last_server_origin = at(offset);
                self.builder.server_line(&line, at(offset));
                if self.quit_sent && self.expect() == Expect::Command {
                    self.closed = true;
                }
            }
            Action::AuthResponse(payload) => {
                self.client_input += 1;
                self.builder.client_auth_response(payload, origin);
            }
            Action::BodyElided(size) => {
                self.last_server_origin = origin;
                self.builder.server_body_elided(size, origin);
            }
            Action::MessageElided(_) => {}
        }
    }

    /// The session read, or — when the client said nothing — the note that replies were
    /// skipped.
    pub fn finish(mut self, path: &Path) -> Result<Session, Option<Note>> {
        self.flush_elided();
        let label = match (self.first_block, self.last_block) {
            (Some(first), Some(last)) if first == last => format!("code block {first}"),
            (Some(first), Some(last)) => format!("code blocks {first}–{last}"),
            _ => String::new(),
        };
        let dialogue = self.builder.finish();
        if self.client_input == 0 {
            return Err(dialogue
                .exchanges
                .first()
                .and_then(|e| e.reply.as_ref())
                .map(|reply| Note {
                    kind: NoteKind::Unrecognised,
                    origin: reply.origin,
                    detail: NoteText::RepliesWithoutCommands.text(),
                }));
        }
        let mut session = Session::new(
            self.protocol,
            Source {
                path: path.to_path_buf(),
                label,
            },
        );
        session.connect = self.connect;
        session.exchanges = dialogue.exchanges;
        session.notes = dialogue.notes;
        session.encrypted_after = dialogue.encrypted_after;
        Ok(session)
    }
}
