//! The POP3 session states (RFC 1939 §3): AUTHORIZATION, TRANSACTION, UPDATE.

use super::Request;
use crate::session::Pop3Status;

/// A POP3 command sent in a state where it is not allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pop3Rule {
    /// A mailbox command (STAT, LIST, RETR …) before logging in.
    LoginFirst,
    /// PASS without a USER just before it (Dovecot: `-ERR No username given.`).
    UserBeforePass,
    /// USER, PASS, APOP or AUTH after logging in.
    AlreadyLoggedIn,
    /// Anything after QUIT.
    SessionOver,
}

impl Pop3Rule {
    pub fn id(self) -> &'static str {
        match self {
            Pop3Rule::LoginFirst => "login-first",
            Pop3Rule::UserBeforePass => "user-before-pass",
            Pop3Rule::AlreadyLoggedIn => "already-logged-in",
            Pop3Rule::SessionOver => "session-over",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Pop3Rule::LoginFirst => "log in with USER/PASS, APOP or AUTH first",
            Pop3Rule::UserBeforePass => "no username given",
            Pop3Rule::AlreadyLoggedIn => "already logged in",
            Pop3Rule::SessionOver => "the session has ended",
        }
    }
}

/// Where a POP3 session is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pop3Phase {
    /// Not logged in; `user` is the name an accepted USER gave.
    Authorization {
        user: Option<String>,
    },
    Transaction,
    /// QUIT was sent in TRANSACTION: deletions are being made permanent.
    Update,
}

/// The POP3 session state both a server and a reader of dialogues track.
#[derive(Clone, Debug)]
pub struct Pop3State {
    phase: Pop3Phase,
    quit: bool,
    tls: bool,
}

impl Default for Pop3State {
    fn default() -> Self {
        Pop3State {
            phase: Pop3Phase::Authorization { user: None },
            quit: false,
            tls: false,
        }
    }
}

impl Pop3State {
    pub fn new() -> Self {
        Pop3State::default()
    }

    pub fn phase(&self) -> &Pop3Phase {
        &self.phase
    }

    pub fn is_logged_in(&self) -> bool {
        self.phase == Pop3Phase::Transaction
    }

    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether `request` is allowed now.
    pub fn check(&self, request: &Request) -> Result<(), Pop3Rule> {
        use Request::*;
        if self.quit {
            return Err(Pop3Rule::SessionOver);
        }
        match (&self.phase, request) {
            (_, Quit | Noop | Capa) => Ok(()),
            (Pop3Phase::Authorization { user }, Pass { .. }) if user.is_none() => {
                Err(Pop3Rule::UserBeforePass)
            }
            (
                Pop3Phase::Authorization { .. },
                User { .. } | Pass { .. } | Apop { .. } | Auth { .. } | Stls,
            ) => Ok(()),
            (Pop3Phase::Authorization { .. }, _) => Err(Pop3Rule::LoginFirst),
            (_, User { .. } | Pass { .. } | Apop { .. } | Auth { .. } | Stls) => {
                Err(Pop3Rule::AlreadyLoggedIn)
            }
            (Pop3Phase::Transaction, _) => Ok(()),
            (Pop3Phase::Update, _) => Err(Pop3Rule::SessionOver),
        }
    }

    /// Moves on after `request` was answered with `status`. For AUTH, pass the final answer
    /// (`+OK` / `-ERR`), not the `+ ` challenges.
    pub fn apply(&mut self, request: &Request, status: Pop3Status) {
        let ok = status == Pop3Status::Ok;
        match (&mut self.phase, request) {
            (_, Request::Quit) => {
                self.quit = true;
                if self.phase == Pop3Phase::Transaction {
                    self.phase = Pop3Phase::Update;
                }
            }
            (Pop3Phase::Authorization { user }, Request::User { name }) => {
                *user = ok.then(|| name.clone());
            }
            (Pop3Phase::Authorization { .. }, Request::Pass { .. }) if ok => {
                self.phase = Pop3Phase::Transaction;
            }
            // Dovecot forgets the user after a failed PASS: USER must be sent again.
            (Pop3Phase::Authorization { user }, Request::Pass { .. }) => *user = None,
            (
                Pop3Phase::Authorization { .. },
                Request::Apop { .. }
                | Request::Auth {
                    mechanism: Some(_), ..
                },
            ) if ok => {
                self.phase = Pop3Phase::Transaction;
            }
            (Pop3Phase::Authorization { .. }, Request::Stls) if ok => {
                self.tls = true;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::pop3::parse_request;

    #[test]
    fn follows_the_rfc_1939_states() {
        use Pop3Status::{Err as E, Ok as O};
        // (line, answer, expected check)
        let steps: &[(&str, Pop3Status, Result<(), Pop3Rule>)] = &[
            ("CAPA", O, Ok(())),
            ("STAT", E, Err(Pop3Rule::LoginFirst)),
            ("PASS secret", E, Err(Pop3Rule::UserBeforePass)),
            ("user student", O, Ok(())),
            ("pass wrong", E, Ok(())),
            ("pass secret", E, Err(Pop3Rule::UserBeforePass)),
            ("user student", O, Ok(())),
            ("pass secret", O, Ok(())),
            ("stat", O, Ok(())),
            ("list", O, Ok(())),
            ("retr 1", O, Ok(())),
            ("dele 1", O, Ok(())),
            ("USER other", E, Err(Pop3Rule::AlreadyLoggedIn)),
            ("rset", O, Ok(())),
            ("noop", O, Ok(())),
            ("quit", O, Ok(())),
            ("stat", E, Err(Pop3Rule::SessionOver)),
        ];
        let mut state = Pop3State::new();
        for (index, (line, status, expected)) in steps.iter().enumerate() {
            let request = parse_request(line).unwrap();
            assert_eq!(state.check(&request), *expected, "step {index}: {line}");
            state.apply(&request, *status);
        }
        assert_eq!(state.phase(), &Pop3Phase::Update);
    }

    #[test]
    fn apop_and_auth_log_in() {
        for line in ["APOP mrose c4c9334bac560ecc979e58001b3e22fb", "AUTH PLAIN"] {
            let mut state = Pop3State::new();
            state.apply(&parse_request(line).unwrap(), Pop3Status::Ok);
            assert!(state.is_logged_in(), "{line}");
        }
        let mut state = Pop3State::new();
        state.apply(&parse_request("AUTH").unwrap(), Pop3Status::Ok);
        assert!(!state.is_logged_in(), "AUTH alone lists mechanisms");
    }
}
