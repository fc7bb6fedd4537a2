// The system allocator, on purpose: mimalloc cut 10-12 % of a capture's instructions, but
// its per-thread segments made `grade` abort under a 64 MiB RLIMIT_DATA that the system
// allocator keeps to (tests/capture_memory.rs); bounded memory comes first (issue 18).
fn main() {
    std::process::exit(mailgrade::cli::main());
}
