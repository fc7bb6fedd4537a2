//! The pipeline `check` and `grade` share: read submissions, pick scenarios, grade.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use super::args::ReplayArgs;
use super::inputs::read_submission;
use super::replaying::{replay_submission, ServerChoice};
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

/// Grades submissions, each a group of files graded as one, `jobs` at a time, and replays
/// each against the chosen server. The results come back in the order of `groups` and do
/// not depend on `jobs`: every submission gets its own embedded server.
pub fn grade_groups(
    groups: Vec<Vec<PathBuf>>,
    scenarios: &[Scenario],
    explicit: bool,
    grading: &Grading,
) -> Result<Vec<SubmissionOutcome>, String> {
    let jobs = grading.jobs.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.min(std::thread::available_parallelism().map_or(1, |n| n.get())))
        .enable_all()
        .build()
        .map_err(|e| format!("error: failed to start the replay runtime: {e}\n"))?;
    let scenarios: Arc<Vec<Scenario>> = Arc::new(scenarios.to_vec());
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
    // The container starts once for the whole batch; other servers are per submission.
    let batch_server = runtime.block_on(grading.server.start_batch(&scenarios))?;
    let graded = runtime.block_on(async {
        let tasks: Vec<_> = groups
            .into_iter()
            .map(|group| {
                let (scenarios, permits) = (Arc::clone(&scenarios), Arc::clone(&permits));
                let server = batch_server.clone();
                tokio::spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    let read = Arc::clone(&scenarios);
                    let first = group.first().cloned().unwrap_or_default();
                    let graded =
                        tokio::task::spawn_blocking(move || grade_group(&group, &read, explicit))
                            .await;
                    let mut submission = graded.unwrap_or_else(|_| failed(first));
                    if !matches!(server, ServerChoice::None) {
                        replay_submission(&mut submission, &scenarios, &server).await;
                    }
                    submission
                })
            })
            .collect();
        let mut submissions = Vec::with_capacity(tasks.len());
        for task in tasks {
            submissions.push(task.await.unwrap_or_else(|_| failed(PathBuf::new())));
        }
        Ok(submissions)
    });
    runtime.block_on(batch_server.stop_batch());
    graded
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

/// A submission whose grading broke down (a bug, never input): said, not lost.
fn failed(path: PathBuf) -> SubmissionOutcome {
    SubmissionOutcome {
        id: path.display().to_string(),
        problems: vec![crate::report::Problem {
            file: path.clone(),
            place: None,
            message: "grading this submission failed unexpectedly".into(),
            hint: Some("report this as a mailgrade bug, with the file if you can".into()),
        }],
        files: vec![path],
        ..SubmissionOutcome::default()
    }
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
