//! The frame nearly every capture is made of — Ethernet II, IPv4 whole and unfragmented,
//! TCP — read in one pass. The general path (`link` → `ip` → `tcp`, with VLAN tags,
//! fragments, tunnels, snaplen cuts and malformed headers) cost about 280 instructions a
//! frame in handing on its parts; this reads the same fields in a few dozen (issue 18).
//! Anything else it declines, untouched, and the general path reads the frame as before,
//! so both agree on every frame this accepts.

use super::file::RawFrame;
use super::flows::End;
use super::ip::{Addr, PROTO_TCP};
use super::tcp::Segment;

const LINKTYPE_ETHERNET: u32 = 1;
const ETHERNET_LEN: usize = 14;
const ETHERTYPE_IPV4: [u8; 2] = [0x08, 0x00];

/// The TCP segment in a plain Ethernet/IPv4/TCP frame, with its two ends; `None` for any
/// other frame, and for one whose IP payload the snaplen cut.
#[inline]
pub(super) fn tcp_over_ipv4<'a>(frame: &RawFrame<'a>) -> Option<(End, End, Segment<'a>)> {
    if frame.link != LINKTYPE_ETHERNET {
        return None;
    }
    let data = frame.data;
    let header: &[u8; ETHERNET_LEN + 20] = data.get(..ETHERNET_LEN + 20)?.try_into().ok()?;
    let ip = &header[ETHERNET_LEN..];
    // The ethertype, version 4, and a whole datagram: no "more fragments", offset 0.
    if header[12..14] != ETHERTYPE_IPV4 || ip[0] >> 4 != 4 || ip[9] != PROTO_TCP {
        return None;
    }
    if u16::from_be_bytes([ip[6], ip[7]]) & 0x3fff != 0 {
        return None;
    }
    let header_len = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    // Ethernet pads short frames beyond `total`; a shorter frame was cut by the snaplen.
    if header_len < 20 || total < header_len || data.len() - ETHERNET_LEN < total {
        return None;
    }
    let tcp = &data[ETHERNET_LEN + header_len..ETHERNET_LEN + total];
    let tcp_header: &[u8; 20] = tcp.get(..20)?.try_into().ok()?;
    let offset = usize::from(tcp_header[12] >> 4) * 4;
    if offset < 20 {
        return None;
    }
    let payload = tcp.get(offset..)?;
    let segment = Segment {
        src_port: u16::from_be_bytes([tcp_header[0], tcp_header[1]]),
        dst_port: u16::from_be_bytes([tcp_header[2], tcp_header[3]]),
        seq: u32::from_be_bytes([tcp_header[4], tcp_header[5], tcp_header[6], tcp_header[7]]),
        ack: u32::from_be_bytes([tcp_header[8], tcp_header[9], tcp_header[10], tcp_header[11]]),
        flags: tcp_header[13],
        payload,
        missing: 0,
    };
    let src = End::new(Addr::v4_at(ip, 12), segment.src_port);
    let dst = End::new(Addr::v4_at(ip, 16), segment.dst_port);
    Some((src, dst, segment))
}

#[cfg(test)]
mod tests {
    use super::super::ip;
    use super::super::link;
    use super::super::tcp;
    use super::*;

    fn frame(ip_header: &[u8], tcp_and_payload: &[u8], padding: usize) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&ETHERTYPE_IPV4);
        f.extend_from_slice(ip_header);
        f.extend_from_slice(tcp_and_payload);
        f.resize(f.len() + padding, 0);
        f
    }

    fn ipv4(header_len: usize, total: u16, flags_offset: u16, protocol: u8) -> Vec<u8> {
        let mut h = vec![0x40 | (header_len / 4) as u8, 0, 0, 0, 0x12, 0x34, 0, 0, 64];
        h[2..4].copy_from_slice(&total.to_be_bytes());
        h[6..8].copy_from_slice(&flags_offset.to_be_bytes());
        h.push(protocol);
        h.extend_from_slice(&[0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        h.resize(header_len, 1);
        h
    }

    fn tcp_segment(data_offset: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![
            0xc8,
            0xfa,
            0,
            25,
            0,
            0,
            0,
            9,
            0,
            0,
            0,
            7,
            data_offset << 4,
            0x18,
        ];
        s.resize(usize::from(data_offset) * 4, 0);
        s.extend_from_slice(payload);
        s
    }

    /// What the general path makes of the frame, when it reaches the connection table.
    fn general<'a>(frame: &RawFrame<'a>) -> Option<(End, End, Segment<'a>)> {
        let packet = link::ip_packet(frame.link, frame.data).ok()??;
        let ip = ip::parse(packet)?;
        if ip.fragment.is_some() || ip.protocol != PROTO_TCP || ip.missing > 0 {
            return None;
        }
        let seg = tcp::parse(ip.payload, ip.missing)?;
        Some((
            End::new(ip.src, seg.src_port),
            End::new(ip.dst, seg.dst_port),
            seg,
        ))
    }

    #[test]
    fn accepts_what_the_general_path_reads_alike_and_declines_the_rest() {
        let seg = tcp_segment(5, b"EHLO x\r\n");
        let with_options = tcp_segment(8, b"QUIT\r\n");
        let total = |header: usize, seg: &[u8]| (header + seg.len()) as u16;
        let cases: Vec<(Vec<u8>, u32, bool)> = vec![
            (frame(&ipv4(20, total(20, &seg), 0, 6), &seg, 0), 1, true),
            // Padding, DF set, IP options, TCP options: all plain.
            (
                frame(&ipv4(20, total(20, &seg), 0x4000, 6), &seg, 6),
                1,
                true,
            ),
            (frame(&ipv4(24, total(24, &seg), 0, 6), &seg, 0), 1, true),
            (
                frame(&ipv4(20, total(20, &with_options), 0, 6), &with_options, 0),
                1,
                true,
            ),
            // Another link type, a fragment, UDP, a snaplen cut, nonsense lengths.
            (frame(&ipv4(20, total(20, &seg), 0, 6), &seg, 0), 113, false),
            (
                frame(&ipv4(20, total(20, &seg), 0x2000, 6), &seg, 0),
                1,
                false,
            ),
            (frame(&ipv4(20, total(20, &seg), 3, 6), &seg, 0), 1, false),
            (frame(&ipv4(20, total(20, &seg), 0, 17), &seg, 0), 1, false),
            (
                frame(&ipv4(20, total(20, &seg) + 4, 0, 6), &seg, 0),
                1,
                false,
            ),
            (frame(&ipv4(20, 0, 0, 6), &seg, 0), 1, false),
            (frame(&ipv4(20, 19, 0, 6), &seg, 0), 1, false),
            (frame(&ipv4(16, total(16, &seg), 0, 6), &seg, 0), 1, false),
            (
                frame(&ipv4(20, total(20, &seg), 0, 6), &tcp_segment(4, b""), 0),
                1,
                false,
            ),
            (
                frame(&ipv4(20, 30, 0, 6), &tcp_segment(5, b""), 0),
                1,
                false,
            ),
            (
                frame(&ipv4(20, 40, 0, 6), &tcp_segment(15, b""), 0),
                1,
                false,
            ),
        ];
        for (i, (bytes, link, plain)) in cases.iter().enumerate() {
            let raw = RawFrame {
                number: 1,
                micros: 0,
                link: *link,
                data: bytes,
            };
            let fast = tcp_over_ipv4(&raw);
            assert_eq!(fast.is_some(), *plain, "case {i}");
            if let Some(fast) = fast {
                let general = general(&raw).expect("the general path reads it");
                assert!(fast.0 == general.0 && fast.1 == general.1, "case {i}");
                assert_eq!(fast.2, general.2, "case {i}");
            }
        }
    }
}
