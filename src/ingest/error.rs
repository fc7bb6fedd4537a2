use std::path::PathBuf;

use crate::i18n::messages::ingest::IngestHint;
use crate::i18n::Text;

/// Why a file gave no sessions. Every variant names the file; `place` names where in it
/// (`line 12`, `frame 817`) when one place is to blame. Texts are in both languages (the
/// catalogue's `ingest.toml`); `Display` is English, as errors of the command line are.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("failed to read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}{}: {}", path.display(), place.as_ref().map(|p| format!(", {}", p.en)).unwrap_or_default(), message.en)]
    Invalid {
        path: PathBuf,
        /// Boxed: a place is rare, and errors stay small.
        place: Option<Box<Text>>,
        message: Text,
        hint: Option<IngestHint>,
    },
    #[error("{}: no SMTP or POP3 dialogue found: {}", path.display(), reason.en)]
    NothingFound {
        path: PathBuf,
        reason: Text,
        hint: Option<IngestHint>,
    },
}

impl IngestError {
    /// What the student can do about it, when there is advice to give.
    pub fn hint(&self) -> Option<Text> {
        match self {
            IngestError::Io { .. } => None,
            IngestError::Invalid { hint, .. } | IngestError::NothingFound { hint, .. } => {
                hint.map(|h| h.text())
            }
        }
    }
}
