//! A capture file read in place from the page cache.
//!
//! Mapping costs the kernel a page-table entry per 4 KiB page, which on a file written in
//! small pieces is as much work as decoding the frames. A second thread asks for the pages
//! (`MADV_POPULATE_READ`) a chunk at a time from the start, so the decoder following it
//! rarely takes a page fault and the two halves of the work run side by side.

use std::fs::File;
use std::sync::{mpsc, Arc};

use memmap2::{Mmap, MmapOptions};

/// Below this, a file is read before a second thread could start helping.
const HELP_FROM: usize = 16 << 20;
/// Pages asked for in one go: large enough that the call costs nothing, small enough that
/// the decoder soon has work.
const CHUNK: usize = 2 << 20;

/// Maps `file` and hands its bytes to `read`; `None` when the file cannot be mapped (a
/// pipe, a file system without mmap).
pub(super) fn read_mapped<T>(file: &File, read: impl FnOnce(&[u8]) -> T) -> Option<T> {
    // SAFETY: the map is only read. A file truncated by another process meanwhile would
    // fault the read; submissions are files the grader was handed, not files being written.
    let map = Arc::new(unsafe { MmapOptions::new().map(file) }.ok()?);
    if map.len() < HELP_FROM {
        populate(&map, 0, map.len());
        return Some(read(&map));
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
    drop(map);
    Some(result)
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
