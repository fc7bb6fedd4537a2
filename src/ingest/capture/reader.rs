//! The capture reader end to end: frames → connections → sessions → a [`FileRead`].

use std::io::Read;
use std::path::Path;

use super::decode::Decoder;
use super::file::{self, RawFrame};
use super::release::{Release, Window};
use super::sessions::SessionAssembler;
use super::summary::{self, Outcome};
use crate::ingest::{FileRead, IngestError};
use crate::session::Session;

/// Where the capture's bytes come from.
pub(super) enum Input<'a, R: Read> {
    /// Already in memory: frames are read in place.
    Bytes(&'a [u8]),
    /// Streamed: memory is bounded by the open sessions.
    Stream(R),
}

/// Reads every SMTP and POP3 session from a capture, handing each to `sink` in the order of
/// their first frames as soon as no earlier one can still appear; the [`FileRead`] returned
/// holds the file's notes and no sessions. After an error, sessions already handed on stay
/// with the caller.
pub(super) fn read<R: Read>(
    path: &Path,
    input: Input<'_, R>,
    sink: &mut dyn FnMut(Session),
) -> Result<FileRead, IngestError> {
    let mut assembler = SessionAssembler::new(path);
    let mut decoder = Decoder::default();
    let mut release = Release::new(sink);
    let mut window = Window::default();
    let mut on_frame = |frame: &RawFrame<'_>| {
        decoder.frame(frame, &mut assembler);
        window.after_frame(&mut decoder, &mut assembler, &mut release);
    };
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
    assembler.take_all(&mut |f| release.push(f));
    let (has_mail, held) = release.into_held();
    let mut read = summary::conclude(Outcome {
        path,
        info,
        frames: decoder.stats,
        flows: decoder.flows.stats,
        fragments_abandoned: decoder.defrag.abandoned,
        sessions: held,
        has_mail,
    })?;
    for session in std::mem::take(&mut read.sessions) {
        sink(session);
    }
    Ok(read)
}
