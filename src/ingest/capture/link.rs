//! Link layers: strip the link header and hand on the IP packet inside.
//!
//! Ethernet and its VLAN tags go through etherparse's header slices; SLL2, loopback/NULL
//! and PPP (which etherparse 0.16 lacks) are read here. Each decides "not IP" with a couple
//! of byte compares, which matters at a few hundred million frames a second.

use etherparse::{Ethernet2Header, Ethernet2HeaderSlice, SingleVlanHeader, SingleVlanHeaderSlice};

use crate::i18n::messages::ingest::LinkKind;

/// Why a frame's link layer cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum LinkProblem {
    /// 802.11 with radio headers: a monitor-mode capture, encrypted or at least not IP.
    WifiMonitor,
    /// A LINKTYPE we do not decode.
    Unsupported(u32),
    /// More VLAN tags or tunnels inside one another than any network uses: crafted, and
    /// not followed further.
    TooDeep,
}

impl LinkProblem {
    /// What kind of frames these are, in both languages.
    pub fn kind(self) -> LinkKind {
        match self {
            LinkProblem::WifiMonitor => LinkKind::WifiMonitor,
            LinkProblem::Unsupported(link) => LinkKind::Unsupported { link },
            LinkProblem::TooDeep => LinkKind::TooDeep {
                tags: MAX_VLAN_TAGS,
                tunnels: super::tunnel::MAX_TUNNELS,
            },
        }
    }
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
/// VLAN tags read in one Ethernet header at most; real stacks have two or three.
pub(super) const MAX_VLAN_TAGS: usize = 8;
const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;

/// The IP packet a frame carries; `Ok(None)` for frames that carry no IP (ARP, STP, …).
pub(super) fn ip_packet(link: u32, frame: &[u8]) -> Result<Option<&[u8]>, LinkProblem> {
    match link {
        1 => ethernet(frame),
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

/// The IP packet in an Ethernet frame, under any VLAN tags (802.1Q in 802.1ad in …) and
/// PPPoE; `Ok(None)` when it carries no IP.
pub(super) fn ethernet(frame: &[u8]) -> Result<Option<&[u8]>, LinkProblem> {
    let Ok(header) = Ethernet2HeaderSlice::from_slice(frame) else {
        return Ok(None);
    };
    let mut ethertype = header.ether_type().0;
    let mut rest = &frame[Ethernet2Header::LEN..];
    let mut tags = 0;
    while is_vlan_tag(ethertype) {
        if tags == MAX_VLAN_TAGS {
            return Err(LinkProblem::TooDeep);
        }
        let Ok(tag) = SingleVlanHeaderSlice::from_slice(rest) else {
            return Ok(None);
        };
        ethertype = tag.ether_type().0;
        rest = &rest[SingleVlanHeader::LEN..];
        tags += 1;
    }
    Ok(by_ethertype(ethertype, rest))
}

/// 802.1Q, 802.1ad (QinQ) and the older 0x9100 QinQ tag. A match rather than a search of
/// an array: every Ethernet frame asks, and `contains` cost a few dozen instructions.
fn is_vlan_tag(ethertype: u16) -> bool {
    matches!(ethertype, 0x8100 | 0x88a8 | 0x9100)
}

fn by_ethertype(ethertype: u16, payload: &[u8]) -> Option<&[u8]> {
    match ethertype {
        ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => Some(payload),
        // PPPoE session: version/type, code, session id and length, then a PPP frame.
        ETHERTYPE_PPPOE_SESSION => ppp(payload.get(6..)?),
        _ => None,
    }
}

/// The IP packet in a PPP frame (inside PPPoE, L2TP or PPTP's GRE); `None` for PPP's own
/// negotiation and for anything encrypted or compressed. The address and control bytes
/// (`FF 03`) may be left out, and the protocol field compressed to one byte (RFC 1661).
pub(super) fn ppp(frame: &[u8]) -> Option<&[u8]> {
    let frame = frame.strip_prefix(&[0xff, 0x03]).unwrap_or(frame);
    let (protocol, rest) = match frame {
        // A protocol number's first byte is even and its last odd: an odd first byte is a
        // compressed one-byte field.
        [low, rest @ ..] if low & 1 == 1 => (u16::from(*low), rest),
        [high, low, rest @ ..] => (u16::from_be_bytes([*high, *low]), rest),
        _ => return None,
    };
    matches!(protocol, PPP_IPV4 | PPP_IPV6).then_some(rest)
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
    fn reads_ppp_frames() {
        let ip = [0x45u8, 0, 0, 20];
        let cases: [(&[u8], Option<&[u8]>); 6] = [
            (&[0xff, 0x03, 0x00, 0x21, 0x45, 0, 0, 20], Some(&ip)),
            (&[0x00, 0x57, 0x45, 0, 0, 20], Some(&ip)),
            (&[0x21, 0x45, 0, 0, 20], Some(&ip)),
            (&[0xff, 0x03, 0xc0, 0x21, 1], None),
            (&[0xff, 0x03], None),
            (&[], None),
        ];
        for (frame, expected) in cases {
            assert_eq!(ppp(frame), expected, "{frame:02x?}");
        }
    }

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
        // 0x9100 over 802.1ad over 802.1Q.
        let mut three_tags = vec![0u8; 12];
        three_tags.extend_from_slice(&[0x91, 0x00, 0, 1, 0x88, 0xa8, 0, 2, 0x81, 0x00, 0, 3]);
        three_tags.extend_from_slice(&[0x86, 0xdd]);
        three_tags.extend_from_slice(&ip6);
        let mut pppoe = vec![0u8; 12];
        pppoe.extend_from_slice(&[0x81, 0x00, 0, 7, 0x88, 0x64, 0x11, 0, 0x12, 0x34, 0, 6]);
        pppoe.extend_from_slice(&[0x00, 0x21]);
        pppoe.extend_from_slice(&ip4);
        let mut pppoe_lcp = vec![0u8; 12];
        pppoe_lcp.extend_from_slice(&[0x88, 0x64, 0x11, 0, 0x12, 0x34, 0, 6, 0xc0, 0x21, 1]);
        let mut cut_tag = vec![0u8; 12];
        cut_tag.extend_from_slice(&[0x81, 0x00, 0]);
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
            ("three tags", 1, &three_tags, Some(&ip6)),
            ("pppoe under a tag", 1, &pppoe, Some(&ip4)),
            ("pppoe, link control", 1, &pppoe_lcp, None),
            ("cut in a tag", 1, &cut_tag, None),
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
        let mut deepest = vec![0u8; 12];
        for _ in 0..MAX_VLAN_TAGS {
            deepest.extend_from_slice(&[0x81, 0x00, 0, 1]);
        }
        deepest.extend_from_slice(&[0x08, 0x00]);
        deepest.extend_from_slice(&ip4);
        assert_eq!(ip_packet(1, &deepest), Ok(Some(&ip4[..])));
        let mut too_deep = vec![0u8; 12];
        too_deep.extend_from_slice(&[0x81, 0x00, 0, 1]);
        too_deep.extend_from_slice(&deepest[12..]);
        assert_eq!(ip_packet(1, &too_deep), Err(LinkProblem::TooDeep));
        assert_eq!(ip_packet(127, &ip4), Err(LinkProblem::WifiMonitor));
        assert_eq!(ip_packet(147, &ip4), Err(LinkProblem::Unsupported(147)));
    }
}
