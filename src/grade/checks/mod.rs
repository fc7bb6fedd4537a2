//! Findings beyond points: one check per file, each documented with what it looks for, why
//! it matters and an example. A check reads the session (and the scenario) and returns
//! findings; it never changes points, except the scenario's own message checks.

mod auth_base64;
mod auth_user;
mod connect_target;
mod encrypted;
mod impossible_reply;
pub mod message_content;
mod replay_integrity;
mod unsure_reading;

use super::align::Said;
use super::model::Finding;
use crate::scenario::Scenario;
use crate::session::Session;

/// What a check may look at.
pub struct Context<'a> {
    /// The session graded: the claimed one, or the replayed one when replay ran.
    pub session: &'a Session,
    /// What `session`'s aligned exchanges sent ([`Said::of_session`]), found once for
    /// aligning it.
    pub(in crate::grade) said: &'a [Said<'a>],
    pub scenario: &'a Scenario,
    /// The session as the submission claims it, when `session` is its replay.
    pub claimed: Option<&'a Session>,
}

impl Context<'_> {
    /// What the student handed in (the claimed session, even when grading a replay).
    pub fn submitted(&self) -> &Session {
        self.claimed.unwrap_or(self.session)
    }
}

/// A check: its id and the function that runs it.
pub struct CheckFn {
    pub id: &'static str,
    pub run: fn(&Context<'_>) -> Vec<Finding>,
}

/// Every finding check, in the order findings are listed.
pub const CHECKS: &[CheckFn] = &[
    unsure_reading::CHECK,
    connect_target::CHECK,
    encrypted::CHECK,
    auth_base64::CHECK,
    auth_user::CHECK,
    impossible_reply::CHECK,
    message_content::CHECK,
    replay_integrity::CHECK,
];

pub fn run_all(context: &Context<'_>) -> Vec<Finding> {
    // A plain loop: most checks find nothing, and chaining their lists through `flat_map`
    // cost more than running some of them.
    let mut findings = Vec::new();
    for check in CHECKS {
        let found = (check.run)(context);
        if findings.is_empty() {
            findings = found;
        } else {
            findings.extend(found);
        }
    }
    findings
}
