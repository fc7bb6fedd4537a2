//! What a report has written, dropped on a thread of its own.
//!
//! Sessions are made on the reader's thread and grades on the graders'; freeing them on the
//! writer's thread cost it an eighth to a fifth of its work, and the writer is the thread
//! the others wait for (issue 18). Values are handed over a batch at a time and at most one
//! batch waits to be dropped, so memory still follows what is being written.

use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// Values done with, dropped behind the caller's back `at_once` at a time.
pub struct DropBehind<T: Send + 'static> {
    gathering: Vec<T>,
    at_once: usize,
    /// Started with the first batch: a report of a few values needs no thread.
    thread: Option<(SyncSender<Vec<T>>, JoinHandle<()>)>,
}

impl<T: Send + 'static> DropBehind<T> {
    /// Hands values over `at_once` at a time (at least one).
    pub fn new(at_once: usize) -> Self {
        DropBehind {
            gathering: Vec::new(),
            at_once: at_once.max(1),
            thread: None,
        }
    }

    /// `value` is done with.
    pub fn push(&mut self, value: T) {
        if self.gathering.capacity() == 0 {
            self.gathering.reserve_exact(self.at_once);
        }
        self.gathering.push(value);
        if self.gathering.len() >= self.at_once {
            let batch = std::mem::take(&mut self.gathering);
            self.hand_over(batch);
        }
    }

    /// Hands `batch` to the thread, starting it first if need be; a thread that cannot be
    /// started leaves the batch to be dropped here.
    fn hand_over(&mut self, batch: Vec<T>) {
        if self.thread.is_none() {
            let (sender, batches) = sync_channel::<Vec<T>>(1);
            let spawned = std::thread::Builder::new()
                .name("drop-behind".into())
                .spawn(move || batches.into_iter().for_each(drop));
            if let Ok(thread) = spawned {
                self.thread = Some((sender, thread));
            }
        }
        if let Some((sender, _)) = &self.thread {
            // The thread only ends once the sender is dropped (in `Drop`).
            let _ = sender.send(batch);
        }
    }

    /// Every value handed over dropped; the same as dropping `self`, said out loud.
    pub fn finish(self) {}
}

impl<T: Send + 'static> Drop for DropBehind<T> {
    /// Waits for the thread, so that whoever finishes a report has its memory back.
    fn drop(&mut self) {
        self.gathering.clear();
        if let Some((sender, thread)) = self.thread.take() {
            drop(sender);
            // A panic while dropping is the value's own bug: it is not raised again here,
            // where it would abort a report already written.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Counts its drops, and on which thread they happened.
    struct Counted {
        dropped: Arc<AtomicUsize>,
        here: Arc<AtomicUsize>,
        owner: std::thread::ThreadId,
    }

    impl Drop for Counted {
        fn drop(&mut self) {
            self.dropped.fetch_add(1, Ordering::SeqCst);
            if std::thread::current().id() == self.owner {
                self.here.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    fn counted(n: usize, at_once: usize) -> (usize, usize, bool) {
        let dropped = Arc::new(AtomicUsize::new(0));
        let here = Arc::new(AtomicUsize::new(0));
        let mut behind = DropBehind::new(at_once);
        for _ in 0..n {
            behind.push(Counted {
                dropped: Arc::clone(&dropped),
                here: Arc::clone(&here),
                owner: std::thread::current().id(),
            });
        }
        let started = behind.thread.is_some();
        behind.finish();
        (
            dropped.load(Ordering::SeqCst),
            here.load(Ordering::SeqCst),
            started,
        )
    }

    #[test]
    fn full_batches_are_dropped_on_the_thread_and_the_rest_here_once_finished() {
        // Three full batches leave; the last seven never fill one.
        let (dropped, here, started) = counted(3 * 16 + 7, 16);
        assert_eq!(dropped, 3 * 16 + 7);
        assert_eq!(here, 7);
        assert!(started);
    }

    #[test]
    fn fewer_values_than_a_batch_start_no_thread() {
        let (dropped, here, started) = counted(5, 16);
        assert_eq!((dropped, here, started), (5, 5, false));
    }

    #[test]
    fn one_at_a_time_hands_each_value_over() {
        let (dropped, here, started) = counted(4, 1);
        assert_eq!((dropped, here, started), (4, 0, true));
    }
}
