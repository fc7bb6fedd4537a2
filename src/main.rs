// jemalloc, not the system allocator: a capture's sessions are built on the reader's thread
// and freed on the writer's, and glibc pays for every such free in consolidation (a third of
// `extract`'s wall time on a 71 MB capture, issue 18). mimalloc was as fast but its
// per-thread segments broke the 64 MiB RLIMIT_DATA that tests/capture_memory.rs holds the
// capture reader to; jemalloc with a fixed number of arenas keeps to it.
#[cfg(unix)]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before the first allocation (its `malloc_conf`, under the
/// prefix tikv-jemalloc-sys builds it with). One arena whatever the number of cores: each
/// arena keeps the pages it freed mapped for reuse, so the default of four per core held
/// more than the reader's bound on two cores already (two arenas: 66 MiB of data to grade
/// the bench's 71 MB capture, one: 59 MiB, glibc: 53 MiB); the threads' own caches keep
/// the one arena's lock rarely taken, and two arenas were no faster here.
#[cfg(unix)]
#[export_name = "_rjem_malloc_conf"]
static MALLOC_CONF: Option<&'static std::ffi::c_char> = Some(unsafe { &*c"narenas:1".as_ptr() });

fn main() {
    std::process::exit(mailgrade::cli::main());
}
