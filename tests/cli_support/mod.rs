//! The real binary as the tests run it: no colour, output captured.

use std::process::{Command, Output};

/// `mailgrade ARGS…`, run to the end.
pub fn mailgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the mailgrade binary runs")
}
