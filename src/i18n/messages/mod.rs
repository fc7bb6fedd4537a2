//! The catalogues: every text mailgrade writes for people, in `src/i18n/messages/*.toml`, one
//! file per part of the program that writes (`checks.toml` for `grade/checks/`, `report.toml`
//! for `report/`, …). `build.rs` compiles each file into a module of the same name here, each
//! catalogue in it into an enum of its message ids (see [`catalogue`](super::catalogue)).

use super::Template;

/// The values a rule's feedback fills in (`rules.toml`): the exchange the rule explains.
/// Each is a text in both languages, as a verb or a code reads the same in both but
/// "no reply" or "at least 2" does not.
#[derive(Debug, Default)]
pub struct RuleArgs {
    /// What was sent, secrets redacted.
    pub command: super::Text,
    /// The reply it got.
    pub code: super::Text,
    /// What the scenario expects.
    pub expected: super::Text,
    /// Where it was sent: `12:4` / `第 12:4 行` for a text line, `frame 5` / `第 5 帧`.
    pub line: super::Text,
}

include!(concat!(env!("OUT_DIR"), "/i18n_catalogues.rs"));
