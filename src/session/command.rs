use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use super::{Content, Origin, Protocol, Secret};
use crate::protocol::{Request, Verb};

/// One thing the client sent that the server answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Command {
    pub kind: CommandKind,
    pub origin: Origin,
    /// Sent in one write together with earlier commands whose replies had not arrived
    /// (RFC 2920 PIPELINING, or POP3 pipelining from RFC 2449).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pipelined: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandKind {
    /// A command line: the request the protocol read (serialised as `verb`, the first word
    /// upper-cased), `written` the first word as the student typed it, `args` the rest with
    /// any credential split off. `written` borrows the verb's own name when it is spelled
    /// so (nearly every line): a capture's commands do not each copy it (issue 18).
    Line {
        #[serde(rename = "verb")]
        request: Request,
        written: Cow<'static, str>,
        args: Args,
    },
    /// A SASL response after a `334` / `+ ` challenge (the AUTH LOGIN user name and password).
    AuthResponse { payload: Secret },
    /// `*`: the client cancelled the AUTH exchange (RFC 4954 §4).
    AuthCancel,
    /// The message after DATA (or a BDAT chunk), up to and without the lone `.`.
    Message { content: Content },
}

/// A command's arguments with any credential split off into a [`Secret`].
///
/// `PASS hunter2` has `text: ""` and a secret; `AUTH PLAIN AGFsaWNl…` has `text: "PLAIN"`
/// and the initial response as its secret; `APOP mrose c4c9…` keeps `mrose` as text.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct Args {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
}

impl Args {
    pub fn plain(text: impl Into<String>) -> Self {
        Args {
            text: text.into(),
            secret: None,
        }
    }
}

impl fmt::Display for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.secret, self.text.is_empty()) {
            (None, _) => f.write_str(&self.text),
            (Some(secret), true) => secret.fmt(f),
            (Some(secret), false) => write!(f, "{} {secret}", self.text),
        }
    }
}

impl CommandKind {
    /// A command line, read by the protocol from its first word and arguments.
    pub fn line(protocol: Protocol, written: impl Into<String>, args: Args) -> CommandKind {
        let written: String = written.into();
        let request = Request::read(protocol, &written, &args);
        CommandKind::Line {
            written: Request::written(&request, &written),
            request,
            args,
        }
    }
}

impl Command {
    pub fn new(kind: CommandKind, origin: Origin) -> Self {
        Command {
            kind,
            origin,
            pipelined: false,
        }
    }

    /// The step name a skeleton shows: the verb, or `auth-response`, `auth-cancel`, `message`.
    pub fn label(&self) -> &str {
        match &self.kind {
            CommandKind::Line { request, .. } => request.word(),
            CommandKind::AuthResponse { .. } => "auth-response",
            CommandKind::AuthCancel => "auth-cancel",
            CommandKind::Message { .. } => "message",
        }
    }

    /// The verb of a command line, when its first word is one of the protocol's.
    pub fn verb(&self) -> Option<Verb> {
        self.request().and_then(Request::verb)
    }

    /// A command line's first word upper-cased, whether or not it is a verb.
    pub fn word(&self) -> Option<&str> {
        self.request().map(Request::word)
    }

    /// What the protocol read a command line as.
    pub fn request(&self) -> Option<&Request> {
        match &self.kind {
            CommandKind::Line { request, .. } => Some(request),
            _ => None,
        }
    }

    pub fn args(&self) -> Option<&Args> {
        match &self.kind {
            CommandKind::Line { args, .. } => Some(args),
            _ => None,
        }
    }
}

impl fmt::Display for Command {
    /// The command as a line a person can read, with secrets redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CommandKind::Line { written, args, .. }
                if args.text.is_empty() && args.secret.is_none() =>
            {
                f.write_str(written)
            }
            CommandKind::Line { written, args, .. } => write!(f, "{written} {args}"),
            CommandKind::AuthResponse { payload } => payload.fmt(f),
            CommandKind::AuthCancel => f.write_str("*"),
            CommandKind::Message { content } => match content.size {
                Some(size) => write!(f, "<message, {size} bytes>"),
                None => f.write_str("<message>"),
            },
        }
    }
}
