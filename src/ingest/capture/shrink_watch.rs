//! A mapped capture file that shrinks while it is read must not kill the process.
//!
//! Reading a page of a mapping past the end of its file raises SIGBUS, whose default is to
//! end the process, and with it a whole batch: another program truncated the file, or the
//! network share under it failed. While a mapping is read its address range is registered
//! here, and a SIGBUS inside a registered range maps a page of 0xFF bytes over the page that
//! is gone and marks the range: no capture block parses from those bytes, so the decoder
//! stops there, and the reader reports the file as changed instead of what it decoded. A
//! SIGBUS anywhere else goes to the handler that was there before (Rust's stack-overflow
//! check, then the default), as if this one did not exist.
//!
//! The handler only loads atomics and calls `mmap`, a plain system call on Linux.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Mappings watched at once, at most (a batch reads a file per job); a file that finds no
/// free slot is streamed instead.
const SLOTS: usize = 64;

/// One watched range, `start..end`; `start` is 0 while the slot is free.
struct Slot {
    start: AtomicUsize,
    end: AtomicUsize,
    shrank: AtomicBool,
}

#[allow(clippy::declare_interior_mutable_const)] // one fresh slot per array element
const FREE: Slot = Slot {
    start: AtomicUsize::new(0),
    end: AtomicUsize::new(0),
    shrank: AtomicBool::new(false),
};

static WATCHED: [Slot; SLOTS] = [FREE; SLOTS];

/// The SIGBUS disposition before ours, written once before ours is installed.
struct Previous(UnsafeCell<MaybeUninit<libc::sigaction>>);

// SAFETY: written once, inside `install`'s `OnceLock` initialiser, before the handler that
// reads it exists; only read afterwards.
unsafe impl Sync for Previous {}

static PREVIOUS: Previous = Previous(UnsafeCell::new(MaybeUninit::uninit()));
static PAGE_SIZE: AtomicUsize = AtomicUsize::new(4096);
/// Whether the handler is installed (decided once).
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// A mapping being watched; unregistered when dropped.
pub(super) struct Watch {
    slot: &'static Slot,
}

impl Watch {
    /// Watches `bytes`, a mapping about to be read; `None` when the handler cannot be
    /// installed or every slot is taken (the caller then reads the file another way).
    pub fn start(bytes: &[u8]) -> Option<Watch> {
        if !*INSTALLED.get_or_init(install) {
            return None;
        }
        let start = bytes.as_ptr() as usize;
        let end = start.checked_add(bytes.len())?;
        if start == 0 {
            return None;
        }
        let slot = WATCHED.iter().find(|slot| {
            slot.start
                .compare_exchange(0, start, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        })?;
        slot.shrank.store(false, Ordering::Release);
        slot.end.store(end, Ordering::Release);
        Some(Watch { slot })
    }

    /// Whether a page of the mapping turned out to be gone while it was read.
    pub fn shrank(&self) -> bool {
        self.slot.shrank.load(Ordering::Acquire)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // `end` first: a handler that sees the old `start` then sees an empty range.
        self.slot.end.store(0, Ordering::Release);
        self.slot.start.store(0, Ordering::Release);
    }
}

fn install() -> bool {
    // SAFETY: sysconf only reads; sigaction writes the old disposition into PREVIOUS
    // (nothing reads it yet) and installs a handler that is async-signal-safe.
    unsafe {
        let page = libc::sysconf(libc::_SC_PAGESIZE);
        if page > 0 {
            PAGE_SIZE.store(page as usize, Ordering::Relaxed);
        }
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, (*PREVIOUS.0.get()).as_mut_ptr()) == 0
    }
}

extern "C" fn on_sigbus(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: the kernel passes a valid siginfo for SIGBUS.
    let address = unsafe { (*info).si_addr() } as usize;
    for slot in &WATCHED {
        let start = slot.start.load(Ordering::Acquire);
        let end = slot.end.load(Ordering::Acquire);
        if start == 0 || address < start || address >= end {
            continue;
        }
        let size = PAGE_SIZE.load(Ordering::Relaxed);
        let page = address & !(size - 1);
        // SAFETY: the page lies inside a mapping of ours that is being read (it stays mapped
        // until its watch is dropped), so replacing it touches nothing else.
        unsafe {
            let mapped = libc::mmap(
                page as *mut libc::c_void,
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            );
            if mapped != libc::MAP_FAILED {
                std::ptr::write_bytes(page as *mut u8, 0xff, size);
                slot.shrank.store(true, Ordering::Release);
                return;
            }
        }
    }
    // SAFETY: PREVIOUS was written before this handler was installed.
    unsafe { pass_on(signal, info, context) }
}

/// Hands a SIGBUS that is not ours to the disposition that was there before.
unsafe fn pass_on(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    let previous = (*PREVIOUS.0.get()).assume_init_ref();
    let handler = previous.sa_sigaction;
    if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
        // Back to the default; returning runs the faulting access again, which now ends
        // the process as it would have without us.
        let mut default: libc::sigaction = std::mem::zeroed();
        default.sa_sigaction = libc::SIG_DFL;
        libc::sigaction(signal, &default, std::ptr::null_mut());
    } else if previous.sa_flags & libc::SA_SIGINFO != 0 {
        let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            std::mem::transmute(handler);
        handler(signal, info, context);
    } else {
        let handler: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
        handler(signal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_taken_and_given_back() {
        let bytes = vec![1u8; 10];
        let first = Watch::start(&bytes).expect("a slot");
        let second = Watch::start(&bytes[5..]).expect("another slot");
        assert!(!std::ptr::eq(first.slot, second.slot));
        assert!(!first.shrank());
        let slot: *const Slot = first.slot;
        drop(first);
        // SAFETY: slots are statics.
        assert_eq!(unsafe { &*slot }.start.load(Ordering::Acquire), 0);
    }

    #[test]
    fn a_page_cut_off_the_file_reads_as_ff_and_is_told() {
        use std::io::Write;
        let page = PAGE_SIZE.load(Ordering::Relaxed).max(4096);
        let mut file = tempfile::tempfile().expect("temp file");
        file.write_all(&vec![7u8; 3 * page]).expect("write");
        // SAFETY: the file is ours; it is cut short below on purpose.
        let map = unsafe { memmap2::Mmap::map(&file) }.expect("map");
        let watch = Watch::start(&map).expect("watched");
        file.set_len(page as u64).expect("truncate");
        let read = |at: usize| {
            // SAFETY: `at` lies inside the mapping; volatile, so the read really happens.
            unsafe { std::ptr::read_volatile(map.as_ptr().add(at)) }
        };
        assert_eq!(read(10), 7, "the page still in the file");
        assert!(!watch.shrank());
        assert_eq!(read(2 * page + 10), 0xff, "a page past the new end");
        assert!(watch.shrank());
    }
}
