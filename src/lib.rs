//! mailgrade grades SMTP and POP3 networking labs from the transcripts and captures students
//! hand in.
//!
//! # Layout
//!
//! Data flows one way, top to bottom; a module uses only those above it.
//!
//! - [`i18n`]: every text for people, in English and Simplified Chinese, in one catalogue;
//!   [`Lang`](i18n::Lang) and the bilingual [`Text`](i18n::Text). Uses nothing else here.
//! - [`session`]: the model every stage shares (sessions, exchanges, commands, replies,
//!   origins, secrets).
//! - [`protocol`]: sans-IO SMTP and POP3 grammar, reply parsing and state machines.
//! - [`ingest`]: files → sessions (text dialects, encodings, captures, archives).
//! - [`scenario`]: the YAML scenarios that say what a dialogue should be.
//! - [`grade`]: a session against a scenario → a grade with feedback.
//! - [`server`] and [`replay`]: a mail server to re-send the client side to.
//! - [`pipeline`]: the steps above for each submission, in order, ending in its one
//!   [`SubmissionGrade`](pipeline::SubmissionGrade). **How a submission's final grade is made
//!   is in one file: [`pipeline::submission`].**
//! - [`report`]: the pipeline's [`Outcome`](pipeline::Outcome) → text, JSON and the formats
//!   courses use.
//! - [`diagnostic`]: the one renderer for every error that points into a file.
//! - [`cli`]: the `mailgrade` command.
//! - [`web`]: the self-check page's entry points (a file graded on its claimed replies).
//!
//! # Features
//!
//! `native` (on by default) brings what needs an operating system: [`cli`], [`server`],
//! [`replay`], the batch runner and the replaying half of [`pipeline`], mapped capture
//! files. Without it the library builds for `wasm32-unknown-unknown`: reading, grading on
//! the claimed replies and every report, as the self-check page in `web/` uses them.

#[cfg(feature = "native")]
pub mod cli;
pub mod diagnostic;
pub mod grade;
pub mod i18n;
pub mod ingest;
pub mod pipeline;
pub mod protocol;
#[cfg(feature = "native")]
pub mod replay;
pub mod report;
pub mod scenario;
#[cfg(feature = "native")]
pub mod server;
pub mod session;
pub mod web;
