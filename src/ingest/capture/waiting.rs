//! The connections not known to carry mail — opened but silent so far, undecided, or found
//! to be something else — are capped, so that memory follows the sessions open at once and
//! not every connection a capture ever opened (a SYN flood opens one per packet and never
//! closes any). Past the cap, the one seen least recently is set aside.
//!
//! Least recently seen, approximately and at no cost per packet: connections are queued in
//! the order they opened, each packet only notes its frame in its connection, and a
//! connection found at the head of the queue that was seen since it was queued goes to the
//! back instead of out (the "second chance" of a CLOCK cache).

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash};

use super::flows::FlowId;

/// Connections waiting at once, at most. A lab capture has a few hundred open at once.
/// Below 7/16 of a power of two (32,768), so that a table that loses and gains entries
/// all the time is rehashed in place rather than doubled (hashbrown's rule): the table then
/// stays at 32,768 buckets, about 12 MB.
pub(super) const MAX_WAITING: usize = 12_288;

/// Places for connections set aside before they carried a byte, remembered (by a
/// fingerprint) so that a mail connection's late first byte can say where it began. A
/// direct-mapped table: a newer connection takes an older one's place, so about the last
/// ten thousand are remembered, at one store each (a MiB, once anything is set aside).
const REMEMBERED: usize = 1 << 16;

/// The waiting connections in queue order, as (key, id, the frame it was last seen in when
/// queued); entries of connections gone or no longer waiting are skipped when met.
pub(super) struct Waiting<K> {
    queue: VecDeque<(K, FlowId, u64)>,
    count: usize,
    /// (fingerprint, frame it opened in) of connections set aside before their first
    /// byte, each at `fingerprint % REMEMBERED`; frame 0 marks a free place.
    remembered: Vec<(u64, u64)>,
    fingerprints: foldhash::fast::FixedState,
}

impl<K> Default for Waiting<K> {
    fn default() -> Self {
        Waiting {
            queue: VecDeque::new(),
            count: 0,
            remembered: Vec::new(),
            fingerprints: foldhash::fast::FixedState::with_seed(0x6d61_696c),
        }
    }
}

impl<K: Copy + Hash> Waiting<K> {
    pub fn is_full(&self) -> bool {
        self.count >= MAX_WAITING
    }

    /// A connection began waiting (it opened), seen last in `frame`.
    pub fn joined(&mut self, key: K, id: FlowId, frame: u64) {
        self.count += 1;
        self.queue.push_back((key, id, frame));
    }

    /// A waiting connection ended, or turned out to carry mail.
    pub fn left(&mut self) {
        self.count = self.count.saturating_sub(1);
    }

    /// The connection to set aside next. `seen(key, id)` is the frame connection `id` was
    /// last seen in while it is still in the table under `key` and waiting, else `None`.
    pub fn next_out(&mut self, seen: impl Fn(&K, FlowId) -> Option<u64>) -> Option<K> {
        while let Some((key, id, queued)) = self.queue.pop_front() {
            match seen(&key, id) {
                None => {}
                Some(last) if last > queued => self.queue.push_back((key, id, last)),
                Some(_) => return Some(key),
            }
        }
        None
    }

    /// Drops the queue entries of connections gone, once they are half the queue: the
    /// queue stays within twice the cap however many connections come and go, at the cost
    /// of a lookup per entry now and then.
    pub fn tidy(&mut self, seen: impl Fn(&K, FlowId) -> Option<u64>) {
        if self.queue.len() > 2 * MAX_WAITING.max(self.count) {
            self.queue.retain(|(key, id, _)| seen(key, *id).is_some());
        }
    }

    /// Connection `key`, opened in `frame`, was set aside before it carried a byte.
    pub fn remember_unopened(&mut self, key: &K, frame: u64) {
        if self.remembered.is_empty() {
            self.remembered = vec![(0, 0); REMEMBERED];
        }
        let fingerprint = self.fingerprints.hash_one(key);
        self.remembered[fingerprint as usize % REMEMBERED] = (fingerprint, frame);
    }

    /// The frame connection `key` opened in, if it was set aside before it carried a byte
    /// and is still remembered (forgotten once asked).
    pub fn opened_before(&mut self, key: &K) -> Option<u64> {
        if self.remembered.is_empty() {
            return None;
        }
        let fingerprint = self.fingerprints.hash_one(key);
        let place = &mut self.remembered[fingerprint as usize % REMEMBERED];
        if place.0 != fingerprint || place.1 == 0 {
            return None;
        }
        Some(std::mem::take(place).1)
    }

    /// The capture ended.
    pub fn clear(&mut self) {
        *self = Waiting::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::HashMap;

    #[test]
    fn sets_aside_the_connection_seen_least_recently() {
        let mut waiting: Waiting<u32> = Waiting::default();
        // Connections 1, 2, 3 opened in frames 1, 2, 3; connection 1 was seen again in
        // frame 4, connection 2 has ended.
        let last_seen = HashMap::from([(1u32, 4u64), (3, 3)]);
        for key in 1..=3 {
            waiting.joined(key, FlowId::from(key), u64::from(key));
        }
        let seen = |key: &u32, _: FlowId| last_seen.get(key).copied();
        assert_eq!(waiting.next_out(seen), Some(3));
        // Connection 1 went to the back, seen in frame 4: it is next.
        assert_eq!(waiting.next_out(seen), Some(1));
        assert_eq!(waiting.next_out(|_, _| None), None);
    }

    #[test]
    fn the_queue_stays_within_twice_the_cap() {
        let mut waiting: Waiting<u64> = Waiting::default();
        for id in 0..(5 * MAX_WAITING as u64) {
            waiting.joined(id, id, id);
            // Every connection but the newest has ended.
            waiting.left();
            waiting.tidy(|key, _| (*key == id).then_some(id));
            assert!(waiting.queue.len() <= 2 * MAX_WAITING + 1);
        }
        assert!(!waiting.is_full());
    }

    #[test]
    fn remembers_the_unopened_within_bounds() {
        let mut waiting: Waiting<u64> = Waiting::default();
        assert_eq!(waiting.opened_before(&1), None);
        for key in 0..(4 * REMEMBERED as u64) {
            waiting.remember_unopened(&key, key + 100);
        }
        assert_eq!(waiting.remembered.len(), REMEMBERED, "a fixed table");
        let last = 4 * REMEMBERED as u64 - 1;
        assert_eq!(waiting.opened_before(&last), Some(last + 100));
        assert_eq!(waiting.opened_before(&last), None, "asked once");
        let kept = (0..4 * REMEMBERED as u64)
            .filter(|key| waiting.opened_before(key).is_some())
            .count();
        assert!(
            kept > REMEMBERED / 2 && kept < REMEMBERED,
            "about the newest are remembered: {kept}"
        );
    }
}
