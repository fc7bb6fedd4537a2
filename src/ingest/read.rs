use std::path::Path;

use super::IngestError;
use crate::session::{Note, Session};

/// What one file gave: its sessions, and observations about the file as a whole
/// (encoding guessed, frames skipped) that belong to no one session.
#[derive(Debug, Default)]
pub struct FileRead {
    pub sessions: Vec<Session>,
    pub notes: Vec<Note>,
}

/// Reads a transcript, report, export or capture into sessions, detecting its kind.
pub fn read_file(path: &Path) -> Result<FileRead, IngestError> {
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_bytes(path, &bytes)
}

/// Like [`read_file`] for bytes already in memory; `path` names them in sessions and errors.
pub fn read_bytes(path: &Path, bytes: &[u8]) -> Result<FileRead, IngestError> {
    if capture::is_capture(bytes) {
        return capture::read_capture(path, bytes);
    }
    text::read_text(path, bytes)
}

use super::{capture, text};
