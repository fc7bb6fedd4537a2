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
use crate::ingest::{FileRead, IngestError};
use crate::session::{Note, NoteKind, Origin, Protocol};

pub(super) struct Outcome<'a> {
    pub path: &'a Path,
    pub info: FileInfo,
    pub frames: FrameStats,
    pub flows: FlowStats,
    pub fragments_abandoned: u64,
    pub sessions: Vec<Finished>,
}

fn frame_origin(frame: u64) -> Origin {
    Origin::Frame {
        frame,
        last_frame: frame,
        micros: 0,
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Notes about the file that belong to no one session.
fn file_notes(outcome: &Outcome<'_>) -> Vec<Note> {
    let mut notes = Vec::new();
    if let Ending::Cut { detail } = &outcome.info.ending {
        notes.push(Note {
            kind: NoteKind::Truncated,
            origin: frame_origin(outcome.info.frames),
            detail: format!("the capture file is cut short: {detail}"),
        });
    }
    if matches!(outcome.info.format, Format::NetMon1 | Format::NetMon2) {
        notes.push(Note {
            kind: NoteKind::Decoding,
            origin: Origin::Synthetic,
            detail: format!("read as a {} capture", outcome.info.format.name()),
        });
    }
    let cut = outcome.frames.snaplen_cut;
    if cut.count > 0 {
        notes.push(Note {
            kind: NoteKind::Gap,
            origin: frame_origin(cut.first_frame),
            detail: format!(
                "{} cut short by the capture's snapshot length (snaplen), the first at frame {}; \
                 the missing bytes are reported as gaps",
                plural(cut.count, "TCP segment was", "TCP segments were"),
                cut.first_frame
            ),
        });
    }
    for (problem, tally) in &outcome.frames.link_problems {
        notes.push(Note {
            kind: NoteKind::Unrecognised,
            origin: frame_origin(tally.first_frame),
            detail: format!(
                "{} of {} skipped, the first at frame {}",
                plural(tally.count, "frame", "frames"),
                problem.describe(),
                tally.first_frame
            ),
        });
    }
    if outcome.fragments_abandoned > 0 {
        notes.push(Note {
            kind: NoteKind::Gap,
            origin: Origin::Synthetic,
            detail: format!(
                "{} could not be reassembled (pieces missing)",
                plural(
                    outcome.fragments_abandoned,
                    "fragmented IP packet",
                    "fragmented IP packets"
                )
            ),
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
            detail: format!(
                "{} with a malformed or cut IP/TCP header skipped, the first at frame {}",
                plural(malformed.count, "frame", "frames"),
                malformed.first_frame
            ),
        });
    }
    notes
}

/// What the cap on waiting connections did, if anything.
fn set_aside(flows: &FlowStats) -> Option<String> {
    (flows.set_aside > 0).then(|| {
        format!(
            "more than {MAX_WAITING} connections without mail were open at once (a SYN flood or \
             a port scan?), so {} set aside unread, the least recently seen first; mail that \
             came later in any of them is still read",
            plural(flows.set_aside, "was", "were")
        )
    })
}

fn other_name(kind: OtherKind) -> String {
    match kind {
        OtherKind::Tls { port: 993 } => "IMAPS".into(),
        OtherKind::Tls { port: 443 } => "HTTPS".into(),
        OtherKind::Tls { port } => format!("TLS on port {port}"),
        OtherKind::Imap => "IMAP".into(),
        OtherKind::Ftp => "FTP".into(),
        OtherKind::Http => "HTTP".into(),
        OtherKind::Ssh => "SSH".into(),
        OtherKind::Unknown { port } => format!("other TCP (port {port})"),
    }
}

fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What the capture held instead of readable mail.
fn nothing_found(outcome: &Outcome<'_>) -> IngestError {
    let mut parts: Vec<String> = Vec::new();
    let mut hint =
        "capture on the interface the mail traffic used (Wireshark filter `tcp port 25 or tcp port 110`) \
         and check that Wireshark shows SMTP or POP packets, or hand in a transcript"
            .to_string();
    if let Some(tally) = outcome.frames.link_problems.get(&LinkProblem::WifiMonitor) {
        parts.push(format!(
            "{} of 802.11 radio traffic (a monitor-mode Wi-Fi capture)",
            plural(tally.count, "frame", "frames")
        ));
        hint = "recapture on the Ethernet/WLAN interface, not in monitor mode".into();
    }
    for (problem, tally) in &outcome.frames.link_problems {
        if *problem != LinkProblem::WifiMonitor {
            parts.push(format!(
                "{} of {} (skipped)",
                plural(tally.count, "frame", "frames"),
                problem.describe()
            ));
        }
    }
    let implicit: BTreeSet<(u16, Protocol)> = outcome
        .sessions
        .iter()
        .filter(|s| s.implicit_tls && s.session.protocol != Protocol::Tls)
        .map(|s| (s.server_port, s.session.protocol))
        .collect();
    for (port, _) in &implicit {
        parts.push(format!("TLS on port {port} (implicit TLS, unreadable)"));
    }
    if !implicit.is_empty() {
        hint = "the mail was sent over TLS, which cannot be read: capture a session on port 25 \
                or 110 without TLS (or with STARTTLS, so the dialogue before it shows), or hand \
                in a transcript"
            .into();
    }
    let unreadable = outcome
        .sessions
        .iter()
        .filter(|s| !s.implicit_tls && s.session.exchanges.is_empty())
        .count() as u64;
    if unreadable > 0 {
        parts.push(plural(
            unreadable,
            "mail connection with nothing readable in it",
            "mail connections with nothing readable in them",
        ));
    }
    let mut others: Vec<String> = Vec::new();
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
        match kind {
            OtherKind::Unknown { port } => unknown_ports.push(port.to_string()),
            _ => others.push(if *count > 1 {
                format!("{} ({count} connections)", other_name(*kind))
            } else {
                other_name(*kind)
            }),
        }
    }
    parts.extend(others);
    if !unknown_ports.is_empty() {
        let shown: Vec<String> = unknown_ports.iter().take(5).cloned().collect();
        let more = if unknown_ports.len() > 5 { ", …" } else { "" };
        let noun = if unknown_ports.len() == 1 {
            "port"
        } else {
            "ports"
        };
        parts.push(format!(
            "other TCP traffic ({noun} {}{more})",
            shown.join(", ")
        ));
    }
    if outcome.flows.empty > 0 {
        let ports: Vec<String> = outcome
            .flows
            .empty_ports
            .iter()
            .map(u16::to_string)
            .collect();
        parts.push(format!(
            "{} that carried no data (ports {}{})",
            plural(
                outcome.flows.empty,
                "TCP connection attempt",
                "TCP connection attempts"
            ),
            ports.join(", "),
            if outcome.flows.empty as usize > ports.len() {
                ", …"
            } else {
                ""
            }
        ));
    }
    if outcome.flows.set_aside > 0 {
        parts.push(format!(
            "{} set aside unread (more than {MAX_WAITING} without mail were open at once)",
            plural(outcome.flows.set_aside, "connection", "connections")
        ));
    }
    let non_tcp = outcome.frames.not_tcp + outcome.frames.not_ip;
    if non_tcp > 0 {
        parts.push(plural(
            non_tcp,
            "frame that is not TCP",
            "frames that are not TCP",
        ));
    }
    if let Ending::Cut { detail } = &outcome.info.ending {
        parts.push(format!("the file is cut short ({detail})"));
    }
    let frames = plural(outcome.info.frames, "frame", "frames");
    let reason = if parts.is_empty() {
        format!("the capture has {frames}; no cleartext SMTP or POP3")
    } else {
        format!(
            "the capture has {frames}: {}; no cleartext SMTP or POP3",
            join(&parts)
        )
    };
    IngestError::NothingFound {
        path: outcome.path.to_path_buf(),
        reason,
        hint: Some(hint),
    }
}

/// Sessions and notes, or why there are none. A session with nothing readable counts only
/// when another session has something.
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
    if !outcome.sessions.iter().any(readable) {
        return Err(nothing_found(&outcome));
    }
    let notes = file_notes(&outcome);
    // Beside readable mail, TLS connections are the browser's noise; without it they are
    // what the capture is about (the webmail task).
    let has_mail = outcome
        .sessions
        .iter()
        .any(|s| s.session.protocol != Protocol::Tls && !s.session.exchanges.is_empty());
    Ok(FileRead {
        sessions: outcome
            .sessions
            .into_iter()
            .filter(|f| !(has_mail && f.session.protocol == Protocol::Tls))
            .map(|f| f.session)
            .collect(),
        notes,
        outline: Vec::new(),
    })
}
