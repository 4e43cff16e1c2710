//! The `alkstats` command: parses arguments and maps errors to exit codes.

/// mimalloc (Leijen et al. 2019) instead of the system allocator: the in-memory analyses
/// allocate per study (labels, columns, rows of the report), and glibc's malloc and free were
/// half of the time of a streamed batch of two-arm meta-analyses (`perf`, BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(alkstats::cli::main());
}
