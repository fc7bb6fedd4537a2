use std::io::Read;
use std::path::Path;

use super::capture::CaptureStages;
use super::IngestError;
use crate::session::{Note, NoteKind, Origin, Session};

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
pub fn read_file(path: &Path) -> Result<FileRead, IngestError> {
    let mut sessions = Vec::new();
    let mut read = read_file_each(path, CaptureStages::Apart, &mut |session| {
        sessions.push(session)
    })?;
    read.sessions = sessions;
    Ok(read)
}

/// Like [`read_file`], handing each session to `sink` instead; the [`FileRead`] holds the
/// rest. A capture's sessions go as soon as each is over (in the order of their first
/// frames), so a capture of any size needs memory for its open sessions only; text is read
/// whole, then handed on. `stages` says whether a capture's reading may take a second thread.
pub fn read_file_each(
    path: &Path,
    stages: CaptureStages,
    sink: &mut dyn FnMut(Session),
) -> Result<FileRead, IngestError> {
    let io_error = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut magic = [0u8; 4];
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let sniffed = read_up_to(&mut file, &mut magic).map_err(io_error)?;
    if capture::is_capture(&magic[..sniffed]) {
        return capture::read_capture_file_each(path, stages, sink);
    }
    let mut bytes = magic[..sniffed].to_vec();
    file.read_to_end(&mut bytes).map_err(io_error)?;
    let mut read = read_bytes(path, &bytes)?;
    for session in std::mem::take(&mut read.sessions) {
        sink(session);
    }
    Ok(read)
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
        // A lab report from a word processor is a zip too: its text is read as a report.
        match office::document_text(bytes) {
            Some(Ok(text)) => {
                let mut read = text::read_text(path, text.as_bytes())?;
                // Its findings point at "line N": say that N counts paragraphs, not the
                // lines a word processor shows on its pages.
                read.notes.insert(
                    0,
                    Note {
                        kind: NoteKind::Decoding,
                        origin: Origin::line(1),
                        detail: NoteText::ReadAsDocument.text(),
                    },
                );
                return Ok(read);
            }
            Some(Err(error)) => {
                let message = match error {
                    OfficeError::TooLarge { max } => {
                        IngestProblem::DocumentTooLarge { max_mib: max >> 20 }
                    }
                    OfficeError::Damaged(error) => IngestProblem::DocumentUnreadable { error },
                };
                return Err(IngestError::Invalid {
                    path: path.to_path_buf(),
                    place: None,
                    message: message.text(),
                    hint: None,
                });
            }
            None => {}
        }
        return Err(IngestError::Invalid {
            path: path.to_path_buf(),
            place: None,
            message: IngestProblem::ZipNotTranscript.text(),
            hint: Some(IngestHint::UnzipOwn),
        });
    }
    text::read_text(path, bytes)
}

use super::office::{self, OfficeError};
use super::{capture, text};
use crate::i18n::messages::ingest::{IngestHint, IngestProblem};
use crate::i18n::messages::notes::NoteText;
