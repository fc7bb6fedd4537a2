//! The flow stage's events carried to the session stage in batches: a list of events and
//! one byte arena per batch, so the cost per event is a copy of its bytes and a push.
//!
//! [`FlowEvents::data`] tells the flow stage to stop reassembling a connection once its TLS
//! handshake is read. Across two threads that answer comes late, so it is made to come
//! equally late every time: the answers given while batch `k` was read are applied right
//! after batch `k + 1` is sent, before anything of batch `k + 2` is decoded. Whatever the
//! threads' timing (or none, when both stages share one thread), the flow stage does the
//! same work and the sessions come out the same. In between, the session stage reads
//! nothing more of a connection it is done with (`sessions.rs`).

use std::collections::VecDeque;

use super::decode::Decoder;
use super::flows::{FlowEvents, FlowId, MailFlow};
use super::reassembly::Meta;
use super::release::{Ledger, Release};
use super::sessions::{FlowNames, SessionAssembler};
use crate::protocol::Direction;

/// A batch is handed on once its bytes or its events reach these, at the end of a frame.
const BATCH_BYTES: usize = 256 << 10;
const BATCH_EVENTS: usize = 4096;

enum Event {
    Open(Box<(MailFlow, FlowNames)>),
    /// `len` bytes of the batch's arena from `start`.
    Data {
        id: FlowId,
        direction: Direction,
        start: usize,
        len: usize,
        meta: Meta,
    },
    Gap {
        id: FlowId,
        direction: Direction,
        bytes: u64,
        before: u64,
        after: Meta,
    },
    Close(FlowId),
    /// The sessions over that began before this frame go on (`release.rs`).
    Release(u64),
}

#[derive(Default)]
pub(super) struct Batch {
    events: Vec<Event>,
    bytes: Vec<u8>,
}

impl Batch {
    /// A batch with room for what it holds when full, and one frame's worth beyond: grown
    /// from empty instead, its first fills cost a realloc and a copy at every doubling,
    /// about 2 % of the flow stage on a 14 MB capture (issue 18).
    fn with_room() -> Self {
        Batch {
            events: Vec::with_capacity(BATCH_EVENTS + BATCH_EVENTS / 4),
            bytes: Vec::with_capacity(BATCH_BYTES + (64 << 10)),
        }
    }

    #[inline]
    fn is_full(&self) -> bool {
        self.bytes.len() >= BATCH_BYTES || self.events.len() >= BATCH_EVENTS
    }

    /// Emptied for reuse; a batch a huge frame swelled is not kept that large.
    fn clear(&mut self) {
        self.events.clear();
        self.bytes.clear();
        self.events.shrink_to(4 * BATCH_EVENTS);
        self.bytes.shrink_to(4 * BATCH_BYTES);
    }
}

/// A batch read by the session stage, sent back emptied with the connections it is done
/// with.
pub(super) struct Returned {
    batch: Batch,
    done: Vec<FlowId>,
}

/// The flow stage's [`FlowEvents`]: events batched, and the [`Ledger`] of the sessions
/// they open and close.
pub(super) struct Batcher {
    batch: Batch,
    pub ledger: Ledger,
    /// Emptied batches to fill again.
    spare: Vec<Batch>,
}

impl Default for Batcher {
    fn default() -> Self {
        Batcher {
            batch: Batch::with_room(),
            ledger: Ledger::default(),
            spare: Vec::new(),
        }
    }
}

impl Batcher {
    /// Marks the sessions over that began before `frame` as handed on.
    pub fn release_before(&mut self, frame: u64) {
        if self.ledger.take_before(frame) {
            self.batch.events.push(Event::Release(frame));
        }
    }
}

impl FlowEvents for Batcher {
    fn open(&mut self, flow: &MailFlow) {
        self.ledger.open(flow);
        let names = FlowNames::of(flow);
        self.batch
            .events
            .push(Event::Open(Box::new((flow.clone(), names))));
    }

    fn data(&mut self, id: FlowId, direction: Direction, bytes: &[u8], meta: Meta) -> bool {
        let start = self.batch.bytes.len();
        self.batch.bytes.extend_from_slice(bytes);
        self.batch.events.push(Event::Data {
            id,
            direction,
            start,
            len: bytes.len(),
            meta,
        });
        true
    }

    fn gap(&mut self, id: FlowId, direction: Direction, bytes: u64, before: u64, after: Meta) {
        self.batch.events.push(Event::Gap {
            id,
            direction,
            bytes,
            before,
            after,
        });
    }

    fn close(&mut self, id: FlowId) {
        self.ledger.close(id);
        self.batch.events.push(Event::Close(id));
    }
}

/// Where batches go: the session stage, on another thread or this one.
pub(super) trait Handoff {
    fn send(&mut self, batch: Batch);
    /// The oldest batch sent and not returned yet, once it is read; `None` when the
    /// session stage is gone (it panicked).
    fn returned(&mut self) -> Option<Returned>;
}

/// The flow stage's side of the handoff: batches sent, answers applied one batch late.
pub(super) struct Sender<'h> {
    handoff: &'h mut dyn Handoff,
    /// Batches sent whose answers are not applied yet.
    in_flight: usize,
}

impl<'h> Sender<'h> {
    pub fn new(handoff: &'h mut dyn Handoff) -> Self {
        Sender {
            handoff,
            in_flight: 0,
        }
    }

    /// Called after each frame: sends the batch once it is full (inlined into the frame
    /// loop, so most frames cost two compares).
    #[inline]
    pub fn after_frame(&mut self, batcher: &mut Batcher, decoder: &mut Decoder) {
        if batcher.batch.is_full() {
            self.send_full(batcher, decoder);
        }
    }

    fn send_full(&mut self, batcher: &mut Batcher, decoder: &mut Decoder) {
        self.send(batcher);
        if self.in_flight > 1 {
            self.apply_oldest(batcher, decoder);
        }
    }

    /// Sends what is batched, however little: the flow stage is done.
    pub fn finish(mut self, batcher: &mut Batcher) {
        if !batcher.batch.events.is_empty() {
            self.send(batcher);
        }
    }

    fn send(&mut self, batcher: &mut Batcher) {
        let next = batcher.spare.pop().unwrap_or_else(Batch::with_room);
        self.handoff
            .send(std::mem::replace(&mut batcher.batch, next));
        self.in_flight += 1;
    }

    /// Applies the answers of the oldest batch in flight.
    fn apply_oldest(&mut self, batcher: &mut Batcher, decoder: &mut Decoder) {
        let Some(Returned { mut batch, done }) = self.handoff.returned() else {
            // The session stage is gone: nothing will be read, keep the answers as none.
            return;
        };
        self.in_flight -= 1;
        for id in done {
            if let Some(open) = batcher.ledger.get(id) {
                decoder.flows.stop_reading(id, open.client, open.server);
            }
        }
        batch.clear();
        batcher.spare.push(batch);
    }
}

/// The session stage: reads a batch into sessions, handing on those released.
pub(super) fn read_batch(
    mut batch: Batch,
    assembler: &mut SessionAssembler<'_>,
    release: &mut Release<'_>,
) -> Returned {
    let mut done: Vec<FlowId> = Vec::new();
    let Batch { events, bytes } = &mut batch;
    for event in events.drain(..) {
        match event {
            Event::Open(flow) => {
                let (flow, names) = *flow;
                assembler.open(&flow, names);
            }
            Event::Data {
                id,
                direction,
                start,
                len,
                meta,
            } => {
                let bytes = &bytes[start..start + len];
                if !assembler.data(id, direction, bytes, meta) && done.last() != Some(&id) {
                    done.push(id);
                }
            }
            Event::Gap {
                id,
                direction,
                bytes,
                before,
                after,
            } => assembler.gap(id, direction, bytes, before, after),
            Event::Close(id) => assembler.close(id),
            Event::Release(frame) => assembler.take_before(frame, &mut |f| release.push(f)),
        }
    }
    Returned { batch, done }
}

/// Both stages on one thread: each batch read as it is sent.
pub(super) struct Inline<'a, 'p, 's> {
    pub assembler: &'a mut SessionAssembler<'p>,
    pub release: &'a mut Release<'s>,
    pub returned: VecDeque<Returned>,
}

impl Handoff for Inline<'_, '_, '_> {
    fn send(&mut self, batch: Batch) {
        let returned = read_batch(batch, self.assembler, self.release);
        self.returned.push_back(returned);
    }

    fn returned(&mut self) -> Option<Returned> {
        self.returned.pop_front()
    }
}

/// The session stage on another thread.
#[cfg(feature = "native")]
pub(super) struct Threaded {
    pub batches: std::sync::mpsc::SyncSender<Batch>,
    pub returned: std::sync::mpsc::Receiver<Returned>,
}

#[cfg(feature = "native")]
impl Handoff for Threaded {
    fn send(&mut self, batch: Batch) {
        // A session stage that is gone (it panicked) is reported by its thread.
        let _ = self.batches.send(batch);
    }

    fn returned(&mut self) -> Option<Returned> {
        self.returned.recv().ok()
    }
}
