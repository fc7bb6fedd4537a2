//! A capture file read in place from the page cache.
//!
//! Mapping costs the kernel a page-table entry per 4 KiB page, which on a file written in
//! small pieces is as much work as decoding the frames. A second thread asks for the pages
//! (`MADV_POPULATE_READ`) a chunk at a time from the start, so the decoder following it
//! rarely takes a page fault and the two halves of the work run side by side.
//!
//! A file that shrinks while it is read (another program truncating it, a network share
//! failing) is caught by `shrink_watch` and reported, instead of killing the process.

use std::fs::File;
use std::sync::{mpsc, Arc};

use memmap2::{Mmap, MmapOptions};

use super::shrink_watch::Watch;

/// For tests only: with this set, the process stops itself (SIGSTOP) once a capture is
/// mapped and before it is read, so a test can change the file at that point and continue it.
const STOP_AFTER_MAP: &str = "MAILGRADE_TEST_STOP_AFTER_MAP";

/// What reading a mapped file gave.
pub(super) enum Mapped<T> {
    Read(T),
    /// Part of the file was gone by the time it was read: it shrank meanwhile.
    Shrank,
    /// The file cannot be mapped safely (a pipe, a file system without mmap, no way to
    /// catch its shrinking): read it another way.
    Unmappable,
}

/// Below this, a file is read before a second thread could start helping.
const HELP_FROM: usize = 16 << 20;
/// Pages asked for in one go: large enough that the call costs nothing, small enough that
/// the decoder soon has work.
const CHUNK: usize = 2 << 20;

/// Maps `file` and hands its bytes to `read`.
pub(super) fn read_mapped<T>(file: &File, read: impl FnOnce(&[u8]) -> T) -> Mapped<T> {
    // SAFETY: the map is only read, and `Watch` turns the SIGBUS of a page the file lost
    // meanwhile into `Mapped::Shrank`.
    let Ok(map) = (unsafe { MmapOptions::new().map(file) }) else {
        return Mapped::Unmappable;
    };
    let map = Arc::new(map);
    let Some(watch) = Watch::start(&map) else {
        return Mapped::Unmappable;
    };
    if std::env::var_os(STOP_AFTER_MAP).is_some() {
        // SAFETY: raise only sends a signal to this process.
        unsafe {
            libc::raise(libc::SIGSTOP);
        }
    }
    let result = read_whole(map, read);
    if watch.shrank() {
        Mapped::Shrank
    } else {
        Mapped::Read(result)
    }
}

/// Reads the mapping, with a helper thread faulting its pages in when it is large.
fn read_whole<T>(map: Arc<Mmap>, read: impl FnOnce(&[u8]) -> T) -> T {
    if map.len() < HELP_FROM {
        populate(&map, 0, map.len());
        return read(&map);
    }
    // The reader lets go of `reading` when done; the helper then stops and unmaps.
    let (reading, read_done) = mpsc::channel::<()>();
    let helper = {
        let map = Arc::clone(&map);
        // Not joined: unmapping a large file takes milliseconds the caller need not wait
        // for, so the helper holds the map until the reader is done and unmaps it.
        std::thread::Builder::new()
            .name("capture-pages".into())
            .spawn(move || {
                fault_in(&map, &read_done);
                let _ = read_done.recv();
                drop(map);
            })
    };
    if helper.is_err() {
        populate(&map, 0, map.len());
    }
    let result = read(&map);
    drop(reading);
    result
}

/// Asks for the pages chunk by chunk until the end or until the reader is done (it stopped
/// early on a broken file).
fn fault_in(map: &Mmap, read_done: &mpsc::Receiver<()>) {
    let mut at = 0;
    while at < map.len() && matches!(read_done.try_recv(), Err(mpsc::TryRecvError::Empty)) {
        let len = CHUNK.min(map.len() - at);
        if !populate(map, at, len) {
            return;
        }
        at += len;
    }
}

/// Faults in `len` bytes of pages at `at`; false where the kernel cannot (before Linux
/// 5.14, other systems), and then the reader takes the page faults itself.
fn populate(map: &Mmap, at: usize, len: usize) -> bool {
    #[cfg(target_os = "linux")]
    {
        map.advise_range(memmap2::Advice::PopulateRead, at, len)
            .is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (map, at, len);
        false
    }
}
