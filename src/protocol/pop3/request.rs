use crate::protocol::sasl::Mechanism;
use crate::protocol::smtp::split_verb;
use crate::protocol::Verb;
use crate::session::Secret;

/// A parsed POP3 command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    User {
        name: String,
    },
    Pass {
        password: Secret,
    },
    Apop {
        name: String,
        digest: Secret,
    },
    Stat,
    List {
        msg: Option<u32>,
    },
    Uidl {
        msg: Option<u32>,
    },
    Retr {
        msg: u32,
    },
    Top {
        msg: u32,
        lines: u32,
    },
    Dele {
        msg: u32,
    },
    Rset,
    Noop,
    Quit,
    Capa,
    Stls,
    /// `initial` as typed (`=` stands for an empty response).
    Auth {
        mechanism: Option<Mechanism>,
        initial: Option<Secret>,
    },
}

impl Request {
    /// Whether a positive answer to this request is a multi-line response ending in `.`.
    pub fn has_multiline_response(&self) -> bool {
        matches!(
            self,
            Request::List { msg: None }
                | Request::Uidl { msg: None }
                | Request::Retr { .. }
                | Request::Top { .. }
                | Request::Capa
                | Request::Auth {
                    mechanism: None,
                    ..
                }
        )
    }

    /// The verb as RFC 1939 spells it.
    pub fn verb(&self) -> Verb {
        match self {
            Request::User { .. } => Verb::User,
            Request::Pass { .. } => Verb::Pass,
            Request::Apop { .. } => Verb::Apop,
            Request::Stat => Verb::Stat,
            Request::List { .. } => Verb::List,
            Request::Uidl { .. } => Verb::Uidl,
            Request::Retr { .. } => Verb::Retr,
            Request::Top { .. } => Verb::Top,
            Request::Dele { .. } => Verb::Dele,
            Request::Rset => Verb::Rset,
            Request::Noop => Verb::Noop,
            Request::Quit => Verb::Quit,
            Request::Capa => Verb::Capa,
            Request::Stls => Verb::Stls,
            Request::Auth { .. } => Verb::Auth,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// `verb` is the first word, upper-cased (Dovecot: `-ERR Unknown command: FOO`).
    #[error("unknown command {verb}")]
    UnknownCommand { verb: String },
    #[error("syntax error, expected {expected}")]
    Syntax { verb: Verb, expected: &'static str },
    #[error("empty command line")]
    Empty,
}

impl SyntaxError {
    /// The verb the line started with, when it was a known one.
    pub fn verb(&self) -> Option<Verb> {
        match self {
            SyntaxError::Syntax { verb, .. } => Some(*verb),
            SyntaxError::UnknownCommand { .. } | SyntaxError::Empty => None,
        }
    }
}

/// The grammar of each verb, as error messages and feedback show it.
pub mod grammar {
    pub const USER: &str = "USER name";
    pub const APOP: &str = "APOP name digest";
    pub const LIST: &str = "LIST [msg]";
    pub const UIDL: &str = "UIDL [msg]";
    pub const RETR: &str = "RETR msg";
    pub const TOP: &str = "TOP msg n";
    pub const DELE: &str = "DELE msg";
    pub const AUTH: &str = "AUTH [mechanism [initial-response]]";
}

/// The first words of a command's arguments, at most three: no command takes more than
/// two, so a third only says there are too many (and no list is allocated per line).
fn first_words(rest: &str) -> ([&str; 3], usize) {
    let mut words = [""; 3];
    let mut count = 0;
    for (slot, word) in words.iter_mut().zip(rest.split_whitespace()) {
        *slot = word;
        count += 1;
    }
    (words, count)
}

/// Parses one command line (no line end). Verbs in any case, as Dovecot accepts them;
/// arguments after argument-less commands are ignored, as Dovecot ignores them. `PASS` keeps
/// the whole rest of the line (RFC 1939 §7: a password may hold spaces), even empty.
pub fn parse_request(line: &str) -> Result<Request, SyntaxError> {
    let (verb, rest) = split_verb(line);
    parse_words(&verb, rest)
}

/// [`parse_request`] of a line already split by [`split_verb`]: `verb` upper-cased, `rest`
/// without the blanks and line ends around it.
pub(crate) fn parse_words(verb: &str, rest: &str) -> Result<Request, SyntaxError> {
    let syntax = |verb, expected| Err(SyntaxError::Syntax { verb, expected });
    let (first_words, count) = first_words(rest);
    let words = &first_words[..count];
    let number = |word: &str| word.parse::<u32>().ok();
    match verb {
        "" => Err(SyntaxError::Empty),
        "USER" if rest.is_empty() => syntax(Verb::User, grammar::USER),
        "USER" => Ok(Request::User {
            name: rest.trim_end().to_string(),
        }),
        "PASS" => Ok(Request::Pass {
            password: Secret::new(rest),
        }),
        "APOP" => match *words {
            [name, digest] => Ok(Request::Apop {
                name: name.to_string(),
                digest: Secret::new(digest),
            }),
            _ => syntax(Verb::Apop, grammar::APOP),
        },
        "STAT" => Ok(Request::Stat),
        "LIST" | "UIDL" => {
            let msg = match *words {
                [] => None,
                [msg] => match number(msg) {
                    Some(msg) => Some(msg),
                    None if verb == "LIST" => return syntax(Verb::List, grammar::LIST),
                    None => return syntax(Verb::Uidl, grammar::UIDL),
                },
                _ if verb == "LIST" => return syntax(Verb::List, grammar::LIST),
                _ => return syntax(Verb::Uidl, grammar::UIDL),
            };
            Ok(if verb == "LIST" {
                Request::List { msg }
            } else {
                Request::Uidl { msg }
            })
        }
        "RETR" | "DELE" => match (words.first().and_then(|w| number(w)), words.len()) {
            (Some(msg), 1) if verb == "RETR" => Ok(Request::Retr { msg }),
            (Some(msg), 1) => Ok(Request::Dele { msg }),
            _ if verb == "RETR" => syntax(Verb::Retr, grammar::RETR),
            _ => syntax(Verb::Dele, grammar::DELE),
        },
        "TOP" => match *words {
            [msg, lines] => match (number(msg), number(lines)) {
                (Some(msg), Some(lines)) => Ok(Request::Top { msg, lines }),
                _ => syntax(Verb::Top, grammar::TOP),
            },
            _ => syntax(Verb::Top, grammar::TOP),
        },
        "RSET" => Ok(Request::Rset),
        "NOOP" => Ok(Request::Noop),
        "QUIT" => Ok(Request::Quit),
        "CAPA" => Ok(Request::Capa),
        "STLS" => Ok(Request::Stls),
        "AUTH" => match *words {
            [] => Ok(Request::Auth {
                mechanism: None,
                initial: None,
            }),
            [mechanism] => Ok(Request::Auth {
                mechanism: Some(Mechanism::parse(mechanism)),
                initial: None,
            }),
            [mechanism, initial] => Ok(Request::Auth {
                mechanism: Some(Mechanism::parse(mechanism)),
                initial: Some(Secret::new(initial)),
            }),
            _ => syntax(Verb::Auth, grammar::AUTH),
        },
        _ => Err(SyntaxError::UnknownCommand {
            verb: verb.chars().take(64).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_verb() {
        let cases: Vec<(&str, Request)> = vec![
            (
                "USER student@lab.test",
                Request::User {
                    name: "student@lab.test".into(),
                },
            ),
            (
                "user student",
                Request::User {
                    name: "student".into(),
                },
            ),
            (
                "PASS secret",
                Request::Pass {
                    password: Secret::new("secret"),
                },
            ),
            (
                "pass two words",
                Request::Pass {
                    password: Secret::new("two words"),
                },
            ),
            (
                "PASS",
                Request::Pass {
                    password: Secret::new(""),
                },
            ),
            (
                "APOP mrose c4c9334bac560ecc979e58001b3e22fb",
                Request::Apop {
                    name: "mrose".into(),
                    digest: Secret::new("c4c9334bac560ecc979e58001b3e22fb"),
                },
            ),
            ("STAT", Request::Stat),
            ("stat", Request::Stat),
            ("LIST", Request::List { msg: None }),
            ("list 99", Request::List { msg: Some(99) }),
            ("UIDL", Request::Uidl { msg: None }),
            ("uidl 1", Request::Uidl { msg: Some(1) }),
            ("RETR 1", Request::Retr { msg: 1 }),
            ("retr 99", Request::Retr { msg: 99 }),
            ("TOP 1 0", Request::Top { msg: 1, lines: 0 }),
            ("DELE 1", Request::Dele { msg: 1 }),
            ("RSET", Request::Rset),
            ("NOOP", Request::Noop),
            ("QUIT", Request::Quit),
            ("CAPA", Request::Capa),
            ("STLS", Request::Stls),
            (
                "AUTH",
                Request::Auth {
                    mechanism: None,
                    initial: None,
                },
            ),
            (
                "AUTH plain",
                Request::Auth {
                    mechanism: Some(Mechanism::Plain),
                    initial: None,
                },
            ),
            (
                "AUTH PLAIN AHN0dWRlbnQAc2VjcmV0",
                Request::Auth {
                    mechanism: Some(Mechanism::Plain),
                    initial: Some(Secret::new("AHN0dWRlbnQAc2VjcmV0")),
                },
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_request(line), Ok(expected), "{line}");
        }
    }

    #[test]
    fn rejects_bad_arguments() {
        let syntax = |verb, expected| SyntaxError::Syntax { verb, expected };
        let cases: Vec<(&str, SyntaxError)> = vec![
            ("", SyntaxError::Empty),
            ("USER", syntax(Verb::User, grammar::USER)),
            ("APOP mrose", syntax(Verb::Apop, grammar::APOP)),
            ("LIST x", syntax(Verb::List, grammar::LIST)),
            ("LIST 1 2", syntax(Verb::List, grammar::LIST)),
            ("UIDL -1", syntax(Verb::Uidl, grammar::UIDL)),
            ("RETR", syntax(Verb::Retr, grammar::RETR)),
            ("RETR one", syntax(Verb::Retr, grammar::RETR)),
            ("DELE", syntax(Verb::Dele, grammar::DELE)),
            ("DELE 1 2", syntax(Verb::Dele, grammar::DELE)),
            ("TOP 1", syntax(Verb::Top, grammar::TOP)),
            ("TOP 1 x", syntax(Verb::Top, grammar::TOP)),
            ("AUTH PLAIN a b", syntax(Verb::Auth, grammar::AUTH)),
            ("FOO", SyntaxError::UnknownCommand { verb: "FOO".into() }),
            (
                "HELO x",
                SyntaxError::UnknownCommand {
                    verb: "HELO".into(),
                },
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_request(line), Err(expected), "{line}");
        }
    }

    #[test]
    fn knows_which_answers_are_multi_line() {
        let cases = [
            ("LIST", true),
            ("LIST 1", false),
            ("UIDL", true),
            ("UIDL 1", false),
            ("RETR 1", true),
            ("TOP 1 0", true),
            ("CAPA", true),
            ("AUTH", true),
            ("AUTH PLAIN", false),
            ("STAT", false),
            ("DELE 1", false),
        ];
        for (line, multiline) in cases {
            assert_eq!(
                parse_request(line).unwrap().has_multiline_response(),
                multiline,
                "{line}"
            );
        }
    }
}
