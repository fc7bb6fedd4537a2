//! Renderers: pure functions from sessions and grades to text, JSON and the formats courses use.
//!
//! Every renderer takes the same [`Outcome`](model::Outcome) and returns a `String`;
//! none of them reads files, grades or prints.

pub mod json;
mod model;
pub mod sessions_text;
pub mod text;
pub mod transcript;

pub use model::{Outcome, Problem, SubmissionOutcome};
