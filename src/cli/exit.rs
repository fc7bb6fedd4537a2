/// The documented exit codes (README "Exit codes").
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
