//! Which commands a scenario may name per protocol and which replies a server can give to
//! each, so a scenario that expects `354` after MAIL is rejected when it loads and the grader
//! can flag a transcript whose replies no server would give. The facts are `protocol`'s
//! ([`Verb::of`], [`replies`]); this module asks them about a scenario's [`Label`]s.

use crate::protocol::replies::{self, Turn};
use crate::protocol::Verb;
use crate::session::{Protocol, ReplyCode};

use super::model::{CodePattern, Label};

/// Commands that change nothing a scenario cares about, allowed between steps by default.
pub fn default_harmless(protocol: Protocol) -> Vec<String> {
    let verbs: &[Verb] = match protocol {
        Protocol::Smtp => &[Verb::Noop, Verb::Rset, Verb::Help],
        Protocol::Pop3 => &[Verb::Noop, Verb::Capa],
        Protocol::Tls => &[],
    };
    verbs.iter().map(|v| v.to_string()).collect()
}

/// Whether a server of `protocol` can answer `label` with a reply matching `pattern`.
pub fn can_reply(protocol: Protocol, label: &Label, pattern: CodePattern) -> bool {
    let turn = label.turn();
    match (protocol, pattern) {
        (Protocol::Smtp, CodePattern::Exact(code)) => {
            replies::smtp_codes(turn).contains(&code.value())
        }
        (Protocol::Smtp, CodePattern::Class(class)) => replies::smtp_codes(turn)
            .iter()
            .any(|code| code / 100 == u16::from(class)),
        (Protocol::Pop3, CodePattern::Pop3(status)) => {
            replies::pop3_statuses(turn).contains(&status)
        }
        _ => false,
    }
}

/// Whether a server can give `code` in answer to `label`.
pub fn is_possible(protocol: Protocol, label: &Label, code: ReplyCode) -> bool {
    is_possible_after(protocol, label.turn(), code)
}

/// [`is_possible`], for what the client sent as the reply tables know it.
pub fn is_possible_after(protocol: Protocol, turn: Turn, code: ReplyCode) -> bool {
    match (protocol, code) {
        (Protocol::Smtp, ReplyCode::Smtp(code)) => {
            replies::smtp_codes(turn).contains(&code.value())
        }
        (Protocol::Pop3, ReplyCode::Pop3(status)) => replies::pop3_statuses(turn).contains(&status),
        _ => false,
    }
}

/// The labels a scenario of `protocol` may name in `send`.
pub fn label_exists(protocol: Protocol, label: &Label) -> bool {
    match (protocol, label) {
        (_, Label::Verb(_)) => label.as_verb().is_some_and(|verb| verb.is_in(protocol)),
        (Protocol::Pop3, Label::Message) => false,
        _ => true,
    }
}
