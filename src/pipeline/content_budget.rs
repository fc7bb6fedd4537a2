//! A budget of message bytes per submission: the bodies kept for grading (messages after
//! DATA, messages fetched with RETR) add up to at most [`SUBMISSION_CONTENT`]. Past it a body
//! keeps only its size, as if the submission had shown just that: its headers are not
//! checked and replay sends a stand-in. A note on the file says so. One message is already
//! capped where it is read; this caps a submission of many files of many messages.

use crate::i18n::messages::notes::NoteText;
use crate::session::{CommandKind, Content, Note, NoteKind, Origin, Session};

/// Message bytes one submission keeps for grading.
pub const SUBMISSION_CONTENT: u64 = 64 << 20;

/// Counts the bodies of `sessions` against what the submission has `used` so far; drops
/// the bytes of those past the budget and says so in a note.
pub fn keep_within(sessions: &mut [Session], used: &mut u64) -> Option<Note> {
    let mut charge = Charge::new(used);
    for session in sessions {
        charge.session(session);
    }
    charge.note()
}

/// One file's sessions counted against the budget one by one, as they are read; the note
/// (if any) once the file is done.
pub struct Charge<'a> {
    used: &'a mut u64,
    dropped: usize,
    first: Option<Origin>,
}

impl<'a> Charge<'a> {
    pub fn new(used: &'a mut u64) -> Self {
        Charge {
            used,
            dropped: 0,
            first: None,
        }
    }

    pub fn session(&mut self, session: &mut Session) {
        for exchange in &mut session.exchanges {
            let origin = exchange.command.as_ref().map(|c| c.origin);
            let command = exchange.command.as_mut().and_then(|c| match &mut c.kind {
                CommandKind::Message { content } => Some(content),
                _ => None,
            });
            let body = exchange.reply.as_mut().and_then(|r| r.body.as_deref_mut());
            for content in command.into_iter().chain(body) {
                if charge(content, self.used) {
                    self.dropped += 1;
                    self.first.get_or_insert(origin.unwrap_or_default());
                }
            }
        }
    }

    pub fn note(self) -> Option<Note> {
        let dropped = self.dropped;
        (dropped > 0).then(|| Note {
            kind: NoteKind::Truncated,
            origin: self.first.unwrap_or_default(),
            detail: NoteText::BodiesNotKept {
                dropped,
                mib: SUBMISSION_CONTENT >> 20,
            }
            .text(),
        })
    }
}

/// Whether the body had to be dropped.
fn charge(content: &mut Content, used: &mut u64) -> bool {
    let Some(bytes) = &content.bytes else {
        return false;
    };
    let size = bytes.len() as u64;
    if used.saturating_add(size) <= SUBMISSION_CONTENT {
        *used += size;
        return false;
    }
    content.bytes = None;
    content.size = Some(size);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Command, Exchange, Protocol, Source};

    fn message(size: usize, line: u32) -> Exchange {
        Exchange {
            command: Some(Command::new(
                CommandKind::Message {
                    content: Content::from_bytes(vec![b'x'; size]),
                },
                Origin::line(line),
            )),
            reply: None,
        }
    }

    #[test]
    fn bodies_past_the_budget_keep_only_their_size() {
        let quarter = (SUBMISSION_CONTENT / 4) as usize;
        let mut first = Session::new(Protocol::Smtp, Source::default());
        first.exchanges = vec![message(quarter, 1), message(quarter, 2)];
        let mut second = Session::new(Protocol::Smtp, Source::default());
        second.exchanges = vec![message(quarter, 3), message(2 * quarter, 4), message(10, 5)];
        let mut used = 0;
        assert!(keep_within(std::slice::from_mut(&mut first), &mut used).is_none());
        let note = keep_within(std::slice::from_mut(&mut second), &mut used).expect("a note");
        assert_eq!(note.origin, Origin::line(4));
        assert!(
            note.detail
                .en
                .starts_with("1 message bodies past the 64 MiB"),
            "{}",
            note.detail.en
        );
        let kept: Vec<bool> = second
            .exchanges
            .iter()
            .map(|e| match &e.command.as_ref().unwrap().kind {
                CommandKind::Message { content } => !content.is_elided(),
                _ => unreachable!(),
            })
            .collect();
        // The small one after the dropped one still fits.
        assert_eq!(kept, vec![true, false, true]);
        let dropped = match &second.exchanges[1].command.as_ref().unwrap().kind {
            CommandKind::Message { content } => content.size,
            _ => None,
        };
        assert_eq!(dropped, Some(2 * quarter as u64));
    }
}
