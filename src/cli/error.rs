//! Every way a command can fail before it has a result to print, and how each is shown. All
//! of them exit with [`ExitCode::Unusable`]; see [`super::exit`] for the table.

use std::path::PathBuf;

use super::ExitCode;
use crate::ingest::archive::RosterError;
use crate::pipeline::PipelineError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The whole run could not start (a class unread, the container down).
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Scenario files with errors: every error of every file, already rendered with its
    /// place, carets and hint.
    #[error("{0}")]
    Scenarios(String),
    /// Options that do not go together, or a value that cannot be used.
    #[error("{message}")]
    Usage {
        message: String,
        help: Option<String>,
    },
    #[error("failed to read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("failed to write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}, line {}: not JSON: {source}", .path.display(), .source.line())]
    NotJson {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: not a mailgrade/v1 result (schema is {schema})", .path.display())]
    NotAResult { path: PathBuf, schema: String },
    #[error("{}: {what}", .path.display())]
    BadResult { path: PathBuf, what: String },
    #[error("submission `{id}` is in both {} and {}", .first.display(), .second.display())]
    InTwoShards {
        id: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("{0}")]
    Roster(#[from] RosterError),
    #[error("failed to start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// `notify --send`: the letters that could not be sent, one `error:` line each.
    #[error("{0}")]
    NotSent(String),
}

impl CliError {
    /// A usage error with a hint.
    pub fn usage(message: impl Into<String>, help: Option<&str>) -> CliError {
        CliError::Usage {
            message: message.into(),
            help: help.map(str::to_string),
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::Unusable
    }

    fn help(&self) -> Option<String> {
        match self {
            CliError::Pipeline(error) => error.help(),
            CliError::Usage { help, .. } => help.clone(),
            CliError::NotAResult { .. } => {
                Some("pass files written by `mailgrade grade --format json`".into())
            }
            CliError::InTwoShards { .. } => {
                Some("merge the results of disjoint shards (`--shard K/N` with the same N)".into())
            }
            _ => None,
        }
    }

    /// The text for stderr: `error: …` and a `help:` line, or the rendered diagnostics and
    /// letters as they are.
    pub fn render(&self) -> String {
        match self {
            CliError::Scenarios(rendered) | CliError::NotSent(rendered) => rendered.clone(),
            _ => {
                let mut text = format!("error: {self}\n");
                if let Some(help) = self.help() {
                    text.push_str(&format!("  help: {help}\n"));
                }
                text
            }
        }
    }
}
