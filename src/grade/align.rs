//! Aligning a session's exchanges with a scenario's steps.
//!
//! The steps are a regular expression over exchanges (optional steps, repetition,
//! alternatives); harmless extras may appear anywhere. Of all the ways the session can be
//! read against the steps, the one that earns the most points wins, then the one that matches
//! the most exchanges (so a wrong reply is reported as such, not as a missing step), then the
//! one whose matches fit best (an accepted password is the step that expects 235, not a wrong
//! reply to an optional step before it that expects 334), then the one with the fewest
//! unexplained extras — the way a diff picks the smallest edit script.
//!
//! Dynamic programming over rows (exchanges consumed) of states (current step, count matched
//! for that step, whether one of them went wrong). A step's count is a counted state, never
//! an unrolled copy of the step: it distinguishes only what can happen, up to the step's
//! bound and no further than the exchanges of the session that the step could take, so
//! `repeat: 1..100` on a step three exchanges fit costs four counts, whatever the bound.
//!
//! Memory stays linear in steps and exchanges: a table small enough is kept whole; a larger
//! one is traced back in halves (compute the middle row, trace the second half from it, then
//! the first), holding a few rows at a time. Halving recomputes rows, never changes the
//! answer: each row follows from the one before exactly as in a single pass.

use crate::scenario::{Label, Scenario, Step};
use crate::session::{Exchange, Session};

/// The most exchanges one alignment looks at: a lab dialogue has a few dozen, and time
/// grows with exchanges × steps. Longer sessions are graded on their beginning.
pub const MAX_EXCHANGES: usize = 5000;

/// Table cells kept at once before the trace back is split in halves (about 6 MiB).
const DIRECT_CELLS: usize = 1 << 18;

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
    Some(fit_sent(step, exchange))
}

/// How `exchange`, whose command `step` sends, fits it.
fn fit_sent(step: &Step, exchange: &Exchange) -> Fit {
    if !step.args_fit(exchange) {
        return Fit::WrongArguments;
    }
    match &exchange.reply {
        Some(reply) if step.expect.matches(reply.code) => Fit::Good,
        _ => Fit::WrongReply,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    points: u32,
    matched: u32,
    /// Matches with the reply and arguments expected: of two readings earning the same
    /// points, the one that shows no step failed where another step passes.
    fitting: u32,
    /// Negated count of extras that are not harmless: fewer is better.
    tidiness: i64,
}

/// How a cell was reached: states are indices within a row.
#[derive(Clone, Copy, Debug)]
enum Back {
    Start,
    /// From a state of the same row, closing its step.
    Close(u32),
    /// From the same state of the row before: the exchange was an extra.
    Extra,
    /// From a state of the row before: the exchange matched the step.
    Match(u32, Fit),
}

#[derive(Clone, Copy, Debug)]
struct Cell {
    score: Score,
    back: Back,
}

/// The best way to each state after some exchanges; `None` where no way leads.
type Row = Vec<Option<Cell>>;

/// The highest count a step's state distinguishes: its max, or enough to know `min` is met.
fn cap(step: &Step) -> u32 {
    step.counted()
}

fn close_points(step: &Step, count: u32, wrong: bool) -> u32 {
    match (count, wrong) {
        (0, _) if step.min == 0 => step.points,
        (0, _) => 0,
        (count, false) if count >= step.min => step.points,
        _ => 0,
    }
}

/// Keeps the better score; on a tie the way found first stays, so the answer does not
/// depend on how the table is split.
fn relax(row: &mut Row, to: usize, score: Score, back: Back) {
    if !matches!(row[to], Some(old) if old.score >= score) {
        row[to] = Some(Cell { score, back });
    }
}

/// The best alignment of `session` with `scenario`.
pub fn align(scenario: &Scenario, session: &Session) -> Alignment {
    align_within(scenario, session, DIRECT_CELLS)
}

/// [`align`], splitting the trace back once the table would hold more than `direct_cells`
/// cells.
fn align_within(scenario: &Scenario, session: &Session, direct_cells: usize) -> Alignment {
    let exchanges = &session.exchanges[..session.exchanges.len().min(MAX_EXCHANGES)];
    let table = Table::new(scenario, exchanges);
    let first = table.first_row();
    let mut events = Vec::new();
    table.trace(
        0,
        &first,
        exchanges.len(),
        table.final_state(),
        direct_cells,
        &mut events,
    );
    events.reverse();
    results(scenario, events)
}

/// The shape of the table's rows and what each step of the session costs.
struct Table<'a> {
    steps: &'a [Step],
    exchanges: &'a [Exchange],
    /// Each exchange's label, read once: every step asks for it.
    labels: Vec<Label>,
    /// The counts each step distinguishes, `0..=caps[s]`.
    caps: Vec<u32>,
    /// Where each step's states start in a row; the last entry is the final state.
    offsets: Vec<usize>,
    /// What leaving an exchange unmatched costs: 0 for a harmless one.
    extra_cost: Vec<i64>,
}

impl<'a> Table<'a> {
    fn new(scenario: &'a Scenario, exchanges: &'a [Exchange]) -> Self {
        let steps = scenario.steps.as_slice();
        let labels: Vec<Label> = exchanges.iter().map(Label::of).collect();
        // A count can never pass the number of exchanges the step could take, so a bound
        // beyond that (`repeat: 1000`, or any large one) costs nothing more.
        let caps: Vec<u32> = steps
            .iter()
            .map(|step| {
                let takers = labels.iter().filter(|l| step.send.contains(l)).count();
                cap(step).min(u32::try_from(takers).unwrap_or(u32::MAX))
            })
            .collect();
        let mut offsets = Vec::with_capacity(steps.len() + 1);
        let mut size = 0;
        for &cap in &caps {
            offsets.push(size);
            size += (cap as usize + 1) * 2;
        }
        offsets.push(size);
        let extra_cost = exchanges
            .iter()
            .map(|ex| match &ex.command {
                Some(command) if scenario.is_harmless(command) => 0,
                _ => 1,
            })
            .collect();
        Table {
            steps,
            exchanges,
            labels,
            caps,
            offsets,
            extra_cost,
        }
    }

    fn width(&self) -> usize {
        self.final_state() + 1
    }

    /// All steps closed.
    fn final_state(&self) -> usize {
        self.offsets[self.steps.len()]
    }

    fn state(&self, step: usize, count: u32, wrong: bool) -> usize {
        if step == self.steps.len() {
            return self.final_state();
        }
        self.offsets[step] + count as usize * 2 + usize::from(wrong)
    }

    /// The step a state belongs to (`steps.len()` for the final state).
    fn step_of(&self, state: usize) -> usize {
        self.offsets.partition_point(|&o| o <= state) - 1
    }

    /// `(count, wrong)` of a state of `step`.
    fn decode(&self, step: usize, state: usize) -> (u32, bool) {
        let within = state - self.offsets[step];
        ((within / 2) as u32, within % 2 == 1)
    }

    /// Row 0: nothing consumed, any number of steps closed.
    fn first_row(&self) -> Row {
        let mut row = vec![None; self.width()];
        row[self.state(0, 0, false)] = Some(Cell {
            score: Score {
                points: 0,
                matched: 0,
                fitting: 0,
                tidiness: 0,
            },
            back: Back::Start,
        });
        self.close(&mut row);
        row
    }

    /// Closing steps within a row, in state order, so closes chain.
    fn close(&self, row: &mut Row) {
        for (s, step) in self.steps.iter().enumerate() {
            for from in self.offsets[s]..self.offsets[s + 1] {
                let Some(cell) = row[from] else { continue };
                let (count, wrong) = self.decode(s, from);
                let score = Score {
                    points: cell.score.points + close_points(step, count, wrong),
                    ..cell.score
                };
                relax(
                    row,
                    self.state(s + 1, 0, false),
                    score,
                    Back::Close(from as u32),
                );
            }
        }
    }

    /// The row after consuming exchange `j`, from the row before it.
    fn next(&self, row: &Row, j: usize) -> Row {
        let exchange = &self.exchanges[j];
        let label = &self.labels[j];
        let cost = self.extra_cost[j];
        let mut next = vec![None; self.width()];
        for (s, step) in self.steps.iter().enumerate() {
            let fits = step.send.contains(label).then(|| fit_sent(step, exchange));
            let states = self.offsets[s]..self.offsets[s + 1];
            for (from, cell) in states.clone().zip(&row[states]) {
                let Some(cell) = *cell else { continue };
                let skipped = Score {
                    tidiness: cell.score.tidiness - cost,
                    ..cell.score
                };
                relax(&mut next, from, skipped, Back::Extra);
                let Some(f) = fits else { continue };
                let (count, wrong) = self.decode(s, from);
                let count = if count < self.caps[s] {
                    count + 1
                } else if step.max.is_none() {
                    count
                } else {
                    continue;
                };
                let matched = Score {
                    matched: cell.score.matched + 1,
                    fitting: cell.score.fitting + u32::from(f == Fit::Good),
                    ..cell.score
                };
                let to = self.state(s, count, wrong || f != Fit::Good);
                relax(&mut next, to, matched, Back::Match(from as u32, f));
            }
        }
        let last = self.final_state();
        if let Some(cell) = row[last] {
            let skipped = Score {
                tidiness: cell.score.tidiness - cost,
                ..cell.score
            };
            relax(&mut next, last, skipped, Back::Extra);
        }
        self.close(&mut next);
        next
    }

    /// Follows the back pointers from `state` in row `end` down to row `start` (whose cells
    /// are `start_row`), pushing events newest first. Returns the state of row `start` where
    /// the path leaves for the row before (or begins).
    fn trace(
        &self,
        start: usize,
        start_row: &Row,
        end: usize,
        state: usize,
        direct_cells: usize,
        events: &mut Vec<Event>,
    ) -> usize {
        let rows = end - start + 1;
        if rows > 2 && rows.saturating_mul(self.width()) > direct_cells {
            let middle = start + (end - start) / 2;
            let mut row = self.next(start_row, start);
            for j in start + 1..middle {
                row = self.next(&row, j);
            }
            let state = self.trace(middle, &row, end, state, direct_cells, events);
            drop(row);
            return self.trace(start, start_row, middle, state, direct_cells, events);
        }
        let mut later: Vec<Row> = Vec::with_capacity(end - start);
        for j in start..end {
            let row = self.next(later.last().unwrap_or(start_row), j);
            later.push(row);
        }
        let (mut j, mut state) = (end, state);
        loop {
            let row = if j == start {
                start_row
            } else {
                &later[j - start - 1]
            };
            let Some(cell) = row[state] else {
                return state;
            };
            match cell.back {
                Back::Start => return state,
                Back::Close(from) => {
                    events.push(Event::Closed {
                        step: self.step_of(state) - 1,
                    });
                    state = from as usize;
                }
                Back::Extra | Back::Match(..) if j == start => return state,
                Back::Extra => {
                    events.push(Event::Extra { exchange: j - 1 });
                    j -= 1;
                }
                Back::Match(from, fit) => {
                    events.push(Event::Matched {
                        step: self.step_of(state),
                        exchange: j - 1,
                        fit,
                    });
                    j -= 1;
                    state = from as usize;
                }
            }
        }
    }
}

/// The events of the best path, in session order, turned into step results.
fn results(scenario: &Scenario, events: Vec<Event>) -> Alignment {
    let steps = &scenario.steps;
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

#[cfg(test)]
#[path = "align_tests.rs"]
mod tests;
