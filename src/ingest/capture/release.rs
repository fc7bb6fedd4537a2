//! Sessions handed on while the capture is still being read, in the order of their first
//! frames, so memory follows the sessions open at once rather than the file.
//!
//! A session that is over waits in the assembler only until nothing that could still become
//! a session began before it: no mail session still open, no connection still undecided
//! ([`Window`]). Past [`HOLD`] sessions waiting, undecided connections older than them are
//! set aside, as when too many connections wait (`waiting.rs`). Sessions then pass through
//! [`Release`]: until the first cleartext mail session they are held, since TLS connections
//! are dropped beside mail and a capture without mail is explained instead (`summary.rs`).

use super::decode::Decoder;
use super::sessions::{Finished, SessionAssembler};
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
    /// Called after each frame; cheap unless enough sessions are over.
    pub fn after_frame(
        &mut self,
        decoder: &mut Decoder,
        assembler: &mut SessionAssembler<'_>,
        release: &mut Release<'_>,
    ) {
        if assembler.pending() < self.next_check {
            return;
        }
        if assembler.pending() >= HOLD {
            if let Some(newest) = assembler.newest_pending() {
                if decoder.flows.oldest_undecided().is_some_and(|f| f < newest) {
                    decoder.flows.set_aside_undecided_before(newest, assembler);
                }
            }
        }
        let open = assembler.oldest_open().unwrap_or(u64::MAX);
        let undecided = decoder.flows.oldest_undecided().unwrap_or(u64::MAX);
        assembler.take_before(open.min(undecided), &mut |f| release.push(f));
        let scanned = assembler.open_count() + decoder.flows.len();
        self.next_check = assembler.pending() + MIN_CHECK.max(scanned / 4);
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
