//! `auth-user`: the AUTH LOGIN user name decodes to an e-mail address.
//!
//! **What**: the first answer after `AUTH LOGIN` (or its initial response) is the user name;
//! decoded from base64 it should look like `local@domain`.
//!
//! **Why**: mail providers (QQ Mail, the lab server) log in by address; a user name that
//! decodes to something else is usually the password typed first, or a wrong encoding.
//!
//! **Example**: `C: AUTH LOGIN` / `S: 334 VXNlcm5hbWU6` / `C: MTIzNDU2` (decodes to a number).
//!
//! The decoded value is never put in a finding: the message only says it is not an address.

use super::{CheckFn, Context};
use crate::grade::evidence::evidence;
use crate::grade::model::{Finding, FindingSeverity};
use crate::i18n::messages::checks::AuthUserMessage;
use crate::protocol::sasl::{self, SaslError};
use crate::protocol::Verb;
use crate::session::{CommandKind, Secret};

pub const CHECK: CheckFn = CheckFn {
    id: "auth-user",
    run,
};

/// Whether the payload decodes to an address; `None` when it does not decode at all.
fn decodes_to_address(secret: &Secret) -> Option<bool> {
    sasl::with_decoded(secret, |text| match text {
        Ok(text) => Some(is_address(text)),
        Err(SaslError::InvalidBase64) => None,
        Err(_) => Some(false),
    })
}

/// Whether a decoded user name looks like `local@domain`.
fn is_address(text: &str) -> bool {
    let text = text.trim();
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn run(context: &Context<'_>) -> Vec<Finding> {
    let exchanges = &context.session.exchanges;
    let mut findings = Vec::new();
    for (index, exchange) in exchanges.iter().enumerate() {
        let Some(CommandKind::Line { request, args, .. }) =
            exchange.command.as_ref().map(|c| &c.kind)
        else {
            continue;
        };
        if request.verb() != Some(Verb::Auth) || !args.text.trim().eq_ignore_ascii_case("LOGIN") {
            continue;
        }
        // The user name: the initial response, else the answer to the first 334.
        let user = match &args.secret {
            Some(secret) => Some((index, secret)),
            None => exchanges.get(index + 1).and_then(|next| {
                match next.command.as_ref().map(|c| &c.kind) {
                    Some(CommandKind::AuthResponse { payload }) => Some((index + 1, payload)),
                    _ => None,
                }
            }),
        };
        let Some((at, user)) = user else { continue };
        // Undecodable payloads are auth-base64's finding.
        if decodes_to_address(user) != Some(false) {
            continue;
        }
        findings.push(Finding {
            check: CHECK.id,
            severity: FindingSeverity::Warning,
            message: AuthUserMessage::NotAnAddress.text(),
            evidence: evidence(context.session, at),
        });
    }
    findings
}
