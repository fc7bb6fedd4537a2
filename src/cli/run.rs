use std::io::Write;
use std::path::PathBuf;

use clap::Parser;

use super::args::{Cli, Command};
use super::error::CliError;
use super::{check, extract, grade_cmd, merge, notify, scenario_cmd, serve, ExitCode};

/// Writes a report into the output.
pub type WriteReport = Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<()>>;

/// Writes a report into the output while its input is still being read; the exit code
/// depends on what was read.
pub type StreamReport = Box<dyn FnOnce(&mut dyn Write) -> std::io::Result<ExitCode>>;

/// A command's report: text made whole, or written straight into the output as it is
/// formatted (large reports: a capture's sessions), so it is never held in memory twice,
/// or written as it is read ([`Report::Stream`]: `extract`), so what was read is not held
/// either.
pub enum Report {
    Text(String),
    Write(WriteReport),
    /// Its exit code replaces [`Output::exit`] (which stays when writing fails).
    Stream(StreamReport),
}

impl From<String> for Report {
    fn from(text: String) -> Self {
        Report::Text(text)
    }
}

impl Report {
    /// Writes the report; the exit code a streamed one decided, if any.
    fn write_to(self, out: &mut dyn Write) -> std::io::Result<Option<ExitCode>> {
        match self {
            Report::Text(text) => out.write_all(text.as_bytes()).map(|()| None),
            Report::Write(write) => {
                let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
                write(&mut out)?;
                out.flush().map(|()| None)
            }
            Report::Stream(write) => {
                let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
                let exit = write(&mut out)?;
                out.flush().map(|()| Some(exit))
            }
        }
    }
}

/// What a command produced: the report, where it goes, and the exit code.
pub struct Output {
    pub text: Report,
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
                ExitCode::Usage as i32
            } else {
                0
            };
        }
    };
    let result = match &cli.command {
        Command::Extract(args) => extract::run(args),
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
    let decided = match &output.out {
        Some(path) => std::fs::File::create(path)
            .and_then(|mut file| output.text.write_to(&mut file))
            .map_err(|source| CliError::Write {
                path: path.clone(),
                source,
            })?,
        // A closed pipe (`| head`) is not an error of ours.
        None => {
            let mut stdout = std::io::stdout().lock();
            match past_line_writer(&stdout) {
                Some(mut file) => output.text.write_to(&mut file),
                None => output.text.write_to(&mut stdout),
            }
            .unwrap_or(None)
        }
    };
    Ok(decided.unwrap_or(output.exit))
}

/// Standard output as a file of its own, past std's line writer: reports are handed over
/// in pieces of 64 KiB and more, and the line writer searches each for its last newline —
/// the whole piece when there is none (compact JSON), a tenth of `extract`'s work.
#[cfg(unix)]
fn past_line_writer(stdout: &std::io::StdoutLock<'_>) -> Option<std::fs::File> {
    use std::os::fd::AsFd;
    let fd = stdout.as_fd().try_clone_to_owned().ok()?;
    Some(std::fs::File::from(fd))
}

/// Elsewhere std's own writer stays: on Windows it is what turns text into the console's
/// UTF-16.
#[cfg(not(unix))]
fn past_line_writer(_: &std::io::StdoutLock<'_>) -> Option<std::fs::File> {
    None
}
