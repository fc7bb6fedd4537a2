//! The command line: clap commands, exit codes, and the only place that prints.

mod args;
mod batch;
mod check;
mod classes;
mod content_budget;
mod exit;
mod extract;
mod file_notes;
mod grade_cmd;
mod grading;
mod inputs;
mod merge;
mod notify;
mod replaying;
mod run;
mod scenario_cmd;
pub mod serve;
mod similarity_report;

pub use exit::ExitCode;
pub use run::main;
