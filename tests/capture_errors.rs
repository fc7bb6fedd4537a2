//! Broken and useless captures, each generated here: what was read is kept, and every
//! problem is named with the file and the frame; nothing panics.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::net::IpAddr;
use std::path::Path;

use mailgrade::ingest::capture::read_capture;
use mailgrade::ingest::{FileRead, IngestError};
use mailgrade::session::NoteKind;
use synth::{FrameSink, Link, PcapNgWriter, PcapWriter, Rng, Tcp};

const START: i64 = 1_650_000_000_000_000;

fn host(last: u8) -> IpAddr {
    IpAddr::from([172, 16, 0, last])
}

fn read(bytes: &[u8]) -> Result<FileRead, IngestError> {
    read_capture(Path::new("broken.pcap"), bytes)
}

fn smtp_pcap() -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), Link::Ethernet).expect("header");
    let mut tcp = Tcp::new(Link::Ethernet, (host(1), 41000), (host(2), 25), START, 3);
    synth::smtp_session(&mut tcp, &mut w, 1, 2000);
    w.into_inner()
}

fn nothing_found(result: Result<FileRead, IngestError>) -> (String, String) {
    match result {
        Err(IngestError::NothingFound { reason, hint, path }) => {
            assert_eq!(path, Path::new("broken.pcap"));
            (reason.en, hint.map(|h| h.text().en).unwrap_or_default())
        }
        other => panic!("expected NothingFound, got {other:?}"),
    }
}

fn invalid(result: Result<FileRead, IngestError>) -> String {
    match result {
        Err(error @ IngestError::Invalid { .. }) => error.to_string(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn truncated_file_keeps_what_was_read_and_names_the_frame() {
    let whole = smtp_pcap();
    let frames = read(&whole).expect("whole file reads");
    let full = frames.sessions[0].skeleton();
    // Cut in the middle of the last frames.
    let cut = &whole[..whole.len() - 40];
    let read = read(cut).expect("the part before the cut reads");
    assert_eq!(read.sessions.len(), 1);
    let skeleton = read.sessions[0].skeleton();
    assert!(
        skeleton.len() >= full.len() - 1 && skeleton[..full.len() - 1] == full[..full.len() - 1],
        "{skeleton:?}"
    );
    let note = read
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::Truncated)
        .expect("truncation note");
    assert!(
        note.detail.en.starts_with(
            "the capture file is cut short: the file ends in the middle of a block after frame"
        ),
        "{}",
        note.detail.en
    );
}

#[test]
fn bad_or_cut_headers_are_invalid_with_a_message() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "bad magic",
            b"From: someone\r\nSubject: not a capture\r\n".to_vec(),
            "broken.pcap: not a pcap, pcapng or NetMon capture (unknown magic number)",
        ),
        (
            "empty",
            Vec::new(),
            "broken.pcap: not a pcap, pcapng or NetMon capture (unknown magic number)",
        ),
        (
            "pcap header cut",
            smtp_pcap()[..12].to_vec(),
            "broken.pcap: the pcap header is cut short",
        ),
        (
            "pcapng header cut",
            PcapNgWriter::new().out[..16].to_vec(),
            "broken.pcap: the pcapng header is cut short",
        ),
        (
            "netmon header cut",
            b"GMBU\x00\x02\x01\x00".to_vec(),
            "broken.pcap: the Microsoft NetMon 2.x header is cut short",
        ),
    ];
    for (name, bytes, expected) in cases {
        assert_eq!(invalid(read(&bytes)), expected, "{name}");
    }
}

#[test]
fn impossible_frame_length_stops_reading_there() {
    let mut bytes = smtp_pcap();
    let sessions_before = read(&bytes).expect("reads").sessions[0].skeleton();
    // Append a frame header claiming 4 GB.
    bytes.extend_from_slice(&[
        0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xf0, 0xff, 0xff, 0xff, 0xf0,
    ]);
    bytes.extend_from_slice(&[0u8; 100]);
    let read = read(&bytes).expect("frames before the bad one read");
    assert_eq!(read.sessions[0].skeleton(), sessions_before);
    assert!(
        read.notes.iter().any(|n| n.kind == NoteKind::Truncated),
        "{:?}",
        read.notes
    );
}

#[test]
fn snaplen_cut_payloads_are_noted_and_the_rest_still_read() {
    let mut w = PcapWriter::with_format(Vec::new(), 1, false, false, 96).expect("header");
    let mut tcp = Tcp::new(Link::Ethernet, (host(1), 41000), (host(2), 110), START, 3);
    tcp.snaplen = 96;
    synth::pop3_session(&mut tcp, &mut w, 1, 2000);
    let read = read(&w.into_inner()).expect("commands and short replies still read");
    let note = read
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::Gap)
        .expect("snaplen note");
    assert!(
        note.detail.en.contains("snapshot length (snaplen)"),
        "{}",
        note.detail.en
    );
    let session = &read.sessions[0];
    let verbs: Vec<&str> = session.commands().filter_map(|c| c.word()).collect();
    assert_eq!(verbs, ["USER", "PASS", "STAT", "LIST", "RETR", "QUIT"]);
    assert!(
        session
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Gap && n.detail.en.contains("snapshot length")),
        "{:?}",
        session.notes
    );
}

#[test]
fn captures_without_mail_say_what_they_hold() {
    let mut rng = Rng::new(5);
    // HTTPS, IMAPS and DNS.
    let mut w = PcapWriter::new(Vec::new(), Link::Ethernet).expect("header");
    let mut https = Tcp::new(Link::Ethernet, (host(1), 41000), (host(2), 443), START, 3);
    synth::https_flow(&mut https, &mut w, &mut rng, 5000);
    let mut imaps = Tcp::new(
        Link::Ethernet,
        (host(1), 41001),
        (host(2), 993),
        https.clock,
        4,
    );
    synth::https_flow(&mut imaps, &mut w, &mut rng, 3000);
    let dns = synth::udp_frame(
        Link::Ethernet,
        (host(1), 5353),
        (host(3), 53),
        b"\x00\x01query",
    );
    w.frame(imaps.clock + 10, &dns, dns.len());
    // A port scan: SYNs to mail ports answered by RST.
    for port in [25u16, 110, 465] {
        let mut scan = Tcp::new(Link::Ethernet, (host(9), 60000), (host(2), port), START, 1);
        let mut only_syn = synth::Dropping {
            inner: &mut w,
            index: 0,
            drop: &|i, _| i > 0,
        };
        scan.handshake(&mut only_syn);
    }
    let frames = w.frames;
    let (reason, hint) = nothing_found(read(&w.into_inner()));
    assert_eq!(
        reason,
        format!("the capture has {frames} frames: HTTPS, IMAPS, 3 TCP connection attempts that carried no data (ports 25, 110, 465) and 1 frame that is not TCP; no cleartext SMTP or POP3")
    );
    assert!(hint.contains("tcp port 25 or tcp port 110"), "{hint}");

    let empty = PcapWriter::new(Vec::new(), Link::Ethernet)
        .expect("header")
        .into_inner();
    assert_eq!(
        nothing_found(read(&empty)).0,
        "the capture has 0 frames; no cleartext SMTP or POP3"
    );
}

#[test]
fn monitor_mode_wifi_says_to_recapture() {
    // Radiotap (LINKTYPE 127) frames: 8-byte radiotap header and an 802.11 beacon.
    let mut w = PcapWriter::with_format(Vec::new(), 127, false, false, 65535).expect("header");
    for i in 0..3 {
        let frame = [
            0u8, 0, 8, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, i,
        ];
        w.frame(START + i64::from(i), &frame, frame.len());
    }
    let (reason, hint) = nothing_found(read(&w.into_inner()));
    assert_eq!(reason, "the capture has 3 frames: 3 frames of 802.11 radio traffic (a monitor-mode Wi-Fi capture); no cleartext SMTP or POP3");
    assert_eq!(
        hint,
        "recapture on the Ethernet/WLAN interface, not in monitor mode"
    );
}

#[test]
fn corrupt_pcapng_block_keeps_the_frames_before_it() {
    let mut w = PcapNgWriter::new();
    w.add_interface(1, false);
    let mut tcp = Tcp::new(Link::Ethernet, (host(1), 41000), (host(2), 25), START, 3);
    tcp.handshake(&mut w);
    tcp.server_sends(&mut w, b"220 lab ESMTP\r\n");
    tcp.client_sends(&mut w, b"QUIT\r\n");
    tcp.server_sends(&mut w, b"221 bye\r\n");
    let mut bytes = w.out;
    // A block whose two length fields disagree.
    bytes.extend_from_slice(&[6, 0, 0, 0, 32, 0, 0, 0]);
    bytes.extend_from_slice(&[0u8; 20]);
    bytes.extend_from_slice(&[99, 0, 0, 0]);
    let read = read(&bytes).expect("frames before the bad block read");
    assert_eq!(
        read.sessions[0].skeleton(),
        ["greeting → 220", "QUIT → 221"]
    );
    let note = read
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::Truncated)
        .expect("note");
    assert!(
        note.detail.en.contains("after frame 9"),
        "{}",
        note.detail.en
    );
}

#[test]
fn random_bytes_after_a_valid_header_never_panic() {
    let mut rng = Rng::new(99);
    for round in 0..200 {
        let mut bytes = if round % 2 == 0 {
            smtp_pcap()[..24].to_vec()
        } else {
            PcapNgWriter::new().out
        };
        let len = rng.below(3000) as usize;
        bytes.extend((0..len).map(|_| rng.next() as u8));
        // Any outcome but a panic is fine; a hang would time the test out.
        let _ = read(&bytes);
    }
    // And a real capture with bytes flipped here and there.
    let clean = smtp_pcap();
    for round in 0..200 {
        let mut bytes = clean.clone();
        for _ in 0..=round % 5 {
            let at = 24 + rng.below((bytes.len() - 24) as u64) as usize;
            bytes[at] ^= rng.next() as u8 | 1;
        }
        let _ = read(&bytes);
    }
}
