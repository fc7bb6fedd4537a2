//! Renderers: pure functions from sessions and grades to text, JSON and the formats courses use.
//!
//! Every renderer takes the same [`Outcome`] that the pipeline made (or one of its
//! submissions, for the formats an LMS runs once per submission) and returns a `String`;
//! none of them reads files, grades or prints. Whether a submission passed and which of its
//! grades count is read from its [`SubmissionGrade`], never decided here.
//! `docs/formats.md` describes each format.

pub mod autolab;
pub mod canvas_csv;
mod csv_text;
pub mod escape;
pub mod github;
pub mod github_classroom;
pub mod gradescope;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod moodle_csv;
pub mod moodle_worksheet;
pub mod prairielearn;
pub mod sessions_text;
pub mod summary;
pub mod text;
pub mod transcript;

pub use crate::pipeline::{
    InputHash, Outcome, Problem, SubmissionGrade, SubmissionOutcome, SubmissionStream,
};
pub use summary::location;
