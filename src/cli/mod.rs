//! The command line: clap commands, exit codes, and the only place that prints.

mod args;
mod check;
mod exit;
mod extract;
mod grade_cmd;
mod grading;
mod inputs;
mod replaying;
mod run;
mod scenario_cmd;
pub mod serve;

pub use exit::ExitCode;
pub use run::main;
