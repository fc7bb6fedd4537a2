//! A text file from bytes to sessions: decode, split, find the code blocks, detect each
//! block's dialect, read events, assemble.

use std::path::Path;

use crate::ingest::{FileRead, IngestError};
use crate::session::{Note, NoteKind, Origin};

use super::assemble::{assemble, Assembled};
use super::blocks::{self, Region};
use super::decode::{decode, DecodeError};
use super::dialect;
use super::event::Located;
use super::lines::{split_lines, MAX_LINES, MAX_LINE_CHARS};

const HINT: &str = "put the dialogue in C:/S: lines (C: for what you typed, S: for what the \
                    server answered), or attach the .pcapng capture";

/// Reads a transcript, export or report into sessions.
pub fn read_text(path: &Path, bytes: &[u8]) -> Result<FileRead, IngestError> {
    let decoded = decode(bytes).map_err(|error| match error {
        DecodeError::Binary { offset } => IngestError::Invalid {
            path: path.to_path_buf(),
            place: Some(format!("near character {offset}")),
            message: "binary data, not a text transcript".into(),
            hint: Some(
                "hand in the transcript as text, or the capture as .pcap/.pcapng with its real \
                 file name"
                    .into(),
            ),
        },
        DecodeError::Empty => IngestError::NothingFound {
            path: path.to_path_buf(),
            reason: "the file is empty".into(),
            hint: Some(HINT.into()),
        },
    })?;
    let mut notes = Vec::new();
    if let Some(guess) = &decoded.guess {
        notes.push(Note {
            kind: NoteKind::Decoding,
            origin: Origin::line(1),
            detail: guess.clone(),
        });
    }
    let (lines, cuts) = split_lines(&decoded.text);
    for &line in cuts.long_lines.iter().take(5) {
        notes.push(Note {
            kind: NoteKind::Truncated,
            origin: Origin::line(line),
            detail: format!(
                "line longer than {MAX_LINE_CHARS} characters; only its start was read"
            ),
        });
    }
    if cuts.too_many_lines {
        notes.push(Note {
            kind: NoteKind::Truncated,
            origin: Origin::line(MAX_LINES as u32),
            detail: format!("more than {MAX_LINES} lines; the rest of the file was not read"),
        });
    }

    let markdown = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "markdown"));
    let regions = blocks::regions(&lines, markdown);
    let mut assembled = assemble(path, &events_of(&regions));
    if assembled.sessions.is_empty() && regions.first().is_some_and(|r| r.block.is_some()) {
        // A report whose dialogue is in its prose, not its code blocks.
        let whole = assemble(path, &events_of(&[blocks::whole(&lines)]));
        if !whole.sessions.is_empty() {
            assembled = whole;
        }
    }
    let Assembled {
        sessions,
        notes: skipped,
    } = assembled;
    notes.extend(skipped);
    if sessions.is_empty() {
        return Err(IngestError::NothingFound {
            path: path.to_path_buf(),
            reason: nothing_found_reason(&notes),
            hint: Some(HINT.into()),
        });
    }
    Ok(FileRead { sessions, notes })
}

fn events_of(regions: &[Region]) -> Vec<Located> {
    let mut events = Vec::new();
    for region in regions {
        let dialect = dialect::detect(region.lines);
        events.extend(
            dialect::read(dialect, region.lines)
                .into_iter()
                .map(|located| Located {
                    block: region.block,
                    ..located
                }),
        );
    }
    events
}

fn nothing_found_reason(notes: &[Note]) -> String {
    let skipped = notes
        .iter()
        .find(|n| n.kind == NoteKind::Unrecognised)
        .map(|n| n.origin);
    match skipped {
        Some(origin) => format!(
            "only server replies with no commands (from line {origin}); no client side to grade"
        ),
        None => "no line reads as an SMTP or POP3 command or reply".into(),
    }
}
