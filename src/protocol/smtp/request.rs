use std::borrow::Cow;

use crate::protocol::sasl::Mechanism;
use crate::protocol::{words, Verb};
use crate::session::Secret;

/// A parsed SMTP command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Helo {
        domain: String,
    },
    Ehlo {
        domain: String,
    },
    /// `from` is the address without angle brackets (`""` for the null path `<>`).
    Mail {
        from: String,
        params: Vec<String>,
    },
    Rcpt {
        to: String,
        params: Vec<String>,
    },
    Data,
    Bdat {
        size: u64,
        last: bool,
    },
    Rset,
    Noop,
    Vrfy {
        arg: String,
    },
    Expn {
        arg: String,
    },
    Help {
        topic: Option<String>,
    },
    Quit,
    StartTls,
    /// `initial` as typed (`=` stands for an empty response).
    Auth {
        mechanism: Mechanism,
        initial: Option<Secret>,
    },
}

impl Request {
    /// The verb as RFC 5321 spells it.
    pub fn verb(&self) -> Verb {
        match self {
            Request::Helo { .. } => Verb::Helo,
            Request::Ehlo { .. } => Verb::Ehlo,
            Request::Mail { .. } => Verb::Mail,
            Request::Rcpt { .. } => Verb::Rcpt,
            Request::Data => Verb::Data,
            Request::Bdat { .. } => Verb::Bdat,
            Request::Rset => Verb::Rset,
            Request::Noop => Verb::Noop,
            Request::Vrfy { .. } => Verb::Vrfy,
            Request::Expn { .. } => Verb::Expn,
            Request::Help { .. } => Verb::Help,
            Request::Quit => Verb::Quit,
            Request::StartTls => Verb::StartTls,
            Request::Auth { .. } => Verb::Auth,
        }
    }
}

/// Why a line is not a valid command; `expected` is the grammar, e.g. `MAIL FROM:<reverse-path> [parameters]`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// `verb` is the first word, upper-cased (Postfix: `500 5.5.2 Error: command not recognized`).
    #[error("unknown command {verb}")]
    UnknownCommand { verb: String },
    /// A known verb with arguments that do not fit (Postfix: `501 5.5.4 Syntax: …`).
    #[error("syntax error, expected {expected}")]
    Syntax { verb: Verb, expected: &'static str },
    /// The path has unbalanced or misplaced angle brackets (Postfix: `501 5.1.3 Bad recipient
    /// address syntax`, `501 5.1.7 Bad sender address syntax`).
    #[error("bad address syntax, expected {expected}")]
    Address { verb: Verb, expected: &'static str },
    /// An empty line (Postfix: `500 5.5.2 Error: bad syntax`).
    #[error("empty command line")]
    Empty,
}

impl SyntaxError {
    /// The verb the line started with, when it was a known one.
    pub fn verb(&self) -> Option<Verb> {
        match self {
            SyntaxError::Syntax { verb, .. } | SyntaxError::Address { verb, .. } => Some(*verb),
            SyntaxError::UnknownCommand { .. } | SyntaxError::Empty => None,
        }
    }
}

/// The grammar of each verb, as error messages and feedback show it.
pub mod grammar {
    pub const HELO: &str = "HELO domain";
    pub const EHLO: &str = "EHLO domain";
    pub const MAIL: &str = "MAIL FROM:<reverse-path> [parameters]";
    pub const RCPT: &str = "RCPT TO:<forward-path> [parameters]";
    pub const DATA: &str = "DATA";
    pub const BDAT: &str = "BDAT chunk-size [LAST]";
    pub const RSET: &str = "RSET";
    pub const VRFY: &str = "VRFY string";
    pub const EXPN: &str = "EXPN string";
    pub const STARTTLS: &str = "STARTTLS";
    pub const AUTH: &str = "AUTH mechanism [initial-response]";
}

/// The first word of a line, upper-cased, and the rest with leading blanks removed.
/// A verb typed upper-case, as most are, is borrowed rather than copied.
pub(crate) fn split_verb(line: &str) -> (Cow<'_, str>, &str) {
    let line = words::trim_blanks_and_line_ends(line);
    let (verb, rest) = words::split_at_blank(line).unwrap_or((line, ""));
    let verb = if verb.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(verb.to_ascii_uppercase())
    } else {
        Cow::Borrowed(verb)
    };
    (verb, words::trim_start_blanks(rest))
}

/// Parses one command line (no line end). Lenient where Postfix is lenient: verbs in any
/// case, blanks after `MAIL FROM:` / `RCPT TO:`, paths without angle brackets. Like Postfix,
/// it rejects a blank before the colon and a missing colon.
pub fn parse_request(line: &str) -> Result<Request, SyntaxError> {
    let (verb, rest) = split_verb(line);
    parse_words(&verb, rest)
}

/// [`parse_request`] of a line already split by [`split_verb`]: `verb` upper-cased, `rest`
/// without the blanks and line ends around it.
pub(crate) fn parse_words(verb: &str, rest: &str) -> Result<Request, SyntaxError> {
    let syntax = |verb, expected| Err(SyntaxError::Syntax { verb, expected });
    match verb {
        "" => Err(SyntaxError::Empty),
        "HELO" | "EHLO" => {
            let domain = rest.to_string();
            match (verb, domain.is_empty()) {
                ("HELO", true) => syntax(Verb::Helo, grammar::HELO),
                ("HELO", false) => Ok(Request::Helo { domain }),
                (_, true) => syntax(Verb::Ehlo, grammar::EHLO),
                (_, false) => Ok(Request::Ehlo { domain }),
            }
        }
        "MAIL" => {
            let (from, params) = parse_path(rest, "FROM:", Verb::Mail, grammar::MAIL, true)?;
            Ok(Request::Mail { from, params })
        }
        "RCPT" => {
            let (to, params) = parse_path(rest, "TO:", Verb::Rcpt, grammar::RCPT, false)?;
            Ok(Request::Rcpt { to, params })
        }
        "DATA" if rest.is_empty() => Ok(Request::Data),
        "DATA" => syntax(Verb::Data, grammar::DATA),
        "BDAT" => {
            let mut words = rest.split_whitespace();
            let size = words.next().and_then(|size| size.parse::<u64>().ok());
            let last = words.next();
            match (size, last, words.next()) {
                (Some(size), None, None) => Ok(Request::Bdat { size, last: false }),
                (Some(size), Some(last), None) if last.eq_ignore_ascii_case("LAST") => {
                    Ok(Request::Bdat { size, last: true })
                }
                _ => syntax(Verb::Bdat, grammar::BDAT),
            }
        }
        "RSET" if rest.is_empty() => Ok(Request::Rset),
        "RSET" => syntax(Verb::Rset, grammar::RSET),
        // RFC 5321 §4.1.1.9: NOOP may carry a string, which is ignored.
        "NOOP" => Ok(Request::Noop),
        "VRFY" if rest.is_empty() => syntax(Verb::Vrfy, grammar::VRFY),
        "VRFY" => Ok(Request::Vrfy {
            arg: rest.to_string(),
        }),
        "EXPN" if rest.is_empty() => syntax(Verb::Expn, grammar::EXPN),
        "EXPN" => Ok(Request::Expn {
            arg: rest.to_string(),
        }),
        "HELP" => Ok(Request::Help {
            topic: (!rest.is_empty()).then(|| rest.to_string()),
        }),
        // Postfix ignores anything after QUIT.
        "QUIT" => Ok(Request::Quit),
        "STARTTLS" if rest.is_empty() => Ok(Request::StartTls),
        "STARTTLS" => syntax(Verb::StartTls, grammar::STARTTLS),
        "AUTH" => {
            let mut words = rest.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some(mechanism), initial, None) => Ok(Request::Auth {
                    mechanism: Mechanism::parse(mechanism),
                    initial: initial.map(Secret::new),
                }),
                _ => syntax(Verb::Auth, grammar::AUTH),
            }
        }
        _ => Err(SyntaxError::UnknownCommand {
            verb: verb.chars().take(64).collect(),
        }),
    }
}

/// `FROM:<a@b> SIZE=10` → (`a@b`, [`SIZE=10`]). The keyword must be followed directly by the
/// colon; blanks may follow the colon; angle brackets may be missing but not unbalanced.
fn parse_path(
    rest: &str,
    keyword: &str,
    verb: Verb,
    expected: &'static str,
    null_allowed: bool,
) -> Result<(String, Vec<String>), SyntaxError> {
    let syntax = SyntaxError::Syntax { verb, expected };
    let address = SyntaxError::Address { verb, expected };
    let head = rest.get(..keyword.len()).ok_or(syntax.clone())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return Err(syntax);
    }
    let rest = rest[keyword.len()..].trim_start_matches([' ', '\t']);
    if rest.is_empty() {
        return Err(syntax);
    }
    let (path, params) = if let Some(inner) = rest.strip_prefix('<') {
        let close = inner.find('>').ok_or(address.clone())?;
        let after = &inner[close + 1..];
        if !(after.is_empty() || after.starts_with([' ', '\t'])) {
            return Err(address);
        }
        (&inner[..close], after)
    } else {
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        (&rest[..end], &rest[end..])
    };
    if path.contains(['<', '>']) || (path.is_empty() && !null_allowed) {
        return Err(address);
    }
    let params = params.split_whitespace().map(str::to_string).collect();
    Ok((path.to_string(), params))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(from: &str, params: &[&str]) -> Request {
        Request::Mail {
            from: from.into(),
            params: params.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn rcpt(to: &str) -> Request {
        Request::Rcpt {
            to: to.into(),
            params: vec![],
        }
    }

    #[test]
    fn accepts_what_postfix_accepts() {
        let cases: Vec<(&str, Request)> = vec![
            (
                "HELO qq.com",
                Request::Helo {
                    domain: "qq.com".into(),
                },
            ),
            (
                "helo qq.com",
                Request::Helo {
                    domain: "qq.com".into(),
                },
            ),
            (
                "EHLO DREAIFEDESKTOP",
                Request::Ehlo {
                    domain: "DREAIFEDESKTOP".into(),
                },
            ),
            (
                "ehlo [127.0.0.1]  ",
                Request::Ehlo {
                    domain: "[127.0.0.1]".into(),
                },
            ),
            ("MAIL FROM:<a@lab.test>", mail("a@lab.test", &[])),
            ("mail from:<a@lab.test>", mail("a@lab.test", &[])),
            ("MAIL FROM: <a@lab.test>", mail("a@lab.test", &[])),
            ("MAIL FROM:  <a@lab.test>", mail("a@lab.test", &[])),
            ("MAIL FROM: a@lab.test", mail("a@lab.test", &[])),
            ("MAIL FROM:a@lab.test", mail("a@lab.test", &[])),
            ("MAIL FROM:<>", mail("", &[])),
            (
                "MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME",
                mail("a@b", &["SIZE=10", "BODY=8BITMIME"]),
            ),
            ("MAIL FROM:a@b SIZE=10", mail("a@b", &["SIZE=10"])),
            ("RCPT TO:<b@lab.test>", rcpt("b@lab.test")),
            ("rcpt to:<b@lab.test>", rcpt("b@lab.test")),
            ("RCPT TO: <b@lab.test>", rcpt("b@lab.test")),
            ("RCPT TO: b@lab.test", rcpt("b@lab.test")),
            ("RCPT TO:b", rcpt("b")),
            ("RCPT TO:<B@LAB.TEST>", rcpt("B@LAB.TEST")),
            ("RCPT TO:<postmaster>", rcpt("postmaster")),
            ("DATA", Request::Data),
            ("data", Request::Data),
            (
                "BDAT 100",
                Request::Bdat {
                    size: 100,
                    last: false,
                },
            ),
            (
                "bdat 0 last",
                Request::Bdat {
                    size: 0,
                    last: true,
                },
            ),
            ("RSET", Request::Rset),
            ("NOOP", Request::Noop),
            ("NOOP anything", Request::Noop),
            (
                "VRFY b@lab.test",
                Request::Vrfy {
                    arg: "b@lab.test".into(),
                },
            ),
            (
                "EXPN staff",
                Request::Expn {
                    arg: "staff".into(),
                },
            ),
            ("HELP", Request::Help { topic: None }),
            (
                "HELP MAIL",
                Request::Help {
                    topic: Some("MAIL".into()),
                },
            ),
            ("QUIT", Request::Quit),
            ("quit", Request::Quit),
            ("STARTTLS", Request::StartTls),
            (
                "AUTH LOGIN",
                Request::Auth {
                    mechanism: Mechanism::Login,
                    initial: None,
                },
            ),
            (
                "auth login",
                Request::Auth {
                    mechanism: Mechanism::Login,
                    initial: None,
                },
            ),
            (
                "AUTH PLAIN AHN0dWRlbnQAc2VjcmV0",
                Request::Auth {
                    mechanism: Mechanism::Plain,
                    initial: Some(Secret::new("AHN0dWRlbnQAc2VjcmV0")),
                },
            ),
            (
                "AUTH PLAIN =",
                Request::Auth {
                    mechanism: Mechanism::Plain,
                    initial: Some(Secret::new("=")),
                },
            ),
            (
                "AUTH CRAM-MD5",
                Request::Auth {
                    mechanism: Mechanism::CramMd5,
                    initial: None,
                },
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_request(line), Ok(expected), "{line}");
        }
    }

    #[test]
    fn rejects_what_postfix_rejects() {
        let syntax = |verb, expected| SyntaxError::Syntax { verb, expected };
        let address = |verb, expected| SyntaxError::Address { verb, expected };
        let cases: Vec<(&str, SyntaxError)> = vec![
            ("", SyntaxError::Empty),
            ("   ", SyntaxError::Empty),
            ("HELO", syntax(Verb::Helo, grammar::HELO)),
            ("EHLO ", syntax(Verb::Ehlo, grammar::EHLO)),
            (
                "MAIL FROM : <a@lab.test>",
                syntax(Verb::Mail, grammar::MAIL),
            ),
            ("MAIL FROM <a@lab.test>", syntax(Verb::Mail, grammar::MAIL)),
            ("MAIL", syntax(Verb::Mail, grammar::MAIL)),
            ("MAIL FROM:", syntax(Verb::Mail, grammar::MAIL)),
            ("MAIL TO:<a@b>", syntax(Verb::Mail, grammar::MAIL)),
            ("RCPT TO: <b@lab.test", address(Verb::Rcpt, grammar::RCPT)),
            ("RCPT TO:<>", address(Verb::Rcpt, grammar::RCPT)),
            ("RCPT TO:b@lab.test>", address(Verb::Rcpt, grammar::RCPT)),
            ("RCPT TO:<a>b", address(Verb::Rcpt, grammar::RCPT)),
            ("RCPT FROM:<a@b>", syntax(Verb::Rcpt, grammar::RCPT)),
            ("DATA now", syntax(Verb::Data, grammar::DATA)),
            ("BDAT", syntax(Verb::Bdat, grammar::BDAT)),
            ("BDAT x", syntax(Verb::Bdat, grammar::BDAT)),
            ("BDAT 10 FIRST", syntax(Verb::Bdat, grammar::BDAT)),
            ("RSET x", syntax(Verb::Rset, grammar::RSET)),
            ("VRFY", syntax(Verb::Vrfy, grammar::VRFY)),
            ("EXPN", syntax(Verb::Expn, grammar::EXPN)),
            ("STARTTLS now", syntax(Verb::StartTls, grammar::STARTTLS)),
            ("AUTH", syntax(Verb::Auth, grammar::AUTH)),
            ("AUTH PLAIN a b", syntax(Verb::Auth, grammar::AUTH)),
            (
                "FOO bar",
                SyntaxError::UnknownCommand { verb: "FOO".into() },
            ),
            (
                "Subject: hello",
                SyntaxError::UnknownCommand {
                    verb: "SUBJECT:".into(),
                },
            ),
            (
                "MAILFROM:<a@b>",
                SyntaxError::UnknownCommand {
                    verb: "MAILFROM:<A@B>".into(),
                },
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_request(line), Err(expected), "{line}");
        }
    }

    #[test]
    fn errors_name_the_grammar() {
        let error = parse_request("MAIL FROM <a@b>").unwrap_err();
        assert_eq!(
            error.to_string(),
            "syntax error, expected MAIL FROM:<reverse-path> [parameters]"
        );
        assert_eq!(error.verb(), Some(Verb::Mail));
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let request = parse_request("AUTH PLAIN AHN0dWRlbnQAc2VjcmV0").unwrap();
        assert!(!format!("{request:?}").contains("AHN0"));
    }
}
