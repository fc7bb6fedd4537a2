//! The documented exit codes (README "Exit codes"), the one place they are decided:
//!
//! | code | when |
//! |---|---|
//! | 0 | every submission was graded and passed, or the command succeeded |
//! | 1 | everything could be graded, and some submission is below its pass mark |
//! | 2 | an input or scenario could not be used (any [`CliError`](super::error::CliError), an ungradable submission), or the command line was wrong |
//!
//! A graded run's code is the worst of its submissions' [`Verdict`]s, read from each one's
//! `SubmissionGrade`.

use crate::grade::Verdict;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitCode {
    /// Everything was graded and passed (or the command succeeded).
    Passed = 0,
    /// Everything could be graded, and something is below its pass mark.
    Failed = 1,
    /// An input or scenario could not be used; the message says what and where.
    Unusable = 2,
}

impl ExitCode {
    /// The worse of two outcomes: unusable beats failed beats passed.
    pub fn worst(self, other: ExitCode) -> ExitCode {
        self.max(other)
    }
}

impl From<Verdict> for ExitCode {
    /// A submission's verdict as the code it exits with.
    fn from(verdict: Verdict) -> ExitCode {
        match verdict {
            Verdict::Passed => ExitCode::Passed,
            Verdict::Failed => ExitCode::Failed,
            Verdict::Ungradable => ExitCode::Unusable,
        }
    }
}
