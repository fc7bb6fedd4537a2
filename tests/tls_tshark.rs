//! mailgrade's TLS handshake reading against tshark on real captures: every handshake
//! message readable in clear (ClientHello, ServerHello, Certificate, ServerKeyExchange,
//! ServerHelloDone, ClientKeyExchange, NewSessionTicket …) at the same frame with the same
//! type, and the same SNI. With `CI` set, a missing tshark fails the test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use mailgrade::ingest::read_file;
use mailgrade::session::{Origin, Session};

/// Captures with TLS after STARTTLS / STLS or implicit TLS, and the handshakes each must have.
const CAPTURES: &[(&str, usize)] = &[
    ("bidoo_smtps465_implicit-tls_gmail.pcapng", 1),
    ("ndpi_smtp_starttls_ipv4-and-ipv6.pcap", 2),
    ("wswiki_smtp2525_starttls_exim_with-tls-keys.pcapng", 1),
    ("zeek_pop3_stls_cyrus_nullloopback.pcap", 1),
    ("ndpi_pop3_capa_auth-err_stls.pcap", 0),
    ("extra/wswiki_pop3_stls_dovecot_with-tls-keys.pcapng", 1),
    ("extra/zeek_smtp_starttls_gmail.pcap", 1),
    ("extra/sv_smtp_starttls_postfix.pcap", 1),
    ("extra/ppa3_smtp-pipelined_plus_imap-starttls.pcapng", 0),
];

fn corpus(name: &str) -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/pcap"
    ))
    .join(name)
}

fn tshark_available() -> bool {
    let found = Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("CI").is_some() {
        panic!("tshark is not installed (apt-get install tshark); CI needs it");
    }
    if !found {
        eprintln!("note: tshark is not installed; the TLS agreement test did not run");
    }
    found
}

/// (frame, handshake type) and the SNIs, as tshark sees them.
type View = (BTreeSet<(u64, u8)>, BTreeSet<String>);

fn tshark_view(path: &Path, tls_ports: &BTreeSet<u16>) -> View {
    let mut command = Command::new("tshark");
    command.arg("-r").arg(path);
    // Decode as SMTP what mailgrade found to be SMTP on other ports, so tshark follows
    // STARTTLS into TLS.
    for port in tls_ports {
        command.args(["-d", &format!("tcp.port=={port},smtp")]);
    }
    let output = command
        .args(["-o", "tls.keylog_file:/dev/null"])
        .args(["-Y", "tls.handshake", "-T", "fields", "-E", "separator=\t"])
        .args(["-e", "frame.number", "-e", "tls.handshake.type"])
        .args(["-e", "tls.handshake.extensions_server_name"])
        .output()
        .expect("tshark runs");
    assert!(
        output.status.success(),
        "tshark failed on {}",
        path.display()
    );
    let mut messages = BTreeSet::new();
    let mut snis = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let frame: u64 = fields[0].parse().expect("frame number");
        for kind in fields
            .get(1)
            .unwrap_or(&"")
            .split(',')
            .filter(|k| !k.is_empty())
        {
            messages.insert((frame, kind.parse().expect("handshake type")));
        }
        if let Some(sni) = fields.get(2).filter(|s| !s.is_empty()) {
            snis.insert(sni.to_string());
        }
    }
    (messages, snis)
}

fn last_frame(origin: Origin) -> u64 {
    match origin {
        Origin::Frame { last_frame, .. } => last_frame,
        other => panic!("a capture's origin is a frame, not {other:?}"),
    }
}

fn mailgrade_view(sessions: &[Session]) -> View {
    let mut messages = BTreeSet::new();
    let mut snis = BTreeSet::new();
    for tls in sessions.iter().filter_map(|s| s.tls.as_ref()) {
        for message in &tls.messages {
            if let Some(kind) = message.handshake_type {
                messages.insert((last_frame(message.origin), kind));
            }
        }
        snis.extend(tls.sni.clone());
    }
    (messages, snis)
}

fn port_of(label: &str) -> Option<u16> {
    label.rsplit(':').next()?.parse().ok()
}

#[test]
fn handshake_messages_agree_with_tshark() {
    if !tshark_available() {
        return;
    }
    for (name, handshakes) in CAPTURES {
        let path = corpus(name);
        let sessions = match read_file(&path) {
            Ok(read) => read.sessions,
            Err(error) => panic!("{name}: {error}"),
        };
        let with_tls: Vec<&Session> = sessions
            .iter()
            .filter(|s| s.tls.as_ref().is_some_and(|t| !t.messages.is_empty()))
            .collect();
        let ports: BTreeSet<u16> = with_tls
            .iter()
            .filter(|s| s.protocol == mailgrade::session::Protocol::Smtp)
            .filter_map(|s| port_of(&s.source.label))
            .filter(|p| ![25, 465, 587].contains(p))
            .collect();
        let mail_only: Vec<Session> = sessions
            .iter()
            .filter(|s| s.protocol != mailgrade::session::Protocol::Tls)
            .cloned()
            .collect();
        let completed = mail_only
            .iter()
            .filter(|s| s.tls.as_ref().is_some_and(|t| t.completed))
            .count();
        assert!(
            completed >= *handshakes,
            "{name}: {completed} completed handshakes, expected {handshakes}"
        );
        let (ours, our_snis) = mailgrade_view(&sessions);
        let (theirs, their_snis) = tshark_view(&path, &ports);
        // tshark also decodes TLS on ports mailgrade skips (IMAPS): compare on our frames'
        // connections only, i.e. every frame tshark lists that falls in a session we read.
        let theirs: BTreeSet<(u64, u8)> = theirs
            .into_iter()
            .filter(|(frame, _)| {
                with_tls.iter().any(|s| {
                    let tls = s.tls.as_ref().expect("filtered");
                    let first = tls.messages.first().map(|m| last_frame(m.origin));
                    let last = tls.messages.last().map(|m| last_frame(m.origin));
                    matches!((first, last), (Some(a), Some(b)) if (a..=b).contains(frame))
                })
            })
            .collect();
        assert_eq!(ours, theirs, "{name}: handshake (frame, type)");
        assert!(
            our_snis.is_subset(&their_snis),
            "{name}: SNI {our_snis:?} vs {their_snis:?}"
        );
    }
}
