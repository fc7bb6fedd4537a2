//! The capture reader end to end: frames → connections → sessions → a [`FileRead`].

use std::io::Read;
use std::path::Path;

use super::decode::Decoder;
use super::file::{self, RawFrame};
use super::sessions::SessionAssembler;
use super::summary::{self, Outcome};
use crate::ingest::{FileRead, IngestError};

/// Where the capture's bytes come from.
pub(super) enum Input<'a, R: Read> {
    /// Already in memory: frames are read in place.
    Bytes(&'a [u8]),
    /// Streamed: memory is bounded by the open sessions.
    Stream(R),
}

/// Reads every SMTP and POP3 session from a capture.
pub(super) fn read<R: Read>(path: &Path, input: Input<'_, R>) -> Result<FileRead, IngestError> {
    let mut assembler = SessionAssembler::new(path);
    let mut decoder = Decoder::default();
    let mut on_frame = |frame: &RawFrame<'_>| decoder.frame(frame, &mut assembler);
    let info = match input {
        Input::Bytes(bytes) => file::for_each_frame_in(bytes, &mut on_frame),
        Input::Stream(reader) => file::for_each_frame(reader, &mut on_frame),
    };
    let info = info.map_err(|e| IngestError::Invalid {
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
