//! A client command line as the protocol read it: the typed value a session's
//! [`CommandKind::Line`](crate::session::CommandKind::Line) carries, so later stages match on
//! requests and verbs instead of re-parsing text.

use std::borrow::Cow;
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
    /// `written`, the first word of a line read as `request`, borrowed from the verb's own
    /// name when it is spelled so (nearly every line), copied otherwise.
    pub fn written(request: &Request, written: &str) -> Cow<'static, str> {
        match request.verb().map(Verb::name) {
            Some(name) if name == written => Cow::Borrowed(name),
            _ => Cow::Owned(written.to_string()),
        }
    }

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

/// A command line as its protocol's grammar reads it, whole: what decides how the client's
/// next bytes are read (DATA, AUTH, STARTTLS, BDAT's size, a POP3 multi-line answer).
pub(crate) enum Parsed {
    Smtp(Result<smtp::Request, smtp::SyntaxError>),
    Pop3(Result<pop3::Request, pop3::SyntaxError>),
    /// TLS connections carry no command lines.
    None,
}

impl Parsed {
    pub(crate) fn line(protocol: Protocol, line: &str) -> Parsed {
        match protocol {
            Protocol::Smtp => Parsed::Smtp(smtp::parse_request(line)),
            Protocol::Pop3 => Parsed::Pop3(pop3::parse_request(line)),
            Protocol::Tls => Parsed::None,
        }
    }

    /// [`Parsed::line`] of a line already split: `verb` its first word upper-cased, `rest`
    /// the words after it, when neither the line's blanks nor its line ends surrounded them
    /// differently (the caller looks: a line that starts or ends in CR or LF is parsed whole).
    pub(crate) fn words(protocol: Protocol, verb: &str, rest: &str) -> Parsed {
        match protocol {
            Protocol::Smtp => Parsed::Smtp(smtp::parse_words(verb, rest)),
            Protocol::Pop3 => Parsed::Pop3(pop3::parse_words(verb, rest)),
            Protocol::Tls => Parsed::None,
        }
    }

    /// The request [`Request::read`] gives for the line's first word as written and its
    /// arguments, when no secret was split off and the arguments are the line's own words:
    /// then `read` would parse the same words again (the grammar ignores the blanks around
    /// them), so the one parse is kept instead.
    pub(crate) fn into_request(self, written: &str) -> Request {
        let unknown = || Request::Unknown(written.to_ascii_uppercase());
        match self {
            Parsed::Smtp(Ok(request)) => Request::Smtp(request),
            Parsed::Smtp(Err(error)) => error.verb().map_or_else(unknown, Request::Invalid),
            Parsed::Pop3(Ok(request)) => Request::Pop3(request),
            Parsed::Pop3(Err(error)) => error.verb().map_or_else(unknown, Request::Invalid),
            Parsed::None => unknown(),
        }
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

    /// The one parse a dialogue keeps is the request `read` gives, for any line whose
    /// arguments are its own words (no secret split off).
    #[test]
    fn the_line_parsed_once_is_what_read_gives() {
        let lines = [
            "DATA",
            " DATA ",
            "\tmail  from:<a@b>  SIZE=1 ",
            "QUIT\r",
            "\r DATA",
            "\r\tDATA",
            "BDAT 10 LAST",
            "bdat x",
            "LIST",
            "LIST 1",
            "list 1 2",
            "RETR x",
            "AUTH PLAIN",
            "auth",
            "ehl0 x",
            "",
            "  ",
            "\r",
            "STLS",
            "CAPA",
            "TOP 1 2",
            "STARTTLS",
            "HELO",
            "HELO  a b \r",
            "MAIL FROM <a>",
            "RCPT TO:<b> NOTIFY=NEVER",
            "USER alice",
            "PASS",
            "APOP",
            "UIDL",
            "NOOP x",
            "VRFY",
            "HELP me",
            "DA\rTA",
        ];
        for protocol in [Protocol::Smtp, Protocol::Pop3, Protocol::Tls] {
            for line in lines {
                let trimmed = line.trim_matches([' ', '\t']);
                let (written, rest) = trimmed.split_once([' ', '\t']).unwrap_or((trimmed, ""));
                let args = Args::plain(rest.trim_matches([' ', '\t']));
                assert_eq!(
                    Parsed::line(protocol, line).into_request(written),
                    Request::read(protocol, written, &args),
                    "{protocol:?} {line:?}"
                );
            }
        }
    }
}
