//! Grading: aligning a session with a scenario's steps, points, feedback and findings.
//!
//! [`grade`] takes one session and one scenario; [`grade_submission`] takes everything a
//! student handed in and every scenario of the assignment and gives one [`Grade`] per
//! scenario, each with the session that fits it best. Every lost point is explained by a
//! protocol rule ([`rules`]) in English and Chinese and points at its evidence; findings
//! that cost no points come from the checks in `checks/`.

pub mod align;
mod bounded;
pub mod checks;
mod diagnostics;
mod diff;
mod evidence;
mod grader;
mod intern;
mod model;
mod order;
mod parallel;
mod prepared;
pub mod rules;
mod select;
pub mod similarity;
mod tls;

pub use bounded::MAX_FINDINGS_PER_CHECK;
pub use checks::CHECKS;
pub use evidence::skeleton_in;
pub use grader::{grade, grade_replayed, ungradable};
pub use model::{
    Check, CheckKind, DiffLine, DiffTag, Evidence, Finding, FindingSeverity, Grade, SessionRef,
    SharedLine, SharedPath, Status, TaskRef, Verdict,
};
pub use parallel::cores;
pub use select::{best_session, grade_each_session, grade_submission, SessionGrader};
