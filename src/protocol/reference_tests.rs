//! The real Postfix and Dovecot sessions in `../shared/reference`: every transcript reads
//! into whole exchanges, and the state machines and grammar predict every error reply the
//! servers gave.

use std::path::{Path, PathBuf};

use crate::protocol::pop3::{self, Pop3State};
use crate::protocol::smtp::{self, SmtpState};
use crate::protocol::{Dialogue, DialogueBuilder};
use crate::session::{CommandKind, NoteKind, Origin, Pop3Status, Protocol, ReplyCode};

fn transcripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/postfix-dovecot/transcripts");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 20,
        "expected the reference transcripts in {}",
        dir.display()
    );
    paths
}

/// `C: x` / `S: x  [+0.50s]` (the raw-socket scripts) and ` -> x` / `<-  x` (swaks).
fn read(path: &Path) -> (Protocol, Dialogue) {
    let text = std::fs::read_to_string(path).expect("readable transcript");
    let name = path.file_name().unwrap().to_string_lossy();
    let protocol = if name.starts_with("pop3") || name.contains("pop3") {
        Protocol::Pop3
    } else {
        Protocol::Smtp
    };
    let mut builder = DialogueBuilder::new(protocol);
    for (index, line) in text.lines().enumerate() {
        let origin = Origin::line(index as u32 + 1);
        let strip_timing = |s: &str| match s.rfind("  [+") {
            Some(at) if s.ends_with("s]") => s[..at].to_string(),
            _ => s.to_string(),
        };
        // The scripts annotate decoded payloads: `C: c2VjcmV0    ({b64:secret})`.
        let line = match line.find("    (") {
            Some(at) if line.ends_with(')') => &line[..at],
            _ => line,
        };
        if let Some(client) = line
            .strip_prefix("C: ")
            .or_else(|| line.strip_prefix(" -> "))
        {
            builder.client_line(client, origin);
        } else if let Some(server) = line
            .strip_prefix("S: ")
            .or_else(|| line.strip_prefix("<-  "))
        {
            if !server.starts_with("<connection closed") {
                builder.server_line(&strip_timing(server), origin);
            }
        } else if line == " -> " || line == "C: " {
            builder.client_line("", origin);
        }
    }
    (protocol, builder.finish())
}

#[test]
fn every_reference_transcript_reads_into_answered_exchanges() {
    for path in transcripts() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (_, dialogue) = read(&path);
        assert!(dialogue.exchanges.len() >= 2, "{name}");
        assert!(
            dialogue.exchanges[0].command.is_none(),
            "{name}: greeting first"
        );
        let unanswered: Vec<String> = dialogue
            .exchanges
            .iter()
            .filter(|e| e.reply.is_none())
            .map(|e| e.skeleton_line())
            .collect();
        // The error-limit session ends with the server hanging up on a command.
        assert!(unanswered.len() <= 1, "{name}: {unanswered:?}");
        let unexpected: Vec<_> = dialogue
            .notes
            .iter()
            .filter(|n| !(n.kind == NoteKind::Truncated && name.starts_with("pop3")))
            .collect();
        assert!(unexpected.is_empty(), "{name}: {unexpected:?}");
        for secret in [
            "c2VjcmV0",
            "AHN0dWRlbnQAc2VjcmV0",
            "AHN0dWRlbnRAbGFiLnRlc3QAc2VjcmV0",
        ] {
            assert!(!format!("{dialogue:?}").contains(secret), "{name}");
        }
    }
}

/// What our grammar and state say the server must refuse, against what Postfix answered.
fn check_smtp(name: &str, dialogue: &Dialogue) -> usize {
    let mut state = SmtpState::new();
    let mut auth: Option<smtp::Request> = None;
    let mut checked = 0;
    for exchange in &dialogue.exchanges {
        let (Some(command), Some(reply)) = (&exchange.command, &exchange.reply) else {
            continue;
        };
        let Some(code) = reply.code.smtp() else {
            continue;
        };
        match &command.kind {
            CommandKind::Line { request, args, .. } => {
                let shown = format!("{request} {}", args.text);
                let line = match &args.secret {
                    Some(secret) => format!("{shown} {}", secret.expose()),
                    None => shown.clone(),
                };
                let expected = match smtp::parse_request(&line) {
                    Err(smtp::SyntaxError::UnknownCommand { .. } | smtp::SyntaxError::Empty) => {
                        Some(500)
                    }
                    Err(_) => Some(501),
                    Ok(request) => match state.check(&request) {
                        Err(rule) => Some(rule.reply().value()),
                        Ok(()) => {
                            match (&request, code.value()) {
                                (smtp::Request::Auth { .. }, 334) => auth = Some(request.clone()),
                                _ => state.apply(&request, code),
                            }
                            None
                        }
                    },
                };
                if let Some(expected) = expected {
                    // Postfix hangs up on a header typed as a command (221) and after too
                    // many errors (421); those are not syntax answers.
                    if !matches!(code.value(), 221 | 421) {
                        assert_eq!(code.value(), expected, "{name}: {shown}");
                        checked += 1;
                    }
                }
            }
            CommandKind::AuthResponse { .. } | CommandKind::AuthCancel => {
                if code.value() != 334 {
                    if let Some(request) = auth.take() {
                        state.apply(&request, code);
                    }
                }
            }
            CommandKind::Message { .. } => state.apply_message(code),
        }
    }
    checked
}

fn check_pop3(name: &str, dialogue: &Dialogue) -> usize {
    let mut state = Pop3State::new();
    let mut checked = 0;
    for exchange in &dialogue.exchanges {
        let (Some(command), Some(reply)) = (&exchange.command, &exchange.reply) else {
            continue;
        };
        let ReplyCode::Pop3(status) = reply.code else {
            continue;
        };
        let CommandKind::Line { request, args, .. } = &command.kind else {
            continue;
        };
        let shown = format!("{request} {}", args.text);
        let line = match &args.secret {
            Some(secret) => format!("{shown} {}", secret.expose()),
            None => shown.clone(),
        };
        match pop3::parse_request(&line) {
            Err(_) => {
                assert_eq!(status, Pop3Status::Err, "{name}: {shown}");
                checked += 1;
            }
            Ok(request) => match state.check(&request) {
                Err(_) => {
                    assert_eq!(status, Pop3Status::Err, "{name}: {shown}");
                    checked += 1;
                }
                Ok(()) => state.apply(&request, status),
            },
        }
    }
    checked
}

#[test]
fn grammar_and_state_agree_with_postfix_and_dovecot() {
    let mut checked = 0;
    for path in transcripts() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (protocol, dialogue) = read(&path);
        checked += match protocol {
            Protocol::Smtp => check_smtp(&name, &dialogue),
            Protocol::Pop3 => check_pop3(&name, &dialogue),
            Protocol::Tls => panic!("{name}: the reference transcripts are SMTP and POP3"),
        };
    }
    // bad-sequence, sloppy-addresses, unknown-command, error-limit, no-helo, pop3 sloppy …
    assert!(checked >= 20, "only {checked} refusals were compared");
}

/// The same sessions as the server saw them on the wire (tcpdump on `lo`): read as bytes
/// segment by segment, they give the exchanges the transcripts give.
#[test]
fn reference_captures_read_like_their_transcripts() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/postfix-dovecot/captures");
    let mut compared = 0;
    for path in transcripts() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let capture = dir.join(format!("{stem}.pcap"));
        let Ok(bytes) = std::fs::read(&capture) else {
            continue;
        };
        let (protocol, from_transcript) = read(&path);
        let pcap = pcap_parser::PcapCapture::from_file(&bytes).expect("a pcap file");
        let mut builder = DialogueBuilder::new(protocol);
        for (index, block) in pcap.blocks.iter().enumerate() {
            let Ok(packet) = etherparse::SlicedPacket::from_ethernet(block.data) else {
                continue;
            };
            let Some(etherparse::TransportSlice::Tcp(tcp)) = packet.transport else {
                continue;
            };
            let origin = Origin::frame(index as u64 + 1, 0);
            if matches!(tcp.source_port(), 25 | 110 | 2525 | 1110) {
                builder.server_bytes(tcp.payload(), origin);
            } else {
                builder.client_bytes(tcp.payload(), origin);
            }
        }
        let from_capture = builder.finish();
        let skeleton = |d: &Dialogue| -> Vec<String> {
            d.exchanges.iter().map(|e| e.skeleton_line()).collect()
        };
        // The transcripts elide long POP3 bodies; the captures have them whole.
        if protocol == Protocol::Smtp {
            assert!(
                from_capture.notes.is_empty(),
                "{stem}: {:?}",
                from_capture.notes
            );
        }
        assert_eq!(
            skeleton(&from_capture),
            skeleton(&from_transcript),
            "{stem}"
        );
        compared += 1;
    }
    assert!(compared >= 15, "only {compared} captures compared");
}
