//! `unsure-reading`: the reader was not sure which lines of a transcript are the client's.
//!
//! **What**: reading a text file, ingest learns its direction markers and records doubts: a
//! marker whose lines parse as both commands and replies, many lines whose side was guessed
//! from the protocol, many client lines that are no command where no marker told the sides.
//!
//! **Why**: a grade on a misread dialogue loses or gives points for what the student never
//! did; saying so lets the student or TA check the reading (`mailgrade extract`) instead of
//! trusting a silent guess.
//!
//! **Example**: a log whose `>` lines are commands on one page and replies on the next.

use super::{CheckFn, Context};
use crate::grade::evidence::evidence;
use crate::grade::model::{Finding, FindingSeverity};
use crate::i18n::messages::checks::UnsureReadingMessage;
use crate::i18n::{List, Separator};
use crate::session::Doubt;

pub const CHECK: CheckFn = CheckFn {
    id: "unsure-reading",
    run,
};

fn run(context: &Context<'_>) -> Vec<Finding> {
    let session = context.submitted();
    let Some(reading) = session.reading.as_ref().filter(|r| !r.is_sure()) else {
        return Vec::new();
    };
    let doubts = reading.doubts.iter().map(Doubt::message).collect();
    vec![Finding {
        check: CHECK.id,
        severity: FindingSeverity::Warning,
        message: UnsureReadingMessage::Unsure {
            doubts: List::new(doubts, Separator::Semicolon),
        }
        .text(),
        evidence: evidence(session, 0),
    }]
}
