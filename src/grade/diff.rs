//! The skeleton diff: the scenario's expected `VERB → code` lines beside the session's.

use super::align::{Alignment, Event, Fit};
use super::evidence::origin_of;
use super::model::{DiffLine, DiffTag};
use super::prepared::PreparedScenario;
use crate::session::Session;

pub fn skeleton_diff(
    prepared: &PreparedScenario<'_>,
    session: &Session,
    alignment: &Alignment,
) -> Vec<DiffLine> {
    let scenario = prepared.scenario;
    let mut lines = Vec::new();
    for event in &alignment.events {
        match *event {
            Event::Matched {
                step,
                exchange,
                fit,
            } => {
                let ex = &session.exchanges[exchange];
                let line = prepared.step_line(step);
                let step = &scenario.steps[step];
                lines.push(DiffLine {
                    tag: if fit == Fit::Good {
                        DiffTag::Same
                    } else {
                        DiffTag::Changed
                    },
                    expected: Some(line.to_string()),
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
                        expected: Some(prepared.step_line(index).to_string()),
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
