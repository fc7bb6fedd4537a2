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
    Auth {
        mechanism: String,
        initial: Option<Secret>,
    },
}

/// Why a line is not a valid command; `expected` is the grammar, e.g. `MAIL FROM:<reverse-path> [parameters]`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    #[error("unknown command {verb}")]
    UnknownCommand { verb: String },
    #[error("syntax error, expected {expected}")]
    Syntax {
        verb: &'static str,
        expected: &'static str,
    },
}

/// Parses one command line (no line end). Lenient where Postfix is lenient.
pub fn parse_request(_line: &str) -> Result<Request, SyntaxError> {
    todo!()
}
