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
