use std::io::Read;
use std::path::Path;

use super::IngestError;
use crate::session::{Note, Session};

/// What one file gave: its sessions, and observations about the file as a whole
/// (encoding guessed, frames skipped) that belong to no one session.
#[derive(Debug, Default)]
pub struct FileRead {
    pub sessions: Vec<Session>,
    pub notes: Vec<Note>,
    /// A report's headings, to tie its dialogues to the sections they are under.
    pub outline: Vec<super::Heading>,
}

/// Reads a transcript, report, export or capture into sessions, detecting its kind.
///
/// Captures are streamed, so a capture of any size needs memory for its open sessions only;
/// text is read whole.
pub fn read_file(path: &Path) -> Result<FileRead, IngestError> {
    let io_error = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut magic = [0u8; 4];
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let sniffed = read_up_to(&mut file, &mut magic).map_err(io_error)?;
    if capture::is_capture(&magic[..sniffed]) {
        return capture::read_capture_file(path);
    }
    let mut bytes = magic[..sniffed].to_vec();
    file.read_to_end(&mut bytes).map_err(io_error)?;
    read_bytes(path, &bytes)
}

/// Fills `buf` as far as the file goes; the count read.
fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Like [`read_file`] for bytes already in memory; `path` names them in sessions and errors.
pub fn read_bytes(path: &Path, bytes: &[u8]) -> Result<FileRead, IngestError> {
    if capture::is_capture(bytes) {
        return capture::read_capture(path, bytes);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Err(IngestError::Invalid {
            path: path.to_path_buf(),
            place: None,
            message: IngestProblem::ZipNotTranscript.text(),
            hint: Some(IngestHint::UnzipOwn),
        });
    }
    text::read_text(path, bytes)
}

use super::{capture, text};
use crate::i18n::messages::ingest::{IngestHint, IngestProblem};
