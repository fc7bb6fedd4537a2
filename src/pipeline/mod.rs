//! The library's orchestration layer: what a submission goes through, from its files to its
//! one [`SubmissionGrade`].
//!
//! Start with [`submission`]: every step of grading one submission, in order, and the rule
//! that makes its final grade. The other modules are those steps and what a whole run
//! needs around them: [`read`] (files → sessions), [`replay`] and [`replay_findings`]
//! (re-sending the client side and saying what that changed), [`file_notes`], [`server`]
//! (which server answers), `stream` (a submission's sessions handed on as they are read),
//! [`classes`] (an LMS class → one unit per student) and
//! [`batch`] (many submissions at once). The result, an [`Outcome`], is what every
//! renderer in `report` reads.
//!
//! Uses `ingest`, `grade`, `scenario`, `replay` and `server`; never `report`, and never
//! prints. Without the `native` feature (the wasm32 build) replay, the servers and the
//! batch runner are left out: submissions are graded on the replies they claim.

#[cfg(feature = "native")]
pub mod batch;
pub mod classes;
mod content_budget;
#[cfg(feature = "native")]
mod core_split;
#[cfg(feature = "native")]
mod drop_behind;
mod error;
pub mod file_notes;
pub mod lab;
mod outcome;
pub mod read;
#[cfg(feature = "native")]
pub mod replay;
#[cfg(feature = "native")]
pub mod replay_findings;
pub mod server;
#[cfg(feature = "native")]
pub mod stream;
pub mod submission;

pub use error::PipelineError;
pub use lab::{TaskGrade, TaskStatus};
pub use outcome::{InputHash, Outcome, Problem, Student, SubmissionOutcome, SubmissionStream};
pub use read::Unit;
pub use server::ServerChoice;
pub use submission::{Basis, BasisKind, GradeFacts, Plan, ScenarioGrade, SubmissionGrade};
