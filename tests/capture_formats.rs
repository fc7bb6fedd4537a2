//! Capture file formats and link layers: the same SMTP session written as pcap (both byte
//! orders, µs and ns) and pcapng (several interfaces and link types), over Ethernet, VLAN,
//! Linux cooked SLL/SLL2, BSD loopback and raw IP, IPv4 and IPv6, reads the same.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::net::IpAddr;
use std::path::Path;

use mailgrade::ingest::{read_bytes, FileRead};
use mailgrade::session::{Origin, Protocol};
use synth::{FrameSink, Link, PcapNgWriter, PcapWriter, Tcp};

const START: i64 = 1_700_000_000_123_456;

fn v4(last: u8) -> IpAddr {
    IpAddr::from([10, 0, 0, last])
}

fn v6(last: u8) -> IpAddr {
    IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, u16::from(last)])
}

fn read(bytes: &[u8]) -> FileRead {
    read_bytes(Path::new("lab.pcap"), bytes).expect("the capture reads")
}

fn smtp(sink: &mut dyn FrameSink, link: Link, client: IpAddr, server: IpAddr) -> Vec<&'static str> {
    let mut tcp = Tcp::new(link, (client, 51514), (server, 25), START, 1000);
    synth::smtp_session(&mut tcp, sink, 1, 3000)
}

#[test]
fn pcap_variants_and_link_types() {
    let cases: Vec<(&str, Link, bool, bool, bool, &str)> = vec![
        // (name, link, big-endian, nanoseconds, IPv6, expected label)
        (
            "ethernet",
            Link::Ethernet,
            false,
            false,
            false,
            "tcp 10.0.0.1:51514 → 10.0.0.2:25",
        ),
        (
            "big-endian",
            Link::Ethernet,
            true,
            false,
            false,
            "tcp 10.0.0.1:51514 → 10.0.0.2:25",
        ),
        (
            "nanoseconds",
            Link::Ethernet,
            false,
            true,
            false,
            "tcp 10.0.0.1:51514 → 10.0.0.2:25",
        ),
        (
            "big-endian nanoseconds",
            Link::Ethernet,
            true,
            true,
            false,
            "tcp 10.0.0.1:51514 → 10.0.0.2:25",
        ),
        (
            "vlan",
            Link::EthernetVlan,
            false,
            false,
            false,
            "tcp 10.0.0.1:51514 → 10.0.0.2:25",
        ),
        (
            "null loopback",
            Link::Null,
            false,
            false,
            false,
            "tcp 10.0.0.1:51514 → 10.0.0.2:25",
        ),
        (
            "null loopback v6",
            Link::Null,
            false,
            false,
            true,
            "tcp [2001:db8::1]:51514 → [2001:db8::2]:25",
        ),
        (
            "linux sll",
            Link::LinuxSll,
            false,
            false,
            false,
            "tcp 10.0.0.1:51514 → 10.0.0.2:25",
        ),
        (
            "linux sll2 v6",
            Link::LinuxSll2,
            false,
            false,
            true,
            "tcp [2001:db8::1]:51514 → [2001:db8::2]:25",
        ),
        (
            "raw ip",
            Link::RawIp,
            false,
            false,
            false,
            "tcp 10.0.0.1:51514 → 10.0.0.2:25",
        ),
        (
            "ethernet v6",
            Link::Ethernet,
            false,
            false,
            true,
            "tcp [2001:db8::1]:51514 → [2001:db8::2]:25",
        ),
    ];
    for (name, link, big_endian, nanos, ipv6, label) in cases {
        let mut writer =
            PcapWriter::with_format(Vec::new(), link.linktype(), big_endian, nanos, 65535)
                .expect("header");
        let (client, server) = if ipv6 { (v6(1), v6(2)) } else { (v4(1), v4(2)) };
        let expected = smtp(&mut writer, link, client, server);
        let read = read(&writer.into_inner());
        assert_eq!(read.sessions.len(), 1, "{name}");
        let session = &read.sessions[0];
        assert_eq!(session.protocol, Protocol::Smtp, "{name}");
        assert_eq!(session.skeleton(), expected, "{name}");
        assert_eq!(session.source.label, label, "{name}");
        let connect = session.connect.as_ref().expect("the server connected to");
        assert_eq!(
            format!("{}:{:?}", connect.host, connect.port),
            format!("{}:Some(25)", server),
            "{name}"
        );
        // Frames 1–3 are the handshake; the greeting is frame 4, 4 × 37 µs after START.
        let greeting = session.exchanges[0].reply.as_ref().expect("greeting");
        match greeting.origin {
            Origin::Frame { frame, micros, .. } => {
                assert_eq!((frame, micros), (4, START + 4 * 37), "{name}")
            }
            other => panic!("{name}: greeting origin {other:?}"),
        }
        assert!(read.notes.is_empty(), "{name}: {:?}", read.notes);
    }
}

#[test]
fn pcapng_with_several_interfaces_and_link_types() {
    let mut writer = PcapNgWriter::new();
    let ethernet = writer.add_interface(Link::Ethernet.linktype(), false);
    let sll2 = writer.add_interface(Link::LinuxSll2.linktype(), true);
    // The POP3 session (on the SLL2 interface, nanosecond clock) starts first.
    writer.interface = sll2;
    let mut pop = Tcp::new(Link::LinuxSll2, (v4(7), 40000), (v4(8), 110), START, 77);
    let pop_expected = synth::pop3_session(&mut pop, &mut writer, 2, 500);
    writer.interface = ethernet;
    let mut tcp = Tcp::new(Link::Ethernet, (v6(1), 51514), (v6(2), 2525), pop.clock, 5);
    let smtp_expected = synth::smtp_session(&mut tcp, &mut writer, 3, 800);
    let read = read(&writer.out);
    let skeletons: Vec<(Protocol, Vec<String>)> = read
        .sessions
        .iter()
        .map(|s| (s.protocol, s.skeleton()))
        .collect();
    let expected = vec![
        (
            Protocol::Pop3,
            pop_expected
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        ),
        (
            Protocol::Smtp,
            smtp_expected.iter().map(|s| s.to_string()).collect(),
        ),
    ];
    assert_eq!(skeletons, expected);
    assert_eq!(
        read.sessions[0].source.label,
        "tcp 10.0.0.7:40000 → 10.0.0.8:110"
    );
    assert_eq!(
        read.sessions[1].source.label,
        "tcp [2001:db8::1]:51514 → [2001:db8::2]:2525"
    );
    let greeting = read.sessions[0].exchanges[0]
        .reply
        .as_ref()
        .expect("greeting");
    assert!(
        matches!(greeting.origin, Origin::Frame { frame: 4, micros, .. } if micros == START + 4 * 37),
        "{:?}",
        greeting.origin
    );
}

#[test]
fn recognises_capture_magics() {
    use mailgrade::ingest::capture::is_capture;
    let cases: [(&[u8], bool); 9] = [
        (&[0xd4, 0xc3, 0xb2, 0xa1], true),
        (&[0xa1, 0xb2, 0xc3, 0xd4], true),
        (&[0x4d, 0x3c, 0xb2, 0xa1], true),
        (&[0xa1, 0xb2, 0x3c, 0x4d], true),
        (&[0x0a, 0x0d, 0x0d, 0x0a], true),
        (b"GMBU", true),
        (b"RTSS", true),
        (b"220 ", false),
        (&[0xd4, 0xc3], false),
    ];
    for (bytes, expected) in cases {
        assert_eq!(is_capture(bytes), expected, "{bytes:?}");
    }
}

#[test]
fn reads_the_netmon_capture_in_the_corpus() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/pcap/wswiki_pop3_err_netmon2-format_mixed.cap"
    ));
    let read = mailgrade::ingest::read_file(path).expect("NetMon 2.x reads");
    assert_eq!(read.sessions.len(), 2);
    for session in &read.sessions {
        assert_eq!(session.protocol, Protocol::Pop3);
        let verbs: Vec<&str> = session.commands().filter_map(|c| c.word()).collect();
        assert_eq!(verbs, ["USER", "PASS"], "{}", session.source);
    }
    assert!(
        read.notes
            .iter()
            .any(|n| n.detail.en.contains("NetMon 2.x")),
        "{:?}",
        read.notes
    );
}
