//! `auth-base64`: every AUTH payload is valid base64.
//!
//! **What**: the AUTH LOGIN user name and password, an AUTH PLAIN initial response, and every
//! answer to a `334` challenge must decode as base64 (RFC 4954 §4). `*` (cancel) is fine.
//!
//! **Why**: a server answers an undecodable payload with 501; a transcript that shows 235
//! after one was probably edited, and a student typing the plain password has exposed it.
//!
//! **Example**: `S: 334 VXNlcm5hbWU6` / `C: student@lab.test` (plain text, not base64).
//!
//! The payload is only decoded (by `protocol::sasl`); no output names it.

use super::{CheckFn, Context};
use crate::grade::evidence::evidence;
use crate::grade::model::{Finding, FindingSeverity};
use crate::i18n::messages::checks::AuthBase64Message;
use crate::protocol::sasl::{self, SaslError};
use crate::protocol::Verb;
use crate::session::{CommandKind, Secret};

pub const CHECK: CheckFn = CheckFn {
    id: "auth-base64",
    run,
};

/// Whether a SASL payload decodes as base64 (`=` is the empty initial response); an empty
/// line is not a payload either.
fn is_base64(secret: &Secret) -> bool {
    !secret.expose().trim().is_empty()
        && sasl::with_decoded(secret, |text| {
            !matches!(text, Err(SaslError::InvalidBase64))
        })
}

fn run(context: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, exchange) in context.session.exchanges.iter().enumerate() {
        let Some(command) = &exchange.command else {
            continue;
        };
        let payload = match &command.kind {
            CommandKind::AuthResponse { payload } => Some(payload),
            CommandKind::Line { args, .. } if command.verb() == Some(Verb::Auth) => {
                args.secret.as_ref()
            }
            _ => None,
        };
        let Some(payload) = payload else { continue };
        if is_base64(payload) {
            continue;
        }
        findings.push(Finding {
            check: CHECK.id,
            severity: FindingSeverity::Error,
            message: AuthBase64Message::NotBase64 {
                at: command.origin.text(),
            }
            .text(),
            evidence: evidence(context.session, index),
        });
    }
    findings
}
