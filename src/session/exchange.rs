use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use super::{Command, Origin, Reading, Reply, TlsHandshake};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Smtp,
    Pop3,
    /// A TLS connection read for its handshake only (HTTPS webmail): no exchanges, a `tls`.
    Tls,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Smtp => "smtp",
            Protocol::Pop3 => "pop3",
            Protocol::Tls => "tls",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A command and the reply it got. The greeting has no command; a command the capture or
/// transcript shows no answer to has no reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exchange {
    pub command: Option<Command>,
    pub reply: Option<Reply>,
}

impl Exchange {
    /// `EHLO → 250`, `greeting → 220`, `message → (no reply)`: one line of a skeleton.
    pub fn skeleton_line(&self) -> String {
        let label = self.command.as_ref().map_or("greeting", Command::label);
        match &self.reply {
            Some(reply) => format!("{label} → {}", reply.code),
            None => format!("{label} → (no reply)"),
        }
    }
}

/// Where a session was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Source {
    pub path: PathBuf,
    /// Which part of the file: `code block 2`, `tcp 10.0.0.1:51514 → 10.0.0.2:25`, …
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if !self.label.is_empty() {
            write!(f, " ({})", self.label)?;
        }
        Ok(())
    }
}

/// `telnet imap.qq.com 25`: where the student said they connected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Connect {
    pub host: String,
    pub port: Option<u16>,
    pub origin: Origin,
}

/// Something ingest noticed that is not a command or reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub origin: Origin,
    /// The detail for people, in both languages (reports pick `--lang`); never holds a
    /// secret in either.
    pub detail: crate::i18n::Text,
}

/// JSON schema v1 keeps `detail` as the English string (consumers read it so);
/// `detail_text` beside it holds both languages, like a problem's `message_text`.
impl Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            kind: NoteKind,
            origin: &'a Origin,
            detail: &'a str,
            detail_text: &'a crate::i18n::Text,
        }
        View {
            kind: self.kind,
            origin: &self.origin,
            detail: &self.detail.en,
            detail_text: &self.detail,
        }
        .serialize(serializer)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// No `C:`/`S:` marks: the direction of a line was inferred and the inference was unsure.
    DirectionInferred,
    /// Bytes missing from a capture (lost segments) or a transcript that stops mid-reply.
    Gap,
    /// A reply was paired with another command than the line order says, because the
    /// protocol says which command it answers (a reply printed late or early).
    Paired,
    /// TLS began (STARTTLS, STLS, implicit TLS): nothing after this is readable.
    Encrypted,
    /// A line that is neither a command nor a reply of the protocol.
    Unrecognised,
    /// How the text was read was guessed: its encoding (GB18030 vs. UTF-8 …), or quote
    /// marks, line numbers or time stamps taken off the dialogue.
    Decoding,
    /// The file or capture ended in the middle of a command or reply.
    Truncated,
}

/// One SMTP or POP3 connection, as read from a transcript or a capture, or as replayed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Session {
    pub protocol: Protocol,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<Connect>,
    pub exchanges: Vec<Exchange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Index of the first exchange after which the connection is encrypted, if it became so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted_after: Option<usize>,
    /// The TLS handshake seen after STARTTLS / STLS, on an implicit-TLS port, or of a
    /// [`Protocol::Tls`] connection. Boxed: few sessions have one, and every session is
    /// moved several times on its way from the capture reader to a report (issue 18).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<Box<TlsHandshake>>,
    /// How a text file was read (markers learned, doubts); none for captures and replays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<Reading>,
}

impl Session {
    pub fn new(protocol: Protocol, source: Source) -> Self {
        Session {
            protocol,
            source,
            connect: None,
            exchanges: Vec::new(),
            notes: Vec::new(),
            encrypted_after: None,
            tls: None,
            reading: None,
        }
    }

    /// One `LABEL → code` line per exchange: the shape the grader compares.
    pub fn skeleton(&self) -> Vec<String> {
        self.exchanges.iter().map(Exchange::skeleton_line).collect()
    }

    pub fn commands(&self) -> impl Iterator<Item = &Command> {
        self.exchanges.iter().filter_map(|e| e.command.as_ref())
    }
}
