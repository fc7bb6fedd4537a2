//! The command line: clap commands, printing, and exit codes; the only place that prints.
//! What a command grades and how is the library's ([`crate::pipeline`]); a command here
//! parses its arguments, hands them to the pipeline, prints what comes back, and maps
//! the result or its one error type (`error::CliError`) to an exit code ([`ExitCode`]).

mod args;
mod batch;
mod check;
mod error;
mod exit;
mod extract;
mod grade_cmd;
mod merge;
mod notify;
mod plan;
mod run;
mod scenario_cmd;
pub mod serve;
mod similarity_report;

pub use exit::ExitCode;
pub use run::main;
