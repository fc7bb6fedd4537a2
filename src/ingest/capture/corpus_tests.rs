//! The transport layers against the real captures in `../shared/corpus/pcap`, without the
//! protocol layer: which connections are found to be mail, and what their byte streams
//! start with.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::decode::Decoder;
use super::file;
use super::flows::{FlowEvents, FlowId, MailFlow};
use super::reassembly::Meta;
use crate::protocol::Direction;
use crate::session::Protocol;

#[derive(Default, Debug)]
struct Recorded {
    protocol: Option<Protocol>,
    label: String,
    implicit_tls: bool,
    client: Vec<u8>,
    server: Vec<u8>,
    gaps: Vec<String>,
    closed: bool,
}

#[derive(Default)]
struct Recorder {
    flows: BTreeMap<FlowId, Recorded>,
}

impl FlowEvents for Recorder {
    fn open(&mut self, flow: &MailFlow) {
        let r = self.flows.entry(flow.id).or_default();
        r.protocol = Some(flow.protocol);
        r.label = format!("{} → {}", flow.client, flow.server);
        r.implicit_tls = flow.implicit_tls;
    }

    fn data(&mut self, id: FlowId, direction: Direction, bytes: &[u8], _meta: Meta) -> bool {
        let r = self.flows.entry(id).or_default();
        match direction {
            Direction::Client => r.client.extend_from_slice(bytes),
            Direction::Server => r.server.extend_from_slice(bytes),
        }
        true
    }

    fn gap(&mut self, id: FlowId, direction: Direction, bytes: u64, before: u64, after: Meta) {
        let detail = super::sessions::gap_detail(direction, bytes, before, after.frame).en;
        self.flows.entry(id).or_default().gaps.push(detail);
    }

    fn close(&mut self, id: FlowId) {
        self.flows.entry(id).or_default().closed = true;
    }
}

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/pcap"
    ))
    .join(name)
}

fn record(name: &str) -> Vec<Recorded> {
    let bytes = std::fs::read(corpus(name)).expect("corpus capture");
    let mut decoder = Decoder::default();
    let mut recorder = Recorder::default();
    file::for_each_frame(&bytes[..], &mut |f| decoder.frame(f, &mut recorder)).expect("readable");
    decoder.finish(&mut recorder);
    recorder.flows.into_values().collect()
}

fn starts(stream: &[u8]) -> String {
    let text = String::from_utf8_lossy(&stream[..stream.len().min(40)]).to_string();
    text.split("\r\n").next().unwrap_or_default().to_string()
}

#[test]
fn finds_mail_connections_and_their_first_lines() {
    use Protocol::{Pop3, Smtp};
    // (capture, [(protocol, client's first line, server's first line)])
    type Case<'a> = (&'a str, Vec<(Protocol, &'a str, &'a str)>);
    let cases: Vec<Case<'_>> = vec![
        (
            "arkime_smtp_helo-501_no-brackets_sendmail.pcap",
            vec![(Smtp, "HELO", "220 localhost.localdomain ESMTP Sendmai")],
        ),
        (
            "sv_smtp_pipelining_nullloopback.pcap",
            vec![(
                Smtp,
                "EHLO ehlo.fr",
                "220 Air-de-catena.localdomain ESMTP Pos",
            )],
        ),
        (
            "zeek_pop3_stls_cyrus_nullloopback.pcap",
            vec![(Pop3, "STLS", "+OK ")],
        ),
        (
            "zeek_smtp_ipv6_client-only_attachment.pcap",
            vec![(Smtp, "ehlo", "")],
        ),
        (
            "student_quixel_smtp_nc-localhost_postfix.pcapng",
            vec![(Smtp, "HELO", "220 ")],
        ),
        (
            "infobez_smtp_mailru_503-auth-required_then-ok_plus-pop3-user-pass_3sessions.pcap",
            vec![
                (Smtp, "HELO", "220 "),
                (Pop3, "USER", "+OK"),
                (Smtp, "HELO", "220 "),
            ],
        ),
        (
            "wswiki_pop3_err_netmon2-format_mixed.cap",
            vec![
                (Pop3, "USER test", "+OK <45846156.16653@localhost>, POP3 s"),
                (Pop3, "USER test", "+OK <45847859.29891@localhost>, POP3 s"),
            ],
        ),
    ];
    for (name, expected) in cases {
        let flows = record(name);
        let mail: Vec<&Recorded> = flows.iter().filter(|f| is_mail(f)).collect();
        assert_eq!(mail.len(), expected.len(), "{name}: {mail:#?}");
        for (got, (protocol, client, server)) in mail.iter().zip(&expected) {
            assert_eq!(got.protocol, Some(*protocol), "{name} {}", got.label);
            assert!(
                starts(&got.client).starts_with(client),
                "{name} {}: client {:?}",
                got.label,
                starts(&got.client)
            );
            assert!(
                starts(&got.server).starts_with(server),
                "{name} {}: server {:?}",
                got.label,
                starts(&got.server)
            );
            assert!(got.closed, "{name} {}", got.label);
        }
    }
}

/// SMTP or POP3, not a TLS connection read for its handshake only.
fn is_mail(flow: &Recorded) -> bool {
    matches!(flow.protocol, Some(Protocol::Smtp | Protocol::Pop3))
}

#[test]
fn implicit_tls_is_passed_on_as_tls_records_and_scans_are_not_read() {
    let flows = record("bidoo_smtps465_implicit-tls_gmail.pcapng");
    let mail: Vec<&Recorded> = flows.iter().filter(|f| is_mail(f)).collect();
    assert!(
        !mail.is_empty()
            && mail
                .iter()
                .all(|f| f.implicit_tls && f.client.starts_with(&[0x16, 0x03])),
        "{mail:#?}"
    );
    // The HTTPS connections beside it are read for their handshakes; IMAPS is not.
    let tls: Vec<&Recorded> = flows
        .iter()
        .filter(|f| f.protocol == Some(Protocol::Tls))
        .collect();
    assert_eq!(tls.len(), 3, "{tls:#?}");
    assert!(tls.iter().all(|f| f.label.ends_with(":443")), "{tls:#?}");
    let flows = record("extra/nfpc_puzzle4_portscan_syn-only_to-mail-ports.pcap");
    assert!(flows.iter().all(|f| f.protocol.is_none()), "{flows:#?}");
}

#[test]
fn lost_segments_become_gaps() {
    let flows = record("wswiki_pop3_err_netmon2-format_mixed.cap");
    let gaps: Vec<&String> = flows.iter().flat_map(|f| &f.gaps).collect();
    assert!(!gaps.is_empty(), "{flows:#?}");
    let flows = record("extra/pcpp_smtp_spliced-packets_ipv4-ipv6_gaps.pcap");
    assert!(flows.iter().any(|f| !f.gaps.is_empty()), "{flows:#?}");
}

/// The number of SMTP and POP3 connections the corpus's verify files (made with tshark)
/// list for every capture, found by content alone.
#[test]
fn finds_as_many_mail_connections_as_the_verify_files_list() {
    let verify_dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/verify"
    ));
    let mut checked = 0;
    for dir in ["", "extra/"] {
        let entries = std::fs::read_dir(corpus(dir)).expect("corpus folder");
        for entry in entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
        {
            let file = entry.file_name().to_string_lossy().into_owned();
            let verify = std::fs::read_to_string(verify_dir.join(format!("{file}.txt")))
                .expect("verify file");
            let listed = |key: &str| -> usize {
                let line = verify
                    .lines()
                    .find(|l| l.contains(key))
                    .expect("count in verify file");
                line.trim()
                    .trim_start_matches(key)
                    .trim_matches([':', ',', ' '])
                    .parse()
                    .expect("a number")
            };
            let flows = record(&format!("{dir}{file}"));
            let count = |p: Protocol| flows.iter().filter(|f| f.protocol == Some(p)).count();
            assert_eq!(
                (count(Protocol::Smtp), count(Protocol::Pop3)),
                (listed("\"smtp_sessions\""), listed("\"pop_sessions\"")),
                "{dir}{file}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} captures found");
}

/// The zero-copy reader over bytes in memory and the streaming reader see the same frames.
#[test]
fn in_memory_and_streaming_readers_agree() {
    for name in [
        "sv_smtp_pipelining_nullloopback.pcap",
        "ppa3_smtp_two-hop-relay_postfix.pcapng",
        "wswiki_pop3_err_netmon2-format_mixed.cap",
        "extra/zeek_smtp_600-rcpt_generated.pcap",
        // Larger than the streaming buffer: refills across block boundaries.
        "zoey_pop3_163com_coremail_user-pass-stat-list-retr.pcap",
        "extra/counterhack2011_smtp_rset-first_msword-attachment.pcap",
    ] {
        let bytes = std::fs::read(corpus(name)).expect("corpus capture");
        let mut streamed = Vec::new();
        let a = file::for_each_frame(&bytes[..], &mut |f| {
            streamed.push((f.number, f.micros, f.link, f.data.to_vec()))
        })
        .expect("streams");
        let mut in_place = Vec::new();
        let b = file::for_each_frame_in(&bytes, &mut |f| {
            in_place.push((f.number, f.micros, f.link, f.data.to_vec()))
        })
        .expect("reads in place");
        assert_eq!((a.frames, a.ending), (b.frames, b.ending), "{name}");
        assert!(!streamed.is_empty() && streamed == in_place, "{name}");
    }
}
