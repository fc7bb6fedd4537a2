//! What grading writes the same for every session graded against a scenario, written once.

use crate::scenario::Scenario;

/// A scenario with each step's skeleton line (`EHLO|HELO → 250`), which every grade against
/// it shows: formatting them per session cost a tenth of grading a capture.
pub struct PreparedScenario<'s> {
    pub scenario: &'s Scenario,
    step_lines: Vec<String>,
}

impl<'s> PreparedScenario<'s> {
    pub fn new(scenario: &'s Scenario) -> Self {
        PreparedScenario {
            scenario,
            step_lines: scenario.steps.iter().map(|s| s.skeleton_line()).collect(),
        }
    }

    /// The skeleton line of step `position`.
    pub fn step_line(&self, position: usize) -> &str {
        &self.step_lines[position]
    }
}
