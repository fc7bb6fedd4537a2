//! Keeps the bytes just ahead of the frame being decoded on their way into the cache.
//!
//! Frames are found by chasing each header's length to the next one, so every header waits
//! for memory unless it was asked for in advance; the hardware prefetcher does not follow
//! the uneven strides of a skipped payload. Asking for every line a few KiB ahead turns that
//! chain of waits into one stream (it halved the time on the capture benchmark).

/// How far ahead of the current block lines are asked for: a couple of full-size frames.
const AHEAD: usize = 4096;
const LINE: usize = 64;

#[derive(Default)]
pub(super) struct Prefetcher {
    /// Lines below this offset have been asked for.
    until: usize,
}

impl Prefetcher {
    /// The block at `at` in `bytes` is next: asks for the lines up to `AHEAD` past it.
    #[inline]
    pub fn ahead_of(&mut self, bytes: &[u8], at: usize) {
        let end = at.saturating_add(AHEAD).min(bytes.len());
        let mut line = self.until.max(at) & !(LINE - 1);
        while line < end {
            prefetch(bytes.as_ptr().wrapping_add(line));
            line += LINE;
        }
        self.until = self.until.max(end);
    }
}

#[inline(always)]
fn prefetch(address: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it reads nothing and never faults, whatever the
    // address; the callers pass addresses inside the slice anyway.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(address.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_each_line_once_and_never_past_the_end() {
        let bytes = vec![0u8; 10_000];
        let mut prefetcher = Prefetcher::default();
        prefetcher.ahead_of(&bytes, 0);
        assert_eq!(prefetcher.until, AHEAD);
        prefetcher.ahead_of(&bytes, 100);
        assert_eq!(prefetcher.until, 100 + AHEAD);
        prefetcher.ahead_of(&bytes, 9_000);
        assert_eq!(prefetcher.until, bytes.len());
        prefetcher.ahead_of(&bytes, 10_000);
        assert_eq!(prefetcher.until, bytes.len());
    }
}
