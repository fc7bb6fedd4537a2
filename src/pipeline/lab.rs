//! A lab in a submission: which session is evidence for which task ([`assign`]), and the rule
//! that makes the submission's grade out of the lab's total ([`SubmissionGrade::decide_lab`]).
//! A task's points are settled here and nowhere else.

use serde::Serialize;

#[cfg(test)]
use super::submission::BasisKind;
use super::submission::{
    counts_more, Basis, GradeFacts, LateDeduction, ScenarioGrade, SubmissionGrade,
};
use crate::grade::{self, Grade, TaskRef, Verdict};
use crate::i18n::messages::report::ReportMessage;
use crate::i18n::Text;
use crate::ingest::text_outline as outline;
use crate::ingest::Heading;
use crate::scenario::lab::{Lab, LabRule, LatePolicy};
use crate::scenario::Scenario;
use crate::session::{Origin, Session};
use std::path::PathBuf;

/// A session offered to a task by the report heading it is under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The task's place in the lab.
    pub task: usize,
    /// The heading as written, for the report.
    pub heading: String,
}

/// For each session, the task the report heading it is under names, if one does: the
/// nearest heading that names a task, looking outwards through the sections that hold it.
pub fn offers(
    sessions: &[Session],
    outlines: &[(PathBuf, Vec<Heading>)],
    lab: &Lab,
) -> Vec<Option<Offer>> {
    sessions
        .iter()
        .map(|session| {
            let (_, headings) = outlines
                .iter()
                .find(|(path, _)| *path == session.source.path)?;
            let line = first_line(session)?;
            outline::enclosing(headings, line)
                .into_iter()
                .find_map(|heading| {
                    named_task(heading, lab).map(|task| Offer {
                        task,
                        heading: heading.title.clone(),
                    })
                })
        })
        .collect()
}

/// The first file line a session's dialogue is on.
fn first_line(session: &Session) -> Option<u32> {
    let line = |origin: &Origin| match *origin {
        Origin::Line { line, .. } => Some(line),
        _ => None,
    };
    session.exchanges.iter().find_map(|exchange| {
        exchange
            .command
            .as_ref()
            .and_then(|c| line(&c.origin))
            .or_else(|| exchange.reply.as_ref().and_then(|r| line(&r.origin)))
    })
}

/// The task a heading names: its number equal to a task's number hint, or its words holding
/// a task's word hint (case and spaces ignored); the longest hint wins, then the first task.
fn named_task(heading: &Heading, lab: &Lab) -> Option<usize> {
    let squeeze = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let title = squeeze(&heading.title);
    lab.tasks
        .iter()
        .enumerate()
        .filter_map(|(t, task)| {
            let best = task
                .sections
                .iter()
                .filter(|hint| {
                    if hint.chars().all(|c| c.is_ascii_digit() || c == '.') {
                        heading.number.as_deref() == Some(hint.as_str())
                    } else {
                        title.contains(&squeeze(hint))
                    }
                })
                .map(|hint| hint.chars().count())
                .max()?;
            Some((std::cmp::Reverse(best), t))
        })
        .min()
        .map(|(_, t)| t)
}

/// Step 2 with a lab: each session graded as evidence for one task, `None` for a session no
/// task's scenario is about. A session offered to a task by its heading is graded against
/// that task's scenarios of its protocol; the others (and offered sessions of a protocol the
/// task has no scenario for) against every scenario of the lab, best fit, and given to a
/// task that names that scenario: the one naming it first, then one with no evidence yet,
/// then a required one, then the first.
pub fn assign(sessions: &[Session], lab: &Lab, offers: &[Option<Offer>]) -> Vec<Option<Grade>> {
    let mut grades: Vec<Option<Grade>> = vec![None; sessions.len()];
    let mut evidence = vec![0usize; lab.tasks.len()];
    for (index, session) in sessions.iter().enumerate() {
        let Some(Some(offer)) = offers.get(index) else {
            continue;
        };
        let task = &lab.tasks[offer.task];
        let scenarios = lab
            .scenarios
            .iter()
            .filter(|s| task.scenarios.contains(&s.id));
        if let Some(mut grade) = best_fit(session, index, scenarios) {
            grade.task = Some(TaskRef {
                id: task.id.clone(),
                section: Some(offer.heading.clone()),
            });
            evidence[offer.task] += 1;
            grades[index] = Some(grade);
        }
    }
    for (index, session) in sessions.iter().enumerate() {
        if grades[index].is_some() {
            continue;
        }
        let Some(mut grade) = best_fit(session, index, lab.scenarios.iter()) else {
            continue;
        };
        let chosen = lab
            .tasks
            .iter()
            .enumerate()
            .filter_map(|(t, task)| {
                let rank = task.scenarios.iter().position(|s| *s == grade.scenario)?;
                Some(((rank, evidence[t] > 0, !task.required, t), t))
            })
            .min()
            .map(|(_, t)| t);
        if let Some(t) = chosen {
            evidence[t] += 1;
            grade.task = Some(TaskRef {
                id: lab.tasks[t].id.clone(),
                section: None,
            });
        }
        grades[index] = Some(grade);
    }
    grades
}

/// The grade of the scenario among `scenarios` that fits `session` best (the highest share
/// of its points, the first on a tie); `None` when none is about its protocol.
fn best_fit<'a>(
    session: &Session,
    index: usize,
    scenarios: impl Iterator<Item = &'a Scenario>,
) -> Option<Grade> {
    scenarios
        .filter(|scenario| scenario.protocol == session.protocol)
        .map(|scenario| grade::grade(session, index, scenario))
        .reduce(|best, next| {
            let ratio = |g: &Grade| (g.score * 1000).checked_div(g.max_score).unwrap_or(0);
            if ratio(&next) > ratio(&best) {
                next
            } else {
                best
            }
        })
}

/// How a task came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    /// Its evidence passed its scenario.
    Passed,
    /// Its evidence is below its scenario's pass mark.
    Failed,
    /// Nothing in the submission is evidence for it: 0 points.
    Missing,
    /// There is evidence, but it could not be graded (read, but unusable): 0 points.
    Ungradable,
}

/// One task of a lab in a submission's grade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskGrade {
    pub id: String,
    pub title: Text,
    /// What the task is worth: the most its score can be.
    pub points: u32,
    pub required: bool,
    /// The counted grade's score scaled to the task's points, rounded; 0 when missing or
    /// ungradable.
    pub score: u32,
    pub status: TaskStatus,
    /// The scenario of the grade that counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// The grade that counts, by its place in the submission's grades.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counted: Option<usize>,
    /// The report heading its evidence was under, when a heading decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// `score` of `max` as a share of `points`, rounded half up, never above `points`.
pub fn scaled(score: u32, max: u32, points: u32) -> u32 {
    if max == 0 {
        return 0;
    }
    let share = (u128::from(score.min(max)) * u128::from(points) * 2 + u128::from(max))
        / (2 * u128::from(max));
    u32::try_from(share).unwrap_or(points).min(points)
}

impl SubmissionGrade {
    /// The rule with a lab: per task, the grade that counts among those given to it (as
    /// [`SubmissionGrade::decide`] picks per scenario: gradable, passed, then the higher
    /// share of points), scaled to the task's points; the score is the sum over tasks, always
    /// out of the lab's total. It is **ungradable** when no task has a gradable grade,
    /// **passed** when the score reaches the lab's pass mark and no required task is missing
    /// or ungradable, and **below the pass mark** otherwise.
    pub fn decide_lab(
        rule: &LabRule,
        grades: impl IntoIterator<Item = GradeFacts>,
        late: bool,
    ) -> SubmissionGrade {
        let grades: Vec<GradeFacts> = grades.into_iter().collect();
        let mut tasks = Vec::with_capacity(rule.tasks.len());
        let mut scenarios = Vec::new();
        for task in &rule.tasks {
            let mut counted: Option<(ScenarioGrade, Option<String>)> = None;
            for (index, grade) in grades.iter().enumerate() {
                let Some(tag) = grade.task.as_ref().filter(|t| t.id == task.id) else {
                    continue;
                };
                let candidate = ScenarioGrade {
                    scenario: grade.scenario.clone(),
                    counted: index,
                    // Alternatives differ in points: compare shares of the task.
                    score: scaled(grade.score, grade.max_score, task.points),
                    max_score: task.points,
                    verdict: grade.verdict,
                };
                let better = counted
                    .as_ref()
                    .map_or(true, |(best, _)| counts_more(&candidate, best));
                if better {
                    counted = Some((candidate, tag.section.clone()));
                }
            }
            let (status, score) = match &counted {
                None => (TaskStatus::Missing, 0),
                Some((c, _)) => match c.verdict {
                    Verdict::Ungradable => (TaskStatus::Ungradable, 0),
                    Verdict::Passed => (TaskStatus::Passed, c.score),
                    Verdict::Failed => (TaskStatus::Failed, c.score),
                },
            };
            tasks.push(TaskGrade {
                id: task.id.clone(),
                title: task.title.clone(),
                points: task.points,
                required: task.required,
                score,
                status,
                scenario: counted.as_ref().map(|(c, _)| c.scenario.clone()),
                counted: counted.as_ref().map(|(c, _)| c.counted),
                section: counted.as_ref().and_then(|(_, s)| s.clone()),
            });
            if let Some((c, _)) = counted {
                let grade = &grades[c.counted];
                scenarios.push(ScenarioGrade {
                    score: grade.score,
                    max_score: grade.max_score,
                    ..c
                });
            }
        }
        let before: u32 = tasks.iter().map(|t| t.score).sum();
        // A late policy takes off what it says before the pass mark is compared.
        let late = rule
            .late
            .filter(|_| late)
            .map(|policy| late_deduction(policy, before));
        let score = late.as_ref().map_or(before, |l| before - l.points);
        let gradable = tasks
            .iter()
            .any(|t| matches!(t.status, TaskStatus::Passed | TaskStatus::Failed));
        let required_there = tasks
            .iter()
            .all(|t| !t.required || matches!(t.status, TaskStatus::Passed | TaskStatus::Failed));
        SubmissionGrade {
            scenarios,
            score,
            max_score: rule.total,
            verdict: match (gradable, score >= rule.pass_mark && required_there) {
                (false, _) => Verdict::Ungradable,
                (true, true) => Verdict::Passed,
                (true, false) => Verdict::Failed,
            },
            tasks,
            basis: Basis::lab(rule),
            late,
        }
    }
}

/// What `policy` takes off a late submission's `before` points, and why, in words.
fn late_deduction(policy: LatePolicy, before: u32) -> LateDeduction {
    let points = before - policy.apply(before);
    let percent = policy.deduct_percent;
    let reason = match policy.cap {
        None => ReportMessage::LateDeducted { points, percent },
        Some(cap) if percent == 0 => ReportMessage::LateCapped { points, cap },
        Some(cap) => ReportMessage::LateDeductedCapped {
            points,
            percent,
            cap,
        },
    };
    LateDeduction {
        before,
        points,
        reason: reason.text(),
    }
}

#[cfg(test)]
#[path = "lab_tests.rs"]
mod tests;
