//! `encrypted`: the session switched to TLS, so what followed cannot be graded.
//!
//! **What**: after STARTTLS / STLS (or on an implicit-TLS port) the capture holds only
//! encrypted records; ingest marks the exchange after which that happened.
//!
//! **Why**: steps after that point show up as missing; the student should know why, and that
//! a capture without TLS (or a transcript) is needed for them.
//!
//! **Example**: `C: STARTTLS` / `S: 220 Ready to start TLS` / (TLS records).

use super::{CheckFn, Context};
use crate::grade::evidence::evidence;
use crate::grade::model::{Finding, FindingSeverity};
use crate::i18n::messages::checks::EncryptedMessage;

pub const CHECK: CheckFn = CheckFn {
    id: "encrypted",
    run,
};

fn run(context: &Context<'_>) -> Vec<Finding> {
    let Some(after) = context.session.encrypted_after else {
        return Vec::new();
    };
    vec![Finding {
        check: CHECK.id,
        severity: FindingSeverity::Warning,
        message: EncryptedMessage::SwitchedToTls.text(),
        evidence: evidence(context.session, after),
    }]
}
