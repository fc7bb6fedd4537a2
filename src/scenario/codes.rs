//! Which commands exist per protocol and which replies a server can give to each, so a
//! scenario that expects `354` after MAIL is rejected when it loads and the grader can flag a
//! transcript whose replies no server would give.
//!
//! SMTP replies follow RFC 5321 §4.3.2 plus AUTH (RFC 4954 §6) and STARTTLS (RFC 3207 §4);
//! codes a server gives to any command (421, 500, 501, 502 for most) are added per verb.
//!
//! The verb lists belong with the protocol grammar; they live here until `protocol` exposes
//! them (then this module should read them from there).

use crate::session::{Pop3Status, Protocol, ReplyCode};

use super::model::{CodePattern, Label};

pub const SMTP_VERBS: &[&str] = &[
    "HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "VRFY", "EXPN", "HELP", "QUIT",
    "STARTTLS", "AUTH",
];

pub const POP3_VERBS: &[&str] = &[
    "USER", "PASS", "APOP", "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET", "NOOP", "QUIT",
    "CAPA", "STLS", "AUTH",
];

/// Commands that change nothing a scenario cares about, allowed between steps by default.
pub fn default_harmless(protocol: Protocol) -> Vec<String> {
    let verbs: &[&str] = match protocol {
        Protocol::Smtp => &["NOOP", "RSET", "HELP"],
        Protocol::Pop3 => &["NOOP", "CAPA"],
        Protocol::Tls => &[],
    };
    verbs.iter().map(|v| v.to_string()).collect()
}

pub fn verbs(protocol: Protocol) -> &'static [&'static str] {
    match protocol {
        Protocol::Smtp => SMTP_VERBS,
        Protocol::Pop3 => POP3_VERBS,
        Protocol::Tls => &[],
    }
}

/// The SMTP codes a server may answer `label` with.
pub fn smtp_replies(label: &Label) -> &'static [u16] {
    match label {
        Label::Greeting => &[220, 421, 554],
        Label::Verb(verb) => match verb.as_str() {
            "HELO" | "EHLO" => &[250, 421, 500, 501, 502, 504, 550],
            "MAIL" => &[
                250, 421, 451, 452, 455, 500, 501, 503, 530, 550, 552, 553, 555,
            ],
            "RCPT" => &[
                250, 251, 252, 421, 450, 451, 452, 455, 500, 501, 503, 530, 550, 551, 552, 553, 555,
            ],
            "DATA" => &[354, 421, 451, 452, 500, 501, 503, 530, 554],
            "BDAT" => &[250, 421, 451, 452, 500, 501, 503, 530, 552, 554],
            "RSET" | "NOOP" => &[250, 421, 500, 501],
            "VRFY" | "EXPN" => &[250, 251, 252, 421, 500, 501, 502, 504, 550, 551, 553],
            "HELP" => &[211, 214, 421, 500, 501, 502, 504],
            "QUIT" => &[221, 421, 500, 501],
            "STARTTLS" => &[220, 421, 454, 500, 501, 502, 503],
            "AUTH" => &[
                235, 334, 421, 432, 454, 500, 501, 502, 503, 504, 530, 534, 535, 538,
            ],
            _ => &[421, 500, 502],
        },
        Label::AuthResponse => &[235, 334, 421, 432, 454, 500, 501, 535, 538, 534],
        Label::AuthCancel => &[501, 421],
        Label::Message => &[250, 421, 450, 451, 452, 550, 552, 554],
    }
}

/// The POP3 statuses a server may answer `label` with.
pub fn pop3_replies(label: &Label) -> &'static [Pop3Status] {
    match label {
        Label::Verb(verb) if verb == "AUTH" => {
            &[Pop3Status::Ok, Pop3Status::Err, Pop3Status::Continue]
        }
        Label::AuthResponse => &[Pop3Status::Ok, Pop3Status::Err, Pop3Status::Continue],
        Label::Message => &[],
        _ => &[Pop3Status::Ok, Pop3Status::Err],
    }
}

/// Whether a server of `protocol` can answer `label` with a reply matching `pattern`.
pub fn can_reply(protocol: Protocol, label: &Label, pattern: CodePattern) -> bool {
    match (protocol, pattern) {
        (Protocol::Smtp, CodePattern::Exact(code)) => smtp_replies(label).contains(&code.value()),
        (Protocol::Smtp, CodePattern::Class(class)) => smtp_replies(label)
            .iter()
            .any(|code| code / 100 == u16::from(class)),
        (Protocol::Pop3, CodePattern::Pop3(status)) => pop3_replies(label).contains(&status),
        _ => false,
    }
}

/// Whether a server can give `code` in answer to `label`.
pub fn is_possible(protocol: Protocol, label: &Label, code: ReplyCode) -> bool {
    let pattern = match code {
        ReplyCode::Smtp(code) => CodePattern::Exact(code),
        ReplyCode::Pop3(status) => CodePattern::Pop3(status),
    };
    can_reply(protocol, label, pattern)
}

/// The labels a scenario of `protocol` may name in `send`.
pub fn label_exists(protocol: Protocol, label: &Label) -> bool {
    match (protocol, label) {
        (_, Label::Verb(verb)) => verbs(protocol).contains(&verb.as_str()),
        (Protocol::Pop3, Label::Message) => false,
        _ => true,
    }
}
