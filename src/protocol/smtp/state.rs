use super::Request;
use crate::session::SmtpCode;

/// A rule of command order a client broke; the grader explains it, the server answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// MAIL before HELO/EHLO.
    HelloFirst,
    /// RCPT before MAIL.
    MailBeforeRcpt,
    /// DATA before a RCPT was accepted.
    RcptBeforeData,
    /// MAIL inside a transaction.
    NestedMail,
    /// AUTH inside a mail transaction, or twice.
    AuthNotNow,
}

impl Rule {
    /// Stable id used by feedback tables: `hello-first`, `mail-before-rcpt`, …
    pub fn id(self) -> &'static str {
        match self {
            Rule::HelloFirst => "hello-first",
            Rule::MailBeforeRcpt => "mail-before-rcpt",
            Rule::RcptBeforeData => "rcpt-before-data",
            Rule::NestedMail => "nested-mail",
            Rule::AuthNotNow => "auth-not-now",
        }
    }

    /// The code a server gives when the rule is broken (503 for all of these).
    pub fn reply(self) -> SmtpCode {
        SmtpCode::new(503).expect("503 is a valid code")
    }
}

/// The SMTP session state both a server and a reader of dialogues track.
#[derive(Clone, Debug, Default)]
pub struct SmtpState {}

impl SmtpState {
    /// Whether `request` is in order now.
    pub fn check(&self, _request: &Request) -> Result<(), Rule> {
        todo!()
    }

    /// Moves on after `request` was answered with `code`.
    pub fn apply(&mut self, _request: &Request, _code: SmtpCode) {
        todo!()
    }
}
