//! What stops a whole run before any submission is graded. One submission's bad input is
//! never one of these: it is a problem on that submission, and the rest are still graded.

use std::path::PathBuf;

use crate::ingest::IngestError;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A class (an LMS zip or folder) that cannot be read at all.
    #[error("{0}")]
    Class(#[source] Box<IngestError>),
    #[error("{}: no submissions found in this class", .0.display())]
    EmptyClass(PathBuf),
    /// The container a batch shares did not start.
    #[error("--server container: {0}")]
    Container(String),
    #[error("failed to start the grading runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

impl PipelineError {
    /// What to do about it, when there is something to say.
    pub fn help(&self) -> Option<String> {
        match self {
            PipelineError::Class(_) | PipelineError::Runtime(_) => None,
            PipelineError::EmptyClass(_) => Some(
                "pass the LMS's \"download all submissions\" zip, or a folder with one folder \
                 per student"
                    .into(),
            ),
            #[cfg(feature = "native")]
            PipelineError::Container(_) => Some(format!(
                "the container needs Docker and the image, built once with `sudo {}` (see \
                 docs/container.md); --server embedded needs neither",
                crate::server::container::BUILD_COMMAND
            )),
            #[cfg(not(feature = "native"))]
            PipelineError::Container(_) => None,
        }
    }
}
