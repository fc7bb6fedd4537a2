//! The pipeline `check` and `grade` share: read submissions, pick scenarios, grade.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::args::ReplayArgs;
use super::inputs::read_submission;
use super::replaying::ServerChoice;
use super::ExitCode;
use crate::grade;
use crate::report::SubmissionOutcome;
use crate::scenario::{self, Scenario};
use crate::session::Protocol;

/// Scenarios by name or path; all the built-ins when none are named. Every error of every
/// file is rendered, not just the first.
pub fn load_scenarios(names: &[String]) -> Result<Vec<Scenario>, String> {
    if names.is_empty() {
        return Ok(scenario::builtins());
    }
    let mut scenarios = Vec::new();
    let mut errors = String::new();
    for name in names {
        match scenario::resolve(name) {
            Ok(scenario) => scenarios.push(scenario),
            Err(error) => errors.push_str(&error.render(crate::diagnostic::Style::Plain)),
        }
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(errors)
    }
}

/// Reads and grades one submission: each session against the scenario that fits it best;
/// with `explicit` scenarios, one the submission has no session for is reported ungradable.
pub fn grade_path(
    path: &std::path::Path,
    scenarios: &[Scenario],
    explicit: bool,
) -> SubmissionOutcome {
    grade_read(read_submission(path), path, scenarios, explicit)
}

/// Grades a submission already read (`path` names it in problems): see [`grade_path`].
pub fn grade_read(
    mut submission: SubmissionOutcome,
    path: &std::path::Path,
    scenarios: &[Scenario],
    explicit: bool,
) -> SubmissionOutcome {
    let graded = grade::grade_each_session(&submission.sessions, scenarios);
    submission.grades = graded.into_iter().flatten().collect();
    if explicit {
        let used: BTreeSet<&str> = submission
            .grades
            .iter()
            .map(|g| g.scenario.as_str())
            .collect();
        let missing: Vec<_> = scenarios
            .iter()
            .filter(|s| !used.contains(s.id.as_str()))
            .collect();
        for scenario in missing {
            let grade = grade::best_session(&submission.sessions, scenario);
            submission.grades.push(grade);
        }
    }
    if submission.grades.is_empty() && !submission.sessions.is_empty() {
        let protocols: BTreeSet<Protocol> =
            submission.sessions.iter().map(|s| s.protocol).collect();
        let names: Vec<_> = protocols.iter().map(|p| p.name().to_uppercase()).collect();
        submission.problems.push(crate::report::Problem {
            file: path.to_path_buf(),
            place: None,
            message: format!(
                "no scenario is about the {} session(s) found",
                names.join(" and ")
            ),
            hint: Some("name a scenario for that protocol with --scenario".into()),
        });
    }
    submission
}

/// How submissions are graded: which server answers, and how many at once.
pub struct Grading {
    pub server: ServerChoice,
    pub jobs: usize,
}

impl Grading {
    pub fn from_args(args: &ReplayArgs) -> Result<Grading, String> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Grading {
            server: ServerChoice::from_args(args)?,
            jobs: args.jobs.map_or(cores, usize::from),
        })
    }
}

/// Several files of one submission, graded together.
pub fn grade_group(paths: &[PathBuf], scenarios: &[Scenario], explicit: bool) -> SubmissionOutcome {
    let mut parts = paths
        .iter()
        .map(|path| grade_path(path, scenarios, explicit));
    let mut submission = parts.next().unwrap_or_default();
    for other in parts {
        submission.merge(other);
    }
    submission
}

/// The exit code of one graded submission.
pub fn exit_code(submission: &SubmissionOutcome) -> ExitCode {
    if submission.grades.is_empty() || submission.ungradable() {
        ExitCode::Unusable
    } else if submission.passed() {
        ExitCode::Passed
    } else {
        ExitCode::Failed
    }
}
