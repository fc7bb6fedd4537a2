//! pcap / pcapng (and Microsoft NetMon) captures → sessions.
//!
//! The layers, each its own module: `file` (formats, streaming) → `link` (Ethernet, VLAN,
//! PPPoE, SLL, SLL2, NULL/loopback, raw IP) → `ip` and `defrag` (IPv4/IPv6, fragments), with
//! `tunnel` (GRE, L2TP, IP in IP) leading back to `link` or `ip` → `tcp` and `reassembly` (one direction put in order, gaps found) → `flows` (connections, decided
//! mail or not on their first bytes by `detect`) → `sessions` (one `DialogueBuilder` per
//! mail connection) → `summary` (file notes, or why nothing was found). A file on disk is
//! read in place through `mapped`; `prefetch` keeps the frame chase ahead of memory.

#[cfg(test)]
mod corpus_tests;
mod decode;
mod defrag;
mod detect;
mod file;
mod flows;
mod ip;
mod link;
// Mapping and the SIGBUS watch need a Unix kernel; elsewhere (Windows, wasm32) a capture
// file is streamed.
#[cfg(all(feature = "native", unix))]
mod mapped;
mod netmon;
mod prefetch;
mod reader;
mod reassembly;
mod sessions;
#[cfg(all(feature = "native", unix))]
mod shrink_watch;
mod summary;
mod tcp;
mod tunnel;
mod waiting;

use std::path::Path;

use super::{FileRead, IngestError};
#[cfg(all(feature = "native", unix))]
use mapped::Mapped;

/// Whether the bytes start like a pcap, pcapng or NetMon capture.
pub fn is_capture(bytes: &[u8]) -> bool {
    file::Format::sniff(bytes).is_some()
}

/// Reads every SMTP and POP3 session in a capture held in memory.
pub fn read_capture(path: &Path, bytes: &[u8]) -> Result<FileRead, IngestError> {
    reader::read::<std::fs::File>(path, reader::Input::Bytes(bytes))
}

/// Like [`read_capture`] for a file on disk: the process's own memory is bounded by the open
/// sessions, not the file's size.
///
/// The file is mapped, so its pages come from the page cache without being copied; where
/// it cannot be mapped (a pipe, a file system without mmap) it is streamed. A file that
/// shrinks while it is read is an error, never a crash. Where files cannot be mapped
/// (Windows, wasm32) this is [`read_capture_streamed`].
#[cfg(all(feature = "native", unix))]
pub fn read_capture_file(path: &Path) -> Result<FileRead, IngestError> {
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    match mapped::read_mapped(&file, |bytes| read_capture(path, bytes)) {
        Mapped::Read(read) => read,
        Mapped::Shrank => Err(IngestError::Invalid {
            path: path.to_path_buf(),
            place: None,
            message: crate::i18n::messages::ingest::IngestProblem::FileChanged.text(),
            hint: Some(crate::i18n::messages::ingest::IngestHint::ReadAgain),
        }),
        Mapped::Unmappable => reader::read(path, reader::Input::Stream(file)),
    }
}

#[cfg(not(all(feature = "native", unix)))]
pub fn read_capture_file(path: &Path) -> Result<FileRead, IngestError> {
    read_capture_streamed(path)
}

/// Like [`read_capture_file`], always through a read buffer (no mapping).
pub fn read_capture_streamed(path: &Path) -> Result<FileRead, IngestError> {
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    reader::read(path, reader::Input::Stream(file))
}
