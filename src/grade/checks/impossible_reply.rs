//! `impossible-reply`: every reply is one a server can give to the command before it.
//!
//! **What**: the reply code is among those RFC 5321 §4.3.2 (or RFC 1939 for POP3) lists for
//! the command, a `235` / `334` answers an AUTH exchange that was started, and a message is
//! only accepted after DATA was answered `354`.
//!
//! **Why**: a `354` after MAIL or a `235` with no AUTH never comes from a server: the
//! transcript was likely edited or pieced together from different sessions.
//!
//! **Example**: `C: MAIL FROM:<a@b>` / `S: 354 End data with <CR><LF>.<CR><LF>`.

use super::{CheckFn, Context};
use crate::grade::align::Said;
use crate::grade::evidence::evidence;
use crate::grade::model::{Finding, FindingSeverity};
use crate::i18n::messages::checks::ImpossibleReplyMessage;
use crate::protocol::replies::Turn;
use crate::protocol::{sasl, Verb};
use crate::scenario::{codes, Label};
use crate::session::ReplyCode;

pub const CHECK: CheckFn = CheckFn {
    id: "impossible-reply",
    run,
};

fn run(context: &Context<'_>) -> Vec<Finding> {
    // The replies the student claims; a replay server's are possible by construction.
    let session = context.submitted();
    // What the exchanges sent, as aligning found it, when the session handed in is the one
    // graded.
    let known: &[Said<'_>] = match context.claimed {
        None => context.said,
        Some(_) => &[],
    };
    let mut findings = Vec::new();
    let mut auth_open = false;
    let mut data_open = false;
    for (index, exchange) in session.exchanges.iter().enumerate() {
        let Some(reply) = &exchange.reply else {
            continue;
        };
        // Typed: building a label (a verb's name copied) per exchange was most of the check.
        let said = match known.get(index) {
            Some(&said) => said,
            None => Said::of_exchange(exchange),
        };
        let turn = said.turn();
        let possible = codes::is_possible_after(session.protocol, turn, reply.code);
        let orphan_auth = said == Said::AuthResponse && !auth_open;
        let orphan_message = said == Said::Message && !data_open && reply.code.is_positive();
        data_open = match turn {
            Turn::Command(Some(Verb::Data)) => {
                matches!(reply.code, ReplyCode::Smtp(code) if code.value() == 354)
            }
            // A BDAT chunk may be read as a message of its own.
            Turn::Command(Some(Verb::Bdat)) => true,
            _ => false,
        };
        // Only a challenge (334, `+`) after AUTH or an AUTH answer keeps the exchange open.
        let challenge = sasl::is_challenge(reply.code);
        auth_open =
            challenge && (said == Said::AuthResponse || turn == Turn::Command(Some(Verb::Auth)));
        let code = || reply.code.to_string();
        let message = if !possible {
            ImpossibleReplyMessage::NoServerGives {
                code: code(),
                label: Label::of(exchange).to_string(),
            }
        } else if orphan_auth {
            ImpossibleReplyMessage::AuthAnswerWithoutAuth { code: code() }
        } else if orphan_message {
            ImpossibleReplyMessage::MessageWithoutData { code: code() }
        } else {
            continue;
        };
        findings.push(Finding {
            check: CHECK.id,
            severity: FindingSeverity::Warning,
            message: message.text(),
            evidence: evidence(session, index),
        });
    }
    findings
}
