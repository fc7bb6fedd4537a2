//! Synthetic captures of any size for tests and the capture benchmark: SMTP and POP3
//! sessions mixed with HTTPS, HTTP and DNS traffic, written as pcap or pcapng by a small
//! writer of our own. Deterministic: the same seed gives the same bytes.
//!
//! Used by `benches/capture.rs` and by the `tests/capture_*.rs` tests
//! (`#[path = "../benches/support/synth.rs"] mod synth;`).

#![allow(dead_code)]

use std::io::{self, Write};
use std::net::IpAddr;

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// How frames are wrapped below IP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Ethernet,
    /// Ethernet with one 802.1Q tag.
    EthernetVlan,
    /// BSD loopback: 4-byte address family in little-endian host order.
    Null,
    LinuxSll,
    LinuxSll2,
    RawIp,
    /// Ethernet around these layers, outermost first, around the IP packet.
    Tunnel(&'static [Layer]),
}

/// One layer of encapsulation in [`Link::Tunnel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// A VLAN tag with this tag protocol id (0x8100 802.1Q, 0x88a8 802.1ad, 0x9100).
    Vlan(u16),
    /// A PPPoE session header and the PPP protocol field.
    Pppoe,
    /// An Ethernet header (inside GRE: transparent Ethernet bridging).
    Ethernet,
    /// GRE in IPv4 (IPv6 when `v6`) with the optional fields chosen; the checksum is real.
    Gre {
        checksum: bool,
        key: bool,
        sequence: bool,
        v6: bool,
    },
    /// L2TPv2 data on UDP port 1701 in IPv4, with the optional fields chosen, carrying PPP
    /// with its address and control bytes.
    L2tp {
        length: bool,
        sequence: bool,
        offset: bool,
    },
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;

impl Layer {
    /// Wraps `inner`, a payload of `ethertype`, in this layer; the new payload's type.
    fn wrap(self, inner: &[u8], ethertype: u16, out: &mut Vec<u8>) -> u16 {
        out.clear();
        match self {
            Layer::Vlan(tpid) => {
                out.extend_from_slice(&[0x00, 0x0a]);
                out.extend_from_slice(&ethertype.to_be_bytes());
                out.extend_from_slice(inner);
                tpid
            }
            Layer::Pppoe => {
                out.extend_from_slice(&[0x11, 0x00, 0x12, 0x34]);
                out.extend_from_slice(&(2 + inner.len() as u16).to_be_bytes());
                out.extend_from_slice(&ppp_protocol(ethertype));
                out.extend_from_slice(inner);
                0x8864
            }
            Layer::Ethernet => {
                out.extend_from_slice(&[0x02, 0, 0, 0, 0, 4, 0x02, 0, 0, 0, 0, 3]);
                out.extend_from_slice(&ethertype.to_be_bytes());
                out.extend_from_slice(inner);
                0x6558
            }
            Layer::Gre {
                checksum,
                key,
                sequence,
                v6,
            } => {
                let flags = if checksum { 0x80 } else { 0 }
                    | if key { 0x20 } else { 0 }
                    | if sequence { 0x10 } else { 0 };
                let mut gre = vec![flags, 0];
                gre.extend_from_slice(&ethertype.to_be_bytes());
                if checksum {
                    gre.extend_from_slice(&[0; 4]);
                }
                if key {
                    gre.extend_from_slice(&0x0102_0304u32.to_be_bytes());
                }
                if sequence {
                    gre.extend_from_slice(&7u32.to_be_bytes());
                }
                gre.extend_from_slice(inner);
                if checksum {
                    let sum = internet_checksum(&gre);
                    gre[4..6].copy_from_slice(&sum.to_be_bytes());
                }
                let (src, dst) = tunnel_ends(inner, v6);
                ip_packet(src, dst, 47, &gre, out);
                if v6 {
                    ETHERTYPE_IPV6
                } else {
                    ETHERTYPE_IPV4
                }
            }
            Layer::L2tp {
                length,
                sequence,
                offset,
            } => {
                let flags: u16 = 0x0002
                    | if length { 0x4000 } else { 0 }
                    | if sequence { 0x0800 } else { 0 }
                    | if offset { 0x0200 } else { 0 };
                let mut l2tp = flags.to_be_bytes().to_vec();
                if length {
                    l2tp.extend_from_slice(&[0, 0]); // filled in below
                }
                l2tp.extend_from_slice(&[0x00, 0x01, 0x00, 0x02]); // tunnel 1, session 2
                if sequence {
                    l2tp.extend_from_slice(&[0, 5, 0, 6]);
                }
                if offset {
                    l2tp.extend_from_slice(&[0, 3, 0xee, 0xee, 0xee]);
                }
                l2tp.extend_from_slice(&[0xff, 0x03]);
                l2tp.extend_from_slice(&ppp_protocol(ethertype));
                l2tp.extend_from_slice(inner);
                if length {
                    let len = l2tp.len() as u16;
                    l2tp[2..4].copy_from_slice(&len.to_be_bytes());
                }
                let mut udp = Vec::with_capacity(8 + l2tp.len());
                udp.extend_from_slice(&1701u16.to_be_bytes());
                udp.extend_from_slice(&1701u16.to_be_bytes());
                udp.extend_from_slice(&((8 + l2tp.len()) as u16).to_be_bytes());
                udp.extend_from_slice(&[0, 0]);
                udp.extend_from_slice(&l2tp);
                let (src, dst) = tunnel_ends(inner, false);
                ip_packet(src, dst, 17, &udp, out);
                ETHERTYPE_IPV4
            }
        }
    }
}

fn ppp_protocol(ethertype: u16) -> [u8; 2] {
    match ethertype {
        ETHERTYPE_IPV6 => [0x00, 0x57],
        _ => [0x00, 0x21],
    }
}

/// The tunnel's two ends, swapped for the packets of the other direction (told apart by
/// the inner packet's addresses).
fn tunnel_ends(inner: &[u8], v6: bool) -> (IpAddr, IpAddr) {
    let (a, b): (IpAddr, IpAddr) = if v6 {
        (
            IpAddr::from([0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 1]),
            IpAddr::from([0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 2]),
        )
    } else {
        (IpAddr::from([192, 0, 2, 1]), IpAddr::from([192, 0, 2, 2]))
    };
    match inner_addresses(inner) {
        Some((src, dst)) if src > dst => (b, a),
        _ => (a, b),
    }
}

/// The source and destination address of the IP packet that `payload` is or (as an
/// Ethernet frame, under VLAN tags and PPPoE) carries.
fn inner_addresses(payload: &[u8]) -> Option<(&[u8], &[u8])> {
    let ip = match payload.first()? >> 4 {
        4 | 6 => payload,
        _ => {
            let mut at = 12;
            let ethertype = |at: usize| payload.get(at..at + 2).map(|t| [t[0], t[1]]);
            while matches!(ethertype(at)?, [0x81, 0x00] | [0x88, 0xa8] | [0x91, 0x00]) {
                at += 4;
            }
            if ethertype(at)? == [0x88, 0x64] {
                at += 8;
            }
            payload.get(at + 2..)?
        }
    };
    match ip.first()? >> 4 {
        4 => Some((ip.get(12..16)?, ip.get(16..20)?)),
        6 => Some((ip.get(8..24)?, ip.get(24..40)?)),
        _ => None,
    }
}

/// The ones' complement sum of RFC 1071.
pub fn internet_checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|pair| u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

impl Link {
    pub fn linktype(self) -> u32 {
        match self {
            Link::Ethernet | Link::EthernetVlan | Link::Tunnel(_) => 1,
            Link::Null => 0,
            Link::LinuxSll => 113,
            Link::LinuxSll2 => 276,
            Link::RawIp => 101,
        }
    }

    pub fn wrap(self, ip: &[u8], v6: bool, out: &mut Vec<u8>) {
        let ethertype: [u8; 2] = if v6 { [0x86, 0xdd] } else { [0x08, 0x00] };
        match self {
            Link::Ethernet => {
                out.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]);
                out.extend_from_slice(&ethertype);
            }
            Link::EthernetVlan => {
                out.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]);
                out.extend_from_slice(&[0x81, 0x00, 0x00, 0x0a]);
                out.extend_from_slice(&ethertype);
            }
            Link::Null => {
                let family: u32 = if v6 { 30 } else { 2 };
                out.extend_from_slice(&family.to_le_bytes());
            }
            Link::LinuxSll => {
                out.extend_from_slice(&[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
                out.extend_from_slice(&ethertype);
            }
            Link::LinuxSll2 => {
                out.extend_from_slice(&ethertype);
                out.extend_from_slice(&[0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
            }
            Link::RawIp => {}
            Link::Tunnel(layers) => {
                let mut payload = ip.to_vec();
                let mut ethertype = if v6 { ETHERTYPE_IPV6 } else { ETHERTYPE_IPV4 };
                let mut wrapped = Vec::with_capacity(ip.len() + 128);
                for layer in layers.iter().rev() {
                    ethertype = layer.wrap(&payload, ethertype, &mut wrapped);
                    std::mem::swap(&mut payload, &mut wrapped);
                }
                out.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1]);
                out.extend_from_slice(&ethertype.to_be_bytes());
                out.extend_from_slice(&payload);
                return;
            }
        }
        out.extend_from_slice(ip);
    }
}

/// Builds one IP packet (no checksums: neither we nor tshark check them by default).
pub fn ip_packet(src: IpAddr, dst: IpAddr, protocol: u8, transport: &[u8], out: &mut Vec<u8>) {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = (20 + transport.len()) as u16;
            out.extend_from_slice(&[0x45, 0]);
            out.extend_from_slice(&total.to_be_bytes());
            out.extend_from_slice(&[0, 1, 0x40, 0, 64, protocol, 0, 0]);
            out.extend_from_slice(&s.octets());
            out.extend_from_slice(&d.octets());
        }
        (s, d) => {
            let to16 = |a: IpAddr| match a {
                IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
                IpAddr::V6(v6) => v6.octets(),
            };
            out.extend_from_slice(&[0x60, 0, 0, 0]);
            out.extend_from_slice(&(transport.len() as u16).to_be_bytes());
            out.extend_from_slice(&[protocol, 64]);
            out.extend_from_slice(&to16(s));
            out.extend_from_slice(&to16(d));
        }
    }
    out.extend_from_slice(transport);
}

pub fn tcp_header(sport: u16, dport: u16, seq: u32, ack: u32, flags: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&sport.to_be_bytes());
    out.extend_from_slice(&dport.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(&ack.to_be_bytes());
    out.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
}

/// Where frames go: a pcap or pcapng writer.
pub trait FrameSink {
    /// `orig_len` > `data.len()` marks a frame cut by the snaplen.
    fn frame(&mut self, micros: i64, data: &[u8], orig_len: usize);
    fn linktype(&self) -> u32;
    /// Frames and bytes written so far (file header included).
    fn written(&self) -> (u64, u64);
}

/// A classic pcap file: either byte order, micro- or nanosecond time stamps.
pub struct PcapWriter<W: Write> {
    out: W,
    link: u32,
    big_endian: bool,
    nanos: bool,
    pub frames: u64,
    pub bytes: u64,
}

impl<W: Write> PcapWriter<W> {
    pub fn new(out: W, link: Link) -> io::Result<Self> {
        Self::with_format(out, link.linktype(), false, false, 262_144)
    }

    pub fn with_format(
        mut out: W,
        link: u32,
        big_endian: bool,
        nanos: bool,
        snaplen: u32,
    ) -> io::Result<Self> {
        let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut header = Vec::with_capacity(24);
        let put32 = |v: u32, h: &mut Vec<u8>| {
            h.extend_from_slice(&if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            })
        };
        let put16 = |v: u16, h: &mut Vec<u8>| {
            h.extend_from_slice(&if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            })
        };
        put32(magic, &mut header);
        put16(2, &mut header);
        put16(4, &mut header);
        put32(0, &mut header);
        put32(0, &mut header);
        put32(snaplen, &mut header);
        put32(link, &mut header);
        out.write_all(&header)?;
        Ok(PcapWriter {
            out,
            link,
            big_endian,
            nanos,
            frames: 0,
            bytes: 24,
        })
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> FrameSink for PcapWriter<W> {
    fn frame(&mut self, micros: i64, data: &[u8], orig_len: usize) {
        let fraction = (micros % 1_000_000) as u32 * if self.nanos { 1000 } else { 1 };
        let fields = [
            (micros / 1_000_000) as u32,
            fraction,
            data.len() as u32,
            orig_len.max(data.len()) as u32,
        ];
        let mut header = [0u8; 16];
        for (i, v) in fields.iter().enumerate() {
            let b = if self.big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            };
            header[i * 4..i * 4 + 4].copy_from_slice(&b);
        }
        // A sink that fails (disk full) shows up when the caller flushes.
        let _ = self.out.write_all(&header);
        let _ = self.out.write_all(data);
        self.frames += 1;
        self.bytes += 16 + data.len() as u64;
    }

    fn linktype(&self) -> u32 {
        self.link
    }

    fn written(&self) -> (u64, u64) {
        (self.frames, self.bytes)
    }
}

/// A pcapng file (little-endian) with one or more interfaces; frames go to `interface`.
pub struct PcapNgWriter {
    pub out: Vec<u8>,
    pub interface: u32,
    frames: u64,
    links: Vec<u32>,
    /// Time stamp units per second of each interface (10^6 or 10^9).
    resolutions: Vec<u64>,
}

fn pad4(out: &mut Vec<u8>) {
    while out.len() % 4 != 0 {
        out.push(0);
    }
}

impl PcapNgWriter {
    pub fn new() -> Self {
        let mut out = Vec::new();
        // Section header block: type, length, byte-order magic, version 1.0, length -1.
        out.extend_from_slice(&0x0a0d_0d0au32.to_le_bytes());
        out.extend_from_slice(&28u32.to_le_bytes());
        out.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
        out.extend_from_slice(&[1, 0, 0, 0]);
        out.extend_from_slice(&(-1i64).to_le_bytes());
        out.extend_from_slice(&28u32.to_le_bytes());
        PcapNgWriter {
            out,
            interface: 0,
            frames: 0,
            links: Vec::new(),
            resolutions: Vec::new(),
        }
    }

    /// Adds an interface; `nanos` gives it `if_tsresol` = 9.
    pub fn add_interface(&mut self, link: u32, nanos: bool) -> u32 {
        let mut body = Vec::new();
        body.extend_from_slice(&(link as u16).to_le_bytes());
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&262_144u32.to_le_bytes());
        if nanos {
            body.extend_from_slice(&[9, 0, 1, 0, 9, 0, 0, 0]); // if_tsresol = 9
            body.extend_from_slice(&[0, 0, 0, 0]); // opt_endofopt
        }
        self.block(1, &body);
        self.links.push(link);
        self.resolutions
            .push(if nanos { 1_000_000_000 } else { 1_000_000 });
        (self.links.len() - 1) as u32
    }

    fn block(&mut self, kind: u32, body: &[u8]) {
        let len = 12 + body.len().div_ceil(4) * 4;
        self.out.extend_from_slice(&kind.to_le_bytes());
        self.out.extend_from_slice(&(len as u32).to_le_bytes());
        self.out.extend_from_slice(body);
        pad4(&mut self.out);
        self.out.extend_from_slice(&(len as u32).to_le_bytes());
    }
}

impl Default for PcapNgWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl FrameSink for PcapNgWriter {
    fn frame(&mut self, micros: i64, data: &[u8], orig_len: usize) {
        let units = self.resolutions[self.interface as usize] as u128;
        let ticks = (micros as u128 * units / 1_000_000) as u64;
        let mut body = Vec::with_capacity(20 + data.len() + 3);
        body.extend_from_slice(&self.interface.to_le_bytes());
        body.extend_from_slice(&((ticks >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(ticks as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(&(orig_len.max(data.len()) as u32).to_le_bytes());
        body.extend_from_slice(data);
        pad4(&mut body);
        self.block(6, &body);
        self.frames += 1;
    }

    fn linktype(&self) -> u32 {
        self.links[self.interface as usize]
    }

    fn written(&self) -> (u64, u64) {
        (self.frames, self.out.len() as u64)
    }
}

/// A deterministic xorshift generator, so captures are reproducible without a crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// What can go wrong with one segment on its way into the capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Sent,
    /// Not captured (the peer's ACK still covers it).
    Lost,
    /// Captured twice.
    Retransmitted,
    /// Captured after the segment that follows it.
    Reordered,
}

/// One TCP connection being written into a capture.
pub struct Tcp {
    pub link: Link,
    pub client: (IpAddr, u16),
    pub server: (IpAddr, u16),
    pub client_seq: u32,
    pub server_seq: u32,
    pub mss: usize,
    pub clock: i64,
    /// Snaplen for the frames (cuts payloads when small).
    pub snaplen: usize,
    scratch: Vec<u8>,
    frame: Vec<u8>,
}

impl Tcp {
    pub fn new(
        link: Link,
        client: (IpAddr, u16),
        server: (IpAddr, u16),
        start_micros: i64,
        isn: u32,
    ) -> Self {
        Tcp {
            link,
            client,
            server,
            client_seq: isn,
            server_seq: isn.wrapping_mul(7).wrapping_add(12345),
            mss: 1448,
            clock: start_micros,
            snaplen: usize::MAX,
            scratch: Vec::with_capacity(2048),
            frame: Vec::with_capacity(2048),
        }
    }

    fn emit(
        &mut self,
        sink: &mut dyn FrameSink,
        from_client: bool,
        seq: u32,
        flags: u8,
        payload: &[u8],
    ) {
        let ((sip, sport), (dip, dport)) = if from_client {
            (self.client, self.server)
        } else {
            (self.server, self.client)
        };
        let ack = if from_client {
            self.server_seq
        } else {
            self.client_seq
        };
        self.scratch.clear();
        tcp_header(sport, dport, seq, ack, flags, &mut self.scratch);
        self.scratch.extend_from_slice(payload);
        let mut ip = Vec::with_capacity(self.scratch.len() + 40);
        ip_packet(sip, dip, 6, &self.scratch, &mut ip);
        self.frame.clear();
        self.link.wrap(&ip, sip.is_ipv6(), &mut self.frame);
        self.clock += 37;
        let cut = self.frame.len().min(self.snaplen);
        sink.frame(self.clock, &self.frame[..cut], self.frame.len());
    }

    pub fn handshake(&mut self, sink: &mut dyn FrameSink) {
        let (c, s) = (self.client_seq, self.server_seq);
        self.emit(sink, true, c, SYN, b"");
        self.client_seq = c.wrapping_add(1);
        self.emit(sink, false, s, SYN | ACK, b"");
        self.server_seq = s.wrapping_add(1);
        self.emit(sink, true, self.client_seq, ACK, b"");
    }

    /// Sends `bytes` from one side in MSS-sized segments, acknowledged by the other side.
    pub fn send(&mut self, sink: &mut dyn FrameSink, from_client: bool, bytes: &[u8]) {
        self.send_with(sink, from_client, bytes, &mut |_| Fate::Sent);
    }

    /// Like [`Tcp::send`], with a fate chosen per segment index.
    pub fn send_with(
        &mut self,
        sink: &mut dyn FrameSink,
        from_client: bool,
        bytes: &[u8],
        fate: &mut dyn FnMut(usize) -> Fate,
    ) {
        let mut delayed: Option<(u32, Vec<u8>)> = None;
        for (index, chunk) in bytes.chunks(self.mss).enumerate() {
            let seq = if from_client {
                self.client_seq
            } else {
                self.server_seq
            };
            match fate(index) {
                Fate::Sent => self.emit(sink, from_client, seq, ACK | PSH, chunk),
                Fate::Lost => {}
                Fate::Retransmitted => {
                    self.emit(sink, from_client, seq, ACK | PSH, chunk);
                    self.emit(sink, from_client, seq, ACK | PSH, chunk);
                }
                Fate::Reordered => delayed = Some((seq, chunk.to_vec())),
            }
            let next = seq.wrapping_add(chunk.len() as u32);
            if from_client {
                self.client_seq = next;
            } else {
                self.server_seq = next;
            }
            if let Some((held_seq, held)) = delayed.take_if(|(s, _)| *s != seq) {
                self.emit(sink, from_client, held_seq, ACK | PSH, &held);
            }
        }
        if let Some((held_seq, held)) = delayed.take() {
            self.emit(sink, from_client, held_seq, ACK | PSH, &held);
        }
        let seq = if from_client {
            self.server_seq
        } else {
            self.client_seq
        };
        self.emit(sink, !from_client, seq, ACK, b"");
    }

    pub fn client_sends(&mut self, sink: &mut dyn FrameSink, bytes: &[u8]) {
        self.send(sink, true, bytes);
    }

    pub fn server_sends(&mut self, sink: &mut dyn FrameSink, bytes: &[u8]) {
        self.send(sink, false, bytes);
    }

    pub fn close(&mut self, sink: &mut dyn FrameSink) {
        let (c, s) = (self.client_seq, self.server_seq);
        self.emit(sink, true, c, FIN | ACK, b"");
        self.client_seq = c.wrapping_add(1);
        self.emit(sink, false, s, FIN | ACK, b"");
        self.server_seq = s.wrapping_add(1);
        self.emit(sink, true, self.client_seq, ACK, b"");
    }

    pub fn reset(&mut self, sink: &mut dyn FrameSink) {
        let c = self.client_seq;
        self.emit(sink, true, c, RST | ACK, b"");
    }
}

/// A UDP datagram (DNS-like noise).
pub fn udp_frame(link: Link, src: (IpAddr, u16), dst: (IpAddr, u16), payload: &[u8]) -> Vec<u8> {
    let mut udp = Vec::with_capacity(8 + payload.len());
    udp.extend_from_slice(&src.1.to_be_bytes());
    udp.extend_from_slice(&dst.1.to_be_bytes());
    udp.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    udp.extend_from_slice(&[0, 0]);
    udp.extend_from_slice(payload);
    let mut ip = Vec::new();
    ip_packet(src.0, dst.0, 17, &udp, &mut ip);
    let mut frame = Vec::new();
    link.wrap(&ip, src.0.is_ipv6(), &mut frame);
    frame
}

/// A message body of about `size` bytes, with a line that needs dot-stuffing.
pub fn message(size: usize, n: u64) -> Vec<u8> {
    let mut body = format!(
        "From: student{n}@lab.test\r\nTo: teacher@lab.test\r\nSubject: lab report {n}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(b"..a line that started with a dot\r\n");
    let line = b"The quick brown fox jumps over the lazy dog while the mail flows on.\r\n";
    while body.len() < size {
        body.extend_from_slice(line);
    }
    body
}

/// An SMTP session with AUTH LOGIN and one message; returns the skeleton it should give.
pub fn smtp_session(
    tcp: &mut Tcp,
    sink: &mut dyn FrameSink,
    n: u64,
    body_size: usize,
) -> Vec<&'static str> {
    tcp.handshake(sink);
    tcp.server_sends(sink, b"220 mail.lab.test ESMTP Postfix\r\n");
    tcp.client_sends(sink, format!("EHLO pc{n}.lab.test\r\n").as_bytes());
    tcp.server_sends(sink, b"250-mail.lab.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n");
    tcp.client_sends(sink, b"AUTH LOGIN\r\n");
    tcp.server_sends(sink, b"334 VXNlcm5hbWU6\r\n");
    tcp.client_sends(sink, b"c3R1ZGVudEBsYWIudGVzdA==\r\n");
    tcp.server_sends(sink, b"334 UGFzc3dvcmQ6\r\n");
    tcp.client_sends(sink, b"c3ludGgtc2VjcmV0LXB3\r\n");
    tcp.server_sends(sink, b"235 2.7.0 Authentication successful\r\n");
    tcp.client_sends(
        sink,
        format!("MAIL FROM:<student{n}@lab.test>\r\n").as_bytes(),
    );
    tcp.server_sends(sink, b"250 2.1.0 Ok\r\n");
    tcp.client_sends(sink, b"RCPT TO:<teacher@lab.test>\r\n");
    tcp.server_sends(sink, b"250 2.1.5 Ok\r\n");
    tcp.client_sends(sink, b"DATA\r\n");
    tcp.server_sends(sink, b"354 End data with <CR><LF>.<CR><LF>\r\n");
    let mut data = message(body_size, n);
    data.extend_from_slice(b".\r\n");
    tcp.client_sends(sink, &data);
    tcp.server_sends(sink, b"250 2.0.0 Ok: queued as 4F2A1\r\n");
    tcp.client_sends(sink, b"QUIT\r\n");
    tcp.server_sends(sink, b"221 2.0.0 Bye\r\n");
    tcp.close(sink);
    vec![
        "greeting → 220",
        "EHLO → 250",
        "AUTH → 334",
        "auth-response → 334",
        "auth-response → 235",
        "MAIL → 250",
        "RCPT → 250",
        "DATA → 354",
        "message → 250",
        "QUIT → 221",
    ]
}

/// A POP3 session that lists and retrieves one message; returns its skeleton.
pub fn pop3_session(
    tcp: &mut Tcp,
    sink: &mut dyn FrameSink,
    n: u64,
    body_size: usize,
) -> Vec<&'static str> {
    tcp.handshake(sink);
    tcp.server_sends(sink, b"+OK Dovecot ready.\r\n");
    tcp.client_sends(sink, format!("USER student{n}\r\n").as_bytes());
    tcp.server_sends(sink, b"+OK\r\n");
    tcp.client_sends(sink, b"PASS synth-secret-pw\r\n");
    tcp.server_sends(sink, b"+OK Logged in.\r\n");
    tcp.client_sends(sink, b"STAT\r\n");
    let body = message(body_size, n);
    tcp.server_sends(sink, format!("+OK 1 {}\r\n", body.len()).as_bytes());
    tcp.client_sends(sink, b"LIST\r\n");
    tcp.server_sends(
        sink,
        format!("+OK 1 messages:\r\n1 {}\r\n.\r\n", body.len()).as_bytes(),
    );
    tcp.client_sends(sink, b"RETR 1\r\n");
    let mut reply = format!("+OK {} octets\r\n", body.len()).into_bytes();
    reply.extend_from_slice(&body);
    reply.extend_from_slice(b".\r\n");
    tcp.server_sends(sink, &reply);
    tcp.client_sends(sink, b"QUIT\r\n");
    tcp.server_sends(sink, b"+OK Logging out.\r\n");
    tcp.close(sink);
    vec![
        "greeting → +OK",
        "USER → +OK",
        "PASS → +OK",
        "STAT → +OK",
        "LIST → +OK",
        "RETR → +OK",
        "QUIT → +OK",
    ]
}

/// Random-looking bytes (TLS application data, an HTTP download).
fn noise(rng: &mut Rng, size: usize, out: &mut Vec<u8>) {
    out.clear();
    while out.len() < size {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(size);
}

/// An HTTPS connection: a ClientHello and `size` bytes of TLS records from the server.
pub fn https_flow(tcp: &mut Tcp, sink: &mut dyn FrameSink, rng: &mut Rng, size: usize) {
    tcp.handshake(sink);
    let mut hello = vec![
        0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03,
    ];
    hello.resize(205, 0x42);
    tcp.client_sends(sink, &hello);
    let mut data = Vec::new();
    noise(rng, size, &mut data);
    data[..5].copy_from_slice(&[0x16, 0x03, 0x03, 0x00, 0x7a]);
    tcp.server_sends(sink, &data);
    tcp.close(sink);
}

/// A plain HTTP download of `size` bytes.
pub fn http_flow(tcp: &mut Tcp, sink: &mut dyn FrameSink, rng: &mut Rng, size: usize) {
    tcp.handshake(sink);
    tcp.client_sends(
        sink,
        b"GET /lab/files/data.bin HTTP/1.1\r\nHost: files.lab.test\r\n\r\n",
    );
    let mut data = format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n").into_bytes();
    let mut body = Vec::new();
    noise(rng, size, &mut body);
    data.extend_from_slice(&body);
    tcp.server_sends(sink, &data);
    tcp.close(sink);
}

/// What a synthetic capture holds.
#[derive(Debug, Default)]
pub struct Summary {
    pub smtp_sessions: u64,
    pub pop3_sessions: u64,
    pub other_flows: u64,
    pub frames: u64,
    pub bytes: u64,
}

/// Writes a pcap of about `target_bytes`: 30% of the connections are mail sessions (SMTP or
/// POP3, 2–20 kB messages), the rest HTTPS and HTTP downloads of 20 kB–1 MB and DNS; mail
/// is about 2% of the bytes, as in a real lab capture.
pub fn mixed_capture<W: Write>(out: W, target_bytes: u64, seed: u64) -> io::Result<(W, Summary)> {
    let mut writer = PcapWriter::new(out, Link::Ethernet)?;
    let summary = mixed_traffic(&mut writer, target_bytes, seed);
    let mut out = writer.into_inner();
    out.flush()?;
    Ok((out, summary))
}

/// [`mixed_capture`] as pcapng (Wireshark's default format), in memory.
pub fn mixed_capture_ng(target_bytes: u64, seed: u64) -> (Vec<u8>, Summary) {
    let mut writer = PcapNgWriter::new();
    writer.add_interface(Link::Ethernet.linktype(), false);
    let summary = mixed_traffic(&mut writer, target_bytes, seed);
    (writer.out, summary)
}

/// The frames of [`mixed_capture`], into any sink.
fn mixed_traffic(sink: &mut dyn FrameSink, target_bytes: u64, seed: u64) -> Summary {
    let mut rng = Rng::new(seed);
    let mut summary = Summary::default();
    let mut clock: i64 = 1_700_000_000_000_000;
    let mut n = 0u64;
    while sink.written().1 < target_bytes {
        n += 1;
        let host = |rng: &mut Rng| -> IpAddr {
            IpAddr::from([10, 1, (rng.below(200)) as u8, (1 + rng.below(250)) as u8])
        };
        let client = (host(&mut rng), 20_000 + (n % 40_000) as u16);
        let isn = rng.next() as u32;
        let pick = rng.below(100);
        if pick < 20 {
            let server = (IpAddr::from([192, 168, 0, 25]), 25);
            let mut tcp = Tcp::new(Link::Ethernet, client, server, clock, isn);
            smtp_session(&mut tcp, sink, n, 2_000 + rng.below(18_000) as usize);
            clock = tcp.clock;
            summary.smtp_sessions += 1;
        } else if pick < 30 {
            let server = (IpAddr::from([192, 168, 0, 110]), 110);
            let mut tcp = Tcp::new(Link::Ethernet, client, server, clock, isn);
            pop3_session(&mut tcp, sink, n, 2_000 + rng.below(18_000) as usize);
            clock = tcp.clock;
            summary.pop3_sessions += 1;
        } else if pick < 70 {
            let server = (IpAddr::from([93, 184, 216, 34]), 443);
            let mut tcp = Tcp::new(Link::Ethernet, client, server, clock, isn);
            let size = 20_000 + rng.below(1_000_000) as usize;
            https_flow(&mut tcp, sink, &mut rng, size);
            clock = tcp.clock;
            summary.other_flows += 1;
        } else if pick < 88 {
            let server = (IpAddr::from([93, 184, 216, 80]), 80);
            let mut tcp = Tcp::new(Link::Ethernet, client, server, clock, isn);
            let size = 20_000 + rng.below(600_000) as usize;
            http_flow(&mut tcp, sink, &mut rng, size);
            clock = tcp.clock;
            summary.other_flows += 1;
        } else {
            let dns = udp_frame(Link::Ethernet, (client.0, 53_000), (IpAddr::from([10, 0, 0, 53]), 53), b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03lab\x04test\x00\x00\x01\x00\x01");
            clock += 50;
            sink.frame(clock, &dns, dns.len());
        }
    }
    (summary.frames, summary.bytes) = sink.written();
    summary
}

/// SYNs that are never answered, each from a new client port (a SYN flood against the mail
/// server), written fast from one template frame.
pub struct Flood {
    frame: Vec<u8>,
    pub sent: u64,
}

impl Flood {
    pub fn new() -> Self {
        let mut tcp = Vec::new();
        tcp_header(0, 25, 0, 0, SYN, &mut tcp);
        let mut ip = Vec::new();
        ip_packet(
            IpAddr::from([100, 64, 0, 0]),
            IpAddr::from([192, 168, 0, 25]),
            6,
            &tcp,
            &mut ip,
        );
        let mut frame = Vec::new();
        Link::Ethernet.wrap(&ip, false, &mut frame);
        Flood { frame, sent: 0 }
    }

    /// Writes `count` SYNs, each a connection of its own.
    pub fn syns(&mut self, sink: &mut dyn FrameSink, count: u64, clock: &mut i64) {
        for _ in 0..count {
            let n = self.sent;
            self.sent += 1;
            // 50,000 ports per source address; addresses from 100.64.0.0 on.
            let source = 0x6440_0000u32 + (n / 50_000) as u32;
            let port = 10_000 + (n % 50_000) as u16;
            self.frame[26..30].copy_from_slice(&source.to_be_bytes());
            self.frame[34..36].copy_from_slice(&port.to_be_bytes());
            self.frame[38..42]
                .copy_from_slice(&(n as u32).wrapping_mul(2_654_435_761).to_be_bytes());
            *clock += 3;
            sink.frame(*clock, &self.frame, self.frame.len());
        }
    }
}

impl Default for Flood {
    fn default() -> Self {
        Self::new()
    }
}

/// Passes frames on, and after the `after`-th (1-based) writes a burst of flood SYNs.
struct BurstAfter<'a> {
    inner: &'a mut dyn FrameSink,
    flood: &'a mut Flood,
    after: u64,
    burst: u64,
    seen: u64,
}

impl FrameSink for BurstAfter<'_> {
    fn frame(&mut self, micros: i64, data: &[u8], orig_len: usize) {
        self.inner.frame(micros, data, orig_len);
        self.seen += 1;
        if self.seen == self.after {
            let mut clock = micros;
            self.flood.syns(self.inner, self.burst, &mut clock);
        }
    }

    fn linktype(&self) -> u32 {
        self.inner.linktype()
    }

    fn written(&self) -> (u64, u64) {
        self.inner.written()
    }
}

/// A pcap of `syns` unanswered SYNs to port 25 with `mail` SMTP and POP3 sessions among
/// them (alternately). Each session is overrun by an equal share of the flood between two of
/// its first four frames (after its SYN, its SYN-ACK or the handshake's last ACK, in turn),
/// so a reader that keeps only so many silent connections forgets the session before its
/// first byte. Returns the sessions' skeletons in the order they begin.
pub fn syn_flood_capture<W: Write>(
    out: W,
    syns: u64,
    mail: u64,
) -> io::Result<(W, Summary, Vec<Vec<&'static str>>)> {
    let mut writer = PcapWriter::new(out, Link::Ethernet)?;
    let mut flood = Flood::new();
    let mut summary = Summary::default();
    let mut skeletons = Vec::new();
    let mut clock: i64 = 1_700_000_000_000_000;
    let burst = syns / mail.max(1);
    for n in 0..mail {
        let client = (
            IpAddr::from([10, 2, 0, 1 + (n % 200) as u8]),
            30_000 + n as u16,
        );
        let mut sink = BurstAfter {
            inner: &mut writer,
            flood: &mut flood,
            after: 1 + n % 3,
            burst,
            seen: 0,
        };
        if n % 2 == 0 {
            let server = (IpAddr::from([192, 168, 0, 25]), 25);
            let mut tcp = Tcp::new(Link::Ethernet, client, server, clock, n as u32 * 977);
            skeletons.push(smtp_session(&mut tcp, &mut sink, n, 1_000));
            clock = tcp.clock;
            summary.smtp_sessions += 1;
        } else {
            let server = (IpAddr::from([192, 168, 0, 110]), 110);
            let mut tcp = Tcp::new(Link::Ethernet, client, server, clock, n as u32 * 977);
            skeletons.push(pop3_session(&mut tcp, &mut sink, n, 1_000));
            clock = tcp.clock;
            summary.pop3_sessions += 1;
        }
        clock += 1_000;
    }
    let rest = syns.saturating_sub(flood.sent);
    flood.syns(&mut writer, rest, &mut clock);
    summary.other_flows = flood.sent;
    (summary.frames, summary.bytes) = writer.written();
    let mut out = writer.into_inner();
    out.flush()?;
    Ok((out, summary, skeletons))
}

// Tunnels: the cases the tunnel tests and the tshark agreement test share.

pub const GRE_PLAIN: Layer = Layer::Gre {
    checksum: false,
    key: false,
    sequence: false,
    v6: false,
};
pub const GRE_ALL: Layer = Layer::Gre {
    checksum: true,
    key: true,
    sequence: true,
    v6: false,
};
pub const GRE_KEY_V6: Layer = Layer::Gre {
    checksum: false,
    key: true,
    sequence: false,
    v6: true,
};
pub const L2TP_PLAIN: Layer = Layer::L2tp {
    length: false,
    sequence: false,
    offset: false,
};
pub const L2TP_ALL: Layer = Layer::L2tp {
    length: true,
    sequence: true,
    offset: true,
};

/// Every tunnel the reader opens, alone and nested; `true` for IPv6 inside.
pub const TUNNELS: &[(&str, &[Layer], bool)] = &[
    ("pppoe", &[Layer::Pppoe], false),
    (
        "pppoe-ipv6-in-vlan",
        &[Layer::Vlan(0x8100), Layer::Pppoe],
        true,
    ),
    (
        "qinq-8021ad",
        &[Layer::Vlan(0x88a8), Layer::Vlan(0x8100)],
        false,
    ),
    (
        "vlan-9100-three-tags",
        &[
            Layer::Vlan(0x9100),
            Layer::Vlan(0x88a8),
            Layer::Vlan(0x8100),
        ],
        true,
    ),
    ("l2tp", &[L2TP_PLAIN], false),
    ("l2tp-length-sequence-offset", &[L2TP_ALL], false),
    (
        "l2tp-ipv6-in-vlan",
        &[Layer::Vlan(0x8100), L2TP_PLAIN],
        true,
    ),
    ("gre-ip", &[GRE_PLAIN], false),
    ("gre-checksum-key-sequence", &[GRE_ALL], false),
    ("gre-ipv6-over-ipv6", &[GRE_KEY_V6], true),
    ("gre-ipv6-over-ipv4", &[GRE_PLAIN], true),
    ("gre-ethernet", &[GRE_ALL, Layer::Ethernet], false),
    (
        "gre-ethernet-vlan-pppoe",
        &[
            GRE_PLAIN,
            Layer::Ethernet,
            Layer::Vlan(0x8100),
            Layer::Pppoe,
        ],
        false,
    ),
    (
        "gre-in-l2tp-in-qinq",
        &[Layer::Vlan(0x88a8), Layer::Vlan(0x8100), L2TP_ALL, GRE_ALL],
        false,
    ),
];

pub fn tunnel_hosts(v6: bool) -> (IpAddr, IpAddr) {
    if v6 {
        (
            IpAddr::from([0xfd00, 0, 0, 0, 0, 0, 0, 1]),
            IpAddr::from([0xfd00, 0, 0, 0, 0, 0, 0, 2]),
        )
    } else {
        (IpAddr::from([10, 7, 0, 1]), IpAddr::from([10, 7, 0, 2]))
    }
}

/// A capture of one SMTP and one POP3 session over `link`, and their skeletons.
pub fn tunnelled_capture(link: Link, v6: bool) -> (Vec<u8>, Vec<Vec<&'static str>>) {
    let mut writer = PcapWriter::new(Vec::new(), link).expect("header");
    let (client, server) = tunnel_hosts(v6);
    let mut smtp = Tcp::new(
        link,
        (client, 40001),
        (server, 25),
        1_700_000_000_000_000,
        11,
    );
    let smtp_skeleton = smtp_session(&mut smtp, &mut writer, 1, 3000);
    let mut pop = Tcp::new(link, (client, 40002), (server, 110), smtp.clock, 22);
    let pop_skeleton = pop3_session(&mut pop, &mut writer, 2, 3000);
    (writer.into_inner(), vec![smtp_skeleton, pop_skeleton])
}

/// One TCP segment as IPv4 fragments of at most `piece` payload bytes (a multiple of 8).
pub fn fragmented_tcp_frames(
    link: Link,
    src: (IpAddr, u16),
    dst: (IpAddr, u16),
    seq: u32,
    ack: u32,
    payload: &[u8],
    piece: usize,
) -> Vec<Vec<u8>> {
    let (IpAddr::V4(s), IpAddr::V4(d)) = (src.0, dst.0) else {
        return Vec::new();
    };
    let mut segment = Vec::new();
    tcp_header(src.1, dst.1, seq, ack, ACK | PSH, &mut segment);
    segment.extend_from_slice(payload);
    let pieces: Vec<&[u8]> = segment.chunks(piece).collect();
    let mut frames = Vec::new();
    for (index, bytes) in pieces.iter().enumerate() {
        let offset = (index * piece / 8) as u16;
        let more = if index + 1 < pieces.len() { 0x2000 } else { 0 };
        let mut ip = vec![0x45, 0];
        ip.extend_from_slice(&((20 + bytes.len()) as u16).to_be_bytes());
        ip.extend_from_slice(&[0x43, 0x21]);
        ip.extend_from_slice(&(more | offset).to_be_bytes());
        ip.extend_from_slice(&[64, 6, 0, 0]);
        ip.extend_from_slice(&s.octets());
        ip.extend_from_slice(&d.octets());
        ip.extend_from_slice(bytes);
        let mut frame = Vec::new();
        link.wrap(&ip, false, &mut frame);
        frames.push(frame);
    }
    frames
}

/// A sink that passes frames on except those `drop` picks (by 0-based index).
pub struct Dropping<'a> {
    pub inner: &'a mut dyn FrameSink,
    pub index: usize,
    pub drop: &'a dyn Fn(usize, &[u8]) -> bool,
}

impl FrameSink for Dropping<'_> {
    fn frame(&mut self, micros: i64, data: &[u8], orig_len: usize) {
        let index = self.index;
        self.index += 1;
        if !(self.drop)(index, data) {
            self.inner.frame(micros, data, orig_len);
        }
    }

    fn linktype(&self) -> u32 {
        self.inner.linktype()
    }

    fn written(&self) -> (u64, u64) {
        self.inner.written()
    }
}

/// Keeps the frames a connection writes, to be interleaved with others' later.
#[derive(Default)]
struct Recorder {
    linktype: u32,
    frames: Vec<(Vec<u8>, usize)>,
}

impl FrameSink for Recorder {
    fn frame(&mut self, _micros: i64, data: &[u8], orig_len: usize) {
        self.frames.push((data.to_vec(), orig_len));
    }

    fn linktype(&self) -> u32 {
        self.linktype
    }

    fn written(&self) -> (u64, u64) {
        (0, 0)
    }
}

/// A capture of nothing but mail: `sessions` SMTP and POP3 sessions (alternately, messages
/// of 200–860 bytes), `at_once` of them open at a time with their frames interleaved, as
/// a lab's mail server sees a class sending at once. About 3.5 kB of capture per session:
/// 20,000 sessions make about 71 MB.
pub fn mail_capture<W: Write>(
    out: W,
    sessions: u64,
    at_once: usize,
    seed: u64,
) -> io::Result<(W, Summary)> {
    let mut writer = PcapWriter::new(out, Link::Ethernet)?;
    let mut rng = Rng::new(seed);
    let mut summary = Summary::default();
    let mut clock: i64 = 1_700_000_000_000_000;
    let mut n = 0u64;
    while n < sessions {
        let batch: Vec<Recorder> = (0..(at_once.max(1) as u64).min(sessions - n))
            .map(|_| {
                n += 1;
                let mut recorder = Recorder {
                    linktype: Link::Ethernet.linktype(),
                    ..Recorder::default()
                };
                let client = (
                    IpAddr::from([10, 3, (n / 250 % 250) as u8, (1 + n % 250) as u8]),
                    20_000 + (n % 40_000) as u16,
                );
                let body = 200 + rng.below(660) as usize;
                let isn = rng.next() as u32;
                if n % 2 == 1 {
                    let server = (IpAddr::from([192, 168, 0, 25]), 25);
                    let mut tcp = Tcp::new(Link::Ethernet, client, server, 0, isn);
                    smtp_session(&mut tcp, &mut recorder, n, body);
                    summary.smtp_sessions += 1;
                } else {
                    let server = (IpAddr::from([192, 168, 0, 110]), 110);
                    let mut tcp = Tcp::new(Link::Ethernet, client, server, 0, isn);
                    pop3_session(&mut tcp, &mut recorder, n, body);
                    summary.pop3_sessions += 1;
                }
                recorder
            })
            .collect();
        let longest = batch.iter().map(|r| r.frames.len()).max().unwrap_or(0);
        for i in 0..longest {
            for recorder in &batch {
                if let Some((frame, orig_len)) = recorder.frames.get(i) {
                    clock += 37;
                    writer.frame(clock, frame, *orig_len);
                }
            }
        }
    }
    (summary.frames, summary.bytes) = writer.written();
    let mut out = writer.into_inner();
    out.flush()?;
    Ok((out, summary))
}
