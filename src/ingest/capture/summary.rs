//! What a capture as a whole gave: its sessions, notes about the file (cut short, snaplen,
//! skipped frames), or — when there is no mail in it — a reason that says what there was.

use std::collections::BTreeSet;
use std::path::Path;

use super::decode::FrameStats;
use super::detect::OtherKind;
use super::file::{Ending, FileInfo, Format};
use super::flows::FlowStats;
use super::link::LinkProblem;
use super::sessions::Finished;
use super::waiting::MAX_WAITING;
use crate::i18n::messages::ingest::{CaptureCount, CaptureFound, IngestHint, IngestProblem};
use crate::i18n::messages::notes::NoteText;
use crate::i18n::{List, Separator, Text};
use crate::ingest::{FileRead, IngestError};
use crate::session::{Note, NoteKind, Origin, Protocol};

pub(super) struct Outcome<'a> {
    pub path: &'a Path,
    pub info: FileInfo,
    pub frames: FrameStats,
    pub flows: FlowStats,
    pub fragments_abandoned: u64,
    /// The sessions not handed on yet: all of them unless `has_mail`.
    pub sessions: Vec<Finished>,
    /// Cleartext mail was found (and handed on).
    pub has_mail: bool,
}

fn frame_origin(frame: u64) -> Origin {
    Origin::Frame {
        frame,
        last_frame: frame,
        micros: 0,
    }
}

/// Notes about the file that belong to no one session.
fn file_notes(outcome: &Outcome<'_>) -> Vec<Note> {
    let mut notes = Vec::new();
    if let Ending::Cut { detail } = &outcome.info.ending {
        notes.push(Note {
            kind: NoteKind::Truncated,
            origin: frame_origin(outcome.info.frames),
            detail: NoteText::CaptureCutShort {
                detail: detail.clone(),
            }
            .text(),
        });
    }
    if matches!(outcome.info.format, Format::NetMon1 | Format::NetMon2) {
        notes.push(Note {
            kind: NoteKind::Decoding,
            origin: Origin::Synthetic,
            detail: NoteText::ReadAsCapture {
                format: outcome.info.format.name().to_string(),
            }
            .text(),
        });
    }
    let cut = outcome.frames.snaplen_cut;
    if cut.count > 0 {
        let (count, first) = (cut.count, cut.first_frame);
        let detail = if count == 1 {
            NoteText::SnaplenCutOne { count, first }
        } else {
            NoteText::SnaplenCutMany { count, first }
        };
        notes.push(Note {
            kind: NoteKind::Gap,
            origin: frame_origin(cut.first_frame),
            detail: detail.text(),
        });
    }
    for (problem, tally) in &outcome.frames.link_problems {
        notes.push(Note {
            kind: NoteKind::Unrecognised,
            origin: frame_origin(tally.first_frame),
            detail: NoteText::LinkSkipped {
                frames: frames(tally.count),
                kind: problem.kind(),
                first: tally.first_frame,
            }
            .text(),
        });
    }
    let count = outcome.fragments_abandoned;
    if count > 0 {
        let detail = if count == 1 {
            NoteText::FragmentsLostOne { count }
        } else {
            NoteText::FragmentsLostMany { count }
        };
        notes.push(Note {
            kind: NoteKind::Gap,
            origin: Origin::Synthetic,
            detail: detail.text(),
        });
    }
    if let Some(detail) = set_aside(&outcome.flows) {
        notes.push(Note {
            kind: NoteKind::Gap,
            origin: Origin::Synthetic,
            detail,
        });
    }
    let malformed = outcome.frames.malformed;
    if malformed.count > 0 {
        notes.push(Note {
            kind: NoteKind::Unrecognised,
            origin: frame_origin(malformed.first_frame),
            detail: NoteText::MalformedSkipped {
                frames: frames(malformed.count),
                first: malformed.first_frame,
            }
            .text(),
        });
    }
    notes
}

fn set_aside(flows: &FlowStats) -> Option<Text> {
    let (max, count) = (MAX_WAITING, flows.set_aside);
    (count > 0).then(|| {
        if count == 1 {
            NoteText::SetAsideOne { max, count }.text()
        } else {
            NoteText::SetAsideMany { max, count }.text()
        }
    })
}

/// A count of frames, in both languages.
fn frames(count: u64) -> CaptureCount {
    if count == 1 {
        CaptureCount::Frame { count }
    } else {
        CaptureCount::Frames { count }
    }
}

/// What the capture held instead of readable mail.
fn nothing_found(outcome: &Outcome<'_>) -> IngestError {
    let mut parts: Vec<CaptureFound> = Vec::new();
    let mut hint = IngestHint::CaptureInterface;
    if let Some(tally) = outcome.frames.link_problems.get(&LinkProblem::WifiMonitor) {
        parts.push(CaptureFound::WifiMonitor {
            frames: frames(tally.count),
        });
        hint = IngestHint::NotMonitorMode;
    }
    for (problem, tally) in &outcome.frames.link_problems {
        if *problem != LinkProblem::WifiMonitor {
            parts.push(CaptureFound::LinkSkipped {
                frames: frames(tally.count),
                what: problem.kind(),
            });
        }
    }
    let implicit: BTreeSet<(u16, Protocol)> = outcome
        .sessions
        .iter()
        .filter(|s| s.implicit_tls && s.session.protocol != Protocol::Tls)
        .map(|s| (s.server_port, s.session.protocol))
        .collect();
    for (port, _) in &implicit {
        parts.push(CaptureFound::ImplicitTls { port: *port });
    }
    if !implicit.is_empty() {
        hint = IngestHint::ImplicitTls;
    }
    let unreadable = outcome
        .sessions
        .iter()
        .filter(|s| !s.implicit_tls && s.session.exchanges.is_empty())
        .count() as u64;
    if unreadable == 1 {
        parts.push(CaptureFound::MailUnreadable { count: unreadable });
    } else if unreadable > 1 {
        parts.push(CaptureFound::MailsUnreadable { count: unreadable });
    }
    let mut unknown_ports: Vec<String> = Vec::new();
    // TLS connections with no readable handshake are reported like skipped ones.
    let mut other = outcome.flows.other.clone();
    for finished in &outcome.sessions {
        if finished.session.protocol == Protocol::Tls {
            let port = finished.server_port;
            *other.entry(OtherKind::Tls { port }).or_default() += 1;
        }
    }
    for (kind, count) in &other {
        let count = *count;
        let name = match kind {
            OtherKind::Unknown { port } => {
                unknown_ports.push(port.to_string());
                continue;
            }
            OtherKind::Tls { port: 993 } => "IMAPS",
            OtherKind::Tls { port: 443 } => "HTTPS",
            OtherKind::Tls { port } => {
                parts.push(if count > 1 {
                    CaptureFound::TlsOnPortMany { port: *port, count }
                } else {
                    CaptureFound::TlsOnPort { port: *port }
                });
                continue;
            }
            OtherKind::Imap => "IMAP",
            OtherKind::Ftp => "FTP",
            OtherKind::Http => "HTTP",
            OtherKind::Ssh => "SSH",
        };
        let name = name.to_string();
        parts.push(if count > 1 {
            CaptureFound::ProtocolMany { name, count }
        } else {
            CaptureFound::Protocol { name }
        });
    }
    if !unknown_ports.is_empty() {
        let shown: Vec<String> = unknown_ports.iter().take(5).cloned().collect();
        let more = if unknown_ports.len() > 5 { ", …" } else { "" };
        let ports = format!("{}{more}", shown.join(", "));
        parts.push(if unknown_ports.len() == 1 {
            CaptureFound::OtherPort { ports }
        } else {
            CaptureFound::OtherPorts { ports }
        });
    }
    if outcome.flows.empty > 0 {
        let shown: Vec<String> = outcome
            .flows
            .empty_ports
            .iter()
            .map(u16::to_string)
            .collect();
        let more = if outcome.flows.empty as usize > shown.len() {
            ", …"
        } else {
            ""
        };
        let count = outcome.flows.empty;
        parts.push(CaptureFound::NoData {
            attempts: if count == 1 {
                CaptureCount::Attempt { count }
            } else {
                CaptureCount::Attempts { count }
            },
            ports: format!("{}{more}", shown.join(", ")),
        });
    }
    if outcome.flows.set_aside > 0 {
        let count = outcome.flows.set_aside;
        parts.push(CaptureFound::SetAside {
            connections: if count == 1 {
                CaptureCount::Connection { count }
            } else {
                CaptureCount::Connections { count }
            },
            max: MAX_WAITING,
        });
    }
    let non_tcp = outcome.frames.not_tcp + outcome.frames.not_ip;
    if non_tcp == 1 {
        parts.push(CaptureFound::NotTcp { count: non_tcp });
    } else if non_tcp > 1 {
        parts.push(CaptureFound::NotTcps { count: non_tcp });
    }
    if let Ending::Cut { detail } = &outcome.info.ending {
        parts.push(CaptureFound::CutShort {
            detail: detail.clone(),
        });
    }
    let frames = frames(outcome.info.frames);
    let reason = if parts.is_empty() {
        IngestProblem::CaptureHasOnly { frames }
    } else {
        IngestProblem::CaptureHas {
            frames,
            found: List::new(parts, Separator::Comma).and_last(Separator::And),
        }
    };
    IngestError::NothingFound {
        path: outcome.path.to_path_buf(),
        reason: reason.text(),
        hint: Some(hint),
    }
}

/// The file's notes and the sessions still to hand on, or why there are none. A session
/// with nothing readable counts only when another session has something.
pub(super) fn conclude(outcome: Outcome<'_>) -> Result<FileRead, IngestError> {
    // A TLS connection's handshake (the webmail task) is something found; an implicit-TLS
    // mail session alone is not: its dialogue is what a mail scenario grades.
    let readable = |s: &Finished| {
        !s.session.exchanges.is_empty()
            || (s.session.protocol == Protocol::Tls
                && s.session
                    .tls
                    .as_ref()
                    .is_some_and(|t| !t.offered_versions.is_empty()))
    };
    if !outcome.has_mail && !outcome.sessions.iter().any(readable) {
        return Err(nothing_found(&outcome));
    }
    let notes = file_notes(&outcome);
    // Beside readable mail, TLS connections are the browser's noise (`release.rs` dropped
    // them); without it they are what the capture is about (the webmail task).
    Ok(FileRead {
        sessions: outcome.sessions.into_iter().map(|f| f.session).collect(),
        notes,
        outline: Vec::new(),
    })
}
