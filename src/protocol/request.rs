//! A client command line as the protocol read it: the typed value a session's
//! [`CommandKind::Line`](crate::session::CommandKind::Line) carries, so later stages match on
//! requests and verbs instead of re-parsing text.

use std::fmt;

use crate::protocol::{pop3, smtp, Verb};
use crate::session::{Args, Protocol};

/// What a command line is in its session's protocol.
///
/// Its `Debug` shows the variant and verb only: the fields repeat the command's `args`, which
/// a session's `Debug` shows already, and field names like `password` would read as leaks
/// in output that is checked for them.
#[derive(Clone, PartialEq, Eq)]
pub enum Request {
    Smtp(smtp::Request),
    Pop3(pop3::Request),
    /// A verb of the protocol whose arguments do not fit its grammar (`MAIL FROM <a@b>`).
    Invalid(Verb),
    /// A first word that is no verb of the protocol, upper-cased as typed (`EHL0`, or
    /// `PASS` sent to an SMTP server); empty for a line too long to read.
    Unknown(String),
}

impl Request {
    /// Reads a command from its first word as written and its arguments with any secret
    /// split off. The request is parsed from the arguments without the secret first, then
    /// the secret fills its slot (PASS's password, AUTH's initial response, APOP's digest),
    /// so a password never lands in a field that is not a [`Secret`](crate::session::Secret)
    /// (`USER name:pass` reads as USER `name`).
    pub fn read(protocol: Protocol, written: &str, args: &Args) -> Request {
        let line = [written, args.text.as_str()].join(" ");
        let with_secret = || match &args.secret {
            Some(secret) => [line.as_str(), secret.expose()].join(" "),
            None => line.clone(),
        };
        let secret = args.secret.clone();
        let unknown = || Request::Unknown(written.to_ascii_uppercase());
        match protocol {
            Protocol::Smtp => {
                let parsed =
                    smtp::parse_request(&line).or_else(|_| smtp::parse_request(&with_secret()));
                match parsed {
                    Ok(smtp::Request::Auth {
                        mechanism,
                        initial: None,
                    }) => Request::Smtp(smtp::Request::Auth {
                        mechanism,
                        initial: secret,
                    }),
                    Ok(request) => Request::Smtp(request),
                    Err(error) => error.verb().map_or_else(unknown, Request::Invalid),
                }
            }
            Protocol::Pop3 => {
                let parsed =
                    pop3::parse_request(&line).or_else(|_| pop3::parse_request(&with_secret()));
                match (parsed, secret) {
                    (Ok(pop3::Request::Pass { .. }), Some(password)) => {
                        Request::Pop3(pop3::Request::Pass { password })
                    }
                    (
                        Ok(pop3::Request::Auth {
                            mechanism: Some(mechanism),
                            initial: None,
                        }),
                        initial,
                    ) => Request::Pop3(pop3::Request::Auth {
                        mechanism: Some(mechanism),
                        initial,
                    }),
                    (Ok(request), _) => Request::Pop3(request),
                    (Err(error), _) => error.verb().map_or_else(unknown, Request::Invalid),
                }
            }
            Protocol::Tls => unknown(),
        }
    }

    /// The request read again after its arguments changed (replay swapping credentials or
    /// addresses), in the protocol it was read in; a line that was no request stays as it was.
    pub fn reread(&self, written: &str, args: &Args) -> Request {
        match self {
            Request::Smtp(_) => Request::read(Protocol::Smtp, written, args),
            Request::Pop3(_) => Request::read(Protocol::Pop3, written, args),
            Request::Invalid(_) | Request::Unknown(_) => self.clone(),
        }
    }

    /// The verb, when the first word is one of the protocol's.
    pub fn verb(&self) -> Option<Verb> {
        match self {
            Request::Smtp(request) => Some(request.verb()),
            Request::Pop3(request) => Some(request.verb()),
            Request::Invalid(verb) => Some(*verb),
            Request::Unknown(_) => None,
        }
    }

    /// The first word upper-cased: the verb's name, or the unknown word.
    pub fn word(&self) -> &str {
        match self {
            Request::Unknown(word) => word,
            _ => self.verb().map_or("", Verb::name),
        }
    }

    /// Whether the line is a command of its protocol, well-formed or not.
    pub fn is_command(&self) -> bool {
        !matches!(self, Request::Unknown(_))
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let variant = match self {
            Request::Smtp(_) => "Smtp",
            Request::Pop3(_) => "Pop3",
            Request::Invalid(_) => "Invalid",
            Request::Unknown(_) => "Unknown",
        };
        f.debug_tuple(variant).field(&self.word()).finish()
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A request serialises as its first word (the schema's `verb`).
impl serde::Serialize for Request {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Secret;

    fn args(text: &str, secret: Option<&str>) -> Args {
        Args {
            text: text.into(),
            secret: secret.map(Secret::new),
        }
    }

    #[test]
    fn secrets_fill_their_slots_and_no_other_field() {
        use Protocol::{Pop3, Smtp};
        let cases = [
            (
                Pop3,
                "PASS",
                args("", Some("hunter2")),
                Request::Pop3(pop3::Request::Pass {
                    password: Secret::new("hunter2"),
                }),
            ),
            (
                Pop3,
                "USER",
                args("alice", Some("hunter2")),
                Request::Pop3(pop3::Request::User {
                    name: "alice".into(),
                }),
            ),
            (
                Pop3,
                "APOP",
                args("alice", Some("c4c9")),
                Request::Pop3(pop3::Request::Apop {
                    name: "alice".into(),
                    digest: Secret::new("c4c9"),
                }),
            ),
            (
                Pop3,
                "apop",
                args("", Some("hunter2")),
                Request::Invalid(Verb::Apop),
            ),
            (
                Smtp,
                "auth",
                args("PLAIN", Some("AGE=")),
                Request::Smtp(smtp::Request::Auth {
                    mechanism: crate::protocol::sasl::Mechanism::Plain,
                    initial: Some(Secret::new("AGE=")),
                }),
            ),
            (
                Smtp,
                "PASS",
                args("", Some("x")),
                Request::Unknown("PASS".into()),
            ),
            (
                Smtp,
                "MAIL",
                args("FROM <a@b>", None),
                Request::Invalid(Verb::Mail),
            ),
            (
                Smtp,
                "ehl0",
                args("x", None),
                Request::Unknown("EHL0".into()),
            ),
        ];
        for (protocol, written, args, expected) in cases {
            assert_eq!(
                Request::read(protocol, written, &args),
                expected,
                "{written}"
            );
        }
    }
}
