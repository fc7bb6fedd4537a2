use std::fmt;

use serde::{Serialize, Serializer};

use super::{Content, Origin, ReplyLines};

/// An SMTP reply code, `200..=599` (RFC 5321 §4.2). Typed so "any 5xx" is a method, not a
/// string match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SmtpCode(u16);

/// The first digit of an SMTP reply code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    PositivePreliminary,
    PositiveCompletion,
    PositiveIntermediate,
    TransientNegative,
    PermanentNegative,
}

impl SmtpCode {
    /// A code whose first digit is 1–5. RFC 5321 also limits the second digit to 0–5, but
    /// real servers send others (CommuniGate's `472`), and a reply they sent is still the
    /// reply to the command before it: reading it as one keeps every later reply paired.
    pub fn new(code: u16) -> Option<Self> {
        (100..=599).contains(&code).then_some(SmtpCode(code))
    }

    pub fn value(self) -> u16 {
        self.0
    }

    pub fn class(self) -> u8 {
        (self.0 / 100) as u8
    }

    pub fn severity(self) -> Severity {
        match self.class() {
            1 => Severity::PositivePreliminary,
            2 => Severity::PositiveCompletion,
            3 => Severity::PositiveIntermediate,
            4 => Severity::TransientNegative,
            _ => Severity::PermanentNegative,
        }
    }
}

impl fmt::Display for SmtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A POP3 status indicator (RFC 1939 §3), and the `+ ` SASL continuation (RFC 5034).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pop3Status {
    Ok,
    Err,
    Continue,
}

/// What a server answered: an SMTP code or a POP3 status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplyCode {
    Smtp(SmtpCode),
    Pop3(Pop3Status),
}

impl ReplyCode {
    /// 2xx/3xx, `+OK` and `+ `: the server went along with the command.
    pub fn is_positive(self) -> bool {
        match self {
            ReplyCode::Smtp(code) => matches!(code.class(), 1..=3),
            ReplyCode::Pop3(status) => status != Pop3Status::Err,
        }
    }

    pub fn smtp(self) -> Option<SmtpCode> {
        match self {
            ReplyCode::Smtp(code) => Some(code),
            ReplyCode::Pop3(_) => None,
        }
    }
}

impl ReplyCode {
    /// `250`, `+OK`, `-ERR` or `+`, without core::fmt (the reports write one per exchange);
    /// `digits` holds the number's text.
    pub fn text(self, digits: &mut itoa::Buffer) -> &str {
        match self {
            ReplyCode::Smtp(code) => digits.format(code.value()),
            ReplyCode::Pop3(status) => crate::protocol::pop3::indicator(status),
        }
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text(&mut itoa::Buffer::new()))
    }
}

impl Serialize for ReplyCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A whole reply: every line of a multi-line SMTP reply, or a POP3 status line and the
/// multi-line body that followed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub code: ReplyCode,
    /// The text after the code on each line (`250-PIPELINING` gives `PIPELINING`).
    pub lines: ReplyLines,
    /// A POP3 multi-line body (RETR, TOP, LIST, UIDL, CAPA), dot-unstuffed. Boxed: most
    /// replies have none, and every reply is moved several times on its way into a session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Box<Content>>,
    pub origin: Origin,
}

impl Reply {
    pub fn new(code: ReplyCode, lines: ReplyLines, origin: Origin) -> Self {
        Reply {
            code,
            lines,
            body: None,
            origin,
        }
    }

    /// The first line's text, as a one-line summary.
    pub fn text(&self) -> &str {
        self.lines.first().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::{Pop3Status, ReplyCode, SmtpCode};

    #[test]
    fn a_code_shows_as_its_number_or_indicator() {
        for value in 100..=599 {
            let code = ReplyCode::Smtp(SmtpCode::new(value).expect("a reply code"));
            assert_eq!(code.to_string(), value.to_string());
        }
        for status in [Pop3Status::Ok, Pop3Status::Err, Pop3Status::Continue] {
            let shown = ReplyCode::Pop3(status).to_string();
            assert_eq!(shown, crate::protocol::pop3::indicator(status));
        }
    }
}
