//! The replayed session: the claimed session's commands, in order, each with the reply the
//! replay server gave (or none, when it was not sent). Same shape as a claimed session, so
//! the grader reads it the same way; reply origins are `replay #n`.

use super::client::{Event, Recorded};
use crate::session::{Exchange, Origin, Session};

pub(crate) fn replayed_session(
    claimed: &Session,
    recorded: &Recorded,
    stopped_at_tls: bool,
) -> Session {
    let dialogue = &recorded.dialogue;
    let mut out = Session {
        protocol: claimed.protocol,
        source: claimed.source.clone(),
        connect: claimed.connect.clone(),
        exchanges: Vec::with_capacity(claimed.exchanges.len()),
        notes: claimed.notes.clone(),
        encrypted_after: None,
        tls: None,
        reading: None,
    };
    let claimed_command =
        |index: usize| claimed.exchanges.get(index).and_then(|e| e.command.clone());
    let mut replies = dialogue.exchanges.iter().enumerate().peekable();
    let push = |out: &mut Session, dialogue_index: Option<usize>, exchange: Exchange| {
        if dialogue_index.is_some() && dialogue_index == dialogue.encrypted_after {
            out.encrypted_after = Some(out.exchanges.len());
        }
        out.exchanges.push(exchange);
    };
    for event in &recorded.events {
        match *event {
            Event::Skipped { claimed } => {
                let exchange = Exchange {
                    command: claimed_command(claimed),
                    reply: None,
                };
                push(&mut out, None, exchange);
            }
            Event::Sent { claimed } => {
                // The greeting and anything the server said unasked come first.
                while let Some((index, exchange)) = replies.next_if(|(_, e)| e.command.is_none()) {
                    push(&mut out, Some(index), exchange.clone());
                }
                let Some((index, exchange)) = replies.next() else {
                    continue;
                };
                let command = claimed
                    .and_then(claimed_command)
                    .or_else(|| exchange.command.clone());
                push(
                    &mut out,
                    Some(index),
                    Exchange {
                        command,
                        reply: exchange.reply.clone(),
                    },
                );
            }
        }
    }
    for (index, exchange) in replies {
        push(&mut out, Some(index), exchange.clone());
    }
    if !stopped_at_tls {
        for &index in &recorded.unsent {
            let exchange = Exchange {
                command: claimed_command(index),
                reply: None,
            };
            push(&mut out, None, exchange);
        }
    }
    for (index, exchange) in out.exchanges.iter_mut().enumerate() {
        if let Some(reply) = &mut exchange.reply {
            reply.origin = Origin::Replay {
                index: u32::try_from(index).unwrap_or(u32::MAX),
            };
        }
    }
    out
}
