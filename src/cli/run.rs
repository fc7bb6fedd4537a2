use std::io::Write;
use std::path::PathBuf;

use clap::Parser;

use super::args::{Cli, Command};
use super::error::CliError;
use super::{check, extract, grade_cmd, merge, notify, scenario_cmd, serve, ExitCode};

/// What a command produced: the report, where it goes, and the exit code.
pub struct Output {
    pub text: String,
    pub exit: ExitCode,
    /// `--out`: a file instead of standard output.
    pub out: Option<PathBuf>,
}

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
    let result = match &cli.command {
        Command::Extract(args) => Ok(extract::run(args)),
        Command::Check(args) => check::run(args),
        Command::Grade(args) => grade_cmd::run(args),
        Command::Scenario(command) => scenario_cmd::run(command),
        Command::Serve(args) => return serve::run(args.clone()),
        Command::Merge(args) => merge::run(args),
        Command::Notify(args) => return notify::run(args),
    };
    match result.and_then(emit) {
        Ok(exit) => exit as i32,
        Err(error) => {
            eprint!("{}", error.render());
            error.exit_code() as i32
        }
    }
}

fn emit(output: Output) -> Result<ExitCode, CliError> {
    match &output.out {
        Some(path) => std::fs::write(path, &output.text).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })?,
        None => {
            let _ = std::io::stdout().lock().write_all(output.text.as_bytes());
        }
    }
    Ok(output.exit)
}
