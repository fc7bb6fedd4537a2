use std::path::PathBuf;

use serde::Serialize;

use crate::session::Session;

/// Everything one run found and decided: the input of every renderer.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Which server's replies the grades rest on: `none` (claimed replies), `embedded`, …
    pub server: String,
    pub submissions: Vec<SubmissionOutcome>,
}

/// One student's files, what was read from them and how it was graded.
#[derive(Debug, Default)]
pub struct SubmissionOutcome {
    /// The student id, or the path when there is none.
    pub id: String,
    pub files: Vec<PathBuf>,
    pub sessions: Vec<Session>,
    pub problems: Vec<Problem>,
}

/// A file, or a place in it, that could not be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}
