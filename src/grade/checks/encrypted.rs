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
use crate::scenario::Text;

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
        message: Text::new(
            "The connection switched to TLS here: everything after it is encrypted and could not be graded. Turn off SSL/STARTTLS in the client for the capture, or hand in a telnet transcript.",
            "连接在此处切换为 TLS：之后的内容已加密，无法评分。抓包时请在客户端中关闭 SSL/STARTTLS，或提交 telnet 记录。",
        ),
        evidence: evidence(context.session, after),
    }]
}
