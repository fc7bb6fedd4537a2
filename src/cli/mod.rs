//! The command line: clap commands, exit codes, and the only place that prints.

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    0
}
