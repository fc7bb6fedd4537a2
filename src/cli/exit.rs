//! The documented exit codes (README "Exit codes"), the one place they are decided:
//!
//! | code | when |
//! |---|---|
//! | 0 | every submission was graded and passed, or the command succeeded |
//! | 1 | everything could be graded, and some submission is below its pass mark |
//! | 2 | an input could not be used: a submission is ungradable (the others were still graded and the report written), or a file the command reads (a class zip, a roster, a result to merge, the scenario `scenario validate` checks) is unreadable; also a grading server that does not start |
//! | 64 | the run was asked for wrongly and nothing was graded: the command line (clap's errors, options that do not go together, a per-submission format given a class), or the `--scenario` / `--lab` a grading run names is unknown or does not load |
//!
//! 64 is `EX_USAGE` of BSD's `sysexits.h`, what a shell script already reads as "fix the
//! command". It is kept apart from 2 so a CI step can tell "some students' files were bad,
//! the grades of the rest are written" from "nothing ran". A graded run's code is the worst of
//! its submissions' [`Verdict`]s, read from each one's `SubmissionGrade`.

use crate::grade::Verdict;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitCode {
    /// Everything was graded and passed (or the command succeeded).
    Passed = 0,
    /// Everything could be graded, and something is below its pass mark.
    Failed = 1,
    /// An input or scenario could not be used; the message says what and where.
    Unusable = 2,
    /// The command line, or the scenario or lab it names, cannot be used; nothing was graded.
    Usage = 64,
}

impl ExitCode {
    /// The worse of two outcomes: usage beats unusable beats failed beats passed.
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
