//! A text file from bytes to sessions: decode, split, find the code blocks, detect each
//! block's dialect, read events, assemble.

use crate::i18n::messages::notes::NoteText;
use std::path::Path;

use std::collections::BTreeSet;

use crate::i18n::messages::ingest::{IngestHint, IngestProblem};
use crate::i18n::Text;
use crate::ingest::{FileRead, IngestError};
use crate::session::{Note, NoteKind, Origin, Session, SidesFrom};

use super::assemble::{assemble, Assembled};
use super::blocks::{self, Region};
use super::decode::{decode, DecodeError};
use super::decoration::undecorate;
use super::dialect::{self, Dialect};
use super::event::Located;
use super::html;
use super::lines::{split_lines, Line, MAX_LINES, MAX_LINE_CHARS};
use super::notation::{self, Notation, Used};

const HINT: IngestHint = IngestHint::Transcript;

/// Reads a transcript, export or report into sessions.
pub fn read_text(path: &Path, bytes: &[u8]) -> Result<FileRead, IngestError> {
    let decoded = decode(bytes).map_err(|error| match error {
        DecodeError::Binary { offset } => IngestError::Invalid {
            path: path.to_path_buf(),
            place: Some(Box::new(IngestProblem::NearCharacter { offset }.text())),
            message: IngestProblem::BinaryText.text(),
            hint: Some(IngestHint::PlainText),
        },
        DecodeError::Empty => IngestError::NothingFound {
            path: path.to_path_buf(),
            reason: IngestProblem::EmptyFile.text(),
            hint: Some(HINT),
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
    let text = if html::is_html(path, &decoded.text) {
        notes.push(Note {
            kind: NoteKind::Decoding,
            origin: Origin::line(1),
            detail: NoteText::ReadAsHtml.text(),
        });
        std::borrow::Cow::Owned(html::to_text(&decoded.text))
    } else {
        decoded.text
    };
    let (lines, cuts) = split_lines(&text);
    let (mut lines, decorations) = undecorate(&lines);
    notes.extend(decorations);
    let glue = blocks::unglue(&mut lines);
    if let Some(number) = glue.first {
        notes.push(Note {
            kind: NoteKind::Decoding,
            origin: Origin::line(number),
            detail: NoteText::GluedToFence.text(),
        });
    }
    for &line in cuts.long_lines.iter().take(5) {
        notes.push(Note {
            kind: NoteKind::Truncated,
            origin: Origin::line(line),
            detail: NoteText::LineTooLong {
                max: MAX_LINE_CHARS,
            }
            .text(),
        });
    }
    let cut_off = cuts.too_many_lines.then(|| Note {
        kind: NoteKind::Truncated,
        origin: Origin::line(MAX_LINES as u32),
        detail: NoteText::TooManyLines { max: MAX_LINES }.text(),
    });
    notes.extend(cut_off.clone());

    let markdown = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "md" | "markdown"));
    let regions = blocks::regions(&lines, markdown, &glue);
    let regions = with_dialects(regions);
    let mut notation = learn_from(&regions);
    let mut usage = Usage::default();
    let mut assembled = assemble(path, &events_of(&regions, &notation, &mut usage));
    if assembled.sessions.is_empty() && regions.first().is_some_and(|(r, _)| r.block.is_some()) {
        // A report whose dialogue is in its prose, not its code blocks.
        let whole = with_dialects(vec![blocks::whole(&lines)]);
        let whole_notation = learn_from(&whole);
        let mut whole_usage = Usage::default();
        let read = assemble(path, &events_of(&whole, &whole_notation, &mut whole_usage));
        if !read.sessions.is_empty() {
            assembled = read;
            usage = whole_usage;
            notation = whole_notation;
        }
    }
    let Assembled {
        mut sessions,
        notes: skipped,
    } = assembled;
    notes.extend(skipped);
    // Each session removed its own secrets; one session's may show in another's lines.
    crate::protocol::redact::redact_file(&mut sessions, &mut notes);
    explain(&mut sessions, &notation, &usage);
    // The session the line cap cut off says so itself.
    if let (Some(note), Some(last)) = (cut_off, sessions.last_mut()) {
        last.notes.push(note);
    }
    if sessions.is_empty() {
        return Err(IngestError::NothingFound {
            path: path.to_path_buf(),
            reason: nothing_found_reason(&notes),
            hint: Some(HINT),
        });
    }
    Ok(FileRead {
        sessions,
        notes,
        outline: super::outline::outline(&lines),
    })
}

/// Each region with the dialect it is written in, found once.
fn with_dialects(regions: Vec<Region>) -> Vec<(Region, Dialect)> {
    regions
        .into_iter()
        .map(|region| {
            let dialect = dialect::detect(region.lines);
            (region, dialect)
        })
        .collect()
}

/// The markers of the regions that are transcripts (an export's own structure needs none).
fn learn_from(regions: &[(Region, Dialect)]) -> Notation {
    let lines: Vec<&Line> = regions
        .iter()
        .filter(|(_, dialect)| *dialect == Dialect::Transcript)
        .flat_map(|(region, _)| region.lines)
        .collect();
    notation::learn(&lines)
}

/// How the regions of a file were read, for the explanation.
#[derive(Debug, Default)]
struct Usage {
    sides_from: BTreeSet<SidesFrom>,
    markers: Used,
}

fn events_of(
    regions: &[(Region, Dialect)],
    notation: &Notation,
    usage: &mut Usage,
) -> Vec<Located> {
    let mut events = Vec::new();
    for (region, dialect) in regions {
        let read = match dialect::read(*dialect, region.lines) {
            Some(read) => {
                usage.sides_from.insert(match dialect {
                    Dialect::FollowAscii | Dialect::FollowYaml => SidesFrom::StreamDump,
                    _ => SidesFrom::PacketList,
                });
                read
            }
            None => {
                let mut used = std::mem::take(&mut usage.markers);
                used.markers = false;
                let read = notation::read(notation, region.lines, &mut used);
                usage.sides_from.insert(if used.markers {
                    SidesFrom::Markers
                } else {
                    SidesFrom::Protocol
                });
                usage.markers = used;
                read
            }
        };
        events.extend(read.into_iter().map(|located| Located {
            block: region.block,
            origin: in_the_file(located.origin, region.lines),
            ..located
        }));
    }
    events
}

/// Every session gets the file's reading, with its own doubts added.
fn explain(sessions: &mut [Session], notation: &Notation, usage: &Usage) {
    let reading = notation::reading(notation, &usage.markers.lines, &usage.sides_from);
    let marked = !usage.sides_from.contains(&SidesFrom::Protocol);
    for session in sessions {
        let mut own = reading.clone();
        own.doubts
            .extend(notation::doubts_of_session(session, marked));
        session.reading = Some(own);
    }
}

/// A place in a line as read to the same place in the file, where decorations were taken
/// off the line's start.
fn in_the_file(origin: Origin, lines: &[Line]) -> Origin {
    let Origin::Line { line, column } = origin else {
        return origin;
    };
    // A region is a run of consecutive lines: the line is found by its number, not by a
    // search (once per event, on files of up to 200,000 lines).
    let first = lines.first().map_or(0, |l| l.number);
    let shifted = line
        .checked_sub(first)
        .and_then(|index| lines.get(index as usize))
        .filter(|l| l.number == line)
        .map_or(0, |l| l.shifted);
    Origin::Line {
        line,
        column: column + shifted,
    }
}

fn nothing_found_reason(notes: &[Note]) -> Text {
    let skipped = notes
        .iter()
        .find(|n| n.kind == NoteKind::Unrecognised)
        .map(|n| n.origin);
    match skipped {
        Some(origin) => IngestProblem::RepliesOnly {
            line: origin.to_string(),
        }
        .text(),
        None => IngestProblem::NoDialogueLine.text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each session as `protocol: skeleton | note kinds`.
    fn read(name: &str, text: &str) -> Vec<String> {
        let read = read_text(Path::new(name), text.as_bytes()).expect(name);
        read.sessions
            .iter()
            .map(|s| {
                let notes: Vec<String> = s.notes.iter().map(|n| format!("{:?}", n.kind)).collect();
                format!(
                    "{}: {} | {}",
                    s.protocol,
                    s.skeleton().join(", "),
                    notes.join(" ")
                )
            })
            .collect()
    }

    #[test]
    fn splits_and_reads_sessions() {
        let cases: Vec<(&str, &str, Vec<&str>)> = vec![
            (
                "a second greeting starts a second session",
                "S: 220 a\nC: HELO x\nS: 250 ok\nS: 220 b\nC: HELO y\nS: 250 ok\n",
                vec!["smtp: greeting → 220, HELO → 250 | ", "smtp: greeting → 220, HELO → 250 | "],
            ),
            (
                "a telnet line starts a session, QUIT answered ends one",
                "C: telnet a 25\nS: 220 a\nC: QUIT\nS: 221 bye\nC: HELO late\nS: 250 ok\n",
                vec!["smtp: greeting → 220, QUIT → 221 | ", "smtp: HELO → 250 | Gap"],
            ),
            (
                "smtp then pop3 by content",
                "S: 220 a\nC: QUIT\nS: 221 bye\nS: +OK pop\nC: USER a\nS: +OK\n",
                vec!["smtp: greeting → 220, QUIT → 221 | ", "pop3: greeting → +OK, USER → +OK | "],
            ),
            (
                "unmarked message text and a comment after the dot",
                "S: 220 a\nC: DATA\nS: 354 go\nSubject: x\n\nbody // not a note\n. //end\nS: 250 ok\n",
                vec!["smtp: greeting → 220, DATA → 354, message → 250 | "],
            ),
            (
                "a telnet line inside a message is message text",
                "S: 220 a\nC: DATA\nS: 354 go\nC: telnet b 25\nC: .\nS: 250 ok\n",
                vec!["smtp: greeting → 220, DATA → 354, message → 250 | "],
            ),
            (
                "a line whose mark was forgotten",
                "S: 220 a\nEHLO x\nS: 250 ok\nwe then sent mail\nC: QUIT\nS: 221 bye\n",
                vec!["smtp: greeting → 220, EHLO → 250, QUIT → 221 | DirectionInferred Unrecognised"],
            ),
            (
                "wireshark imf line right after 354",
                "S: 220 a\nC: DATA\nS: 354 go\nsubject: hi, , body\nS: 250 ok\n",
                vec!["smtp: greeting → 220, DATA → 354, message → 250 | "],
            ),
            (
                "wireshark pop3 body left out",
                "S: +OK\nC: RETR 1\nS: +OK 100 octets\nC: QUIT\nS: +OK bye\n",
                vec!["pop3: greeting → +OK, RETR → +OK, QUIT → +OK | "],
            ),
            (
                "auth cancel as a wireshark summary",
                "S: 220 a\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: User: *\nS: 501 aborted\n",
                vec!["smtp: greeting → 220, AUTH → 334, auth-cancel → 501 | "],
            ),
            (
                "a windows prompt is not a client mark",
                "C:\\Users\\stu>telnet smtp.lab.test 25\n220 smtp\nHELO stu\n250 OK\nC:\\Users\\stu>\n",
                vec!["smtp: greeting → 220, HELO → 250 | "],
            ),
            (
                "only the client lines marked",
                "220 smtp\nC: HELO x\n250 OK\nC: QUIT\n221 bye\n",
                vec!["smtp: greeting → 220, HELO → 250, QUIT → 221 | "],
            ),
            (
                "raw log with prose inside",
                "220 a\nHELO x\n250 ok\nthe server said ok\nMAIL FROM:<a@b>\n250 ok\n",
                vec!["smtp: greeting → 220, HELO → 250, MAIL → 250 | Unrecognised"],
            ),
            (
                "raw log: a reply-shaped line in a message is unsure",
                "220 a\nDATA\n354 go\n250 words\n.\n250 ok\n",
                vec!["smtp: greeting → 220, DATA → 354, message → 250 | DirectionInferred"],
            ),
            (
                "raw pop3 body without its dot",
                "+OK\nLIST\n+OK 1 messages\n1 120\nQUIT\n+OK bye\n",
                vec!["pop3: greeting → +OK, LIST → +OK, QUIT → +OK | DirectionInferred Truncated"],
            ),
        ];
        for (name, text, expected) in cases {
            assert_eq!(read("t.txt", text), expected, "{name}");
        }
    }

    #[test]
    fn nothing_found_says_why() {
        let cases = [
            (
                "prose only",
                "we learnt SMTP\n",
                "no line reads as an SMTP or POP3 command or reply",
            ),
            (
                "replies only",
                "220 ready\n250 ok\n",
                "only server replies with no commands (from line 1)",
            ),
        ];
        for (name, text, reason) in cases {
            match read_text(Path::new("t.txt"), text.as_bytes()) {
                Err(IngestError::NothingFound {
                    reason: got, hint, ..
                }) => {
                    assert!(got.en.contains(reason), "{name}: {got:?}");
                    assert!(hint.is_some(), "{name}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }
}
