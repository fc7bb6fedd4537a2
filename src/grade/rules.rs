//! The protocol rules that explain lost points, one table entry per rule.
//!
//! Each rule says what it is, why it matters and gives an example, and carries the feedback
//! in English and Simplified Chinese (`i18n/messages/rules.toml`), which fills in `{command}`
//! (what was sent), `{code}` (the reply it got), `{expected}` (what the scenario expects) and
//! `{line}`.
//!
//! Which order rule a refused command broke is asked of the protocol's state machines
//! walked once over the claimed dialogue (`order.rs`); the ids of those rules
//! are the ids here (POP3's with a `pop3-` prefix), so the server's 503 and the grader's
//! explanation name the same rule. Other refusals are explained by their reply code.

use crate::i18n::messages::rules::{RuleFeedback, RuleWord};
use crate::i18n::messages::RuleArgs;
use crate::i18n::Text;
use crate::protocol::replies::{self, Refusal};
use crate::protocol::Verb;
use crate::scenario::Label;
use crate::session::{Exchange, Origin, Protocol, ReplyCode, Session};

/// A documented protocol rule with its feedback.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    /// What the rule says.
    pub what: &'static str,
    /// Why a server enforces it.
    pub why: &'static str,
    /// A dialogue that breaks it.
    pub example: &'static str,
    /// Its feedback, in the catalogue.
    pub message: RuleFeedback,
}

impl Rule {
    /// The feedback with the exchange's values filled in.
    pub fn feedback(&self, args: &RuleArgs) -> Text {
        self.message.text(args)
    }
}

pub const HELLO_FIRST: Rule = Rule {
    id: "hello-first",
    what: "A client greets the server with EHLO or HELO before any mail command.",
    why: "RFC 5321 §4.1.4: the session starts with EHLO/HELO; servers answer 503 to MAIL, RCPT, DATA or AUTH before it.",
    example: "S: 220 … / C: MAIL FROM:<a@b> / S: 503 Error: send HELO/EHLO first",
    message: RuleFeedback::HelloFirst,
};

pub const MAIL_BEFORE_RCPT: Rule = Rule {
    id: "mail-before-rcpt",
    what: "RCPT TO comes only after a MAIL FROM was accepted.",
    why: "RFC 5321 §3.3: a mail transaction starts with MAIL; recipients belong to a transaction.",
    example: "C: RCPT TO:<b@c> / S: 503 Error: need MAIL command",
    message: RuleFeedback::MailBeforeRcpt,
};

pub const RCPT_BEFORE_DATA: Rule = Rule {
    id: "rcpt-before-data",
    what: "DATA (or BDAT) comes inside a mail transaction: after MAIL FROM and RCPT TO.",
    why: "RFC 5321 §3.3: DATA outside a transaction has no sender or recipients; Postfix answers 503 need RCPT command.",
    example: "C: EHLO x / S: 250 / C: DATA / S: 503 Error: need RCPT command",
    message: RuleFeedback::RcptBeforeData,
};

pub const NO_VALID_RECIPIENTS: Rule = Rule {
    id: "no-valid-recipients",
    what: "DATA needs at least one RCPT TO the server accepted.",
    why: "RFC 5321 §3.3: with no valid recipient there is nobody to deliver to; Postfix answers 554 no valid recipients.",
    example: "C: RCPT TO:<x@y> / S: 550 / C: DATA / S: 554 Error: no valid recipients",
    message: RuleFeedback::NoValidRecipients,
};

pub const NESTED_MAIL: Rule = Rule {
    id: "nested-mail",
    what: "MAIL starts a transaction only when none is open.",
    why: "RFC 5321 §4.1.1.2: a second MAIL inside a transaction is out of sequence (503); finish with DATA or RSET first.",
    example: "C: MAIL FROM:<a@b> / S: 250 / C: MAIL FROM:<a@b> / S: 503 Error: nested MAIL command",
    message: RuleFeedback::NestedMail,
};

pub const AUTH_NOT_NOW: Rule = Rule {
    id: "auth-not-now",
    what: "AUTH comes before MAIL FROM, outside a mail transaction.",
    why: "RFC 4954 §4: AUTH during a transaction is answered 503 (Postfix: MAIL transaction in progress).",
    example: "C: MAIL FROM:<a@b> / S: 250 / C: AUTH LOGIN / S: 503 Error: MAIL transaction in progress",
    message: RuleFeedback::AuthNotNow,
};

pub const ALREADY_AUTHENTICATED: Rule = Rule {
    id: "already-authenticated",
    what: "AUTH succeeds once per session.",
    why: "RFC 4954 §4: after a successful AUTH another one is answered 503.",
    example: "C: AUTH LOGIN / … / S: 235 / C: AUTH LOGIN / S: 503 Error: already authenticated",
    message: RuleFeedback::AlreadyAuthenticated,
};

pub const AUTH_REQUIRED: Rule = Rule {
    id: "auth-required",
    what: "Servers that need a login refuse MAIL until AUTH succeeded.",
    why: "RFC 4954 §6: 530 means authentication is required before the command.",
    example: "C: MAIL FROM:<a@b> / S: 530 Error: authentication required",
    message: RuleFeedback::AuthRequired,
};

pub const AUTH_FAILED: Rule = Rule {
    id: "auth-failed",
    what: "AUTH succeeds only with the right user name and password, both base64-encoded.",
    why: "RFC 4954 §6: 535 means the credentials were rejected. QQ Mail wants the authorisation code, not the account password.",
    example: "C: AUTH LOGIN / S: 334 VXNlcm5hbWU6 / C: <user> / S: 334 UGFzc3dvcmQ6 / C: <pass> / S: 535",
    message: RuleFeedback::AuthFailed,
};

pub const AUTH_BAD_PAYLOAD: Rule = Rule {
    id: "auth-bad-payload",
    what: "Each AUTH LOGIN answer is one line of base64.",
    why: "RFC 4954 §4: a response that cannot be decoded is answered 501 and the exchange is cancelled.",
    example: "S: 334 VXNlcm5hbWU6 / C: student@lab.test / S: 501 cannot decode response",
    message: RuleFeedback::AuthBadPayload,
};

pub const AUTH_MECHANISM: Rule = Rule {
    id: "auth-mechanism",
    what: "AUTH names a mechanism the server offers in its EHLO reply.",
    why: "RFC 4954 §4: an unknown mechanism is answered 504.",
    example: "C: AUTH CRAM-MD5 / S: 504 Unrecognized authentication type",
    message: RuleFeedback::AuthMechanism,
};

pub const ADDRESS_SYNTAX: Rule = Rule {
    id: "address-syntax",
    what: "MAIL FROM and RCPT TO take an address in angle brackets.",
    why: "RFC 5321 §4.1.2: the path is `<local@domain>`; servers answer 501 (or 553) to anything else.",
    example: "C: MAIL FROM: a@b / S: 501 Syntax: MAIL FROM:<address>",
    message: RuleFeedback::AddressSyntax,
};

pub const RECIPIENT_REJECTED: Rule = Rule {
    id: "recipient-rejected",
    what: "A server accepts recipients it delivers to or may relay for.",
    why: "RFC 5321 §3.6: 550/551/553/554 to RCPT mean no such mailbox or relaying denied.",
    example: "C: RCPT TO:<x@elsewhere> / S: 554 Relay access denied",
    message: RuleFeedback::RecipientRejected,
};

pub const SENDER_REJECTED: Rule = Rule {
    id: "sender-rejected",
    what: "The sender must be an address the server lets you send as.",
    why: "Mail providers refuse a MAIL FROM that is not the logged-in account (550/553).",
    example: "C: MAIL FROM:<someone-else@qq.com> / S: 501 mail from address must be same as authorization user",
    message: RuleFeedback::SenderRejected,
};

pub const MESSAGE_REJECTED: Rule = Rule {
    id: "message-rejected",
    what: "The message after DATA ends with a line holding only `.` and must be acceptable to the server.",
    why: "RFC 5321 §4.1.1.4: the server answers the whole message; 5xx means it refused it (spam, size, headers).",
    example: "C: <message> . / S: 554 DT:SPM message rejected",
    message: RuleFeedback::MessageRejected,
};

pub const UNKNOWN_COMMAND: Rule = Rule {
    id: "unknown-command",
    what: "Commands are spelled exactly as the RFC has them.",
    why:
        "RFC 5321 §4.2.4: 500/502 mean the server does not know or does not implement the command.",
    example: "C: EHL0 example.com / S: 502 Error: command not implemented",
    message: RuleFeedback::UnknownCommand,
};

pub const SYNTAX: Rule = Rule {
    id: "syntax",
    what: "A command's arguments follow its grammar.",
    why: "RFC 5321 §4.2.2: 501 means the arguments are malformed.",
    example: "C: HELO / S: 501 Syntax: HELO hostname",
    message: RuleFeedback::Syntax,
};

pub const SERVER_CLOSING: Rule = Rule {
    id: "server-closing",
    what: "421 means the server is closing the connection.",
    why: "RFC 5321 §3.8: after 421 nothing else is answered; idle sessions time out.",
    example: "S: 421 Timeout exceeded",
    message: RuleFeedback::ServerClosing,
};

pub const NO_REPLY: Rule = Rule {
    id: "no-reply",
    what: "Every command is answered; a command with no reply did not complete.",
    why: "A transcript or capture that shows no reply means the server never answered (or the submission was cut).",
    example: "C: DATA fragment … (no 250 after the message)",
    message: RuleFeedback::NoReply,
};

pub const WRONG_REPLY: Rule = Rule {
    id: "wrong-reply",
    what: "Each step expects a particular reply.",
    why: "A different reply means the server did not do what the step asks.",
    example: "C: AUTH LOGIN / S: 334 … (expected 235 after the password)",
    message: RuleFeedback::WrongReply,
};

pub const WRONG_ARGUMENTS: Rule = Rule {
    id: "wrong-arguments",
    what: "Some steps ask for particular arguments (AUTH LOGIN, not AUTH PLAIN).",
    why: "The lab asks for a specific form of the command.",
    example: "C: AUTH PLAIN … (the scenario asks for AUTH LOGIN)",
    message: RuleFeedback::WrongArguments,
};

pub const STEP_MISSING: Rule = Rule {
    id: "step-missing",
    what: "Every required step appears in the session.",
    why: "The scenario lists what the lab asks to do; a step not done earns nothing.",
    example: "(no RCPT TO between MAIL FROM and DATA)",
    message: RuleFeedback::StepMissing,
};

pub const OUT_OF_ORDER: Rule = Rule {
    id: "out-of-order",
    what: "Steps come in the order the protocol and the scenario give.",
    why: "SMTP and POP3 are state machines: a command is only valid in certain states.",
    example: "C: DATA … C: RCPT TO:<b@c>",
    message: RuleFeedback::OutOfOrder,
};

pub const GREETING_MISSING: Rule = Rule {
    id: "greeting-missing",
    what: "A session begins with the server's greeting.",
    why: "A transcript or capture without it was started after connecting, or is incomplete.",
    example: "(the first line is C: EHLO …)",
    message: RuleFeedback::GreetingMissing,
};

pub const QUIT_MISSING: Rule = Rule {
    id: "quit-missing",
    what: "A session ends with QUIT.",
    why: "RFC 5321 §4.1.1.10 / RFC 1939 §6: QUIT closes the session cleanly; in POP3 it is what commits DELE.",
    example: "(the connection closes after the last 250)",
    message: RuleFeedback::QuitMissing,
};

pub const POP3_DELE_NEEDS_QUIT: Rule = Rule {
    id: "pop3-dele-needs-quit",
    what: "POP3 deletes marked messages only when QUIT ends the session (UPDATE state).",
    why: "RFC 1939 §6: a connection that closes without QUIT leaves every message in place.",
    example: "C: DELE 1 / S: +OK / (connection closed)",
    message: RuleFeedback::Pop3DeleNeedsQuit,
};

pub const POP3_USER_BEFORE_PASS: Rule = Rule {
    id: "pop3-user-before-pass",
    what: "PASS follows an accepted USER.",
    why: "RFC 1939 §7: PASS is only valid right after USER.",
    example: "C: PASS secret / S: -ERR No username given",
    message: RuleFeedback::Pop3UserBeforePass,
};

pub const POP3_LOGIN_FAILED: Rule = Rule {
    id: "pop3-login-failed",
    what: "USER/PASS succeed only with the right account and password.",
    why: "RFC 1939 §7: -ERR to PASS means the credentials were rejected.",
    example: "C: USER a / S: +OK / C: PASS wrong / S: -ERR authentication failed",
    message: RuleFeedback::Pop3LoginFailed,
};

pub const POP3_LOGIN_FIRST: Rule = Rule {
    id: "pop3-login-first",
    what: "Mailbox commands work only after login (TRANSACTION state).",
    why: "RFC 1939 §3: in AUTHORIZATION state only USER, PASS, APOP, AUTH, CAPA, STLS and QUIT are valid.",
    example: "C: STAT / S: -ERR Unknown command in AUTHORIZATION state",
    message: RuleFeedback::Pop3LoginFirst,
};

pub const POP3_ALREADY_LOGGED_IN: Rule = Rule {
    id: "pop3-already-logged-in",
    what: "USER, PASS, APOP and AUTH are only valid before login (AUTHORIZATION state).",
    why: "RFC 1939 §3: in TRANSACTION state the login commands are answered -ERR.",
    example: "C: PASS x / S: +OK / C: USER a / S: -ERR",
    message: RuleFeedback::Pop3AlreadyLoggedIn,
};

pub const POP3_SESSION_OVER: Rule = Rule {
    id: "pop3-session-over",
    what: "Nothing follows QUIT.",
    why: "RFC 1939 §6: QUIT ends the session; the server closes the connection.",
    example: "C: QUIT / S: +OK / C: STAT",
    message: RuleFeedback::Pop3SessionOver,
};

pub const POP3_NO_SUCH_MESSAGE: Rule = Rule {
    id: "pop3-no-such-message",
    what: "RETR, DELE, LIST n and TOP take the number of a message that exists and is not deleted.",
    why: "RFC 1939 §5: -ERR no such message.",
    example: "C: RETR 9 / S: -ERR no such message",
    message: RuleFeedback::Pop3NoSuchMessage,
};

/// Every rule, for documentation and lookup.
pub const RULES: &[&Rule] = &[
    &HELLO_FIRST,
    &MAIL_BEFORE_RCPT,
    &RCPT_BEFORE_DATA,
    &NO_VALID_RECIPIENTS,
    &NESTED_MAIL,
    &AUTH_NOT_NOW,
    &ALREADY_AUTHENTICATED,
    &AUTH_REQUIRED,
    &AUTH_FAILED,
    &AUTH_BAD_PAYLOAD,
    &AUTH_MECHANISM,
    &ADDRESS_SYNTAX,
    &RECIPIENT_REJECTED,
    &SENDER_REJECTED,
    &MESSAGE_REJECTED,
    &UNKNOWN_COMMAND,
    &SYNTAX,
    &SERVER_CLOSING,
    &NO_REPLY,
    &WRONG_REPLY,
    &WRONG_ARGUMENTS,
    &STEP_MISSING,
    &OUT_OF_ORDER,
    &GREETING_MISSING,
    &QUIT_MISSING,
    &POP3_DELE_NEEDS_QUIT,
    &POP3_USER_BEFORE_PASS,
    &POP3_LOGIN_FAILED,
    &POP3_LOGIN_FIRST,
    &POP3_ALREADY_LOGGED_IN,
    &POP3_SESSION_OVER,
    &POP3_NO_SUCH_MESSAGE,
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.id == id)
}

/// Explains the refused replies of one session. Which order rule each command broke is
/// worked out once, in one pass, the first time a refusal needs it.
pub struct Explainer<'a> {
    session: &'a Session,
    broken: std::cell::OnceCell<Vec<Option<String>>>,
}

impl<'a> Explainer<'a> {
    pub fn new(session: &'a Session) -> Self {
        Explainer {
            session,
            broken: std::cell::OnceCell::new(),
        }
    }

    /// The rule that explains why the server refused (or did not answer) exchange `index`;
    /// `None` when the reply was positive.
    pub fn reply(&self, index: usize) -> Option<&'static Rule> {
        let exchange = self.session.exchanges.get(index)?;
        let turn = super::align::Said::of_exchange(exchange).turn();
        let Some(reply) = &exchange.reply else {
            return Some(&NO_REPLY);
        };
        if reply.code.is_positive() {
            return None;
        }
        let broken = self
            .broken
            .get_or_init(|| super::order::broken_rules(self.session));
        if let Some(broken) = broken.get(index).and_then(|id| rule(id.as_deref()?)) {
            return Some(broken);
        }
        match reply.code {
            ReplyCode::Smtp(code) => {
                Some(explain_refusal(replies::smtp_refusal(turn, code.value())))
            }
            ReplyCode::Pop3(_) => Some(explain_refusal(replies::pop3_refusal(turn))),
        }
    }
}

/// The rule that explains a refusal, by what the protocol says the reply means.
fn explain_refusal(refusal: Refusal) -> &'static Rule {
    match refusal {
        Refusal::ServerClosing => &SERVER_CLOSING,
        Refusal::UnknownCommand => &UNKNOWN_COMMAND,
        Refusal::AuthRequired => &AUTH_REQUIRED,
        Refusal::AuthMechanism => &AUTH_MECHANISM,
        Refusal::AuthFailed => &AUTH_FAILED,
        Refusal::AuthBadPayload => &AUTH_BAD_PAYLOAD,
        Refusal::AddressSyntax => &ADDRESS_SYNTAX,
        Refusal::SenderRejected => &SENDER_REJECTED,
        Refusal::RecipientRejected => &RECIPIENT_REJECTED,
        Refusal::NoValidRecipients => &NO_VALID_RECIPIENTS,
        Refusal::MessageRejected => &MESSAGE_REJECTED,
        Refusal::Syntax => &SYNTAX,
        Refusal::LoginFailed => &POP3_LOGIN_FAILED,
        Refusal::NoSuchMessage => &POP3_NO_SUCH_MESSAGE,
        Refusal::Other => &WRONG_REPLY,
    }
}

/// The rule for a step with nothing in the session.
pub fn explain_missing(session: &Session, send: &[Label], dele_seen: bool) -> &'static Rule {
    if send.contains(&Label::Greeting) {
        return &GREETING_MISSING;
    }
    if send.contains(&Label::verb(Verb::Quit)) {
        return if session.protocol == Protocol::Pop3 && dele_seen {
            &POP3_DELE_NEEDS_QUIT
        } else {
            &QUIT_MISSING
        };
    }
    &STEP_MISSING
}

/// The placeholders for an exchange: its command (secrets redacted), reply and line.
pub fn fill_for(exchange: Option<&Exchange>, expected: Text) -> RuleArgs {
    let Some(exchange) = exchange else {
        return RuleArgs {
            expected,
            ..RuleArgs::default()
        };
    };
    let command = match &exchange.command {
        Some(command) => match command.verb() {
            Some(verb) => Text::from(verb.to_string()),
            None => Text::from(command.label().to_string()),
        },
        // The label the skeleton shows (`greeting → 554`), an identifier in both languages.
        None => Text::from(Label::Greeting.to_string()),
    };
    let origin = exchange
        .command
        .as_ref()
        .map(|c| c.origin)
        .or(exchange.reply.as_ref().map(|r| r.origin))
        .unwrap_or_default();
    RuleArgs {
        command,
        code: exchange.reply.as_ref().map_or_else(
            || RuleWord::NoReply.text(),
            |r| Text::from(r.code.to_string()),
        ),
        expected,
        line: match origin {
            Origin::Line { .. } => Text::new(format!("line {origin}"), format!("第 {origin} 行")),
            _ => origin.text(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_docs_complete() {
        for (i, rule) in RULES.iter().enumerate() {
            assert!(
                RULES[i + 1..].iter().all(|other| other.id != rule.id),
                "{}",
                rule.id
            );
            for field in [rule.what, rule.why, rule.example] {
                assert!(!field.is_empty(), "{} has an empty field", rule.id);
            }
        }
    }

    #[test]
    fn protocol_order_rules_have_feedback() {
        use crate::protocol::pop3::Pop3Rule;
        use crate::protocol::smtp::Rule as SmtpRule;
        for rule in [
            SmtpRule::HelloFirst,
            SmtpRule::MailBeforeRcpt,
            SmtpRule::RcptBeforeData,
            SmtpRule::NoValidRecipients,
            SmtpRule::NestedMail,
            SmtpRule::AuthNotNow,
            SmtpRule::AlreadyAuthenticated,
        ] {
            assert!(super::rule(rule.id()).is_some(), "{}", rule.id());
        }
        for rule in [
            Pop3Rule::LoginFirst,
            Pop3Rule::UserBeforePass,
            Pop3Rule::AlreadyLoggedIn,
            Pop3Rule::SessionOver,
        ] {
            let id = format!("pop3-{}", rule.id());
            assert!(super::rule(&id).is_some(), "{id}");
        }
    }

    /// A command with no reply names the missing reply in each language.
    #[test]
    fn a_missing_reply_reads_in_each_language() {
        use crate::session::{Command, CommandKind};
        let exchange = Exchange {
            command: Some(Command::new(CommandKind::AuthCancel, Origin::line(3))),
            reply: None,
        };
        let text = WRONG_REPLY.feedback(&fill_for(Some(&exchange), Text::from("334")));
        assert_eq!(
            text.en,
            "The server answered auth-cancel with no reply; the scenario expects 334."
        );
        assert_eq!(
            text.zh_cn,
            "服务器对 auth-cancel 回复了 （无回复）；本场景期望 334。"
        );
    }

    /// Where an out-of-order command was sent reads in each language: a text line as
    /// before, a capture frame as `第 N 帧`, not `第 frame N 行`.
    #[test]
    fn out_of_order_names_the_place_in_each_language() {
        use crate::session::{Command, CommandKind};
        let at = |origin: Origin| {
            let command = Command::new(CommandKind::AuthCancel, origin);
            let exchange = Exchange {
                command: Some(command),
                reply: None,
            };
            OUT_OF_ORDER.feedback(&fill_for(Some(&exchange), Text::default()))
        };
        let line = at(Origin::Line {
            line: 12,
            column: 4,
        });
        assert_eq!(
            line.en,
            "auth-cancel is there (line 12:4) but not where the scenario expects it."
        );
        assert_eq!(
            line.zh_cn,
            "auth-cancel 出现在第 12:4 行，但位置不符合本场景要求的顺序。"
        );
        let frame = at(Origin::frame(7, 0));
        assert_eq!(
            frame.en,
            "auth-cancel is there (frame 7) but not where the scenario expects it."
        );
        assert_eq!(
            frame.zh_cn,
            "auth-cancel 出现在第 7 帧，但位置不符合本场景要求的顺序。"
        );
    }
}
