//! The skeleton diff: the scenario's expected `VERB → code` lines beside the session's.

use super::align::{Alignment, Event, Fit};
use super::evidence::origin_of;
use super::model::{DiffLine, DiffTag};
use crate::scenario::Scenario;
use crate::session::Session;

pub fn skeleton_diff(
    scenario: &Scenario,
    session: &Session,
    alignment: &Alignment,
) -> Vec<DiffLine> {
    let mut lines = Vec::new();
    for event in &alignment.events {
        match *event {
            Event::Matched {
                step,
                exchange,
                fit,
            } => {
                let ex = &session.exchanges[exchange];
                let step = &scenario.steps[step];
                lines.push(DiffLine {
                    tag: if fit == Fit::Good {
                        DiffTag::Same
                    } else {
                        DiffTag::Changed
                    },
                    expected: Some(step.skeleton_line()),
                    actual: Some(ex.skeleton_line()),
                    step: Some(step.id.clone()),
                    origin: Some(origin_of(ex)),
                });
            }
            Event::Extra { exchange } => {
                let ex = &session.exchanges[exchange];
                lines.push(DiffLine {
                    tag: DiffTag::Extra,
                    expected: None,
                    actual: Some(ex.skeleton_line()),
                    step: None,
                    origin: Some(origin_of(ex)),
                });
            }
            Event::Closed { step: index } => {
                let step = &scenario.steps[index];
                let result = &alignment.steps[index];
                let missing = (result.matched.len() as u32) < step.min;
                if missing {
                    lines.push(DiffLine {
                        tag: DiffTag::Missing,
                        expected: Some(step.skeleton_line()),
                        actual: None,
                        step: Some(step.id.clone()),
                        origin: None,
                    });
                }
            }
        }
    }
    lines
}
