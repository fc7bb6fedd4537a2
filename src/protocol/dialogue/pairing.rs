//! Pairing replies with commands when a transcript's line order is not the protocol's: a
//! reply printed late (after the next command was typed) or before the command it answers
//! (echoed in a different order). Replies answer commands in order (RFC 5321 §4.3, RFC 2920
//! pipelining) unless the protocol rules the pairing out: a `354` answers only DATA, so a
//! `354` shown where MAIL still waits answers the DATA behind it. Every such re-pairing
//! leaves a [`NoteKind::Paired`] note naming the lines, never their text.
//!
//! Echo order: some logs print each reply before the command it answers (a program that
//! logs what it got, then what it sent). Where a reply that could answer either the command
//! before it or the one after it arrives, the transcript's own habit decides: a reply that
//! arrives while no command waits counts for "replies first" (on the wire that never
//! happens: it is unasked-for, or it leads its command) when it is alone and the next
//! command can take it; a reply paired in line order, or several replies in a row, count
//! against. Line order wins ties, so one stray reply in an ordinary transcript
//! changes nothing.

use super::{DialogueBuilder, Effect};
use crate::i18n::messages::notes::NoteText;
use crate::session::{
    Command, CommandKind, Note, NoteKind, Pop3Status, Protocol, Reply, ReplyCode,
};

/// What a command is, for pairing: its verb, or the kind of client line it is.
fn verb(command: &Command) -> &str {
    match &command.kind {
        CommandKind::Line { request, .. } => request.word(),
        CommandKind::AuthResponse { .. } => "AUTH",
        CommandKind::AuthCancel => "*",
        CommandKind::Message { .. } => ".",
    }
}

/// Whether a server can answer `command` with `code`. Only what the protocol rules out:
/// errors answer anything; `354` only DATA, `334` and `235` only an AUTH exchange, `221`
/// only QUIT, `220` only STARTTLS; DATA, QUIT, AUTH, STARTTLS, a message and a cancelled
/// AUTH get no other positive reply. POP3's `+` only continues an AUTH exchange.
pub(super) fn can_answer(protocol: Protocol, command: &Command, code: ReplyCode) -> bool {
    let verb = verb(command);
    match (protocol, code) {
        (Protocol::Smtp, ReplyCode::Smtp(code)) => {
            let value = code.value();
            if value >= 400 {
                return true;
            }
            match verb {
                "DATA" => value == 354,
                "QUIT" => value == 221,
                "STARTTLS" => value == 220,
                "AUTH" => matches!(value, 334 | 235),
                "*" => false,
                "." | "BDAT" => code.class() == 2 && value != 220 && value != 221,
                _ => !matches!(value, 354 | 334 | 235 | 221 | 220),
            }
        }
        (Protocol::Pop3, ReplyCode::Pop3(Pop3Status::Continue)) => verb == "AUTH",
        _ => true,
    }
}

/// A reply a server sends unasked (RFC 5321 §3.8: `421` before it closes): never held for
/// a command to come.
pub(super) fn is_unsolicited(reply: &Reply) -> bool {
    matches!(reply.code, ReplyCode::Smtp(code) if code.value() == 421)
}

impl DialogueBuilder {
    fn paired_note(&mut self, origin: crate::session::Origin, detail: NoteText) {
        self.notes.push(Note {
            kind: NoteKind::Paired,
            origin,
            detail: detail.text(),
        });
    }

    /// A command was read (the last in the queue): a reply the transcript showed before it,
    /// while nothing waited, may be its answer (decided when the next reply comes, or at the end).
    pub(super) fn take_early(&mut self) {
        if !self.reorder {
            return;
        }
        let Some(pending) = self.pending.back_mut() else {
            return;
        };
        // One reply alone between two commands, fit for the second, is how a log that prints
        // replies first looks; several, or one that fits not, are replies to lines not shown.
        let lone = self.early.len() == 1;
        while let Some(early) = self.early.pop_front() {
            if can_answer(self.protocol, &pending.command, early.code) {
                pending.early = Some(Box::new(early));
                self.lead = if lone {
                    self.lead.saturating_add(1)
                } else {
                    self.lead.saturating_sub(1)
                };
                return;
            }
            self.lead = self.lead.saturating_sub(1);
            pending.unasked.push(early);
        }
    }

    /// Which waiting command `reply` answers: the oldest, unless the protocol rules that out
    /// and a later one can take it. A reply shown before the oldest command that the protocol
    /// says is its answer is delivered first. Transcripts only: in wire order `deliver`
    /// answers the oldest itself.
    pub(super) fn answer(&mut self, reply: Reply) -> Option<(usize, Reply)> {
        let first = self.pending.iter().position(|p| p.reply.is_none())?;
        let fits_first = can_answer(self.protocol, &self.pending[first].command, reply.code);
        if let Some(early) = self.pending[first].early.take() {
            if fits_first && !self.replies_lead() {
                // In line order after all; the reply shown before the command answered nothing.
                self.lead = self.lead.saturating_sub(1);
                self.pending[first].unasked.push(*early);
            } else {
                let command = self.pending[first].command.origin;
                self.paired_note(
                    early.origin,
                    NoteText::ReplyBeforeCommand {
                        reply: early.origin.text(),
                        command: command.text(),
                    },
                );
                self.answer_with(first, *early);
                self.deliver(reply);
                return None;
            }
        }
        if fits_first {
            self.lead = self.lead.saturating_sub(1);
            return Some((first, reply));
        }
        let later = self
            .pending
            .iter()
            .enumerate()
            .skip(first + 1)
            .find(|(_, p)| p.reply.is_none() && can_answer(self.protocol, &p.command, reply.code))
            .map(|(index, _)| index);
        let Some(target) = later else {
            // Nothing can take it: in line order, as a server that misbehaves would send it.
            self.lead = self.lead.saturating_sub(1);
            return Some((first, reply));
        };
        let (waiting, answered) = (
            self.pending[first].command.origin,
            self.pending[target].command.origin,
        );
        self.paired_note(
            reply.origin,
            NoteText::ReplySkipsWaiting {
                reply: reply.origin.text(),
                answered: answered.text(),
                waiting: waiting.text(),
            },
        );
        Some((target, reply))
    }

    /// Whether this transcript, so far, prints a reply before the command it answers.
    fn replies_lead(&self) -> bool {
        self.lead > 0
    }

    /// A reply while the client is about to send its message (DATA answered, no line of
    /// the message yet) in a transcript that prints replies first: the reply to the message,
    /// shown before it, not a sign that the message was left out.
    pub(super) fn reply_leads_message(&self) -> bool {
        self.reorder && self.replies_lead() && self.client.is_message_started() == Some(false)
    }

    /// The client waits for the reply to its last command (DATA, AUTH, STARTTLS) and the
    /// transcript showed that reply before the command: it is the answer now, since the
    /// client's next lines mean what it says (a `354` shown before DATA makes them a message).
    pub(super) fn answer_wait_early(&mut self) -> bool {
        let Some(index) = self.pending.len().checked_sub(1) else {
            return false;
        };
        let waiting = &mut self.pending[index];
        if waiting.reply.is_some() || waiting.effect == Effect::None {
            return false;
        }
        let Some(early) = waiting.early.take() else {
            return false;
        };
        let command = waiting.command.origin;
        self.paired_note(
            early.origin,
            NoteText::ReplyBeforeCommand {
                reply: early.origin.text(),
                command: command.text(),
            },
        );
        self.answer_with(index, *early);
        true
    }

    /// The conversation ends: a reply shown before a command that got no other is its
    /// answer; replies that came when nothing waited stay unasked-for.
    pub(super) fn settle_early(&mut self) {
        while let Some(index) = self
            .pending
            .iter()
            .position(|p| p.reply.is_none() && p.early.is_some())
        {
            let Some(early) = self.pending[index].early.take() else {
                break;
            };
            let command = self.pending[index].command.origin;
            self.paired_note(
                early.origin,
                NoteText::ReplyBeforeCommand {
                    reply: early.origin.text(),
                    command: command.text(),
                },
            );
            self.answer_with(index, *early);
        }
        while let Some(early) = self.early.pop_front() {
            self.exchanges.push(crate::session::Exchange {
                command: None,
                reply: Some(early),
            });
        }
    }

    /// `reply` answers the waiting command at `target`.
    pub(super) fn answer_with(&mut self, target: usize, reply: Reply) {
        self.answered += 1;
        let code = reply.code;
        let origin = reply.origin;
        let effect = self.pending[target].effect;
        if target == 0 {
            // The oldest (in a capture, always): an exchange now, without the reply being
            // moved into the queue and out again (issue 18).
            if let Some(pending) = self.pending.pop_front() {
                self.push_settled(pending, Some(reply));
            }
        } else {
            self.pending[target].reply = Some(Box::new(reply));
        }
        self.settle_answered();
        if effect != Effect::None && self.client.waiting_for(effect) {
            let tls = self.client.resolve(effect, code);
            if tls {
                self.start_encryption(origin, NoteText::TlsAccepted);
            }
        }
        self.pump_client();
    }
}
