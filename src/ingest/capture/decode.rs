//! One frame down the stack: link → IP (fragments joined) → TCP → the connection table.

use std::collections::BTreeMap;

use super::defrag::Defragmenter;
use super::file::RawFrame;
use super::flows::{Endpoint, FlowEvents, FlowTable};
use super::ip::{self, PROTO_TCP};
use super::link::{self, LinkProblem};
use super::reassembly::Meta;
use super::tcp;

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
        let packet = match link::ip_packet(frame.link, frame.data) {
            Ok(Some(packet)) => packet,
            Ok(None) => {
                self.stats.not_ip += 1;
                return;
            }
            Err(problem) => {
                self.stats
                    .link_problems
                    .entry(problem)
                    .or_default()
                    .add(frame.number);
                return;
            }
        };
        let Some(ip) = ip::parse(packet) else {
            self.stats.malformed.add(frame.number);
            return;
        };
        if ip.protocol != PROTO_TCP {
            self.stats.not_tcp += 1;
            return;
        }
        let src_ip = ip.src;
        let dst_ip = ip.dst;
        let Some(fragment) = ip.fragment else {
            self.tcp(src_ip, dst_ip, ip.payload, ip.missing, meta, events);
            return;
        };
        if let Some(whole) = self
            .defrag
            .add(src_ip, dst_ip, ip.protocol, fragment, ip.payload)
        {
            self.tcp(src_ip, dst_ip, &whole, 0, meta, events);
        }
    }

    fn tcp(
        &mut self,
        src: std::net::IpAddr,
        dst: std::net::IpAddr,
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
        let src = Endpoint {
            ip: src,
            port: seg.src_port,
        };
        let dst = Endpoint {
            ip: dst,
            port: seg.dst_port,
        };
        self.flows.segment(src, dst, &seg, meta, events);
    }

    /// The capture ended.
    pub fn finish(&mut self, events: &mut dyn FlowEvents) {
        self.flows.finish_all(events);
        self.defrag.finish();
    }
}
