//! Mail inside tunnels: the same SMTP and POP3 sessions, wrapped in PPPoE, L2TP, GRE (with
//! IP or Ethernet inside, with and without its optional fields) and stacked VLAN tags, read
//! the same as on a plain Ethernet. Nesting deeper than the limit is skipped with a note.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::net::IpAddr;
use std::path::Path;

use mailgrade::ingest::{read_bytes, FileRead, IngestError};
use mailgrade::session::Protocol;
use synth::{Layer, Link, PcapWriter, Tcp, GRE_ALL, GRE_PLAIN, TUNNELS};

const START: i64 = 1_700_000_000_000_000;

fn read_named(name: &str, bytes: &[u8]) -> Result<FileRead, IngestError> {
    read_bytes(Path::new(&format!("{name}.pcap")), bytes)
}

#[test]
fn mail_inside_every_tunnel_reads_as_on_a_plain_link() {
    for &(name, layers, v6) in TUNNELS {
        let (bytes, skeletons) = synth::tunnelled_capture(Link::Tunnel(layers), v6);
        let read = read_named(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let found: Vec<(Protocol, Vec<String>)> = read
            .sessions
            .iter()
            .map(|s| (s.protocol, s.skeleton()))
            .collect();
        let expected: Vec<(Protocol, Vec<String>)> = [Protocol::Smtp, Protocol::Pop3]
            .into_iter()
            .zip(skeletons)
            .map(|(p, s)| (p, s.iter().map(|l| l.to_string()).collect()))
            .collect();
        assert_eq!(found, expected, "{name}");
        // The inner addresses name the sessions, never the tunnel's ends.
        let (client, server) = synth::tunnel_hosts(v6);
        let show = |ip: IpAddr| match ip {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        assert_eq!(
            read.sessions[0].source.label,
            format!("tcp {}:40001 → {}:25", show(client), show(server)),
            "{name}"
        );
        assert!(read.notes.is_empty(), "{name}: {:?}", read.notes);
    }
}

/// `depth` GRE tunnels inside one another.
fn nested_gre(depth: usize) -> &'static [Layer] {
    Vec::leak(vec![GRE_PLAIN; depth])
}

#[test]
fn tunnels_nested_past_the_limit_are_skipped_with_a_note() {
    // Eight GRE tunnels deep is read.
    let (bytes, skeletons) = synth::tunnelled_capture(Link::Tunnel(nested_gre(8)), false);
    let read = read_named("gre8", &bytes).expect("eight tunnels deep reads");
    assert_eq!(read.sessions.len(), 2);
    assert_eq!(read.sessions[1].skeleton(), skeletons[1]);
    // Nine is not: nothing is found, and the reason says why.
    let (bytes, _) = synth::tunnelled_capture(Link::Tunnel(nested_gre(9)), false);
    match read_named("gre9", &bytes) {
        Err(IngestError::NothingFound { reason, .. }) => assert!(
            reason
                .en
                .contains("nested more than 8 VLAN tags or 8 tunnels deep"),
            "{reason:?}"
        ),
        other => panic!("nine tunnels deep: {other:?}"),
    }
    // Nine VLAN tags, the same.
    let tags: &'static [Layer] = Vec::leak(vec![Layer::Vlan(0x8100); 9]);
    let (bytes, _) = synth::tunnelled_capture(Link::Tunnel(tags), false);
    match read_named("vlan9", &bytes) {
        Err(IngestError::NothingFound { reason, .. }) => {
            assert!(reason.en.contains("nested more than 8"), "{reason:?}")
        }
        other => panic!("nine VLAN tags: {other:?}"),
    }
}

#[test]
fn a_tunnel_beside_plain_mail_is_read_with_it() {
    // The SMTP session on the plain link, the POP3 one through GRE over Ethernet, in one file.
    let mut writer = PcapWriter::new(Vec::new(), Link::Ethernet).expect("header");
    let (client, server) = synth::tunnel_hosts(false);
    let mut smtp = Tcp::new(Link::Ethernet, (client, 40001), (server, 25), START, 1);
    let smtp_skeleton = synth::smtp_session(&mut smtp, &mut writer, 1, 500);
    let tunnel = Link::Tunnel(&[GRE_ALL, Layer::Ethernet, Layer::Vlan(0x8100)]);
    let mut pop = Tcp::new(tunnel, (client, 40002), (server, 110), smtp.clock, 2);
    let pop_skeleton = synth::pop3_session(&mut pop, &mut writer, 2, 500);
    let read = read_named("mixed", &writer.into_inner()).expect("reads");
    let skeletons: Vec<Vec<String>> = read.sessions.iter().map(|s| s.skeleton()).collect();
    assert_eq!(skeletons, vec![smtp_skeleton, pop_skeleton]);
}
