use std::io::Write;

use clap::Parser;

use super::args::{Cli, Command};
use super::{extract, ExitCode};

/// Runs the command line and returns the process exit code (see [`ExitCode`]).
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::Unusable as i32
            } else {
                0
            };
        }
    };
    let (text, exit) = match &cli.command {
        Command::Extract(args) => extract::run(args),
        Command::Check(_) | Command::Grade(_) | Command::Scenario(_) => {
            eprintln!("error: not available yet");
            return ExitCode::Unusable as i32;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    exit as i32
}
