//! Which SMTP command is in order when (RFC 5321 §4.1.4), as Postfix enforces it.

use super::Request;
use crate::session::SmtpCode;

/// A rule of command order a client broke; the grader explains it, the server answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// MAIL before HELO/EHLO (only when the state requires a greeting; Postfix by default
    /// does not).
    HelloFirst,
    /// RCPT before MAIL.
    MailBeforeRcpt,
    /// DATA (or BDAT) outside a mail transaction (Postfix: `503 5.5.1 Error: need RCPT command`).
    RcptBeforeData,
    /// DATA inside a transaction no RCPT of which was accepted (Postfix: `554 5.5.1 Error:
    /// no valid recipients`).
    NoValidRecipients,
    /// MAIL inside a transaction.
    NestedMail,
    /// AUTH inside a mail transaction (Postfix: `503 5.5.1 Error: MAIL transaction in progress`).
    AuthNotNow,
    /// AUTH after a successful AUTH (Postfix: `503 5.5.1 Error: already authenticated`).
    AlreadyAuthenticated,
}

impl Rule {
    /// Stable id used by feedback tables: `hello-first`, `mail-before-rcpt`, …
    pub fn id(self) -> &'static str {
        match self {
            Rule::HelloFirst => "hello-first",
            Rule::MailBeforeRcpt => "mail-before-rcpt",
            Rule::RcptBeforeData => "rcpt-before-data",
            Rule::NoValidRecipients => "no-valid-recipients",
            Rule::NestedMail => "nested-mail",
            Rule::AuthNotNow => "auth-not-now",
            Rule::AlreadyAuthenticated => "already-authenticated",
        }
    }

    /// The code a server gives when the rule is broken: 503, except 554 for DATA with no
    /// accepted recipient (as Postfix answers).
    pub fn reply(self) -> SmtpCode {
        let code = match self {
            Rule::NoValidRecipients => 554,
            _ => 503,
        };
        SmtpCode::new(code).unwrap_or_else(|| unreachable!("503 and 554 are valid codes"))
    }

    /// English explanation (what Postfix says, give or take).
    pub fn message(self) -> &'static str {
        match self {
            Rule::HelloFirst => "send HELO/EHLO first",
            Rule::MailBeforeRcpt => "need MAIL command",
            Rule::RcptBeforeData => "need RCPT command",
            Rule::NoValidRecipients => "no valid recipients",
            Rule::NestedMail => "nested MAIL command",
            Rule::AuthNotNow => "MAIL transaction in progress",
            Rule::AlreadyAuthenticated => "already authenticated",
        }
    }
}

/// The greeting the client gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hello {
    Helo,
    Ehlo,
}

/// The SMTP session state both a server and a reader of dialogues track.
///
/// [`check`](Self::check) says whether a command is in order; [`apply`](Self::apply) moves on
/// once the command was answered (a rejected MAIL starts no transaction). The message after
/// DATA and the end of AUTH are answered too: see [`apply_message`](Self::apply_message).
#[derive(Clone, Debug, Default)]
pub struct SmtpState {
    /// RFC 5321 wants HELO/EHLO before MAIL; Postfix (`smtpd_helo_required = no`) does not.
    helo_required: bool,
    hello: Option<Hello>,
    authenticated: bool,
    /// A MAIL was accepted and the transaction has not ended.
    in_transaction: bool,
    accepted_recipients: u32,
    /// BDAT chunks were accepted and the LAST one has not come yet.
    in_bdat: bool,
    tls: bool,
    quit: bool,
}

impl SmtpState {
    /// A state as Postfix keeps it (HELO not required).
    pub fn new() -> Self {
        SmtpState::default()
    }

    /// A state that also requires HELO/EHLO before MAIL ([`Rule::HelloFirst`]).
    pub fn helo_required() -> Self {
        SmtpState {
            helo_required: true,
            ..SmtpState::default()
        }
    }

    /// Whether `request` is in order now.
    pub fn check(&self, request: &Request) -> Result<(), Rule> {
        match request {
            Request::Mail { .. } if self.helo_required && self.hello.is_none() => {
                Err(Rule::HelloFirst)
            }
            Request::Mail { .. } if self.in_transaction => Err(Rule::NestedMail),
            Request::Rcpt { .. } if !self.in_transaction => Err(Rule::MailBeforeRcpt),
            Request::Data | Request::Bdat { .. } if !self.in_transaction => {
                Err(Rule::RcptBeforeData)
            }
            Request::Data | Request::Bdat { .. } if self.accepted_recipients == 0 => {
                Err(Rule::NoValidRecipients)
            }
            Request::Auth { .. } if self.authenticated => Err(Rule::AlreadyAuthenticated),
            Request::Auth { .. } if self.in_transaction => Err(Rule::AuthNotNow),
            _ => Ok(()),
        }
    }

    /// Moves on after `request` was answered with `code`. For DATA, a `354` changes nothing
    /// yet: the transaction ends when the message is answered ([`apply_message`](Self::apply_message)).
    /// For AUTH, pass the final reply (`235`, `535` …), not the `334` challenges.
    pub fn apply(&mut self, request: &Request, code: SmtpCode) {
        let positive = code.class() == 2;
        match request {
            Request::Helo { .. } | Request::Ehlo { .. } if positive => {
                self.reset_transaction();
                self.hello = Some(match request {
                    Request::Helo { .. } => Hello::Helo,
                    _ => Hello::Ehlo,
                });
            }
            Request::Mail { .. } if positive => {
                self.reset_transaction();
                self.in_transaction = true;
            }
            Request::Rcpt { .. } if positive => self.accepted_recipients += 1,
            Request::Bdat { last, .. } => {
                // Any answer to a chunk after a rejected one, or to LAST, ends it (RFC 3030 §3).
                if *last || !positive {
                    self.reset_transaction();
                } else {
                    self.in_bdat = true;
                }
            }
            Request::Rset if positive => self.reset_transaction(),
            Request::Auth { .. } if code.value() == 235 => self.authenticated = true,
            Request::StartTls if code.value() == 220 => {
                // RFC 3207 §4.2: the client must start over with EHLO.
                *self = SmtpState {
                    helo_required: self.helo_required,
                    tls: true,
                    ..SmtpState::default()
                };
            }
            Request::Quit => self.quit = true,
            _ => {}
        }
    }

    /// The message after DATA was answered: the transaction is over, whatever the answer.
    pub fn apply_message(&mut self, _code: SmtpCode) {
        self.reset_transaction();
    }

    pub fn hello(&self) -> Option<Hello> {
        self.hello
    }

    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    pub fn in_transaction(&self) -> bool {
        self.in_transaction
    }

    pub fn accepted_recipients(&self) -> u32 {
        self.accepted_recipients
    }

    pub fn in_bdat(&self) -> bool {
        self.in_bdat
    }

    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether QUIT was sent.
    pub fn is_quit(&self) -> bool {
        self.quit
    }

    fn reset_transaction(&mut self) {
        self.in_transaction = false;
        self.accepted_recipients = 0;
        self.in_bdat = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::smtp::parse_request;

    fn code(value: u16) -> SmtpCode {
        SmtpCode::new(value).unwrap()
    }

    /// Runs `(line, reply code, expected check result)` steps; a reply of 0 means the
    /// command is refused by `check` and never applied.
    fn run(mut state: SmtpState, steps: &[(&str, u16, Result<(), Rule>)]) {
        for (index, (line, reply, expected)) in steps.iter().enumerate() {
            let request = parse_request(line).unwrap();
            assert_eq!(state.check(&request), *expected, "step {index}: {line}");
            match (*line, *reply) {
                (_, 0) => {}
                (".", reply) => state.apply_message(code(reply)),
                (_, reply) => state.apply(&request, code(reply)),
            }
        }
    }

    #[test]
    fn follows_postfix_order_rules() {
        let ok = Ok(());
        run(
            SmtpState::new(),
            &[
                ("RCPT TO:<b@lab.test>", 0, Err(Rule::MailBeforeRcpt)),
                ("DATA", 0, Err(Rule::RcptBeforeData)),
                ("MAIL FROM:<a@lab.test>", 250, ok),
                ("AUTH LOGIN", 0, Err(Rule::AuthNotNow)),
                ("MAIL FROM:<>", 0, Err(Rule::NestedMail)),
                ("DATA", 0, Err(Rule::NoValidRecipients)),
                ("RCPT TO:<x@qq.com>", 554, ok),
                ("DATA", 0, Err(Rule::NoValidRecipients)),
                ("RCPT TO:<b@lab.test>", 250, ok),
                ("DATA", 354, ok),
            ],
        );
    }

    #[test]
    fn resets_on_rset_helo_and_after_the_message() {
        let mut state = SmtpState::new();
        let mail = parse_request("MAIL FROM:<a@b>").unwrap();
        let rcpt = parse_request("RCPT TO:<b@c>").unwrap();
        for reset in ["RSET", "HELO x", "EHLO x"] {
            state.apply(&mail, code(250));
            state.apply(&rcpt, code(250));
            assert!(state.in_transaction());
            state.apply(&parse_request(reset).unwrap(), code(250));
            assert!(!state.in_transaction(), "{reset}");
            assert_eq!(state.check(&rcpt), Err(Rule::MailBeforeRcpt), "{reset}");
        }
        state.apply(&mail, code(250));
        state.apply(&rcpt, code(250));
        state.apply(&parse_request("DATA").unwrap(), code(354));
        assert!(state.in_transaction());
        state.apply_message(code(250));
        assert!(!state.in_transaction());
        // A rejected MAIL starts nothing.
        state.apply(&mail, code(501));
        assert_eq!(state.check(&rcpt), Err(Rule::MailBeforeRcpt));
    }

    #[test]
    fn auth_once() {
        let auth = parse_request("AUTH LOGIN").unwrap();
        let mut state = SmtpState::new();
        assert_eq!(
            state.check(&auth),
            Ok(()),
            "postfix allows AUTH before HELO"
        );
        state.apply(&auth, code(535));
        assert_eq!(state.check(&auth), Ok(()));
        state.apply(&auth, code(235));
        assert!(state.is_authenticated());
        assert_eq!(state.check(&auth), Err(Rule::AlreadyAuthenticated));
    }

    #[test]
    fn helo_required_when_asked() {
        let mail = parse_request("MAIL FROM:<a@b>").unwrap();
        let mut state = SmtpState::helo_required();
        assert_eq!(state.check(&mail), Err(Rule::HelloFirst));
        state.apply(&parse_request("EHLO x").unwrap(), code(250));
        assert_eq!(state.hello(), Some(Hello::Ehlo));
        assert_eq!(state.check(&mail), Ok(()));
        state.apply(&parse_request("STARTTLS").unwrap(), code(220));
        assert!(state.is_tls());
        assert_eq!(state.check(&mail), Err(Rule::HelloFirst), "TLS starts over");
        assert_eq!(SmtpState::new().check(&mail), Ok(()));
    }

    #[test]
    fn bdat_chunks() {
        let mut state = SmtpState::new();
        state.apply(&parse_request("MAIL FROM:<a@b>").unwrap(), code(250));
        let bdat = parse_request("BDAT 10").unwrap();
        assert_eq!(state.check(&bdat), Err(Rule::NoValidRecipients));
        state.apply(&parse_request("RCPT TO:<b@c>").unwrap(), code(250));
        assert_eq!(state.check(&bdat), Ok(()));
        state.apply(&bdat, code(250));
        assert!(state.in_bdat());
        state.apply(&parse_request("BDAT 0 LAST").unwrap(), code(250));
        assert!(!state.in_transaction());
    }

    #[test]
    fn rule_ids_and_codes() {
        assert_eq!(Rule::MailBeforeRcpt.id(), "mail-before-rcpt");
        assert_eq!(Rule::NestedMail.reply().value(), 503);
        assert_eq!(Rule::NoValidRecipients.reply().value(), 554);
    }
}
