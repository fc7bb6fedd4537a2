//! pcap / pcapng captures → sessions.
//!
//! CONTRACT (skeleton): `is_capture` sniffs the magic; `read_capture` decodes link, IP and
//! TCP, reassembles each direction and feeds the protocol's `DialogueBuilder`.

use std::path::Path;

use super::{FileRead, IngestError};

/// Whether the bytes start like a pcap, pcapng or other capture file.
pub fn is_capture(bytes: &[u8]) -> bool {
    const MAGICS: [[u8; 4]; 5] = [
        [0xd4, 0xc3, 0xb2, 0xa1],
        [0xa1, 0xb2, 0xc3, 0xd4],
        [0x4d, 0x3c, 0xb2, 0xa1],
        [0xa1, 0xb2, 0x3c, 0x4d],
        [0x0a, 0x0d, 0x0d, 0x0a],
    ];
    bytes.len() >= 4 && MAGICS.iter().any(|m| bytes[..4] == *m)
}

/// Reads every SMTP and POP3 session in a capture.
pub fn read_capture(path: &Path, _bytes: &[u8]) -> Result<FileRead, IngestError> {
    Err(IngestError::NothingFound {
        path: path.to_path_buf(),
        reason: "captures are not read yet".into(),
        hint: None,
    })
}
