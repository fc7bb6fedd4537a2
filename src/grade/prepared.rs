//! What grading writes the same for every session graded against a scenario, written once.

use std::sync::Arc;

use super::align::StepLabels;
use crate::scenario::Scenario;

/// A scenario with each step's skeleton line (`EHLO|HELO → 250`) and id, which every grade
/// against it shows: formatting them per session cost a tenth of grading a capture, and the
/// skeleton diff shares them rather than copying them per line.
pub struct PreparedScenario<'s> {
    pub scenario: &'s Scenario,
    /// Each step's labels, as the alignment and the scenario bound compare them.
    pub labels: StepLabels<'s>,
    step_lines: Vec<Arc<str>>,
    step_ids: Vec<Arc<str>>,
}

impl<'s> PreparedScenario<'s> {
    pub fn new(scenario: &'s Scenario) -> Self {
        PreparedScenario {
            scenario,
            labels: StepLabels::of(scenario),
            step_lines: scenario
                .steps
                .iter()
                .map(|s| Arc::from(s.skeleton_line()))
                .collect(),
            step_ids: scenario
                .steps
                .iter()
                .map(|s| Arc::from(s.id.as_str()))
                .collect(),
        }
    }

    /// The skeleton line of step `position`.
    pub fn step_line(&self, position: usize) -> &str {
        &self.step_lines[position]
    }

    /// [`Self::step_line`], shared.
    pub fn shared_step_line(&self, position: usize) -> Arc<str> {
        Arc::clone(&self.step_lines[position])
    }

    /// The id of step `position`, shared.
    pub fn shared_step_id(&self, position: usize) -> Arc<str> {
        Arc::clone(&self.step_ids[position])
    }
}
