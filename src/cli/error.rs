//! Every way a command can fail before it has a result to print, and how each is shown. A
//! usage error or an unusable scenario or lab of a grading run exits with [`ExitCode::Usage`],
//! every other one with [`ExitCode::Unusable`]; see [`super::exit`] for the table.

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
    /// place, carets and hint (a file a command reads as its input, `scenario show`).
    #[error("{0}")]
    Scenarios(String),
    /// The scenarios or the lab a grading run names (`--scenario`, `--lab`), unknown or with
    /// errors, rendered like [`CliError::Scenarios`]: nothing was graded.
    #[error("{0}")]
    Plan(String),
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
    /// A `--moodle-worksheet` that cannot be filled, already rendered in `--lang` with its
    /// hint: nothing was graded.
    #[error("{0}")]
    Worksheet(String),
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
        match self {
            CliError::Usage { .. } | CliError::Plan(_) => ExitCode::Usage,
            _ => ExitCode::Unusable,
        }
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
            CliError::Scenarios(rendered)
            | CliError::Plan(rendered)
            | CliError::NotSent(rendered)
            | CliError::Worksheet(rendered) => {
                // Diagnostics end with their summary line, which has no line end of its own.
                let mut text = rendered.clone();
                if !text.ends_with('\n') {
                    text.push('\n');
                }
                text
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::Verdict;

    #[test]
    fn errors_render_as_before_and_exit_with_their_code() {
        let cases: Vec<(CliError, &str, ExitCode)> = vec![
            (
                CliError::usage("--send needs --from ADDRESS", None),
                "error: --send needs --from ADDRESS\n",
                ExitCode::Usage,
            ),
            (
                CliError::NotAResult {
                    path: "a.json".into(),
                    schema: "null".into(),
                },
                "error: a.json: not a mailgrade/v1 result (schema is null)\n  help: pass files \
                 written by `mailgrade grade --format json`\n",
                ExitCode::Unusable,
            ),
            (
                PipelineError::EmptyClass("class".into()).into(),
                "error: class: no submissions found in this class\n  help: pass the LMS's \
                 \"download all submissions\" zip, or a folder with one folder per student\n",
                ExitCode::Unusable,
            ),
            (
                CliError::Scenarios("error: bad.yaml:1:1 …\n".into()),
                "error: bad.yaml:1:1 …\n",
                ExitCode::Unusable,
            ),
            (
                CliError::Plan("error: bad.yaml:1:1 …\n".into()),
                "error: bad.yaml:1:1 …\n",
                ExitCode::Usage,
            ),
        ];
        for (error, text, code) in cases {
            assert_eq!(error.render(), text);
            assert_eq!(error.exit_code(), code);
        }
    }

    #[test]
    fn verdicts_are_the_documented_codes() {
        assert_eq!(ExitCode::from(Verdict::Passed) as i32, 0);
        assert_eq!(ExitCode::from(Verdict::Failed) as i32, 1);
        assert_eq!(ExitCode::from(Verdict::Ungradable) as i32, 2);
        assert_eq!(ExitCode::Usage as i32, 64);
        assert_eq!(ExitCode::Unusable.worst(ExitCode::Usage), ExitCode::Usage);
    }
}
