//! IPv4 and IPv6 headers, IPv6 extension headers included, down to the transport payload.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub(super) const PROTO_TCP: u8 = 6;
const PROTO_ESP: u8 = 50;
const PROTO_NO_NEXT: u8 = 59;

/// A fragment of a larger datagram (IPv4 MF/offset, or the IPv6 Fragment header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Fragment {
    pub id: u32,
    /// Where this piece starts in the datagram's payload, in bytes.
    pub offset: u32,
    pub more: bool,
}

/// An address as the header holds it: IPv6's 128 bits, or IPv4's in the low 32, with the
/// family beside them (`::a.b.c.d` is not `a.b.c.d`). Every packet's two addresses are
/// compared and hashed on their way to the connection table, which costs a few instructions
/// here and several times more as `IpAddr`s; those are made only for what is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Addr {
    pub bits: u128,
    pub v6: bool,
}

impl Addr {
    /// The IPv4 address at `at` in an IPv4 header `header` (12: source, 16: destination).
    pub fn v4_at(header: &[u8], at: usize) -> Addr {
        Addr {
            bits: u128::from(u32::from_be_bytes([
                header[at],
                header[at + 1],
                header[at + 2],
                header[at + 3],
            ])),
            v6: false,
        }
    }
}

impl From<IpAddr> for Addr {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(ip) => Addr {
                bits: u128::from(u32::from(ip)),
                v6: false,
            },
            IpAddr::V6(ip) => Addr {
                bits: u128::from(ip),
                v6: true,
            },
        }
    }
}

impl From<Addr> for IpAddr {
    fn from(addr: Addr) -> Self {
        if addr.v6 {
            IpAddr::V6(Ipv6Addr::from(addr.bits))
        } else {
            IpAddr::V4(Ipv4Addr::from(addr.bits as u32))
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct IpPacket<'a> {
    pub src: Addr,
    pub dst: Addr,
    /// The upper-layer protocol after any extension headers.
    pub protocol: u8,
    /// The transport bytes that were captured.
    pub payload: &'a [u8],
    /// Transport bytes the IP header announces but the capture's snaplen cut off.
    pub missing: u32,
    pub fragment: Option<Fragment>,
}

/// Parses an IP packet; `None` when the header itself is malformed or cut. Inlined with
/// IPv4's reading into the decoder, so the packet's fields are not copied out and back.
#[inline]
pub(super) fn parse(packet: &[u8]) -> Option<IpPacket<'_>> {
    match packet.first()? >> 4 {
        4 => parse_v4(packet),
        6 => parse_v6(packet),
        _ => None,
    }
}

/// Splits what the header announces into captured bytes and bytes missing at the end.
/// A length of 0 (TSO offload captures) means "whatever was captured".
fn split_payload(packet: &[u8], start: usize, end: usize) -> Option<(&[u8], u32)> {
    if end == 0 {
        return Some((packet.get(start..)?, 0));
    }
    if end < start {
        return None;
    }
    if packet.len() >= end {
        // Ethernet pads short frames; the padding is not payload.
        Some((&packet[start..end], 0))
    } else {
        let missing = (end - packet.len().max(start)) as u32;
        Some((packet.get(start..).unwrap_or_default(), missing))
    }
}

#[inline]
fn parse_v4(packet: &[u8]) -> Option<IpPacket<'_>> {
    let header_len = usize::from(packet.first()? & 0x0f) * 4;
    if header_len < 20 || packet.len() < header_len {
        return None;
    }
    let total = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    let id = u32::from(u16::from_be_bytes([packet[4], packet[5]]));
    let flags_offset = u16::from_be_bytes([packet[6], packet[7]]);
    let more = flags_offset & 0x2000 != 0;
    let offset = u32::from(flags_offset & 0x1fff) * 8;
    let (src, dst) = (Addr::v4_at(packet, 12), Addr::v4_at(packet, 16));
    let (payload, missing) = split_payload(packet, header_len, total)?;
    Some(IpPacket {
        src,
        dst,
        protocol: packet[9],
        payload,
        missing,
        fragment: (more || offset > 0).then_some(Fragment { id, offset, more }),
    })
}

fn parse_v6(packet: &[u8]) -> Option<IpPacket<'_>> {
    if packet.len() < 40 {
        return None;
    }
    let payload_len = usize::from(u16::from_be_bytes([packet[4], packet[5]]));
    let address = |at: usize| -> Option<Addr> {
        let octets: [u8; 16] = packet.get(at..at + 16)?.try_into().ok()?;
        Some(Addr {
            bits: u128::from_be_bytes(octets),
            v6: true,
        })
    };
    let (src, dst) = (address(8)?, address(24)?);
    let end = if payload_len == 0 {
        0
    } else {
        40 + payload_len
    };
    let mut next = packet[6];
    let mut at = 40;
    let mut fragment = None;
    // Walk the extension headers; each says what follows it.
    for _ in 0..8 {
        match next {
            0 | 43 | 60 | 135 | 139 | 140 => {
                let header = packet.get(at..at + 2)?;
                next = header[0];
                at += (usize::from(header[1]) + 1) * 8;
            }
            44 => {
                let header = packet.get(at..at + 8)?;
                next = header[0];
                let field = u16::from_be_bytes([header[2], header[3]]);
                fragment = Some(Fragment {
                    id: u32::from_be_bytes([header[4], header[5], header[6], header[7]]),
                    offset: u32::from(field >> 3) * 8,
                    more: field & 1 != 0,
                });
                at += 8;
            }
            51 => {
                let header = packet.get(at..at + 2)?;
                next = header[0];
                at += (usize::from(header[1]) + 2) * 4;
            }
            _ => break,
        }
    }
    if next == PROTO_NO_NEXT || next == PROTO_ESP {
        return Some(IpPacket {
            src,
            dst,
            protocol: next,
            payload: &[],
            missing: 0,
            fragment,
        });
    }
    let (payload, missing) = split_payload(packet, at, end)?;
    Some(IpPacket {
        src,
        dst,
        protocol: next,
        payload,
        missing,
        fragment: fragment.filter(|f| f.more || f.offset > 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(total: u16, flags_offset: u16, payload: &[u8]) -> Vec<u8> {
        let mut p = vec![0x45, 0, 0, 0, 0x12, 0x34, 0, 0, 64, PROTO_TCP, 0, 0];
        p[2..4].copy_from_slice(&total.to_be_bytes());
        p[6..8].copy_from_slice(&flags_offset.to_be_bytes());
        p.extend_from_slice(&[10, 0, 0, 1, 10, 0, 0, 2]);
        p.extend_from_slice(payload);
        p
    }

    fn v6(next: u8, extensions: &[u8], payload: &[u8]) -> Vec<u8> {
        let len = (extensions.len() + payload.len()) as u16;
        let mut p = vec![0x60, 0, 0, 0];
        p.extend_from_slice(&len.to_be_bytes());
        p.extend_from_slice(&[next, 64]);
        p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        p.extend_from_slice(&[0; 11]);
        p.push(1);
        p.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        p.extend_from_slice(&[0; 11]);
        p.push(2);
        p.extend_from_slice(extensions);
        p.extend_from_slice(payload);
        p
    }

    #[test]
    fn ipv4_payload_padding_and_snaplen() {
        let packet = v4(24, 0, b"abcd\0\0");
        let parsed = parse(&packet).expect("parses");
        assert_eq!((parsed.payload, parsed.missing), (&b"abcd"[..], 0));
        assert_eq!(IpAddr::from(parsed.src).to_string(), "10.0.0.1");
        let cut = v4(30, 0, b"abcd");
        let parsed = parse(&cut).expect("parses");
        assert_eq!((parsed.payload, parsed.missing), (&b"abcd"[..], 6));
        let packet = v4(24, 0x2000 | 3, b"abcd");
        let fragment = parse(&packet).expect("parses");
        assert_eq!(
            fragment.fragment,
            Some(Fragment {
                id: 0x1234,
                offset: 24,
                more: true
            })
        );
        assert_eq!(parse(&[0x45, 0, 0]), None);
        assert_eq!(parse(&[0x43; 40]), None);
    }

    #[test]
    fn ipv6_extension_headers() {
        // Hop-by-hop (8 bytes), destination options (16 bytes), then TCP.
        let mut ext = vec![60, 0, 0, 0, 0, 0, 0, 0];
        ext.extend_from_slice(&[PROTO_TCP, 1]);
        ext.extend_from_slice(&[0; 14]);
        let packet = v6(0, &ext, b"tcp!");
        let parsed = parse(&packet).expect("parses");
        assert_eq!((parsed.protocol, parsed.payload), (PROTO_TCP, &b"tcp!"[..]));
        assert_eq!(IpAddr::from(parsed.dst).to_string(), "2001:db8::2");
        // A fragment header, first piece of two.
        let frag = [PROTO_TCP, 0, 0, 1, 0, 0, 0, 9];
        let packet = v6(44, &frag, b"tcp!");
        let parsed = parse(&packet).expect("parses");
        assert_eq!(
            parsed.fragment,
            Some(Fragment {
                id: 9,
                offset: 0,
                more: true
            })
        );
        // An atomic fragment (offset 0, no more) is no fragment at all.
        let atomic = [PROTO_TCP, 0, 0, 0, 0, 0, 0, 9];
        assert_eq!(
            parse(&v6(44, &atomic, b"x")).expect("parses").fragment,
            None
        );
        assert_eq!(parse(&v6(50, &[], b"secret")).expect("parses").payload, b"");
    }
}
