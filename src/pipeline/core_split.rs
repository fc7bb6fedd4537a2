//! One core for reading a capture, the others for what is done with its sessions.
//!
//! Where a capture is read on one thread while the caller grades its sessions and writes a
//! short text report (`grade --server none`), the reading is the chain every session waits
//! for, and the graders, the writer and the thread that frees what was written take about as
//! much CPU again, in short runs as each batch comes. Left to the kernel, a grader the reader
//! woke (through the dealer) was often put on the reader's own core and ran there while the
//! other core idled: under `perf sched`, on a 2-core KVM guest, the reader waited 18 of its
//! 90 ms, a grader's 0.6 ms at every other batch (issue 18; likely because the wakeup path
//! takes a halted vCPU for a busy one). So the reader is given one of the cores this process
//! may use, and everything else is kept off it while the file is read. What is computed does
//! not change, only where; where affinity cannot be set (not Linux, one core, a sandbox that
//! refuses) nothing is.

/// The cores of a read split in two: one for the reading thread, the rest for the others.
/// Made on the thread that takes the sessions; from then until it is dropped, that thread
/// and the threads it starts stay off the reader's core.
pub struct CoreSplit {
    #[cfg(target_os = "linux")]
    linux: linux::Split,
}

impl CoreSplit {
    /// Splits the cores the calling thread may use: the one it runs on for the reader (the
    /// last, if that cannot be told), the others for the calling thread; `None` with fewer
    /// than two, or where threads cannot be placed.
    pub fn new() -> Option<CoreSplit> {
        #[cfg(target_os = "linux")]
        return linux::Split::new().map(|linux| CoreSplit { linux });
        #[cfg(not(target_os = "linux"))]
        None
    }

    /// What the reading thread calls first, to take its core.
    pub fn reader(&self) -> ReaderCpu {
        ReaderCpu {
            #[cfg(target_os = "linux")]
            cpu: self.linux.reader,
        }
    }
}

/// The reader's core, sent to the reading thread.
#[derive(Clone, Copy)]
pub struct ReaderCpu {
    #[cfg(target_os = "linux")]
    cpu: usize,
}

impl ReaderCpu {
    /// Puts the calling thread (and any it starts) on the reader's core.
    pub fn enter(self) {
        #[cfg(target_os = "linux")]
        linux::set(0, &linux::only(self.cpu));
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::mem::{size_of, zeroed};

    pub struct Split {
        /// The reader's core.
        pub reader: usize,
        /// The thread kept off the reader's core, and where it could run before.
        caller: libc::pid_t,
        /// Boxed: a set is 128 bytes, and a `Reading` carries this.
        before: Box<libc::cpu_set_t>,
    }

    impl Split {
        pub fn new() -> Option<Split> {
            // SAFETY: `cpu_set_t` is plain bits, all-zero is the empty set, and the calls
            // are given its true size.
            unsafe {
                let mut before: libc::cpu_set_t = zeroed();
                if libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut before) != 0 {
                    return None;
                }
                let mut cpus =
                    (0..libc::CPU_SETSIZE as usize).filter(|&c| libc::CPU_ISSET(c, &before));
                let last = cpus.next_back()?;
                cpus.next()?;
                // The core this thread runs on, where it may: several gradings started at
                // once then mostly give their readers different cores, where always the
                // last would put every reader on the same one.
                let reader = usize::try_from(libc::sched_getcpu())
                    .ok()
                    .filter(|&c| c < libc::CPU_SETSIZE as usize && libc::CPU_ISSET(c, &before))
                    .unwrap_or(last);
                let mut rest = before;
                libc::CPU_CLR(reader, &mut rest);
                let caller = libc::gettid();
                if !set(caller, &rest) {
                    return None;
                }
                Some(Split {
                    reader,
                    caller,
                    before: Box::new(before),
                })
            }
        }
    }

    impl Drop for Split {
        /// The caller may use every core it had again (by its id: this may be dropped on
        /// another thread).
        fn drop(&mut self) {
            set(self.caller, &self.before);
        }
    }

    /// The set of `cpu` alone.
    pub fn only(cpu: usize) -> libc::cpu_set_t {
        // SAFETY: as in `Split::new`.
        unsafe {
            let mut set: libc::cpu_set_t = zeroed();
            libc::CPU_SET(cpu, &mut set);
            set
        }
    }

    /// Whether thread `tid` (0: the calling one) is now on `cpus`.
    pub fn set(tid: libc::pid_t, cpus: &libc::cpu_set_t) -> bool {
        // SAFETY: `cpus` is a whole `cpu_set_t`, given with its size.
        unsafe { libc::sched_setaffinity(tid, size_of::<libc::cpu_set_t>(), cpus) == 0 }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn cpus_of_this_thread() -> Vec<usize> {
        // SAFETY: as in `linux::Split::new`.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set);
            (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &set))
                .collect()
        }
    }

    #[test]
    fn the_reader_gets_a_core_the_others_do_not_and_the_caller_gets_its_cores_back() {
        // On a thread of its own, so that the test harness's thread is never touched.
        std::thread::spawn(|| {
            let all = cpus_of_this_thread();
            let Some(split) = CoreSplit::new() else {
                assert!(all.len() < 2, "cores {all:?}, yet no split");
                return;
            };
            let rest = cpus_of_this_thread();
            let reader = split.reader();
            let on_reader = std::thread::spawn(move || {
                reader.enter();
                cpus_of_this_thread()
            })
            .join()
            .unwrap();
            let started_after = std::thread::spawn(cpus_of_this_thread).join().unwrap();
            assert_eq!(on_reader.len(), 1, "{on_reader:?}");
            assert!(!rest.contains(&on_reader[0]), "{rest:?} {on_reader:?}");
            assert_eq!(rest.len() + 1, all.len());
            assert_eq!(started_after, rest, "threads started meanwhile stay off it");
            // Dropped on another thread, it still gives this one its cores back.
            std::thread::spawn(move || drop(split)).join().unwrap();
            assert_eq!(cpus_of_this_thread(), all);
        })
        .join()
        .unwrap();
    }
}
