//! The command line: clap commands, exit codes, and the only place that prints.

mod args;
mod exit;
mod extract;
mod inputs;
mod run;

pub use exit::ExitCode;
pub use run::main;
