//! How a submission's final grade is made: the one place to read it, top to bottom.
//!
//! A submission (a file, a student's folder, or a student of a class) goes through these
//! steps in [`grade_submission`], each done once:
//!
//! 1. **Read** ([`super::read`]): every file into sessions; files that cannot be used become
//!    problems; what a reader noted about a whole file is kept for step 5; message bodies
//!    past the submission's budget keep only their size.
//! 2. **Grade on the claimed replies** ([`grade_sessions`]): each session against the
//!    scenario that fits it best; a scenario named with `--scenario` that no session fits is
//!    an ungradable grade that says why.
//! 3. **Replay** ([`super::replay`]): the graded sessions, in order, re-sent to one server
//!    (a fresh embedded one by default), the student's credentials swapped for the test
//!    account's.
//! 4. **Re-grade** on the replies that server gave; the claimed replies are kept for the
//!    integrity check, and what replay did differently becomes findings. A replay that fails
//!    keeps the claimed grade and says why.
//! 5. **File notes** ([`super::file_notes`]) become findings on a grade of a session from
//!    that file.
//! 6. **Decide** ([`SubmissionGrade::decide`]), the rule:
//!    - per scenario, the grade that counts is a passing one if any session passed it, else
//!      the highest score (the first on a tie); a scenario no session fits counts only when
//!      nothing else does;
//!    - the submission's score and maximum are the sums over the counted grades;
//!    - it is **passed** when every scenario's counted grade passed (a failed first try
//!      followed by a correct session passes), **ungradable** when no counted grade could be
//!      graded (no score, not a zero), and **below the pass mark** otherwise.
//!
//! Every renderer, `merge` (which rebuilds the [`GradeFacts`] from a JSON result and calls
//! the same rule) and the exit code read the [`SubmissionGrade`]; none decides again.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::file_notes;
use super::lab::{self, TaskGrade};
use super::outcome::{Problem, SubmissionOutcome};
use super::read::{read_student, read_submission, Unit};
#[cfg(feature = "native")]
use super::replay;
use super::server::ServerChoice;
use crate::grade::{self, Grade, TaskRef, Verdict};
use crate::i18n::messages::pipeline::{PipelineHint, PipelineProblem};
use crate::i18n::messages::report::ReportMessage;
use crate::i18n::{List, Separator, Text};
use crate::scenario::lab::{Lab, LabRule, LatePolicy};
use crate::scenario::Scenario;
use crate::session::Protocol;

/// What every submission of a run is graded with.
#[derive(Clone, Debug)]
pub struct Plan {
    pub scenarios: Vec<Scenario>,
    /// Scenarios were named (`--scenario`): each one is graded, fitted by a session or not.
    pub explicit: bool,
    /// Where the graded replies come from.
    pub server: ServerChoice,
    /// The lab (`--lab`): each session is evidence for one of its tasks, and every
    /// submission is out of its total. `scenarios` are then the lab's.
    pub lab: Option<std::sync::Arc<Lab>>,
}

/// Grades one submission through every step above. The reading and grading run on a
/// blocking thread; `None` when that thread broke down (a bug, never input).
#[cfg(feature = "native")]
pub async fn grade_submission(
    unit: Unit,
    plan: &std::sync::Arc<Plan>,
) -> Option<SubmissionOutcome> {
    // 1–2. Read and grade on the claimed replies: CPU-bound, off the async workers.
    let claimed_plan = std::sync::Arc::clone(plan);
    let mut submission = tokio::task::spawn_blocking(move || read_and_grade(unit, &claimed_plan))
        .await
        .ok()?;
    // 3–4. Replay and re-grade on the server's replies.
    if !matches!(plan.server, ServerChoice::None) {
        replay::replay_submission(&mut submission, &plan.scenarios, &plan.server).await;
    }
    finish(&mut submission, plan);
    Some(submission)
}

/// Every step but replay: the submission graded on the replies it claims, as
/// `--server none` grades it. The only grading a browser can do (the wasm32 build has no
/// sockets), so the self-check page gives what `mailgrade check --server none` gives.
pub fn grade_claimed(unit: Unit, plan: &Plan) -> SubmissionOutcome {
    let mut submission = read_and_grade(unit, plan);
    finish(&mut submission, plan);
    submission
}

/// Steps 5 and 6, after the grades are final.
fn finish(submission: &mut SubmissionOutcome, plan: &Plan) {
    // 5. What reading noted about whole files, after replay (which replaces grades).
    file_notes::attach(submission);
    // 6. The submission's grade, once.
    let late = submission.student.as_ref().is_some_and(|s| s.late);
    submission.grade = SubmissionGrade::for_plan(&submission.grades, plan, late);
}

/// Steps 1 and 2: the unit's files read and each graded on the replies they claim. Paths
/// named together are read and graded one by one, then joined.
pub fn read_and_grade(unit: Unit, plan: &Plan) -> SubmissionOutcome {
    match unit {
        Unit::Paths(paths) => {
            let mut parts = paths
                .iter()
                .map(|path| grade_sessions(read_submission(path), path, plan));
            let mut submission = parts.next().unwrap_or_default();
            for other in parts {
                submission.merge(other);
            }
            submission
        }
        Unit::Known { path, who } => {
            let mut submission = read_submission(&path);
            submission.student = Some(who);
            grade_sessions(submission, &path, plan)
        }
        Unit::Student {
            id,
            class,
            files,
            problems,
            who,
        } => grade_sessions(read_student(id, files, problems, who), &class, plan),
    }
}

/// Step 2: each session against the scenario that fits it best; with scenarios named, one
/// the submission has no session for is reported ungradable. `place` names the submission
/// in a problem when no scenario is about any of its sessions.
pub fn grade_sessions(
    mut submission: SubmissionOutcome,
    place: &Path,
    plan: &Plan,
) -> SubmissionOutcome {
    let scenarios = &plan.scenarios;
    let graded = match &plan.lab {
        Some(lab) => {
            let offers = lab::offers(&submission.sessions, &submission.outlines, lab);
            lab::assign(&submission.sessions, lab, &offers)
        }
        None => grade::grade_each_session(&submission.sessions, scenarios),
    };
    submission.grades = graded.into_iter().flatten().collect();
    if plan.explicit {
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
        submission
            .problems
            .push(no_scenario_fits(place, &protocols));
    }
    submission
}

/// The problem of a submission with sessions but no grade: no scenario is about them.
pub(super) fn no_scenario_fits(place: &Path, protocols: &BTreeSet<Protocol>) -> Problem {
    let names: Vec<_> = protocols.iter().map(|p| p.name().to_uppercase()).collect();
    Problem::new(
        place,
        PipelineProblem::NoScenarioFor {
            protocols: List::new(names, Separator::Comma).and_last(Separator::And),
        }
        .text(),
        Some(PipelineHint::NameScenario.text()),
    )
}

/// What the submission's grade is decided on, per grade: the fields a JSON result keeps
/// for each of its grades too, so `merge` decides exactly as a run does.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct GradeFacts {
    pub scenario: String,
    pub score: u32,
    pub max_score: u32,
    pub verdict: Verdict,
    /// The lab task the grade is evidence for, when graded with a lab.
    #[serde(default)]
    pub task: Option<TaskRef>,
}

impl From<&Grade> for GradeFacts {
    fn from(grade: &Grade) -> Self {
        GradeFacts {
            scenario: grade.scenario.clone(),
            score: grade.score,
            max_score: grade.max_score,
            verdict: grade.verdict,
            task: grade.task.clone(),
        }
    }
}

/// The grade that counts for one scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScenarioGrade {
    pub scenario: String,
    /// Its place in the submission's grades.
    pub counted: usize,
    pub score: u32,
    pub max_score: u32,
    pub verdict: Verdict,
}

/// A submission's grade: decided once, read by every report, `merge` and the exit code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubmissionGrade {
    /// One per scenario graded, in the order the scenarios first appear in the grades.
    pub scenarios: Vec<ScenarioGrade>,
    pub score: u32,
    pub max_score: u32,
    /// Passed, below the pass mark (`Failed`), or ungradable: nothing could be graded.
    pub verdict: Verdict,
    /// With a lab, every task in the lab's order, missing ones too; empty without.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<TaskGrade>,
    /// Which total `max_score` is and why.
    pub basis: Basis,
    /// What the lab's late policy took off a submission the LMS marked late (`score` is
    /// after it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late: Option<LateDeduction>,
}

/// Points a late submission lost by the lab's late policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LateDeduction {
    /// The score before the deduction.
    pub before: u32,
    /// Points taken off (`before - score`).
    pub points: u32,
    /// The deduction for people, in both languages.
    pub reason: Text,
}

/// Which total a submission is graded out of, and why: the lab's, the named scenarios', or
/// (with neither named) the scenarios its own sessions happened to fit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Basis {
    pub kind: BasisKind,
    pub total: u32,
    /// The lab's id (kind `lab`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lab: Option<String>,
    /// The lab's pass mark (kind `lab`), so that `merge` can decide again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_mark: Option<u32>,
    /// The reason, for people.
    pub reason: Text,
    /// The lab's late policy (kind `lab`), so that `merge` can decide again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late: Option<LatePolicy>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BasisKind {
    /// `--lab`: the lab's total, the same for every submission.
    Lab,
    /// `--scenario`: the named scenarios' points added up, the same for every submission.
    Scenarios,
    /// Neither: the scenarios the submission's sessions fit, added up; differs per student.
    Matched,
}

impl Basis {
    pub fn lab(rule: &LabRule) -> Basis {
        Basis {
            kind: BasisKind::Lab,
            total: rule.total,
            lab: Some(rule.id.clone()),
            pass_mark: Some(rule.pass_mark),
            late: rule.late,
            reason: ReportMessage::BasisLab {
                total: rule.total,
                lab: rule.id.clone(),
            }
            .text(),
        }
    }

    pub fn scenarios(kind: BasisKind, total: u32) -> Basis {
        let reason = match kind {
            BasisKind::Scenarios => ReportMessage::BasisNamed { total },
            _ => ReportMessage::BasisMatched { total },
        };
        Basis {
            kind,
            total,
            lab: None,
            pass_mark: None,
            reason: reason.text(),
            late: None,
        }
    }
}

impl Default for SubmissionGrade {
    /// The grade of a submission with no grades: ungradable.
    fn default() -> Self {
        SubmissionGrade::decide(std::iter::empty())
    }
}

impl SubmissionGrade {
    /// [`SubmissionGrade::decide`] over a submission's grades.
    pub fn of(grades: &[Grade]) -> SubmissionGrade {
        SubmissionGrade::decide(grades.iter().map(GradeFacts::from))
    }

    /// The grade as `plan` decides it: by the lab's rule with a lab (its late policy if the
    /// LMS marked the submission `late`), else by [`SubmissionGrade::decide`], out of the
    /// named scenarios when they were named.
    pub fn for_plan(grades: &[Grade], plan: &Plan, late: bool) -> SubmissionGrade {
        SubmissionGrade::for_plan_facts(grades.iter().map(GradeFacts::from), plan, late)
    }

    /// [`SubmissionGrade::for_plan`] from what each grade is decided on.
    pub fn for_plan_facts(
        facts: impl IntoIterator<Item = GradeFacts>,
        plan: &Plan,
        late: bool,
    ) -> SubmissionGrade {
        match &plan.lab {
            Some(lab) => SubmissionGrade::decide_lab(&lab.rule(), facts, late),
            None if plan.explicit => SubmissionGrade::decide(facts).named(),
            None => SubmissionGrade::decide(facts),
        }
    }

    /// The same grade, its total being that of scenarios named with `--scenario`.
    pub fn named(self) -> SubmissionGrade {
        SubmissionGrade {
            basis: Basis::scenarios(BasisKind::Scenarios, self.max_score),
            ..self
        }
    }

    /// The rule (see the module doc): per scenario the grade that counts, then the sums and
    /// the verdict.
    pub fn decide(grades: impl IntoIterator<Item = GradeFacts>) -> SubmissionGrade {
        let mut deciding = Deciding::default();
        for grade in grades {
            deciding.add(
                Cow::Owned(grade.scenario),
                grade.score,
                grade.max_score,
                grade.verdict,
            );
        }
        deciding.decide()
    }

    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Passed
    }

    /// Whether anything could be graded: otherwise there is no score, not a zero.
    pub fn gradable(&self) -> bool {
        self.verdict != Verdict::Ungradable
    }

    /// The grades that count, one per scenario, from the submission's `grades`.
    pub fn counted<'a>(&'a self, grades: &'a [Grade]) -> impl Iterator<Item = &'a Grade> + 'a {
        self.scenarios.iter().filter_map(|s| grades.get(s.counted))
    }
}

/// [`SubmissionGrade::decide`] a grade at a time, for grades that are not kept: a
/// scenario's id is copied once, when its first grade comes.
#[derive(Default)]
pub struct Deciding {
    scenarios: Vec<ScenarioGrade>,
    grades: usize,
}

impl Deciding {
    /// The next grade.
    pub fn push(&mut self, grade: &Grade) {
        self.add(
            Cow::Borrowed(&grade.scenario),
            grade.score,
            grade.max_score,
            grade.verdict,
        );
    }

    fn add(&mut self, scenario: Cow<'_, str>, score: u32, max_score: u32, verdict: Verdict) {
        let candidate = ScenarioGrade {
            scenario: String::new(),
            counted: self.grades,
            score,
            max_score,
            verdict,
        };
        self.grades += 1;
        match self.scenarios.iter_mut().find(|s| s.scenario == scenario) {
            None => self.scenarios.push(ScenarioGrade {
                scenario: scenario.into_owned(),
                ..candidate
            }),
            Some(counted) if counts_more(&candidate, counted) => {
                *counted = ScenarioGrade {
                    scenario: std::mem::take(&mut counted.scenario),
                    ..candidate
                };
            }
            Some(_) => {}
        }
    }

    /// Whether no grade came.
    pub fn is_empty(&self) -> bool {
        self.grades == 0
    }

    /// The grade decided on every grade pushed.
    pub fn decide(self) -> SubmissionGrade {
        let scenarios = self.scenarios;
        let gradable = scenarios.iter().any(|s| s.verdict != Verdict::Ungradable);
        let passed =
            !scenarios.is_empty() && scenarios.iter().all(|s| s.verdict == Verdict::Passed);
        let max_score = scenarios.iter().map(|s| s.max_score).sum();
        SubmissionGrade {
            score: scenarios.iter().map(|s| s.score).sum(),
            max_score,
            verdict: match (gradable, passed) {
                (false, _) => Verdict::Ungradable,
                (true, true) => Verdict::Passed,
                (true, false) => Verdict::Failed,
            },
            scenarios,
            tasks: Vec::new(),
            basis: Basis::scenarios(BasisKind::Matched, max_score),
            late: None,
        }
    }
}

/// Whether `grade` counts rather than the one counted so far for its scenario: gradable over
/// ungradable, passed over failed, then a higher score; the earlier one on a tie.
pub(super) fn counts_more(grade: &ScenarioGrade, counted: &ScenarioGrade) -> bool {
    let rank = |g: &ScenarioGrade| {
        (
            g.verdict != Verdict::Ungradable,
            g.verdict == Verdict::Passed,
            g.score,
        )
    };
    rank(grade) > rank(counted)
}

#[cfg(test)]
#[path = "submission_tests.rs"]
mod tests;
