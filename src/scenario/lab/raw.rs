//! A lab file as written: serde types that mirror the YAML, checked by [`super::build`].

use serde::Deserialize;

use crate::i18n::Text;
use crate::scenario::raw::{OneOrMany, StepCount};

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping of lab fields (id, title, total, pass_mark, late, tasks)"
)]
pub(super) struct RawLab {
    pub id: String,
    pub title: Text,
    #[serde(default)]
    pub description: Option<Text>,
    #[serde(default)]
    pub total: Option<u32>,
    #[serde(default)]
    pub pass_mark: Option<u32>,
    #[serde(default)]
    pub late: Option<RawLate>,
    /// Each task is read from its own node, so that every bad task is reported.
    pub tasks: StepCount,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a late policy: a mapping with deduct_percent and/or cap"
)]
pub(super) struct RawLate {
    #[serde(default)]
    pub deduct_percent: Option<u32>,
    #[serde(default)]
    pub cap: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a task: a mapping with id, title, points, scenarios …"
)]
pub(super) struct RawTask {
    pub id: String,
    pub title: Text,
    pub points: u32,
    pub scenarios: OneOrMany,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub sections: Vec<String>,
}

fn yes() -> bool {
    true
}
