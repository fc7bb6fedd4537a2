//! How a text file's dialogue was read: which direction markers the reader learned from the
//! file, which side each was read as and why, and what it was unsure of. `extract` prints
//! it; the grader turns doubts into a finding instead of guessing silently.
//!
//! Only marker tokens and counts are kept here, never a line's text: a marker is what comes
//! before the dialogue on a line (`C:`, `->`, `send:`), with time stamps, numbers and
//! addresses masked (`<time> CLIENT -> SERVER:`).

use std::fmt;

use serde::Serialize;

use crate::i18n::messages::checks::{DoubtMessage, MarkerMessage, SidesFromWord};
use crate::i18n::Lang;

/// What the reader learned about one file, carried by every session read from it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// How the sides of lines were told apart, per part of the file.
    pub sides_from: Vec<SidesFrom>,
    /// The markers found, in the order they first occur.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub markers: Vec<MarkerReading>,
    /// Why the reading may be wrong; empty when the reader is sure.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub doubts: Vec<Doubt>,
}

impl Reading {
    pub fn is_sure(&self) -> bool {
        self.doubts.is_empty()
    }
}

/// Where the side of a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SidesFrom {
    /// The file's own direction markers (`C:`/`S:`, arrows, `send:`/`reply:` …).
    Markers,
    /// No markers: each line's side was inferred from the protocol.
    Protocol,
    /// A Wireshark packet list: the Info column's `C:`/`S:` or the addresses.
    PacketList,
    /// tshark's follow output: the node each chunk came from.
    StreamDump,
}

impl SidesFrom {
    pub fn word(self) -> SidesFromWord {
        match self {
            SidesFrom::Markers => SidesFromWord::Markers,
            SidesFrom::Protocol => SidesFromWord::Protocol,
            SidesFrom::PacketList => SidesFromWord::PacketList,
            SidesFrom::StreamDump => SidesFromWord::StreamDump,
        }
    }
}

impl fmt::Display for SidesFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word().get(Lang::En))
    }
}

/// One marker and how it was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MarkerReading {
    /// The marker as the file writes it, varying parts masked (`<time>`, `<ip>`, `#`).
    pub marker: String,
    pub read_as: MarkerRole,
    /// Lines the marker starts.
    pub lines: u32,
    /// Of its lines outside message text and bodies: how many parse as commands and as replies.
    pub commands: u32,
    pub replies: u32,
    /// What follows the marker is a quoted string (`'…\r\n'`, `b"…"`), read unquoted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub quoted: bool,
    /// The marker was HTML-escaped (`-&gt;`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub escaped: bool,
    /// The first line it is on.
    pub first_line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum MarkerRole {
    /// The client's lines.
    Client,
    /// The server's lines.
    Server,
    /// On lines of both sides (a prefix every line has): taken off, each line's side inferred.
    Both,
    /// The tool's own lines (`* Connected …`, `DEBUG SMTP: …`): skipped.
    Info,
    /// Lines that repeat another marker's lines (`*put*` after `*cmd*`): skipped.
    Echo { of: String },
}

impl MarkerReading {
    /// "`->` read as the server's lines: they parse as replies (5 of 5) [5 lines, first line 2]".
    pub fn render(&self, lang: Lang) -> String {
        let parsed = self.commands + self.replies;
        let (commands, replies) = (self.commands, self.replies);
        let role = match &self.read_as {
            MarkerRole::Client => MarkerMessage::Client { commands, parsed },
            MarkerRole::Server => MarkerMessage::Server { replies, parsed },
            MarkerRole::Both => MarkerMessage::Both { commands, replies },
            MarkerRole::Info => MarkerMessage::Info,
            MarkerRole::Echo { of } => MarkerMessage::Echo { of: of.clone() },
        };
        let mut out = format!("`{}` {}", self.marker, role.render(lang));
        if self.quoted {
            out.push_str(&MarkerMessage::Quoted.render(lang));
        }
        if self.escaped {
            out.push_str(&MarkerMessage::Escaped.render(lang));
        }
        let first = self.first_line;
        let lines = match self.lines {
            1 => MarkerMessage::Line { first },
            lines => MarkerMessage::Lines { lines, first },
        };
        out.push_str(&lines.render(lang));
        out
    }
}

impl fmt::Display for MarkerReading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Why a reading may be wrong. Names markers and counts, never a line's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Doubt {
    /// A marker's lines parse as both commands and replies.
    MixedMarker {
        marker: String,
        commands: u32,
        replies: u32,
    },
    /// Many lines' sides were guessed from the protocol state, unsure.
    GuessedSides { guessed: u32, exchanges: u32 },
    /// Many commands read are no command of the protocol: lines may be on the wrong side.
    UnknownCommands { unknown: u32, commands: u32 },
}

impl Doubt {
    /// The doubt as a message, for the `unsure-reading` finding and for `extract`.
    pub fn message(&self) -> DoubtMessage {
        match self {
            Doubt::MixedMarker {
                marker,
                commands,
                replies,
            } => DoubtMessage::MixedMarker {
                marker: marker.clone(),
                commands: *commands,
                replies: *replies,
            },
            Doubt::GuessedSides { guessed, exchanges } => DoubtMessage::GuessedSides {
                guessed: *guessed,
                exchanges: *exchanges,
            },
            Doubt::UnknownCommands { unknown, commands } => DoubtMessage::UnknownCommands {
                unknown: *unknown,
                commands: *commands,
            },
        }
    }
}

impl fmt::Display for Doubt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message().render(Lang::En))
    }
}
