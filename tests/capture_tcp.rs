//! TCP reassembly and flow handling end to end: lost, reordered and retransmitted segments,
//! sequence wrap-around, captures that start mid-session or hold one direction, resets,
//! reused ports, interleaved sessions, IP fragments, mail on odd ports, TLS.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::net::IpAddr;
use std::path::Path;

use mailgrade::ingest::{read_bytes, FileRead, IngestError};
use mailgrade::session::{NoteKind, Protocol, Session};
use synth::{Dropping, Fate, FrameSink, Link, PcapWriter, Tcp};

const START: i64 = 1_600_000_000_000_000;

fn host(last: u8) -> IpAddr {
    IpAddr::from([192, 168, 1, last])
}

fn writer() -> PcapWriter<Vec<u8>> {
    PcapWriter::new(Vec::new(), Link::Ethernet).expect("header")
}

fn conversation(port: u16, isn: u32) -> Tcp {
    Tcp::new(
        Link::Ethernet,
        (host(10), 40001),
        (host(20), port),
        START,
        isn,
    )
}

fn read(bytes: &[u8]) -> Result<FileRead, IngestError> {
    read_bytes(Path::new("tcp.pcap"), bytes)
}

fn only_session(bytes: &[u8]) -> Session {
    let mut read = read(bytes).expect("reads");
    assert_eq!(read.sessions.len(), 1, "{:#?}", read.sessions);
    read.sessions.remove(0)
}

fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|s| s.to_string()).collect()
}

fn gap_notes(session: &Session) -> Vec<String> {
    session
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Gap)
        .map(|n| n.detail.en.clone())
        .collect()
}

/// An SMTP session whose message segments meet `fate`.
fn smtp_with(fate: &mut dyn FnMut(usize) -> Fate, isn: u32) -> (Vec<u8>, Vec<&'static str>) {
    let mut w = writer();
    let mut tcp = conversation(25, isn);
    tcp.mss = 500;
    tcp.handshake(&mut w);
    tcp.server_sends(&mut w, b"220 lab ESMTP\r\n");
    tcp.client_sends(&mut w, b"EHLO pc\r\n");
    tcp.server_sends(&mut w, b"250-lab\r\n250 PIPELINING\r\n");
    tcp.client_sends(&mut w, b"MAIL FROM:<a@lab.test>\r\n");
    tcp.server_sends(&mut w, b"250 ok\r\n");
    tcp.client_sends(&mut w, b"RCPT TO:<b@lab.test>\r\n");
    tcp.server_sends(&mut w, b"250 ok\r\n");
    tcp.client_sends(&mut w, b"DATA\r\n");
    tcp.server_sends(&mut w, b"354 go\r\n");
    let mut body = synth::message(3000, 1);
    body.extend_from_slice(b".\r\n");
    tcp.send_with(&mut w, true, &body, fate);
    tcp.server_sends(&mut w, b"250 queued\r\n");
    tcp.client_sends(&mut w, b"QUIT\r\n");
    tcp.server_sends(&mut w, b"221 bye\r\n");
    tcp.close(&mut w);
    let skeleton = vec![
        "greeting → 220",
        "EHLO → 250",
        "MAIL → 250",
        "RCPT → 250",
        "DATA → 354",
        "message → 250",
        "QUIT → 221",
    ];
    (w.into_inner(), skeleton)
}

/// What happens to the message segment with a given index.
type FateOf = Box<dyn FnMut(usize) -> Fate>;

#[test]
fn reordering_retransmission_and_wraparound_change_nothing() {
    let cases: Vec<(&str, u32, FateOf)> = vec![
        ("clean", 1000, Box::new(|_| Fate::Sent)),
        (
            "reordered",
            1000,
            Box::new(|i| if i == 2 { Fate::Reordered } else { Fate::Sent }),
        ),
        (
            "retransmitted",
            1000,
            Box::new(|i| {
                if i % 2 == 1 {
                    Fate::Retransmitted
                } else {
                    Fate::Sent
                }
            }),
        ),
        (
            "sequence numbers wrap in the message",
            u32::MAX - 250,
            Box::new(|_| Fate::Sent),
        ),
    ];
    for (name, isn, mut fate) in cases {
        let (bytes, expected) = smtp_with(&mut *fate, isn);
        let session = only_session(&bytes);
        assert_eq!(session.skeleton(), strings(&expected), "{name}");
        assert!(
            gap_notes(&session).is_empty(),
            "{name}: {:?}",
            session.notes
        );
        let message = session
            .commands()
            .find(|c| c.label() == "message")
            .expect("message");
        let text = message.to_string();
        assert!(text.contains("bytes"), "{name}: {text}");
    }
}

#[test]
fn a_lost_segment_is_a_gap_between_frames_and_the_rest_is_still_read() {
    let (bytes, expected) = smtp_with(&mut |i| if i == 3 { Fate::Lost } else { Fate::Sent }, 1000);
    let session = only_session(&bytes);
    let gaps = gap_notes(&session);
    assert_eq!(gaps.len(), 1, "{:?}", session.notes);
    assert!(
        gaps[0].starts_with("500 bytes from the client were not captured between frames"),
        "{}",
        gaps[0]
    );
    // The exchanges after the hole are all there.
    let skeleton = session.skeleton();
    assert!(skeleton.ends_with(&strings(&expected[5..])), "{skeleton:?}");
}

#[test]
fn capture_starting_mid_session() {
    let (bytes, _) = smtp_with(&mut |_| Fate::Sent, 1000);
    // Drop the handshake, the greeting and EHLO/250 (frames 1–9) by rewriting the capture.
    let mut w = writer();
    let mut dropping = Dropping {
        inner: &mut w,
        index: 0,
        drop: &|i, _| i < 9,
    };
    replay(&bytes, &mut dropping);
    let session = only_session(&w.into_inner());
    let skeleton = session.skeleton();
    assert_eq!(
        skeleton.first().map(String::as_str),
        Some("MAIL → 250"),
        "{skeleton:?}"
    );
    assert_eq!(
        skeleton.last().map(String::as_str),
        Some("QUIT → 221"),
        "{skeleton:?}"
    );
}

#[test]
fn client_side_only() {
    let (bytes, _) = smtp_with(&mut |_| Fate::Sent, 1000);
    let mut w = writer();
    // Server frames carry source port 25 at TCP offset 0 (Ethernet 14 + IP 20).
    let mut dropping = Dropping {
        inner: &mut w,
        index: 0,
        drop: &|_, f| f[34..36] == [0, 25],
    };
    replay(&bytes, &mut dropping);
    let session = only_session(&w.into_inner());
    let labels: Vec<&str> = session.commands().map(|c| c.label()).collect();
    assert_eq!(labels, ["EHLO", "MAIL", "RCPT", "DATA", "message", "QUIT"]);
    assert!(session.exchanges.iter().all(|e| e.reply.is_none()));
}

/// Copies every frame of a pcap made by [`writer`] into another sink.
fn replay(pcap: &[u8], sink: &mut dyn FrameSink) {
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let field =
            |i: usize| u32::from_le_bytes(pcap[at + i..at + i + 4].try_into().expect("4 bytes"));
        let (sec, usec, caplen) = (field(0), field(4), field(8) as usize);
        let data = &pcap[at + 16..at + 16 + caplen];
        sink.frame(i64::from(sec) * 1_000_000 + i64::from(usec), data, caplen);
        at += 16 + caplen;
    }
}

#[test]
fn reset_ends_the_session() {
    let mut w = writer();
    let mut tcp = conversation(110, 9);
    tcp.handshake(&mut w);
    tcp.server_sends(&mut w, b"+OK ready\r\n");
    tcp.client_sends(&mut w, b"USER bob\r\n");
    tcp.server_sends(&mut w, b"+OK\r\n");
    tcp.reset(&mut w);
    let session = only_session(&w.into_inner());
    assert_eq!(session.protocol, Protocol::Pop3);
    assert_eq!(session.skeleton(), ["greeting → +OK", "USER → +OK"]);
}

#[test]
fn reused_ports_and_interleaved_sessions_are_separate_sessions_in_first_frame_order() {
    let mut w = writer();
    // Two sessions interleaved exchange by exchange: B opens first.
    let mut a = Tcp::new(Link::Ethernet, (host(1), 50000), (host(2), 25), START, 100);
    let mut b = Tcp::new(Link::Ethernet, (host(3), 50001), (host(2), 110), START, 200);
    b.handshake(&mut w);
    a.handshake(&mut w);
    a.server_sends(&mut w, b"220 a ESMTP\r\n");
    b.server_sends(&mut w, b"+OK b\r\n");
    b.client_sends(&mut w, b"QUIT\r\n");
    a.client_sends(&mut w, b"QUIT\r\n");
    a.server_sends(&mut w, b"221 bye\r\n");
    b.server_sends(&mut w, b"+OK bye\r\n");
    a.close(&mut w);
    b.close(&mut w);
    // The same ports again, a new connection (new ISN).
    let mut again = Tcp::new(
        Link::Ethernet,
        (host(1), 50000),
        (host(2), 25),
        START,
        999_999,
    );
    again.handshake(&mut w);
    again.server_sends(&mut w, b"220 a again\r\n");
    again.client_sends(&mut w, b"NOOP\r\n");
    again.server_sends(&mut w, b"250 ok\r\n");
    again.close(&mut w);
    let read = read(&w.into_inner()).expect("reads");
    let got: Vec<(Protocol, String, Vec<String>)> = read
        .sessions
        .iter()
        .map(|s| (s.protocol, s.source.label.clone(), s.skeleton()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Protocol::Pop3,
                "tcp 192.168.1.3:50001 → 192.168.1.2:110".into(),
                strings(&["greeting → +OK", "QUIT → +OK"])
            ),
            (
                Protocol::Smtp,
                "tcp 192.168.1.1:50000 → 192.168.1.2:25".into(),
                strings(&["greeting → 220", "QUIT → 221"])
            ),
            (
                Protocol::Smtp,
                "tcp 192.168.1.1:50000 → 192.168.1.2:25".into(),
                strings(&["greeting → 220", "NOOP → 250"])
            ),
        ]
    );
}

#[test]
fn mail_on_any_port_is_found_by_content() {
    for port in [2525u16, 1025, 8025, 26] {
        let mut w = writer();
        let mut tcp = conversation(port, 5);
        tcp.handshake(&mut w);
        tcp.server_sends(&mut w, b"220 lab.test ESMTP Postfix\r\n");
        tcp.client_sends(&mut w, b"HELO pc\r\n");
        tcp.server_sends(&mut w, b"250 lab.test\r\n");
        tcp.close(&mut w);
        let session = only_session(&w.into_inner());
        assert_eq!(
            session.skeleton(),
            ["greeting → 220", "HELO → 250"],
            "port {port}"
        );
    }
}

#[test]
fn ip_fragments_are_reassembled() {
    let mut w = writer();
    let mut tcp = conversation(25, 50);
    tcp.handshake(&mut w);
    tcp.server_sends(&mut w, b"220 lab ESMTP\r\n");
    let command = b"EHLO a-client-name-long-enough-to-need-two-fragments.lab.test\r\n";
    let frames = synth::fragmented_tcp_frames(
        Link::Ethernet,
        tcp.client,
        tcp.server,
        tcp.client_seq,
        tcp.server_seq,
        command,
        48,
    );
    assert!(frames.len() > 1);
    // Last fragment first, as happens.
    for frame in frames.iter().rev() {
        w.frame(START + 500, frame, frame.len());
    }
    tcp.client_seq = tcp.client_seq.wrapping_add(command.len() as u32);
    tcp.server_sends(&mut w, b"250 ok\r\n");
    tcp.close(&mut w);
    let session = only_session(&w.into_inner());
    assert_eq!(session.skeleton(), ["greeting → 220", "EHLO → 250"]);
}

#[test]
fn tls_is_marked_encrypted_never_read_as_garbage() {
    let tls = [
        0x16u8, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c, 0x03, 0x03, 0xaa, 0xbb,
    ];
    // STARTTLS on 587, then TLS.
    let mut w = writer();
    let mut tcp = conversation(587, 7);
    tcp.handshake(&mut w);
    tcp.server_sends(&mut w, b"220 lab ESMTP\r\n");
    tcp.client_sends(&mut w, b"EHLO pc\r\n");
    tcp.server_sends(&mut w, b"250-lab\r\n250 STARTTLS\r\n");
    tcp.client_sends(&mut w, b"STARTTLS\r\n");
    tcp.server_sends(&mut w, b"220 2.0.0 Ready to start TLS\r\n");
    tcp.client_sends(&mut w, &tls);
    tcp.server_sends(&mut w, &tls);
    tcp.client_sends(
        &mut w,
        b"\x17\x03\x03\x00\x20MAIL FROM looks like this inside\r\n",
    );
    tcp.close(&mut w);
    // Implicit TLS on 465 in the same capture.
    let mut smtps = Tcp::new(
        Link::Ethernet,
        (host(11), 40002),
        (host(20), 465),
        tcp.clock,
        8,
    );
    smtps.handshake(&mut w);
    smtps.client_sends(&mut w, &tls);
    smtps.server_sends(&mut w, &tls);
    smtps.close(&mut w);
    let bytes = w.into_inner();
    let both = read(&bytes).expect("reads");
    assert_eq!(both.sessions.len(), 2);
    let starttls = &both.sessions[0];
    assert_eq!(
        starttls.skeleton(),
        ["greeting → 220", "EHLO → 250", "STARTTLS → 220"]
    );
    // The last exchange before TLS is STARTTLS, index 2.
    assert_eq!(starttls.encrypted_after, Some(2));
    let implicit = &both.sessions[1];
    assert!(implicit.exchanges.is_empty());
    assert_eq!(implicit.encrypted_after, Some(0));
    assert!(
        implicit.notes.iter().any(|n| n.kind == NoteKind::Encrypted),
        "{:?}",
        implicit.notes
    );

    // The implicit-TLS session alone: nothing usable, and the reason says why.
    let mut w = writer();
    let mut smtps = Tcp::new(Link::Ethernet, (host(11), 40002), (host(20), 465), START, 8);
    smtps.handshake(&mut w);
    smtps.client_sends(&mut w, &tls);
    smtps.server_sends(&mut w, &tls);
    smtps.close(&mut w);
    match read(&w.into_inner()) {
        Err(IngestError::NothingFound { reason, hint, .. }) => {
            assert_eq!(reason.en, "the capture has 10 frames: TLS on port 465 (implicit TLS, unreadable); no cleartext SMTP or POP3");
            assert_eq!(
                reason.zh_cn,
                "抓包中有 10 帧：端口 465 上的 TLS（隐式 TLS，无法读取）；没有明文的 SMTP 或 POP3"
            );
            assert!(hint.is_some_and(|h| h.text().en.contains("TLS")));
        }
        other => panic!("{other:?}"),
    }
}
