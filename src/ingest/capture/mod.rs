//! pcap / pcapng (and Microsoft NetMon) captures → sessions.
//!
//! The layers, each its own module: `file` (formats, streaming) → `link` (Ethernet, VLAN,
//! PPPoE, SLL, SLL2, NULL/loopback, raw IP) → `ip` and `defrag` (IPv4/IPv6, fragments), with
//! `tunnel` (GRE, L2TP, IP in IP) leading back to `link` or `ip` → `tcp` and `reassembly` (one direction put in order, gaps found) → `flows` (connections, decided
//! mail or not on their first bytes by `detect`) → `sessions` (one `DialogueBuilder` per
//! mail connection) → `summary` (file notes, or why nothing was found). A file on disk is
//! read in place through `mapped`; `prefetch` keeps the frame chase ahead of memory. Up to
//! `flows` is one stage and `sessions` another, on two threads for large files (`handoff`).
//! The frame nearly every capture is made of (Ethernet, IPv4 unfragmented, TCP) is read by
//! `plain` in one pass, from `file` straight to `flows`; the layers read every other frame.

#[cfg(test)]
mod corpus_tests;
mod decode;
mod defrag;
mod detect;
mod file;
mod flows;
mod handoff;
mod ip;
mod link;
// Mapping and the SIGBUS watch need a Unix kernel; elsewhere (Windows, wasm32) a capture
// file is streamed.
#[cfg(all(feature = "native", unix))]
mod mapped;
mod netmon;
mod plain;
mod prefetch;
mod reader;
mod reassembly;
mod release;
mod sessions;
#[cfg(all(feature = "native", unix))]
mod shrink_watch;
mod summary;
mod tcp;
mod tunnel;
mod waiting;

use std::path::Path;

use super::{FileRead, IngestError};
use crate::session::Session;
#[cfg(all(feature = "native", unix))]
use mapped::Mapped;

/// Whether a capture's two stages (frames to connections, connections to sessions) may run
/// on two threads. A second thread pays only while a core would otherwise idle: a caller
/// that grades or writes JSON as sessions come keeps both cores busy itself, and there the
/// batches handed between two reader threads cost wakeups and the sessions came later
/// (issue 18: one thread made `grade` 4-5 % and `extract --format json` 9-10 % faster on
/// 71 MB and 1 GB, and `extract`'s text 28 % slower). The sessions are the same either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureStages {
    /// Both stages on the caller's thread: its own work on each session needs the other core.
    Together,
    /// The first stage on a thread of its own once the capture is large enough to pay for it
    /// (1 MiB, or a stream of unknown size): the caller does little with each session, or
    /// waits for them all.
    Apart,
}

/// Whether the bytes start like a pcap, pcapng or NetMon capture.
pub fn is_capture(bytes: &[u8]) -> bool {
    file::Format::sniff(bytes).is_some()
}

/// Reads every SMTP and POP3 session in a capture held in memory.
pub fn read_capture(path: &Path, bytes: &[u8]) -> Result<FileRead, IngestError> {
    collected(|sink| {
        let input = reader::Input::<std::fs::File>::Bytes(bytes);
        reader::read(path, input, CaptureStages::Apart, sink)
    })
}

/// The sessions a streaming read hands on, collected into its [`FileRead`].
fn collected(
    read: impl FnOnce(&mut dyn FnMut(Session)) -> Result<FileRead, IngestError>,
) -> Result<FileRead, IngestError> {
    let mut sessions = Vec::new();
    let mut read = read(&mut |session| sessions.push(session))?;
    read.sessions = sessions;
    Ok(read)
}

/// Like [`read_capture`] for a file on disk, every session collected; see
/// [`read_capture_file_each`] for memory that follows the sessions open at once.
///
/// The file is mapped, so its pages come from the page cache without being copied; where
/// it cannot be mapped (a pipe, a file system without mmap) it is streamed. A file that
/// shrinks while it is read is an error, never a crash. Where files cannot be mapped
/// (Windows, wasm32) this is [`read_capture_streamed`].
pub fn read_capture_file(path: &Path) -> Result<FileRead, IngestError> {
    collected(|sink| read_capture_file_each(path, CaptureStages::Apart, sink))
}

/// Like [`read_capture_file`], handing each session to `sink` as soon as it is over and no
/// earlier one can still appear (in the order of their first frames, as
/// [`read_capture_file`] gives them); the [`FileRead`] holds the file's notes only. Memory
/// follows the sessions open at once. After an error, the sessions handed on stay handed on.
/// `stages` says whether the reading may take a second thread.
#[cfg(all(feature = "native", unix))]
pub fn read_capture_file_each(
    path: &Path,
    stages: CaptureStages,
    sink: &mut dyn FnMut(Session),
) -> Result<FileRead, IngestError> {
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let read = |bytes: &[u8]| {
        reader::read::<std::fs::File>(path, reader::Input::Bytes(bytes), stages, sink)
    };
    match mapped::read_mapped(&file, read) {
        Mapped::Read(read) => read,
        Mapped::Shrank => Err(IngestError::Invalid {
            path: path.to_path_buf(),
            place: None,
            message: crate::i18n::messages::ingest::IngestProblem::FileChanged.text(),
            hint: Some(crate::i18n::messages::ingest::IngestHint::ReadAgain),
        }),
        Mapped::Unmappable => reader::read(path, reader::Input::Stream(file), stages, sink),
    }
}

#[cfg(not(all(feature = "native", unix)))]
pub fn read_capture_file_each(
    path: &Path,
    stages: CaptureStages,
    sink: &mut dyn FnMut(Session),
) -> Result<FileRead, IngestError> {
    read_capture_streamed_each(path, stages, sink)
}

/// Like [`read_capture_file`], always through a read buffer (no mapping).
pub fn read_capture_streamed(path: &Path) -> Result<FileRead, IngestError> {
    collected(|sink| read_capture_streamed_each(path, CaptureStages::Apart, sink))
}

fn read_capture_streamed_each(
    path: &Path,
    stages: CaptureStages,
    sink: &mut dyn FnMut(Session),
) -> Result<FileRead, IngestError> {
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    reader::read(path, reader::Input::Stream(file), stages, sink)
}
