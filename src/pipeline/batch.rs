//! Many submissions graded `jobs` at a time, each through [`grade_submission`], on the
//! server the plan names (a container started once for all of them).

use std::path::PathBuf;
use std::sync::Arc;

use super::error::PipelineError;
use super::lab::TaskStatus;
use super::outcome::{Problem, SubmissionOutcome};
use super::read::Unit;
use super::submission::{grade_submission, Plan, SubmissionGrade};
use crate::i18n::messages::pipeline::{PipelineHint, PipelineProblem};

/// Grades `units`, `jobs` at a time, calling `done` after each one. Results come back in
/// the order of `units` whatever the concurrency; a unit whose grading breaks down is a
/// submission with a problem, never a lost one.
pub fn grade_all(
    units: Vec<Unit>,
    plan: Plan,
    jobs: usize,
    done: impl Fn() + Clone + Send + 'static,
) -> Result<Vec<SubmissionOutcome>, PipelineError> {
    let jobs = jobs.max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.min(std::thread::available_parallelism().map_or(1, |n| n.get())))
        .enable_all()
        .build()
        .map_err(PipelineError::Runtime)?;
    let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
    // The container starts once for the whole batch; other servers are per submission.
    let server = runtime.block_on(plan.server.start_batch(&plan.scenarios))?;
    let plan = Arc::new(Plan { server, ..plan });
    let graded = runtime.block_on(async {
        let tasks: Vec<_> = units
            .into_iter()
            .map(|unit| {
                let id = unit.id();
                let (plan, permits, done) = (Arc::clone(&plan), Arc::clone(&permits), done.clone());
                let task = tokio::spawn(async move {
                    let _permit = permits.acquire_owned().await;
                    let fallback = unit.id();
                    let submission = grade_submission(unit, &plan)
                        .await
                        .unwrap_or_else(|| broken(fallback, &plan));
                    done();
                    submission
                });
                (id, task)
            })
            .collect();
        let mut submissions = Vec::with_capacity(tasks.len());
        for (id, task) in tasks {
            submissions.push(task.await.unwrap_or_else(|_| broken(id, &plan)));
        }
        submissions
    });
    runtime.block_on(plan.server.stop_batch());
    Ok(graded)
}

/// A submission whose grading broke down (a bug, never input): said, not lost. It has no
/// grades, so it is ungradable; with a lab, out of the lab's total like every other
/// submission, each task ungradable (there was evidence; it could not be graded).
pub(crate) fn broken(id: String, plan: &Plan) -> SubmissionOutcome {
    let mut grade = SubmissionGrade::for_plan(&[], plan, false);
    for task in &mut grade.tasks {
        task.status = TaskStatus::Ungradable;
    }
    SubmissionOutcome {
        problems: vec![Problem::new(
            PathBuf::from(&id),
            PipelineProblem::GradingBroke.text(),
            Some(PipelineHint::ReportBug.text()),
        )],
        id,
        grade,
        ..SubmissionOutcome::default()
    }
}
