//! Grading many submissions: one unit per student, `--jobs` at a time, a progress bar on
//! stderr, the results sorted and summed up in one line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::grading::{grade_group, grade_read, Grading};
use super::inputs::read_student;
use super::replaying::{replay_submission, ServerChoice};
use crate::report::{summary, Problem, SubmissionOutcome};
use crate::scenario::Scenario;

/// How a batch is read, split and checked.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Class")]
pub struct BatchArgs {
    /// Read each folder as a whole class: one submission per student folder or LMS-named
    /// file. Without it a `.zip`, or a folder of Moodle/Canvas-named entries, is a class too.
    #[arg(long)]
    pub class: bool,
    /// CSV with `id,name,email[,lms_id]`: maps LMS participants / folders to student ids;
    /// students with nothing handed in get an empty submission.
    #[arg(long, value_name = "CSV")]
    pub roster: Option<PathBuf>,
    /// Grade only shard K of N (1-based), chosen by a stable hash of the student id, for CI
    /// matrices; join the JSON results with `mailgrade merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// A previous `--format json` result: every student whose score dropped is listed on
    /// stderr (a regrade check).
    #[arg(long, value_name = "JSON")]
    pub compare: Option<PathBuf>,
    /// Write the similarity report (shared captures, queue ids, Message-IDs, identical
    /// transcripts) here: JSON when the name ends in `.json`, else text.
    #[arg(long, value_name = "FILE")]
    pub similarity: Option<PathBuf>,
}

/// Shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| "expected K/N, e.g. 2/4".to_string())?;
    let index: u32 = k
        .trim()
        .parse()
        .map_err(|_| format!("`{k}` is not a number"))?;
    let count: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a number"))?;
    if count == 0 || index == 0 || index > count {
        return Err(format!("shard {index}/{count}: K must be between 1 and N"));
    }
    Ok(Shard { index, count })
}

impl Shard {
    /// Whether a student id falls in this shard: the first 8 bytes of its SHA-256 modulo N,
    /// so a student stays in the same shard whoever else is in the class.
    pub fn holds(&self, id: &str) -> bool {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(id.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// What one submission is made of before it is read.
pub enum Unit {
    /// Paths on the command line graded as one (a file, or a directory of one student).
    Paths(Vec<PathBuf>),
    /// A student of a class, files in memory.
    Student {
        id: String,
        /// The class it came from, named in problems.
        class: PathBuf,
        files: Vec<(PathBuf, Vec<u8>)>,
        problems: Vec<Problem>,
    },
}

impl Unit {
    pub fn id(&self) -> String {
        match self {
            Unit::Paths(paths) => paths
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            Unit::Student { id, .. } => id.clone(),
        }
    }

    fn grade(self, scenarios: &[Scenario], explicit: bool) -> SubmissionOutcome {
        match self {
            Unit::Paths(paths) => grade_group(&paths, scenarios, explicit),
            Unit::Student {
                id,
                class,
                files,
                problems,
            } => grade_read(
                read_student(id, files, problems),
                &class,
                scenarios,
                explicit,
            ),
        }
    }
}

/// A bar on stderr, drawn only when stderr is a terminal.
pub fn progress(total: usize) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(total as u64), target);
    bar.set_style(
        ProgressStyle::with_template("{spinner} grading {pos}/{len} [{bar:30}] {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Grades units `jobs` at a time and replays each on the chosen server. Results come back
/// in the order of `units` whatever the concurrency; a unit whose grading breaks down is a
/// submission with a problem, never a lost one.
pub fn grade_units(
    units: Vec<Unit>,
    scenarios: &[Scenario],
    explicit: bool,
    grading: &Grading,
    bar: &ProgressBar,
) -> Result<Vec<SubmissionOutcome>, String> {
    let jobs = grading.jobs.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.min(std::thread::available_parallelism().map_or(1, |n| n.get())))
        .enable_all()
        .build()
        .map_err(|e| format!("error: failed to start the grading runtime: {e}\n"))?;
    let scenarios: Arc<Vec<Scenario>> = Arc::new(scenarios.to_vec());
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
    // The container starts once for the whole batch; other servers are per submission.
    let batch_server = runtime.block_on(grading.server.start_batch(&scenarios))?;
    let graded = runtime.block_on(async {
        let tasks: Vec<_> = units
            .into_iter()
            .map(|unit| {
                let id = unit.id();
                let (scenarios, permits) = (Arc::clone(&scenarios), Arc::clone(&permits));
                let server = batch_server.clone();
                let bar = bar.clone();
                let task = tokio::spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    let read = Arc::clone(&scenarios);
                    let fallback = unit.id();
                    let graded =
                        tokio::task::spawn_blocking(move || unit.grade(&read, explicit)).await;
                    let mut submission = graded.unwrap_or_else(|_| failed(fallback));
                    if !matches!(server, ServerChoice::None) {
                        replay_submission(&mut submission, &scenarios, &server).await;
                    }
                    super::file_notes::attach(&mut submission);
                    bar.inc(1);
                    submission
                });
                (id, task)
            })
            .collect();
        let mut submissions = Vec::with_capacity(tasks.len());
        for (id, task) in tasks {
            submissions.push(task.await.unwrap_or_else(|_| failed(id)));
        }
        bar.finish_and_clear();
        Ok(submissions)
    });
    runtime.block_on(batch_server.stop_batch());
    graded
}

/// A submission whose grading broke down (a bug, never input): said, not lost.
fn failed(id: String) -> SubmissionOutcome {
    SubmissionOutcome {
        problems: vec![Problem {
            file: PathBuf::from(&id),
            place: None,
            message: "grading this submission failed unexpectedly".into(),
            hint: Some("report this as a mailgrade bug, with the file if you can".into()),
        }],
        id,
        ..SubmissionOutcome::default()
    }
}

/// `graded 312 submissions: 280 passed, 25 below the pass mark, 7 ungradable in 4.2 s`
pub fn summary_line(submissions: &[SubmissionOutcome], elapsed: Duration) -> String {
    let (mut passed, mut failed, mut ungradable) = (0, 0, 0);
    for submission in submissions {
        let totals = summary::totals(submission);
        if !totals.gradable || submission.grades.is_empty() {
            ungradable += 1;
        } else if submission.passed() {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    let noun = if submissions.len() == 1 {
        "submission"
    } else {
        "submissions"
    };
    format!(
        "graded {} {noun}: {passed} passed, {failed} below the pass mark, {ungradable} \
         ungradable in {:.1} s",
        submissions.len(),
        elapsed.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards() {
        assert_eq!(parse_shard("2/4"), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x/2", "3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
        let ids: Vec<String> = (0..200).map(|i| format!("s{i}")).collect();
        let shards: Vec<Shard> = (1..=3).map(|index| Shard { index, count: 3 }).collect();
        for id in &ids {
            assert_eq!(shards.iter().filter(|s| s.holds(id)).count(), 1, "{id}");
        }
        assert!(shards
            .iter()
            .all(|s| ids.iter().filter(|id| s.holds(id)).count() > 30));
    }
}
