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
    Auth {
        mechanism: Option<String>,
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
}

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

/// Parses one command line (no line end).
pub fn parse_request(_line: &str) -> Result<Request, SyntaxError> {
    todo!()
}
