//! The capture reader end to end: frames → connections → sessions → a [`FileRead`].

use std::io::Read;
use std::path::Path;

use super::decode::Decoder;
use super::file;
use super::sessions::SessionAssembler;
use super::summary::{self, Outcome};
use crate::ingest::{FileRead, IngestError};

/// Reads every SMTP and POP3 session from a capture streamed from `input`.
pub(super) fn read(path: &Path, input: impl Read) -> Result<FileRead, IngestError> {
    let mut assembler = SessionAssembler::new(path);
    let mut decoder = Decoder::default();
    let info = file::for_each_frame(input, &mut |frame| decoder.frame(frame, &mut assembler))
        .map_err(|e| IngestError::Invalid {
            path: path.to_path_buf(),
            place: None,
            message: e.message,
            hint: e.hint,
        })?;
    decoder.finish(&mut assembler);
    summary::conclude(Outcome {
        path,
        info,
        frames: decoder.stats,
        flows: decoder.flows.stats,
        fragments_abandoned: decoder.defrag.abandoned,
        sessions: assembler.into_sessions(),
    })
}
