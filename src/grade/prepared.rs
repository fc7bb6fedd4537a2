//! What grading writes the same for every session graded against a scenario, written once.

use super::align::StepLabels;
use super::checks::message_content::Words;
use super::intern;
use super::model::SharedLine;
use crate::scenario::Scenario;

/// A scenario with each step's skeleton line (`EHLO|HELO → 250`) and id, which every grade
/// against it shows: formatting them per session cost a tenth of grading a capture, and the
/// skeleton diff shares them rather than copying them per line.
pub struct PreparedScenario<'s> {
    pub scenario: &'s Scenario,
    /// Each step's labels, as the alignment and the scenario bound compare them.
    pub labels: StepLabels<'s>,
    step_lines: Vec<SharedLine>,
    step_ids: Vec<SharedLine>,
    /// The words of each step's message checks.
    content_words: Vec<Vec<Words>>,
    /// Each forbidden command's check id and name (`forbidden-vrfy`, `no VRFY`).
    forbidden: Vec<(SharedLine, SharedLine)>,
    /// Each order rule's check id and name (`A before B`).
    order: Vec<(SharedLine, SharedLine)>,
    /// How many checks a grade against the scenario has (strict extras aside): steps,
    /// their TLS and message checks, forbidden commands, order rules.
    pub checks: usize,
    /// The points a grade against the scenario could earn at most, every check counted:
    /// what the scenario bound of selection divides by, the same for every session.
    pub possible: u64,
}

impl<'s> PreparedScenario<'s> {
    pub fn new(scenario: &'s Scenario) -> Self {
        PreparedScenario {
            scenario,
            labels: StepLabels::of(scenario),
            step_lines: scenario
                .steps
                .iter()
                .map(|s| intern::line(&s.skeleton_line()))
                .collect(),
            step_ids: scenario.steps.iter().map(|s| intern::line(&s.id)).collect(),
            content_words: scenario
                .steps
                .iter()
                .map(|s| s.checks.iter().map(Words::of).collect())
                .collect(),
            forbidden: scenario
                .forbidden
                .iter()
                .map(|f| {
                    let id = format!("forbidden-{}", f.send.to_string().to_ascii_lowercase());
                    (intern::line(&id), intern::line(&format!("no {}", f.send)))
                })
                .collect(),
            order: scenario
                .order
                .iter()
                .map(|o| {
                    let name = format!("{} before {}", o.before, o.after);
                    (intern::line(&o.id), intern::line(&name))
                })
                .collect(),
            checks: scenario
                .steps
                .iter()
                .map(|s| 1 + usize::from(s.tls.is_some()) + s.checks.len())
                .sum::<usize>()
                + scenario.forbidden.len()
                + scenario.order.len(),
            possible: possible(scenario),
        }
    }

    /// The skeleton line of step `position`, shared.
    pub fn shared_step_line(&self, position: usize) -> SharedLine {
        self.step_lines[position].clone()
    }

    /// The words of message check `check` of the step at `position`.
    pub fn content_words(&self, position: usize, check: usize) -> &Words {
        &self.content_words[position][check]
    }

    /// The id of step `position`, shared.
    pub fn shared_step_id(&self, position: usize) -> SharedLine {
        self.step_ids[position].clone()
    }

    /// The check id and name of forbidden command `position`, shared.
    pub fn shared_forbidden(&self, position: usize) -> (SharedLine, SharedLine) {
        self.forbidden[position].clone()
    }

    /// The check id and name of order rule `position`, shared.
    pub fn shared_order(&self, position: usize) -> (SharedLine, SharedLine) {
        self.order[position].clone()
    }
}

/// Every step's, message and TLS check's, forbidden command's and order rule's points.
fn possible(scenario: &Scenario) -> u64 {
    let steps: u64 = scenario
        .steps
        .iter()
        .map(|step| {
            u64::from(step.points)
                + step.checks.iter().map(|c| u64::from(c.points)).sum::<u64>()
                + step.tls.iter().map(|c| u64::from(c.points)).sum::<u64>()
        })
        .sum();
    steps
        + scenario
            .forbidden
            .iter()
            .map(|f| u64::from(f.points))
            .sum::<u64>()
        + scenario
            .order
            .iter()
            .map(|o| u64::from(o.points))
            .sum::<u64>()
}
