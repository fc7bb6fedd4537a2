//! The lab model: what `build` makes of a lab file, and the part of it a grade is decided by.

use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::scenario::Scenario;

/// A lab: its tasks and the scenarios they name, loaded and checked.
#[derive(Clone, Debug)]
pub struct Lab {
    pub id: String,
    pub title: Text,
    pub description: Option<Text>,
    pub total: u32,
    pub pass_mark: u32,
    /// What a submission the LMS marked late loses, if the lab says.
    pub late: Option<LatePolicy>,
    pub tasks: Vec<Task>,
    /// Every scenario a task names, once each, in the order first named.
    pub scenarios: Vec<Scenario>,
}

/// One task of a lab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub id: String,
    pub title: Text,
    pub points: u32,
    /// The ids of the scenarios that show the task done: alternatives, the first preferred.
    pub scenarios: Vec<String>,
    /// Whether a submission without evidence for it fails.
    pub required: bool,
    /// Heading numbers (`3.4`) and words (`telnet收发邮件`) that name the task in a report.
    pub sections: Vec<String>,
}

/// What a submission's grade is decided by: the total, the pass mark and each task's points
/// and whether it is required. The JSON report keeps it, so `merge` decides as a run does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabRule {
    pub id: String,
    pub total: u32,
    pub pass_mark: u32,
    pub tasks: Vec<TaskRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late: Option<LatePolicy>,
}

/// What a submission the LMS marked late loses (`late:` in a lab file): a share of its
/// score, a cap on it, or both (the share first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatePolicy {
    /// Percent of the score taken off, 0 to 100.
    #[serde(default)]
    pub deduct_percent: u32,
    /// The most points a late submission keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<u32>,
}

impl LatePolicy {
    /// The score a late submission keeps: the share taken off rounded to the nearest point
    /// (halves in the student's favour), then the cap.
    pub fn apply(&self, score: u32) -> u32 {
        let taken = u64::from(score) * u64::from(self.deduct_percent.min(100));
        let taken = u32::try_from(taken / 100 + u64::from(taken % 100 > 50)).unwrap_or(score);
        let kept = score.saturating_sub(taken);
        self.cap.map_or(kept, |cap| kept.min(cap))
    }
}

/// A task as the rule sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRule {
    pub id: String,
    pub title: Text,
    pub points: u32,
    pub required: bool,
}

impl Lab {
    /// The part of the lab a grade is decided by.
    pub fn rule(&self) -> LabRule {
        LabRule {
            id: self.id.clone(),
            total: self.total,
            pass_mark: self.pass_mark,
            late: self.late,
            tasks: self
                .tasks
                .iter()
                .map(|task| TaskRule {
                    id: task.id.clone(),
                    title: task.title.clone(),
                    points: task.points,
                    required: task.required,
                })
                .collect(),
        }
    }

    /// The task with this id.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|task| task.id == id)
    }
}
