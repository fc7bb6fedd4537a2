use std::path::PathBuf;

/// Why a file gave no sessions. Every variant names the file; `place` names where in it
/// (`line 12`, `frame 817`) when one place is to blame.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("failed to read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}{}: {message}", path.display(), place.as_deref().map(|p| format!(", {p}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        place: Option<String>,
        message: String,
        hint: Option<String>,
    },
    #[error("{}: no SMTP or POP3 dialogue found: {reason}", path.display())]
    NothingFound {
        path: PathBuf,
        reason: String,
        hint: Option<String>,
    },
}

impl IngestError {
    /// What the student can do about it, when there is advice to give.
    pub fn hint(&self) -> Option<&str> {
        match self {
            IngestError::Io { .. } => None,
            IngestError::Invalid { hint, .. } | IngestError::NothingFound { hint, .. } => {
                hint.as_deref()
            }
        }
    }
}
