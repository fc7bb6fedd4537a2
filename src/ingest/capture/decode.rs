//! One frame down the stack: link → IP (fragments joined, tunnels opened) → TCP → the
//! connection table.

use std::collections::BTreeMap;

use super::defrag::Defragmenter;
use super::file::RawFrame;
use super::flows::{End, FlowEvents, FlowTable};
use super::ip::{self, Addr, IpPacket, PROTO_TCP};
use super::link::{self, LinkProblem};
use super::plain;
use super::reassembly::Meta;
use super::tcp;
use super::tunnel::{self, Inner, MAX_TUNNELS};

/// A count and the first frame it happened in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Tally {
    pub count: u64,
    pub first_frame: u64,
}

impl Tally {
    fn add(&mut self, frame: u64) {
        if self.count == 0 {
            self.first_frame = frame;
        }
        self.count += 1;
    }
}

/// What the frames were, besides TCP connections.
#[derive(Debug, Default)]
pub(super) struct FrameStats {
    pub frames: u64,
    pub not_ip: u64,
    pub not_tcp: u64,
    pub malformed: Tally,
    pub link_problems: BTreeMap<LinkProblem, Tally>,
    /// TCP segments whose payload the snaplen cut.
    pub snaplen_cut: Tally,
}

/// Where in a frame a packet sits: how many tunnels deep, and the frame.
#[derive(Clone, Copy)]
struct Place {
    depth: usize,
    meta: Meta,
}

#[derive(Default)]
pub(super) struct Decoder {
    pub flows: FlowTable,
    pub defrag: Defragmenter,
    pub stats: FrameStats,
}

impl Decoder {
    pub fn frame(&mut self, frame: &RawFrame<'_>, events: &mut dyn FlowEvents) {
        self.stats.frames += 1;
        let meta = Meta {
            frame: frame.number,
            micros: frame.micros,
        };
        if let Some((src, dst, seg)) = plain::tcp_over_ipv4(frame) {
            self.flows.segment(src, dst, &seg, meta, events);
            return;
        }
        self.general(frame, meta, events);
    }

    /// Any frame but a plain Ethernet/IPv4/TCP one. Kept out of [`Decoder::frame`], so
    /// that the plain frame does not pay for this path's registers and stack.
    #[inline(never)]
    fn general(&mut self, frame: &RawFrame<'_>, meta: Meta, events: &mut dyn FlowEvents) {
        match link::ip_packet(frame.link, frame.data) {
            Ok(Some(packet)) => self.ip(packet, 0, meta, events),
            Ok(None) => self.stats.not_ip += 1,
            Err(problem) => self.link_problem(problem, meta.frame),
        }
    }

    fn link_problem(&mut self, problem: LinkProblem, frame: u64) {
        self.stats
            .link_problems
            .entry(problem)
            .or_default()
            .add(frame);
    }

    /// One IP packet, inside `depth` tunnels.
    fn ip(&mut self, packet: &[u8], depth: usize, meta: Meta, events: &mut dyn FlowEvents) {
        let Some(ip) = ip::parse(packet) else {
            self.stats.malformed.add(meta.frame);
            return;
        };
        let Some(fragment) = ip.fragment else {
            let at = Place { depth, meta };
            self.transport(&ip, ip.payload, ip.missing, at, events);
            return;
        };
        if let Some(whole) = self
            .defrag
            .add(ip.src, ip.dst, ip.protocol, fragment, ip.payload)
        {
            self.transport(&ip, &whole, 0, Place { depth, meta }, events);
        }
    }

    /// An IP packet's payload (`bytes`, of which `missing` were cut by the snaplen): TCP,
    /// or a tunnel to open. Inlined, as is `tcp`: every frame passes through both, and
    /// their calls, handing on the packet's fields, cost as much as their work.
    #[inline]
    fn transport(
        &mut self,
        ip: &IpPacket<'_>,
        bytes: &[u8],
        missing: u32,
        at: Place,
        events: &mut dyn FlowEvents,
    ) {
        if ip.protocol == PROTO_TCP {
            self.tcp(ip.src, ip.dst, bytes, missing, at.meta, events);
            return;
        }
        let Some(inner) = tunnel::inner(ip.protocol, bytes) else {
            self.stats.not_tcp += 1;
            return;
        };
        if at.depth == MAX_TUNNELS {
            self.link_problem(LinkProblem::TooDeep, at.meta.frame);
            return;
        }
        let packet = match inner {
            Inner::Ip(packet) => packet,
            Inner::Ethernet(frame) => match link::ethernet(frame) {
                Ok(Some(packet)) => packet,
                Ok(None) => {
                    self.stats.not_ip += 1;
                    return;
                }
                Err(problem) => {
                    self.link_problem(problem, at.meta.frame);
                    return;
                }
            },
        };
        self.ip(packet, at.depth + 1, at.meta, events);
    }

    #[inline]
    fn tcp(
        &mut self,
        src: Addr,
        dst: Addr,
        bytes: &[u8],
        missing: u32,
        meta: Meta,
        events: &mut dyn FlowEvents,
    ) {
        let Some(seg) = tcp::parse(bytes, missing) else {
            self.stats.malformed.add(meta.frame);
            return;
        };
        if missing > 0 {
            self.stats.snaplen_cut.add(meta.frame);
        }
        let (src, dst) = (End::new(src, seg.src_port), End::new(dst, seg.dst_port));
        self.flows.segment(src, dst, &seg, meta, events);
    }

    /// The capture ended.
    pub fn finish(&mut self, events: &mut dyn FlowEvents) {
        self.flows.finish_all(events);
        self.defrag.finish();
    }
}
