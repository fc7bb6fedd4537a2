//! The skeleton diff: the scenario's expected `VERB → code` lines beside the session's.

use super::align::{Alignment, Event, Fit};
use super::evidence::{origin_of, SkeletonLines};
use super::model::{DiffLine, DiffTag};
use super::prepared::PreparedScenario;
use crate::session::Session;

/// Every line shares its text with the scenario's prepared lines and the session's
/// skeleton lines: none is written here.
pub fn skeleton_diff(
    prepared: &PreparedScenario<'_>,
    session: &Session,
    lines: &SkeletonLines<'_>,
    alignment: &Alignment,
) -> Vec<DiffLine> {
    let scenario = prepared.scenario;
    let mut diff = Vec::with_capacity(alignment.events.len());
    for event in &alignment.events {
        match *event {
            Event::Matched {
                step,
                exchange,
                fit,
            } => {
                let ex = &session.exchanges[exchange];
                diff.push(DiffLine {
                    tag: if fit == Fit::Good {
                        DiffTag::Same
                    } else {
                        DiffTag::Changed
                    },
                    expected: Some(prepared.shared_step_line(step)),
                    actual: Some(lines.shared(exchange)),
                    step: Some(prepared.shared_step_id(step)),
                    origin: Some(origin_of(ex)),
                });
            }
            Event::Extra { exchange } => {
                let ex = &session.exchanges[exchange];
                diff.push(DiffLine {
                    tag: DiffTag::Extra,
                    expected: None,
                    actual: Some(lines.shared(exchange)),
                    step: None,
                    origin: Some(origin_of(ex)),
                });
            }
            Event::Closed { step: index } => {
                let step = &scenario.steps[index];
                let missing = (alignment.matched(index).len() as u32) < step.min;
                if missing {
                    diff.push(DiffLine {
                        tag: DiffTag::Missing,
                        expected: Some(prepared.shared_step_line(index)),
                        actual: None,
                        step: Some(prepared.shared_step_id(index)),
                        origin: None,
                    });
                }
            }
        }
    }
    diff
}
