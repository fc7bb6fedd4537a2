//! Automata kept for the secret sets seen last, so a session logging in with the same secrets
//! as one before it does not build its automaton again; and the values derived for the
//! credential slots seen last, so it does not derive them again either.
//!
//! Captures repeat themselves: a student logs in with the same password session after
//! session, a synthetic capture with the same few secrets every time, and building the
//! automaton cost most of the redaction pass (issue 18). The key is the whole sorted set of
//! values, compared exactly, so an automaton only ever serves the set it was built for.
//!
//! Bounded so a hostile file cannot make it grow: [`ENTRIES`] sets per thread, each of at
//! most [`MAX_SET_BYTES`] of values and [`MAX_ENTRY_BYTES`] with its automaton; a bigger set
//! is built for its session alone, as before. An entry's [`Sieve`] holds its values once more
//! and a 256-byte table. One cache per thread: sessions are read on several, and a lock
//! would cost more than the few sets it would share.

use std::cell::RefCell;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use super::sieve::Sieve;

/// Most sets kept per thread.
pub const ENTRIES: usize = 8;
/// Largest set kept, in bytes of values: a few logins' worth.
pub const MAX_SET_BYTES: usize = 4 << 10;
/// Largest entry kept, its values and its automaton: at most 8 × 128 KiB per thread.
pub const MAX_ENTRY_BYTES: usize = 128 << 10;

struct Entry {
    values: Vec<String>,
    automaton: AhoCorasick,
    sieve: Option<Arc<Sieve>>,
    /// Whether the set came back once already (and its DFA was built, when it fits).
    reused: bool,
}

/// The sets seen last and their automata, most recently used first.
#[derive(Default)]
pub struct Automata {
    entries: Vec<Entry>,
}

impl Automata {
    /// The automaton of exactly `values` (sorted, without duplicates) and their [`Sieve`]:
    /// the kept ones, or an automaton made by `build` of the kind asked, kept when small
    /// enough.
    ///
    /// A set seen once gets an NFA, the cheapest to build. A set that comes back is likely
    /// to come back many times: it gets a DFA, dearer to build but scanning each byte with
    /// one look-up, when that fits in an entry. Both find the same matches.
    pub fn get_or_build(
        &mut self,
        values: &[String],
        build: impl Fn(&[String], AhoCorasickKind) -> Option<AhoCorasick>,
    ) -> Option<(AhoCorasick, Option<Arc<Sieve>>)> {
        let set_bytes: usize = values.iter().map(String::len).sum();
        if set_bytes > MAX_SET_BYTES {
            let automaton = build(values, AhoCorasickKind::NoncontiguousNFA)?;
            return Some((automaton, Sieve::new(values).map(Arc::new)));
        }
        if let Some(at) = self.entries.iter().position(|e| e.values == values) {
            self.entries[..=at].rotate_right(1);
            let entry = &mut self.entries[0];
            if !entry.reused {
                entry.reused = true;
                let fits = |dfa: &AhoCorasick| set_bytes + dfa.memory_usage() <= MAX_ENTRY_BYTES;
                if let Some(dfa) = build(&entry.values, AhoCorasickKind::DFA).filter(fits) {
                    entry.automaton = dfa;
                }
            }
            return Some((entry.automaton.clone(), entry.sieve.clone()));
        }
        let automaton = build(values, AhoCorasickKind::NoncontiguousNFA)?;
        let sieve = Sieve::new(values).map(Arc::new);
        if set_bytes + automaton.memory_usage() <= MAX_ENTRY_BYTES {
            if self.entries.len() == ENTRIES {
                self.entries.pop();
            }
            let entry = Entry {
                values: values.to_vec(),
                automaton: automaton.clone(),
                sieve: sieve.clone(),
                reused: false,
            };
            self.entries.insert(0, entry);
        }
        Some((automaton, sieve))
    }

    /// How many sets are kept, and their bytes with their automata.
    #[cfg(test)]
    pub fn held(&self) -> (usize, usize) {
        let bytes = |e: &Entry| {
            e.values.iter().map(String::len).sum::<usize>() + e.automaton.memory_usage()
        };
        (self.entries.len(), self.entries.iter().map(bytes).sum())
    }
}

/// The values derived for the secret sources of the sessions seen last, by the key of those
/// sources, most recently used first.
#[derive(Default)]
struct KeptValues {
    entries: Vec<(Vec<u8>, Vec<String>)>,
    /// Where the next session's key is written, kept so no session allocates one.
    scratch: Vec<u8>,
}

thread_local! {
    static AUTOMATA: RefCell<Automata> = RefCell::default();
    static KEPT_VALUES: RefCell<KeptValues> = RefCell::default();
}

/// `then` of the values `derive` gives for the sources `write_key` writes: those of a
/// session seen lately on this thread when its key was the same, as no value depends on
/// anything but its sources. Bounded like the automata: [`ENTRIES`] keys, none over
/// [`MAX_SET_BYTES`] (a bigger one is derived every time and pushes nothing out).
pub fn values_of<R>(
    write_key: impl FnOnce(&mut Vec<u8>),
    derive: impl FnOnce() -> Vec<String>,
    then: impl FnOnce(&[String]) -> R,
) -> R {
    KEPT_VALUES.with(|kept| {
        let mut kept = kept.borrow_mut();
        let kept = &mut *kept;
        write_key(&mut kept.scratch);
        // No sources write no key, and give no values: nothing to keep.
        if kept.scratch.is_empty() {
            return then(&[]);
        }
        if let Some(at) = kept
            .entries
            .iter()
            .position(|(key, _)| *key == kept.scratch)
        {
            kept.entries[..=at].rotate_right(1);
        } else {
            if kept.scratch.len() > MAX_SET_BYTES {
                kept.scratch = Vec::new();
                return then(&derive());
            }
            if kept.entries.len() == ENTRIES {
                kept.entries.pop();
            }
            kept.entries.insert(0, (kept.scratch.clone(), derive()));
        }
        then(&kept.entries[0].1)
    })
}

/// [`Automata::get_or_build`] with this thread's cache.
pub fn automaton(
    values: &[String],
    build: impl Fn(&[String], AhoCorasickKind) -> Option<AhoCorasick>,
) -> Option<(AhoCorasick, Option<Arc<Sieve>>)> {
    AUTOMATA.with(|cache| cache.borrow_mut().get_or_build(values, build))
}

/// [`Automata::held`] of this thread's cache.
#[cfg(test)]
pub fn held() -> (usize, usize) {
    AUTOMATA.with(|cache| cache.borrow().held())
}
