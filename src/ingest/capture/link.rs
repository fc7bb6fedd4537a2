//! Link layers: strip the link header and hand on the IP packet inside.
//!
//! Hand-written rather than etherparse because we need SLL2 and loopback/NULL (which
//! etherparse 0.16 lacks) and want to decide "not IP" with two byte compares.

/// Why a frame's link layer cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum LinkProblem {
    /// 802.11 with radio headers: a monitor-mode capture, encrypted or at least not IP.
    WifiMonitor,
    /// A LINKTYPE we do not decode.
    Unsupported(u32),
}

impl LinkProblem {
    pub fn describe(self) -> String {
        match self {
            LinkProblem::WifiMonitor => "802.11 radio frames (a monitor-mode Wi-Fi capture)".into(),
            LinkProblem::Unsupported(link) => format!("link type {link}"),
        }
    }
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
const VLAN_TAGS: [u16; 3] = [0x8100, 0x88a8, 0x9100];

/// The IP packet a frame carries; `Ok(None)` for frames that carry no IP (ARP, STP, …).
pub(super) fn ip_packet(link: u32, frame: &[u8]) -> Result<Option<&[u8]>, LinkProblem> {
    match link {
        1 => Ok(ethernet(frame)),
        // NULL / LOOP: a 4-byte address family in the capturing host's byte order; the
        // IP version nibble says more reliably which IP it is.
        0 | 108 => Ok(by_version(frame.get(4..).unwrap_or_default())),
        // Raw IP (101; 12 and 14 on some BSDs) and the explicit v4/v6 types.
        12 | 14 | 101 | 228 | 229 => Ok(by_version(frame)),
        113 => Ok(frame
            .get(14..16)
            .and_then(|t| by_ethertype(u16::from_be_bytes([t[0], t[1]]), frame.get(16..)?))),
        276 => Ok(frame
            .get(0..2)
            .and_then(|t| by_ethertype(u16::from_be_bytes([t[0], t[1]]), frame.get(20..)?))),
        105 | 119 | 127 | 163 | 192 => Err(LinkProblem::WifiMonitor),
        other => Err(LinkProblem::Unsupported(other)),
    }
}

fn ethernet(frame: &[u8]) -> Option<&[u8]> {
    let mut at = 12;
    let mut ethertype = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
    // Up to two VLAN tags (802.1Q, QinQ).
    for _ in 0..2 {
        if !VLAN_TAGS.contains(&ethertype) {
            break;
        }
        at += 4;
        ethertype = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
    }
    by_ethertype(ethertype, frame.get(at + 2..)?)
}

fn by_ethertype(ethertype: u16, payload: &[u8]) -> Option<&[u8]> {
    match ethertype {
        ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => Some(payload),
        // PPPoE session: 6 bytes of PPPoE, then the 2-byte PPP protocol (0x21 v4, 0x57 v6).
        ETHERTYPE_PPPOE_SESSION => match payload.get(6..8)? {
            [0x00, 0x21] | [0x00, 0x57] => payload.get(8..),
            _ => None,
        },
        _ => None,
    }
}

fn by_version(packet: &[u8]) -> Option<&[u8]> {
    match packet.first()? >> 4 {
        4 | 6 => Some(packet),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_ip_packet() {
        let ip4 = [0x45u8, 0, 0, 20];
        let ip6 = [0x60u8, 0, 0, 0];
        let mut eth = vec![0u8; 12];
        eth.extend_from_slice(&[0x08, 0x00]);
        eth.extend_from_slice(&ip4);
        let mut vlan = vec![0u8; 12];
        vlan.extend_from_slice(&[0x81, 0x00, 0x00, 0x05, 0x86, 0xdd]);
        vlan.extend_from_slice(&ip6);
        let mut qinq = vec![0u8; 12];
        qinq.extend_from_slice(&[0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2, 0x08, 0x00]);
        qinq.extend_from_slice(&ip4);
        let mut arp = vec![0u8; 12];
        arp.extend_from_slice(&[0x08, 0x06, 1, 2, 3]);
        let mut null_be = vec![0, 0, 0, 30];
        null_be.extend_from_slice(&ip6);
        let mut null_le = vec![2, 0, 0, 0];
        null_le.extend_from_slice(&ip4);
        let mut sll = vec![0u8; 14];
        sll.extend_from_slice(&[0x08, 0x00]);
        sll.extend_from_slice(&ip4);
        let mut sll2 = vec![0x86, 0xdd];
        sll2.extend_from_slice(&[0u8; 18]);
        sll2.extend_from_slice(&ip6);
        type Case<'a> = (&'a str, u32, &'a [u8], Option<&'a [u8]>);
        let cases: Vec<Case<'_>> = vec![
            ("ethernet", 1, &eth, Some(&ip4)),
            ("vlan", 1, &vlan, Some(&ip6)),
            ("qinq", 1, &qinq, Some(&ip4)),
            ("arp", 1, &arp, None),
            ("short ethernet", 1, &eth[..10], None),
            ("null, big-endian family", 0, &null_be, Some(&ip6)),
            ("loop, little-endian family", 108, &null_le, Some(&ip4)),
            ("raw", 101, &ip4, Some(&ip4)),
            ("ipv6 linktype", 229, &ip6, Some(&ip6)),
            ("sll", 113, &sll, Some(&ip4)),
            ("sll2", 276, &sll2, Some(&ip6)),
        ];
        for (name, link, frame, expected) in cases {
            assert_eq!(ip_packet(link, frame), Ok(expected), "{name}");
        }
        assert_eq!(ip_packet(127, &ip4), Err(LinkProblem::WifiMonitor));
        assert_eq!(ip_packet(147, &ip4), Err(LinkProblem::Unsupported(147)));
    }
}
