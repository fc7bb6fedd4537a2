// See Cargo.toml: small allocations passed between the reader, grader and writer threads
// are a large share of a capture's cost under the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(mailgrade::cli::main());
}
