//! The `alkstats` command: parses arguments and maps errors to exit codes.

fn main() {
    std::process::exit(alkstats::cli::main());
}
