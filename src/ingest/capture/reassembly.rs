//! One direction of a TCP connection put back in order: retransmissions and overlaps
//! dropped (the first copy of a byte wins, as in Wireshark), out-of-order segments held
//! until the hole before them fills, sequence numbers compared modulo 2³². Bytes that never
//! arrive become a [`Chunk::Gap`] as soon as the peer acknowledges past them, the held
//! data grows too large, or the connection ends.

use std::collections::BTreeMap;

use super::tcp::{Segment, FIN, RST, SYN};

/// When and which frame something happened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(super) struct Meta {
    pub frame: u64,
    pub micros: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Chunk<'a> {
    Data(&'a [u8], Meta),
    /// `bytes` are missing; `before` is the last frame that delivered data in this direction
    /// (0 when none), `after` the frame that made the loss known.
    Gap {
        bytes: u64,
        before: u64,
        after: Meta,
    },
}

/// Out-of-order data held back beyond this is given up on: the hole becomes a gap.
const MAX_HELD: usize = 4 << 20;
/// What holding a segment costs besides its bytes, counted against [`MAX_HELD`] so that a
/// flood of one-byte segments is cut off as soon as a flood of full ones.
const HELD_OVERHEAD: usize = 64;
/// An acknowledgement further ahead than this is nonsense, not evidence of loss.
const MAX_ACK_JUMP: u32 = 1 << 30;
/// A segment further ahead than this is no out-of-order segment (no window is that large):
/// the sequence numbers jumped (a broken capture tool), so we resynchronise on it.
const MAX_PLAUSIBLE_JUMP: i32 = 64 << 20;

struct Held {
    seq: u32,
    data: Vec<u8>,
    missing: u32,
    meta: Meta,
}

impl Held {
    /// Sequence space covered, captured or cut.
    fn len(&self) -> u64 {
        self.data.len() as u64 + u64::from(self.missing)
    }
}

#[derive(Default)]
pub(super) struct Stream {
    /// The next sequence number expected; unknown until the first segment.
    next: Option<u32>,
    /// Where this direction's FIN sits in sequence space.
    fin_at: Option<u32>,
    /// FIN reached or RST seen: nothing more comes.
    closed: bool,
    /// Out-of-order segments by their distance from `anchor`, so the earliest is found in
    /// log time however many are held.
    held: BTreeMap<u32, Held>,
    /// `next` when the first of the segments now held arrived: every held segment lies
    /// ahead of it, so distances from it order them as the sequence does, wrap included.
    anchor: u32,
    held_bytes: usize,
    /// The last frame that delivered data.
    last_frame: u64,
    /// The ISN, when the SYN was seen.
    isn: Option<u32>,
    /// Whether any payload was seen (captured or cut).
    pub had_payload: bool,
}

fn ahead(seq: u32, of: u32) -> i32 {
    seq.wrapping_sub(of) as i32
}

impl Stream {
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    pub fn isn(&self) -> Option<u32> {
        self.isn
    }

    /// What the out-of-order segments held back cost, in bytes.
    pub fn held_bytes(&self) -> usize {
        self.held_bytes
    }

    /// Gives up on every hole now, delivering what is held after gaps (memory is short).
    pub fn give_up_holding(&mut self, out: &mut dyn FnMut(Chunk<'_>)) {
        while !self.held.is_empty() {
            self.skip_hole(out);
        }
    }

    /// Takes one segment sent in this direction.
    pub fn segment(&mut self, seg: &Segment<'_>, meta: Meta, out: &mut dyn FnMut(Chunk<'_>)) {
        let mut seq = seg.seq;
        if seg.has(SYN) {
            self.isn = Some(seg.seq);
            seq = seg.seq.wrapping_add(1);
            if self.next.is_none() {
                self.next = Some(seq);
            }
        }
        let len = seg.len();
        if seg.has(FIN) {
            self.fin_at = Some(seq.wrapping_add(len));
        }
        if len > 0 {
            self.had_payload = true;
            // Payload numbered with the SYN's own sequence number: the capture tool wrote
            // nonsense sequence numbers; take the data as following the SYN.
            if self.isn == Some(seq) && !seg.has(SYN) && self.last_frame == 0 {
                seq = seq.wrapping_add(1);
            }
            let next = *self.next.get_or_insert(seq);
            if ahead(seq, next) > MAX_PLAUSIBLE_JUMP && self.held.is_empty() {
                out(Chunk::Gap {
                    bytes: 0,
                    before: self.last_frame,
                    after: meta,
                });
                self.next = Some(seq);
                self.deliver(seq, seg.payload, seg.missing, meta, out);
            } else if ahead(seq, next) > 0 {
                self.hold(seq, seg.payload, seg.missing, meta);
                if self.held_bytes > MAX_HELD {
                    self.skip_hole(out);
                }
            } else {
                self.deliver(seq, seg.payload, seg.missing, meta, out);
                self.drain(out);
            }
        } else if self.next.is_none() {
            self.next = Some(seq);
        }
        if seg.has(RST) {
            self.close(out);
        }
        self.check_fin();
    }

    /// Whether the direction's first sequence number is known: a segment without payload,
    /// SYN, FIN or RST then changes nothing in it.
    #[inline]
    pub fn has_begun(&self) -> bool {
        self.next.is_some()
    }

    /// Whether an acknowledgement of `ack` by the peer changes nothing here: it reveals no
    /// lost bytes (nearly every one).
    #[inline]
    pub fn acknowledges_nothing_new(&self, ack: u32) -> bool {
        let Some(next) = self.next.filter(|_| !self.closed) else {
            return true;
        };
        let jump = ack.wrapping_sub(next);
        jump == 0 || jump >= MAX_ACK_JUMP
    }

    /// The peer acknowledged up to `ack`: anything before it we have not seen is lost.
    #[inline]
    pub fn acknowledged(&mut self, ack: u32, meta: Meta, out: &mut dyn FnMut(Chunk<'_>)) {
        if self.acknowledges_nothing_new(ack) {
            return;
        }
        let Some(next) = self.next else {
            return;
        };
        self.acknowledged_past(ack, next, ack.wrapping_sub(next), meta, out);
    }

    /// [`Stream::acknowledged`] past `next`, by `jump`: rare, so kept out of line, while
    /// the checks above are made for nearly every segment (issue 18).
    #[inline(never)]
    fn acknowledged_past(
        &mut self,
        ack: u32,
        next: u32,
        jump: u32,
        meta: Meta,
        out: &mut dyn FnMut(Chunk<'_>),
    ) {
        // An ACK one past a FIN we saw, or past a FIN we lost, is not lost data.
        if jump == 1 && (self.fin_at == Some(next) || self.held.is_empty()) {
            return;
        }
        while !self.held.is_empty() && ahead(ack, self.next.unwrap_or(ack)) > 0 {
            self.skip_hole(out);
        }
        let next = self.next.unwrap_or(ack);
        if ahead(ack, next) > 0 {
            out(Chunk::Gap {
                bytes: u64::from(ack.wrapping_sub(next)),
                before: self.last_frame,
                after: meta,
            });
            self.next = Some(ack);
        }
        self.check_fin();
    }

    /// The connection ended (RST, or the capture ended): held data is delivered after a gap.
    pub fn close(&mut self, out: &mut dyn FnMut(Chunk<'_>)) {
        while !self.held.is_empty() {
            self.skip_hole(out);
        }
        self.closed = true;
    }

    fn check_fin(&mut self) {
        if self.held.is_empty() && self.fin_at.is_some() && self.fin_at == self.next {
            self.closed = true;
        }
    }

    fn hold(&mut self, mut seq: u32, mut data: &[u8], mut missing: u32, meta: Meta) {
        if self.held.is_empty() {
            self.anchor = self.next.unwrap_or(seq);
        }
        // A segment at a place already held keeps the first copy; only what reaches past
        // it is held, at its own place.
        while let Some(old) = self.held.get(&seq.wrapping_sub(self.anchor)) {
            let (covered, len) = (old.len(), data.len() as u64 + u64::from(missing));
            if len <= covered {
                return;
            }
            let cut = (covered as usize).min(data.len());
            missing -= (covered - cut as u64) as u32;
            data = &data[cut..];
            seq = seq.wrapping_add(covered as u32);
        }
        self.held_bytes += data.len() + HELD_OVERHEAD;
        self.held.insert(
            seq.wrapping_sub(self.anchor),
            Held {
                seq,
                data: data.to_vec(),
                missing,
                meta,
            },
        );
    }

    /// Delivers the part of a segment at or after `next`.
    fn deliver(
        &mut self,
        seq: u32,
        data: &[u8],
        missing: u32,
        meta: Meta,
        out: &mut dyn FnMut(Chunk<'_>),
    ) {
        let next = self.next.unwrap_or(seq);
        let skip = u64::from(next.wrapping_sub(seq));
        let len = data.len() as u64 + u64::from(missing);
        if skip >= len {
            return; // a retransmission or keep-alive
        }
        if (skip as usize) < data.len() {
            out(Chunk::Data(&data[skip as usize..], meta));
            self.last_frame = meta.frame;
        }
        let captured_end = data.len() as u64;
        if missing > 0 {
            let lost = len - captured_end.max(skip);
            out(Chunk::Gap {
                bytes: lost,
                before: meta.frame,
                after: meta,
            });
        }
        self.next = Some(seq.wrapping_add(len as u32));
    }

    /// Delivers held segments that have become contiguous. Asked after every segment in
    /// order, when mostly nothing is held: that check is inlined, the rest is not.
    #[inline]
    fn drain(&mut self, out: &mut dyn FnMut(Chunk<'_>)) {
        if !self.held.is_empty() {
            self.drain_held(out);
        }
    }

    #[inline(never)]
    fn drain_held(&mut self, out: &mut dyn FnMut(Chunk<'_>)) {
        while let Some(next) = self.next {
            let Some(entry) = self.held.first_entry() else {
                break;
            };
            if ahead(entry.get().seq, next) > 0 {
                break;
            }
            let held = entry.remove();
            self.held_bytes -= held.data.len() + HELD_OVERHEAD;
            self.deliver(held.seq, &held.data, held.missing, held.meta, out);
        }
    }

    /// Gives up on the hole before the earliest held segment.
    fn skip_hole(&mut self, out: &mut dyn FnMut(Chunk<'_>)) {
        let Some(next) = self.next else {
            return;
        };
        let Some((_, earliest)) = self.held.first_key_value() else {
            return;
        };
        let (seq, meta) = (earliest.seq, earliest.meta);
        out(Chunk::Gap {
            bytes: u64::from(seq.wrapping_sub(next)),
            before: self.last_frame,
            after: meta,
        });
        self.next = Some(seq);
        self.drain(out);
        self.check_fin();
    }
}

#[cfg(test)]
mod tests {
    use super::super::tcp::ACK;
    use super::*;

    #[derive(Debug, PartialEq, Eq)]
    enum Got {
        Data(String, u64),
        Gap(u64, u64, u64),
    }

    fn seg(seq: u32, flags: u8, payload: &[u8]) -> Segment<'_> {
        Segment {
            src_port: 1,
            dst_port: 2,
            seq,
            ack: 0,
            flags,
            payload,
            missing: 0,
        }
    }

    /// Feeds (frame, seq, flags, payload) and acks (frame, ack) and records what came out.
    enum Step<'a> {
        Seg(u32, u8, &'a [u8]),
        Ack(u32),
        Cut(u32, &'a [u8], u32),
        End,
    }

    fn run(steps: &[Step<'_>]) -> (Vec<Got>, bool) {
        let mut stream = Stream::default();
        let mut got = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            let meta = Meta {
                frame: i as u64 + 1,
                micros: 0,
            };
            let mut record = |c: Chunk<'_>| match c {
                Chunk::Data(d, m) => {
                    got.push(Got::Data(String::from_utf8_lossy(d).into(), m.frame))
                }
                Chunk::Gap {
                    bytes,
                    before,
                    after,
                } => got.push(Got::Gap(bytes, before, after.frame)),
            };
            match step {
                Step::Seg(seq, flags, data) => {
                    stream.segment(&seg(*seq, *flags, data), meta, &mut record)
                }
                Step::Ack(ack) => stream.acknowledged(*ack, meta, &mut record),
                Step::Cut(seq, data, missing) => {
                    let mut s = seg(*seq, ACK, data);
                    s.missing = *missing;
                    stream.segment(&s, meta, &mut record)
                }
                Step::End => stream.close(&mut record),
            }
        }
        (got, stream.is_closed())
    }

    fn d(text: &str, frame: u64) -> Got {
        Got::Data(text.into(), frame)
    }

    #[test]
    fn reassembles() {
        use Step::*;
        let wrap = u32::MAX - 2;
        let cases: Vec<(&str, Vec<Step<'_>>, Vec<Got>, bool)> = vec![
            (
                "in order after SYN, FIN closes",
                vec![
                    Seg(99, SYN, b""),
                    Seg(100, ACK, b"ab"),
                    Seg(102, ACK | FIN, b"c"),
                ],
                vec![d("ab", 2), d("c", 3)],
                true,
            ),
            (
                "retransmission and overlap",
                vec![
                    Seg(100, ACK, b"abc"),
                    Seg(100, ACK, b"abc"),
                    Seg(101, ACK, b"bcde"),
                ],
                vec![d("abc", 1), d("de", 3)],
                false,
            ),
            (
                "out of order",
                vec![
                    Seg(100, ACK, b"ab"),
                    Seg(104, ACK, b"ef"),
                    Seg(102, ACK, b"cd"),
                ],
                vec![d("ab", 1), d("cd", 3), d("ef", 2)],
                false,
            ),
            (
                "sequence wrap-around",
                vec![
                    Seg(wrap, ACK, b"abc"),
                    Seg(wrap.wrapping_add(3), ACK, b"def"),
                ],
                vec![d("abc", 1), d("def", 2)],
                false,
            ),
            (
                "lost segment made known by the peer's ACK",
                vec![Seg(100, ACK, b"ab"), Seg(104, ACK, b"ef"), Ack(106)],
                vec![d("ab", 1), Got::Gap(2, 1, 2), d("ef", 2)],
                false,
            ),
            (
                "acked data never seen at all",
                vec![Seg(100, ACK, b"ab"), Ack(110), Seg(110, ACK, b"z")],
                vec![d("ab", 1), Got::Gap(8, 1, 2), d("z", 3)],
                false,
            ),
            (
                "hole given up at the end",
                vec![Seg(100, ACK, b"ab"), Seg(105, ACK, b"f"), End],
                vec![d("ab", 1), Got::Gap(3, 1, 2), d("f", 2)],
                true,
            ),
            (
                "snaplen cut",
                vec![Cut(100, b"ab", 5), Seg(107, ACK, b"x")],
                vec![d("ab", 1), Got::Gap(5, 1, 1), d("x", 2)],
                false,
            ),
            (
                "keep-alive and ack of FIN are not data",
                vec![
                    Seg(100, ACK, b"ab"),
                    Seg(101, ACK, b"b"),
                    Seg(102, FIN | ACK, b""),
                    Ack(103),
                ],
                vec![d("ab", 1)],
                true,
            ),
            (
                "mid-session start with a pure ACK first",
                vec![Seg(500, ACK, b""), Seg(500, ACK, b"go")],
                vec![d("go", 2)],
                false,
            ),
        ];
        for (name, steps, expected, closed) in cases {
            assert_eq!(run(&steps), (expected, closed), "{name}");
        }
    }

    proptest::proptest! {
        /// Any segmentation, with segments duplicated, overlapping and out of order (within
        /// the peer's window), and any ISN, reassembles to exactly the bytes sent.
        #[test]
        fn any_segmentation_reassembles_exactly(
            data in proptest::collection::vec(proptest::num::u8::ANY, 1..3000),
            cuts in proptest::collection::vec(1usize..400, 1..40),
            isn in proptest::num::u32::ANY,
            swaps in proptest::collection::vec((0usize..64, 0usize..64), 0..20),
            duplicates in proptest::collection::vec(0usize..64, 0..10),
        ) {
            // Cut the data into segments, each as (offset, length).
            let mut segments = Vec::new();
            let (mut at, mut i) = (0, 0);
            while at < data.len() {
                let len = cuts[i % cuts.len()].min(data.len() - at);
                segments.push((at, len));
                at += len;
                i += 1;
            }
            // Duplicates that overlap their neighbour.
            for d in &duplicates {
                if let Some(&(offset, len)) = segments.get(*d % segments.len()) {
                    let extra = (len + 7).min(data.len() - offset);
                    segments.push((offset, extra));
                }
            }
            let n = segments.len();
            for (a, b) in &swaps {
                segments.swap(a % n, b % n);
            }
            let mut stream = Stream::default();
            let mut out = Vec::new();
            let mut gaps = 0;
            let syn = seg(isn, SYN, b"");
            stream.segment(&syn, Meta::default(), &mut |_| {});
            for (frame, (offset, len)) in segments.iter().enumerate() {
                let s = seg(isn.wrapping_add(1).wrapping_add(*offset as u32), ACK, &data[*offset..offset + len]);
                let meta = Meta { frame: frame as u64 + 2, micros: 0 };
                stream.segment(&s, meta, &mut |c| match c {
                    Chunk::Data(d, _) => out.extend_from_slice(d),
                    Chunk::Gap { .. } => gaps += 1,
                });
            }
            stream.close(&mut |c| match c {
                Chunk::Data(d, _) => out.extend_from_slice(d),
                Chunk::Gap { .. } => gaps += 1,
            });
            proptest::prop_assert_eq!(gaps, 0);
            proptest::prop_assert_eq!(out, data);
        }
    }

    #[test]
    fn a_flood_of_tiny_out_of_order_segments_stays_within_the_cap() {
        // 100,000 one-byte segments in reverse order after a hole: held one by one, each
        // found in log time, and given up on once their cost passes MAX_HELD.
        let n = 100_000u32;
        let mut stream = Stream::default();
        stream.segment(&seg(99, SYN, b""), Meta::default(), &mut |_| {});
        let (mut delivered, mut gaps) = (Vec::new(), 0);
        for offset in (1..n).rev() {
            let byte = [(offset % 251) as u8];
            let meta = Meta {
                frame: u64::from(offset),
                micros: 0,
            };
            stream.segment(&seg(100 + offset, ACK, &byte), meta, &mut |c| match c {
                Chunk::Data(d, _) => delivered.extend_from_slice(d),
                Chunk::Gap { .. } => gaps += 1,
            });
            assert!(stream.held_bytes() <= MAX_HELD + HELD_OVERHEAD + 1);
        }
        assert_eq!(gaps, 1, "one hole given up on");
        let first = n as usize - delivered.len();
        let expected: Vec<u8> = (first as u32..n).map(|o| (o % 251) as u8).collect();
        assert_eq!(delivered, expected, "everything after the hole, in order");
        assert!(delivered.len() * (1 + HELD_OVERHEAD) >= MAX_HELD);
    }

    #[test]
    fn a_resent_held_segment_keeps_the_first_copy_and_adds_its_tail() {
        use Step::*;
        let steps = [
            Seg(100, ACK, b"a"),
            Seg(103, ACK, b"XY"),
            Seg(103, ACK, b"zzzW"),
            Seg(101, ACK, b"bc"),
        ];
        assert_eq!(
            run(&steps).0,
            vec![d("a", 1), d("bc", 4), d("XY", 2), d("zW", 3)]
        );
    }
}
