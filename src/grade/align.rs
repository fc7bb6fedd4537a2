//! Aligning a session's exchanges with a scenario's steps.
//!
//! The steps are a regular expression over exchanges (optional steps, repetition,
//! alternatives); harmless extras may appear anywhere. Of all the ways the session can be
//! read against the steps, the one that earns the most points wins, then the one that matches
//! the most exchanges (so a wrong reply is reported as such, not as a missing step), then the
//! one with the fewest unexplained extras — the way a diff picks the smallest edit script.
//!
//! Dynamic programming over (exchanges consumed, current step, count matched for that step,
//! whether one of them went wrong): O(exchanges × steps × repeat cap).

use crate::scenario::{Label, Scenario, Step};

/// The most exchanges one alignment looks at: the table grows with exchanges × steps, and a
/// lab dialogue has a few dozen. Longer sessions are graded on their beginning.
pub const MAX_EXCHANGES: usize = 5000;
use crate::session::{Exchange, Session};

/// How an exchange fits a step it matches by command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    Good,
    WrongReply,
    WrongArguments,
}

/// How a step came out of the alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// Optional and not taken.
    Skipped,
    WrongReply,
    WrongArguments,
    Missing,
    /// Matched, but fewer times than `repeat` asks.
    TooFew,
}

/// One move of the alignment, in session order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Matched {
        step: usize,
        exchange: usize,
        fit: Fit,
    },
    /// An exchange no step took.
    Extra { exchange: usize },
    /// The alignment moved past a step (after its matches, if any).
    Closed { step: usize },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepResult {
    pub matched: Vec<(usize, Fit)>,
    pub outcome: Outcome,
    pub points: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alignment {
    pub events: Vec<Event>,
    pub steps: Vec<StepResult>,
    /// Exchanges no step took.
    pub extras: Vec<usize>,
}

impl Alignment {
    pub fn points(&self) -> u32 {
        self.steps.iter().map(|s| s.points).sum()
    }

    pub fn matched_count(&self) -> usize {
        self.steps.iter().map(|s| s.matched.len()).sum()
    }
}

/// Whether and how `exchange` fits `step`.
pub fn fit(step: &Step, exchange: &Exchange) -> Option<Fit> {
    if !step.sends(exchange) {
        return None;
    }
    if !step.args_fit(exchange) {
        return Some(Fit::WrongArguments);
    }
    match &exchange.reply {
        Some(reply) if step.expect.matches(reply.code) => Some(Fit::Good),
        _ => Some(Fit::WrongReply),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    points: u32,
    matched: u32,
    /// Negated count of extras that are not harmless: fewer is better.
    tidiness: i64,
}

#[derive(Clone, Copy, Debug)]
enum Back {
    Start,
    Close(usize),
    Extra(usize),
    Match(usize, Fit),
}

/// The highest count a step's state distinguishes: its max, or enough to know `min` is met.
fn cap(step: &Step) -> u32 {
    step.max.unwrap_or(step.min.max(1))
}

fn close_points(step: &Step, count: u32, wrong: bool) -> u32 {
    match (count, wrong) {
        (0, _) if step.min == 0 => step.points,
        (0, _) => 0,
        (count, false) if count >= step.min => step.points,
        _ => 0,
    }
}

/// The best alignment of `session` with `scenario`.
pub fn align(scenario: &Scenario, session: &Session) -> Alignment {
    let steps = &scenario.steps;
    let exchanges = &session.exchanges[..session.exchanges.len().min(MAX_EXCHANGES)];
    let (n, m) = (exchanges.len(), steps.len());
    // State layout per exchange position: for each step, (cap + 1) counts × 2 wrong flags,
    // then one final state "all steps closed".
    let mut offset = Vec::with_capacity(m + 1);
    let mut size = 0;
    for step in steps {
        offset.push(size);
        size += (cap(step) as usize + 1) * 2;
    }
    offset.push(size);
    let layer = size + 1;
    let id = |j: usize, s: usize, c: u32, w: bool| {
        j * layer
            + offset[s]
            + if s == m {
                0
            } else {
                c as usize * 2 + usize::from(w)
            }
    };
    let fits: Vec<Vec<Option<Fit>>> = steps
        .iter()
        .map(|step| exchanges.iter().map(|ex| fit(step, ex)).collect())
        .collect();
    let extra_cost: Vec<i64> = exchanges
        .iter()
        .map(|ex| match &ex.command {
            Some(command) if scenario.is_harmless(command) => 0,
            _ => 1,
        })
        .collect();

    let mut best: Vec<Option<(Score, Back)>> = vec![None; (n + 1) * layer];
    best[id(0, 0, 0, false)] = Some((
        Score {
            points: 0,
            matched: 0,
            tidiness: 0,
        },
        Back::Start,
    ));
    let relax = |best: &mut Vec<Option<(Score, Back)>>, to: usize, score: Score, back: Back| {
        if !matches!(best[to], Some((old, _)) if old >= score) {
            best[to] = Some((score, back));
        }
    };
    for j in 0..=n {
        for s in 0..=m {
            let counts = if s == m { 0 } else { cap(&steps[s]) };
            for c in 0..=counts {
                for w in [false, true] {
                    if s == m && (c > 0 || w) {
                        continue;
                    }
                    let from = id(j, s, c, w);
                    let Some((score, _)) = best[from] else {
                        continue;
                    };
                    if s < m {
                        let closed = Score {
                            points: score.points + close_points(&steps[s], c, w),
                            ..score
                        };
                        relax(&mut best, id(j, s + 1, 0, false), closed, Back::Close(from));
                    }
                    if j == n {
                        continue;
                    }
                    let skipped = Score {
                        tidiness: score.tidiness - extra_cost[j],
                        ..score
                    };
                    relax(&mut best, id(j + 1, s, c, w), skipped, Back::Extra(from));
                    if s < m {
                        if let Some(f) = fits[s][j] {
                            let step = &steps[s];
                            let next = if c < cap(step) {
                                Some(c + 1)
                            } else if step.max.is_none() {
                                Some(c)
                            } else {
                                None
                            };
                            if let Some(next) = next {
                                let matched = Score {
                                    matched: score.matched + 1,
                                    ..score
                                };
                                let to = id(j + 1, s, next, w || f != Fit::Good);
                                relax(&mut best, to, matched, Back::Match(from, f));
                            }
                        }
                    }
                }
            }
        }
    }
    trace(scenario, session, &best, layer, &offset)
}

/// Follows the back pointers from the final state and turns them into events and results.
fn trace(
    scenario: &Scenario,
    session: &Session,
    best: &[Option<(Score, Back)>],
    layer: usize,
    offset: &[usize],
) -> Alignment {
    let steps = &scenario.steps;
    let (n, m) = (session.exchanges.len().min(MAX_EXCHANGES), steps.len());
    let locate = |state: usize| {
        let j = state / layer;
        let rest = state % layer;
        let s = offset.iter().rposition(|&o| o <= rest).unwrap_or(0).min(m);
        (j, s)
    };
    let mut events = Vec::new();
    let mut state = n * layer + offset[m];
    while let Some((_, back)) = best.get(state).copied().flatten() {
        let (j, s) = locate(state);
        match back {
            Back::Start => break,
            Back::Close(from) => {
                events.push(Event::Closed { step: s - 1 });
                state = from;
            }
            Back::Extra(from) => {
                events.push(Event::Extra { exchange: j - 1 });
                state = from;
            }
            Back::Match(from, fit) => {
                events.push(Event::Matched {
                    step: s,
                    exchange: j - 1,
                    fit,
                });
                state = from;
            }
        }
    }
    events.reverse();

    let mut results: Vec<StepResult> = steps
        .iter()
        .map(|_| StepResult {
            matched: Vec::new(),
            outcome: Outcome::Missing,
            points: 0,
        })
        .collect();
    let mut extras = Vec::new();
    for event in &events {
        match *event {
            Event::Matched {
                step,
                exchange,
                fit,
            } => results[step].matched.push((exchange, fit)),
            Event::Extra { exchange } => extras.push(exchange),
            Event::Closed { .. } => {}
        }
    }
    for (step, result) in steps.iter().zip(&mut results) {
        let wrong = result.matched.iter().any(|(_, f)| *f != Fit::Good);
        let count = result.matched.len() as u32;
        result.points = close_points(step, count, wrong);
        result.outcome = if count == 0 {
            if step.min == 0 {
                Outcome::Skipped
            } else {
                Outcome::Missing
            }
        } else if result
            .matched
            .iter()
            .any(|(_, f)| *f == Fit::WrongArguments)
        {
            Outcome::WrongArguments
        } else if wrong {
            Outcome::WrongReply
        } else if count < step.min {
            Outcome::TooFew
        } else {
            Outcome::Passed
        };
    }
    Alignment {
        events,
        steps: results,
        extras,
    }
}

/// Whether any step of the scenario could take this exchange (by command).
pub fn any_step_sends(scenario: &Scenario, exchange: &Exchange) -> bool {
    let label = Label::of(exchange);
    scenario.steps.iter().any(|step| step.send.contains(&label))
}
