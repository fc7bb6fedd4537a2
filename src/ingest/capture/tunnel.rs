//! Tunnels inside IP, opened so the mail inside reads like any other: GRE (RFC 2784 and
//! 2890, and PPTP's enhanced GRE of RFC 2637) carrying IP, Ethernet or PPP; L2TPv2 (RFC 2661)
//! on UDP port 1701 carrying PPP; IP in IP.
//!
//! etherparse reads the UDP header; it has no GRE, L2TP or PPP, so those are read here.

use etherparse::{UdpHeader, UdpHeaderSlice};

use super::link::ppp;

/// Tunnels followed inside one another at most; real networks nest two or three.
pub(super) const MAX_TUNNELS: usize = 8;

const PROTO_IPV4_IN_IP: u8 = 4;
const PROTO_UDP: u8 = 17;
const PROTO_IPV6_IN_IP: u8 = 41;
const PROTO_GRE: u8 = 47;

const L2TP_PORT: u16 = 1701;

const GRE_IPV4: u16 = 0x0800;
const GRE_IPV6: u16 = 0x86dd;
/// Transparent Ethernet bridging: a whole Ethernet frame.
const GRE_ETHERNET: u16 = 0x6558;
const GRE_PPP: u16 = 0x880b;

/// What a tunnel packet carries.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Inner<'a> {
    Ip(&'a [u8]),
    Ethernet(&'a [u8]),
}

/// The packet inside an IP payload of `protocol`, when it is a tunnel we read that carries
/// one; `None` for every other protocol, and for tunnel messages that carry no packet
/// (L2TP control, PPP negotiation) or one we cannot read (L2TPv3, GRE with source routes).
pub(super) fn inner(protocol: u8, payload: &[u8]) -> Option<Inner<'_>> {
    match protocol {
        PROTO_IPV4_IN_IP | PROTO_IPV6_IN_IP => Some(Inner::Ip(payload)),
        PROTO_GRE => gre(payload),
        PROTO_UDP => l2tp_in_udp(payload).map(Inner::Ip),
        _ => None,
    }
}

fn gre(packet: &[u8]) -> Option<Inner<'_>> {
    let &[flags, second, high, low] = packet.get(..4)? else {
        return None;
    };
    let protocol = u16::from_be_bytes([high, low]);
    // The first byte: checksum, routing, key, sequence present; the second's low three bits
    // are the version, its top bit (version 1) an acknowledgement present.
    let (checksum, routing, key, sequence) = (
        flags & 0x80 != 0,
        flags & 0x40 != 0,
        flags & 0x20 != 0,
        flags & 0x10 != 0,
    );
    if routing {
        // RFC 1701's source routes, deprecated since RFC 2784; nobody sends them.
        return None;
    }
    let mut at = 4;
    match second & 0x07 {
        0 => {
            at += 4 * (usize::from(checksum) + usize::from(key) + usize::from(sequence));
        }
        // PPTP: the key (payload length and call id) is always there.
        1 if protocol == GRE_PPP => {
            let acknowledgement = second & 0x80 != 0;
            at += 4 * (1 + usize::from(sequence) + usize::from(acknowledgement));
        }
        _ => return None,
    }
    let payload = packet.get(at..)?;
    match protocol {
        GRE_IPV4 | GRE_IPV6 => Some(Inner::Ip(payload)),
        GRE_ETHERNET => Some(Inner::Ethernet(payload)),
        GRE_PPP => ppp(payload).map(Inner::Ip),
        _ => None,
    }
}

/// L2TP data on UDP port 1701 (either end): the IP packet in its PPP frame.
fn l2tp_in_udp(datagram: &[u8]) -> Option<&[u8]> {
    let header = UdpHeaderSlice::from_slice(datagram).ok()?;
    if header.source_port() != L2TP_PORT && header.destination_port() != L2TP_PORT {
        return None;
    }
    // The UDP length when it is sane; the IP layer has already cut Ethernet padding off.
    let end = usize::from(header.length()).clamp(UdpHeader::LEN, datagram.len());
    l2tp(&datagram[UdpHeader::LEN..end])
}

fn l2tp(message: &[u8]) -> Option<&[u8]> {
    let flags = u16::from_be_bytes(message.get(..2)?.try_into().ok()?);
    let control = flags & 0x8000 != 0;
    // Version 3's data header depends on how the session was set up (cookie size), which
    // only its control messages say: not read.
    if control || flags & 0x000f != 2 {
        return None;
    }
    let (length, sequence, offset) = (
        flags & 0x4000 != 0,
        flags & 0x0800 != 0,
        flags & 0x0200 != 0,
    );
    // Flags, the optional length, tunnel and session ids, the optional Ns and Nr.
    let mut at = 2 + 2 * usize::from(length) + 4 + 4 * usize::from(sequence);
    if offset {
        let size = message.get(at..at + 2)?;
        at += 2 + usize::from(u16::from_be_bytes([size[0], size[1]]));
    }
    ppp(message.get(at..)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: &[u8] = &[0x45, 0, 0, 20];
    const PPP_IP: &[u8] = &[0xff, 0x03, 0x00, 0x21, 0x45, 0, 0, 20];

    fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(&sport.to_be_bytes());
        d.extend_from_slice(&dport.to_be_bytes());
        d.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        d.extend_from_slice(&[0, 0]);
        d.extend_from_slice(payload);
        d
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn opens_gre() {
        let ethernet = cat(&[&[0; 12], &[0x08, 0x00], IP]);
        type Case<'a> = (&'a str, Vec<u8>, Option<Inner<'a>>);
        let cases: Vec<Case<'_>> = vec![
            (
                "plain",
                cat(&[&[0, 0, 0x08, 0x00], IP]),
                Some(Inner::Ip(IP)),
            ),
            (
                "checksum, key and sequence",
                cat(&[&[0xb0, 0, 0x86, 0xdd], &[7; 12], IP]),
                Some(Inner::Ip(IP)),
            ),
            (
                "key only",
                cat(&[&[0x20, 0, 0x08, 0x00], &[7; 4], IP]),
                Some(Inner::Ip(IP)),
            ),
            (
                "ethernet",
                cat(&[&[0x20, 0, 0x65, 0x58], &[1; 4], &ethernet]),
                Some(Inner::Ethernet(&ethernet)),
            ),
            (
                "pptp with sequence and acknowledgement",
                cat(&[&[0x30, 0x81, 0x88, 0x0b], &[9; 12], PPP_IP]),
                Some(Inner::Ip(IP)),
            ),
            (
                "pptp, compressed PPP",
                cat(&[&[0x20, 0x01, 0x88, 0x0b], &[9; 4], &[0x21], IP]),
                Some(Inner::Ip(IP)),
            ),
            (
                "pptp, encrypted PPP",
                cat(&[&[0x20, 0x01, 0x88, 0x0b], &[9; 4], &[0x00, 0xfd, 1, 2]]),
                None,
            ),
            ("source routes", cat(&[&[0x40, 0, 0x08, 0x00], IP]), None),
            ("version 2", cat(&[&[0, 2, 0x08, 0x00], IP]), None),
            ("unknown protocol", cat(&[&[0, 0, 0x12, 0x34], IP]), None),
            ("cut in its header", vec![0xb0, 0, 0x08, 0x00, 1, 2], None),
        ];
        for (name, packet, expected) in &cases {
            assert_eq!(inner(PROTO_GRE, packet), *expected, "{name}");
        }
    }

    #[test]
    fn opens_l2tp() {
        let plain = cat(&[&[0x00, 0x02, 0, 1, 0, 2], PPP_IP]);
        // Length, sequence numbers and a 3-byte offset pad.
        let full = cat(&[
            &[0x4a, 0x02, 0, 30, 0, 1, 0, 2, 0, 5, 0, 6, 0, 3, 9, 9, 9],
            PPP_IP,
        ]);
        let control = cat(&[&[0xc8, 0x02, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0]]);
        let v3 = cat(&[&[0x00, 0x03, 0, 0, 0, 0, 0, 1], PPP_IP]);
        let lcp = cat(&[&[0x00, 0x02, 0, 1, 0, 2], &[0xff, 0x03, 0xc0, 0x21, 1, 1]]);
        type Case<'a> = (&'a str, Vec<u8>, Option<Inner<'a>>);
        let cases: Vec<Case<'_>> = vec![
            ("plain", udp(1701, 1701, &plain), Some(Inner::Ip(IP))),
            ("all options", udp(50000, 1701, &full), Some(Inner::Ip(IP))),
            (
                "from the server's port",
                udp(1701, 50000, &plain),
                Some(Inner::Ip(IP)),
            ),
            ("another port", udp(1702, 1703, &plain), None),
            ("control message", udp(1701, 1701, &control), None),
            ("version 3", udp(1701, 1701, &v3), None),
            ("PPP negotiation", udp(1701, 1701, &lcp), None),
            ("cut", udp(1701, 1701, &full[..10]), None),
        ];
        for (name, datagram, expected) in &cases {
            assert_eq!(inner(PROTO_UDP, datagram), *expected, "{name}");
        }
    }

    #[test]
    fn ip_in_ip_and_the_rest() {
        assert_eq!(inner(PROTO_IPV4_IN_IP, IP), Some(Inner::Ip(IP)));
        assert_eq!(inner(PROTO_IPV6_IN_IP, IP), Some(Inner::Ip(IP)));
        assert_eq!(inner(1, IP), None, "ICMP");
        assert_eq!(inner(PROTO_UDP, &[0, 53]), None, "a cut UDP header");
    }
}
