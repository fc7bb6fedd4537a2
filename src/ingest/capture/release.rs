//! Sessions handed on while the capture is still being read, in the order of their first
//! frames, so memory follows the sessions open at once rather than the file.
//!
//! A session that is over waits in the assembler only until nothing that could still become
//! a session began before it: no mail session still open, no connection still undecided
//! ([`Window`]). Past [`HOLD`] sessions waiting, undecided connections older than them are
//! set aside, as when too many connections wait (`waiting.rs`). Which sessions may go
//! depends only on when each mail connection began and ended, which the flow stage knows:
//! it keeps a [`Ledger`] of them and sends the assembler a release mark, so the two stages
//! never wait on each other's answer. Sessions then pass through [`Release`]: until the
//! first cleartext mail session they are held, since TLS connections are dropped beside
//! mail and a capture without mail is explained instead (`summary.rs`).

use std::collections::{BTreeSet, HashMap};

use super::decode::Decoder;
use super::flows::{Endpoint, FlowId, MailFlow};
use super::handoff::Batcher;
use super::sessions::Finished;
use crate::session::{Protocol, Session};

/// Sessions over that may wait for an older undecided connection before it is set aside.
const HOLD: usize = 4096;
/// Sessions over between two looks at what is still open, at least.
const MIN_CHECK: usize = 64;

/// When to look again at what holds sessions back: each look scans the open sessions and
/// the connection table, so looks are spaced by a share of what they scan.
pub(super) struct Window {
    next_check: usize,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            next_check: MIN_CHECK,
        }
    }
}

impl Window {
    /// Called after each frame; cheap unless enough sessions are over (inlined into the
    /// frame loop, so most frames cost a compare).
    #[inline]
    pub fn after_frame(&mut self, decoder: &mut Decoder, batcher: &mut Batcher) {
        if batcher.ledger.pending() >= self.next_check {
            self.check(decoder, batcher);
        }
    }

    /// Releases what nothing holds back any more, and says when to look again.
    fn check(&mut self, decoder: &mut Decoder, batcher: &mut Batcher) {
        let ledger = &batcher.ledger;
        if ledger.pending() >= HOLD {
            if let Some(newest) = ledger.newest_pending() {
                if decoder.flows.oldest_undecided().is_some_and(|f| f < newest) {
                    decoder.flows.set_aside_undecided_before(newest, batcher);
                }
            }
        }
        let open = batcher.ledger.oldest_open().unwrap_or(u64::MAX);
        let undecided = decoder.flows.oldest_undecided().unwrap_or(u64::MAX);
        batcher.release_before(open.min(undecided));
        let ledger = &batcher.ledger;
        let scanned = ledger.open_count() + decoder.flows.len();
        self.next_check = ledger.pending() + MIN_CHECK.max(scanned / 4);
    }
}

/// A mail connection the assembler has open, as the flow stage sees it.
pub(super) struct OpenFlow {
    first_frame: u64,
    pub client: Endpoint,
    pub server: Endpoint,
}

/// The sessions the assembler holds, by when they began and in which order they ended:
/// the same keys as its own, kept from the same open and close events.
#[derive(Default)]
pub(super) struct Ledger {
    open: HashMap<FlowId, OpenFlow, foldhash::fast::RandomState>,
    /// Over, not handed on: (first frame, order closed).
    finished: BTreeSet<(u64, u64)>,
    closed: u64,
}

impl Ledger {
    pub fn open(&mut self, flow: &MailFlow) {
        let open = OpenFlow {
            first_frame: flow.first.frame,
            client: flow.client,
            server: flow.server,
        };
        self.open.insert(flow.id, open);
    }

    pub fn close(&mut self, id: FlowId) {
        if let Some(open) = self.open.remove(&id) {
            self.closed += 1;
            self.finished.insert((open.first_frame, self.closed));
        }
    }

    /// A mail connection still open.
    pub fn get(&self, id: FlowId) -> Option<&OpenFlow> {
        self.open.get(&id)
    }

    /// Sessions over and waiting to be handed on.
    #[inline]
    pub fn pending(&self) -> usize {
        self.finished.len()
    }

    /// Sessions still open.
    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    /// The first frame of the oldest session still open.
    pub fn oldest_open(&self) -> Option<u64> {
        self.open.values().map(|o| o.first_frame).min()
    }

    /// The first frame of the newest session waiting to be handed on.
    pub fn newest_pending(&self) -> Option<u64> {
        self.finished.last().map(|(frame, _)| *frame)
    }

    /// Forgets the sessions over that began before `frame`; whether there were any.
    pub fn take_before(&mut self, frame: u64) -> bool {
        let before = self.finished.len();
        while self
            .finished
            .first()
            .is_some_and(|(first, _)| *first < frame)
        {
            self.finished.pop_first();
        }
        self.finished.len() < before
    }
}

/// The last step before a session leaves the reader.
pub(super) struct Release<'s> {
    /// Sessions before the first cleartext mail session.
    held: Vec<Finished>,
    has_mail: bool,
    sink: &'s mut dyn FnMut(Session),
}

/// Cleartext mail with something in it: beside it, TLS connections are the browser's noise.
fn is_mail(finished: &Finished) -> bool {
    finished.session.protocol != Protocol::Tls && !finished.session.exchanges.is_empty()
}

impl<'s> Release<'s> {
    pub fn new(sink: &'s mut dyn FnMut(Session)) -> Self {
        Release {
            held: Vec::new(),
            has_mail: false,
            sink,
        }
    }

    pub fn push(&mut self, finished: Finished) {
        if !self.has_mail {
            if !is_mail(&finished) {
                self.held.push(finished);
                return;
            }
            self.has_mail = true;
            for held in std::mem::take(&mut self.held) {
                self.pass(held);
            }
        }
        self.pass(finished);
    }

    fn pass(&mut self, finished: Finished) {
        if finished.session.protocol != Protocol::Tls {
            (self.sink)(finished.session);
        }
    }

    /// Whether mail was handed on, and the sessions held (all of them when it was not).
    pub fn into_held(self) -> (bool, Vec<Finished>) {
        (self.has_mail, self.held)
    }
}
