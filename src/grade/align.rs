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

use crate::protocol::replies::Turn;
use crate::protocol::Verb;
use crate::scenario::{Label, Scenario, Step};
use crate::session::{CommandKind, Exchange, Protocol, Session};

/// The most exchanges one alignment looks at: a lab dialogue has a few dozen, and time
/// grows with exchanges × steps. Longer sessions are graded on their beginning.
pub const MAX_EXCHANGES: usize = 5000;

/// Table cells kept at once before the trace back is split in halves (8 MiB of 32-byte
/// cells; a thread keeps that room for its next alignment).
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
    /// Where the step's matches are in [`Alignment::matched`]'s list.
    matched: std::ops::Range<usize>,
    pub outcome: Outcome,
    pub points: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alignment {
    pub events: Vec<Event>,
    pub steps: Vec<StepResult>,
    /// Exchanges no step took.
    pub extras: Vec<usize>,
    /// Every step's matches, step after step, each step's in session order: one list for
    /// all steps rather than one per step, which was a tenth of an alignment's allocations.
    matches: Vec<(usize, Fit)>,
}

impl Alignment {
    pub fn points(&self) -> u32 {
        self.steps.iter().map(|s| s.points).sum()
    }

    pub fn matched_count(&self) -> usize {
        self.matches.len()
    }

    /// The exchanges step `step` took and how each fits it, in session order.
    pub fn matched(&self, step: usize) -> &[(usize, Fit)] {
        &self.matches[self.steps[step].matched.clone()]
    }
}

/// Whether and how `exchange` fits `step`.
pub fn fit(step: &Step, exchange: &Exchange) -> Option<Fit> {
    if !sends(step, exchange) {
        return None;
    }
    Some(fit_sent(step, exchange))
}

/// How `exchange`, whose command `step` sends, fits it.
pub(super) fn fit_sent(step: &Step, exchange: &Exchange) -> Fit {
    fit_given(step, exchange, step.args_fit(exchange))
}

/// How `exchange`, whose command `step` sends, fits it, when whether its arguments fit is
/// `args_fit`.
fn fit_given(step: &Step, exchange: &Exchange, args_fit: bool) -> Fit {
    if !args_fit {
        return Fit::WrongArguments;
    }
    match &exchange.reply {
        Some(reply) if step.expect.matches(reply.code) => Fit::Good,
        _ => Fit::WrongReply,
    }
}

/// Whether `exchange`, whose command `step` sends, fits it well (`fit_sent(..) ==
/// Fit::Good`): the reply is looked at first, the arguments' pattern (through `args`) only
/// if it fits.
pub(super) fn fits_well<'s>(step: &'s Step, exchange: &Exchange, args: &ArgsSeen<'s>) -> bool {
    exchange
        .reply
        .as_ref()
        .is_some_and(|reply| step.expect.matches(reply.code))
        && args.fit(step, exchange)
}

/// The most answers [`ArgsSeen`] keeps: a lab session's exchanges with arguments to check
/// (AUTH, MAIL, a few RCPT) times the patterns its scenarios give them.
const ARGS_KEPT: usize = 16;

/// What the steps' argument patterns said of one session's exchanges, kept while the
/// session is measured: the scenarios of a protocol share patterns (`(?i)^FROM:\s*<[^>]*>`),
/// and the scenario bound and the alignment ask the same ones, so each pattern runs once per
/// exchange rather than once per scenario and pass; the searches were a tenth of grading a
/// capture. Patterns are compared by their text, which is all a step's `Regex` is built from.
/// Past [`ARGS_KEPT`] answers the pattern is simply run.
pub(super) struct ArgsSeen<'s> {
    seen: std::cell::RefCell<([SeenArgs<'s>; ARGS_KEPT], usize)>,
}

impl Default for ArgsSeen<'_> {
    fn default() -> Self {
        ArgsSeen {
            seen: std::cell::RefCell::new(([(std::ptr::null(), "", false); ARGS_KEPT], 0)),
        }
    }
}

/// One answer: the exchange (by address), the pattern, whether the arguments fit.
type SeenArgs<'s> = (*const Exchange, &'s str, bool);

impl<'s> ArgsSeen<'s> {
    /// [`Step::args_fit`], a pattern run once per exchange.
    #[inline]
    pub(super) fn fit(&self, step: &'s Step, exchange: &Exchange) -> bool {
        // Most steps take any arguments: answered without a call.
        match &step.args {
            None => true,
            Some(pattern) => self.pattern_fits(step, pattern.as_str(), exchange),
        }
    }

    /// [`Step::args_fit`] for a step whose pattern is `pattern`.
    fn pattern_fits(&self, step: &'s Step, pattern: &'s str, exchange: &Exchange) -> bool {
        let at = std::ptr::from_ref(exchange);
        let Ok(mut seen) = self.seen.try_borrow_mut() else {
            return step.args_fit(exchange);
        };
        let (answers, kept) = &mut *seen;
        if let Some(&(_, _, fits)) = answers[..*kept].iter().find(|(seen_at, seen_pattern, _)| {
            *seen_at == at && (std::ptr::eq(*seen_pattern, pattern) || *seen_pattern == pattern)
        }) {
            return fits;
        }
        let fits = step.args_fit(exchange);
        if *kept < ARGS_KEPT {
            answers[*kept] = (at, pattern, fits);
            *kept += 1;
        }
        fits
    }
}

/// A way's score, compared as one number: points, then exchanges matched, then matches that
/// fit (of two readings earning the same points, the one that shows no step failed where
/// another step passes), then fewest extras that are not harmless. Each is a 32-bit lane of
/// the `u128`, most significant first, so comparing the numbers compares the tuples: points
/// are a `u32`, the counts are at most [`MAX_EXCHANGES`], and the extras lane starts at
/// [`TIDY`] and loses at most one per exchange, so no lane ever carries into the next.
type Score = u128;

const POINT: Score = 1 << 96;
const MATCH: Score = 1 << 64;
const FITTING: Score = 1 << 32;
/// The extras lane of a way with no extras; also what makes every way's score nonzero.
const TIDY: Score = 1 << 31;
/// The score of a state no way leads to: below every way's.
const NONE: Score = 0;

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

/// The best way to a state after some exchanges; `score` is [`NONE`] where no way leads.
#[derive(Clone, Copy, Debug)]
struct Cell {
    score: Score,
    back: Back,
}

const UNREACHED: Cell = Cell {
    score: NONE,
    back: Back::Start,
};

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
#[inline(always)]
fn relax(row: &mut [Cell], to: usize, score: Score, back: Back) {
    let cell = &mut row[to];
    if score > cell.score {
        *cell = Cell { score, back };
    }
}

/// Whether `label` is what `exchange` sent: `Label::of(exchange) == *label`, without
/// building the label.
pub(super) fn label_is(label: &Label, exchange: &Exchange) -> bool {
    match (label, exchange.command.as_ref().map(|c| &c.kind)) {
        (Label::Greeting, None) => true,
        (Label::Verb(word), Some(CommandKind::Line { request, .. })) => word == request.word(),
        (Label::AuthResponse, Some(CommandKind::AuthResponse { .. }))
        | (Label::AuthCancel, Some(CommandKind::AuthCancel))
        | (Label::Message, Some(CommandKind::Message { .. })) => true,
        _ => false,
    }
}

/// Whether `step` could take `exchange` by its command ([`Step::sends`] without allocating).
pub(super) fn sends(step: &Step, exchange: &Exchange) -> bool {
    step.send.iter().any(|label| label_is(label, exchange))
}

/// A label, or what an exchange sent, as a value that compares without text: a verb is its
/// enum, only a word that names no verb stays a word. Verb names are distinct and a word
/// spelling one is read as that verb, so `Said::of_label(l) == Said::of_exchange(e)` exactly
/// when [`label_is`]`(l, e)`; the tables compare each step with each exchange, and comparing
/// verb names there was most of what building them cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Said<'a> {
    Greeting,
    AuthResponse,
    AuthCancel,
    Message,
    Verb(Verb),
    Word(&'a str),
}

impl<'a> Said<'a> {
    pub(super) fn of_label(label: &'a Label) -> Said<'a> {
        match label {
            Label::Greeting => Said::Greeting,
            Label::AuthResponse => Said::AuthResponse,
            Label::AuthCancel => Said::AuthCancel,
            Label::Message => Said::Message,
            Label::Verb(word) => Said::word(word),
        }
    }

    pub(super) fn of_exchange(exchange: &'a Exchange) -> Said<'a> {
        match exchange.command.as_ref().map(|c| &c.kind) {
            None => Said::Greeting,
            Some(CommandKind::Line { request, .. }) => match request.verb() {
                // `request.word()` is this verb's name.
                Some(verb) => Said::Verb(verb),
                None => Said::word(request.word()),
            },
            Some(CommandKind::AuthResponse { .. }) => Said::AuthResponse,
            Some(CommandKind::AuthCancel) => Said::AuthCancel,
            Some(CommandKind::Message { .. }) => Said::Message,
        }
    }

    /// What the exchanges of `session` that an alignment looks at sent.
    pub(super) fn of_session(session: &'a Session) -> Vec<Said<'a>> {
        session.exchanges[..session.exchanges.len().min(MAX_EXCHANGES)]
            .iter()
            .map(Said::of_exchange)
            .collect()
    }

    /// What the protocol's reply tables know this as: [`Label::turn`] of the label it is.
    pub(super) fn turn(self) -> Turn {
        match self {
            Said::Greeting => Turn::Greeting,
            Said::AuthResponse => Turn::AuthResponse,
            Said::AuthCancel => Turn::AuthCancel,
            Said::Message => Turn::Message,
            Said::Verb(verb) => Turn::Command(Some(verb)),
            // `Label::as_verb` reads a word in any case.
            Said::Word(word) => Turn::Command(Verb::parse(word)),
        }
    }

    /// The verb whose name `word` is, exactly as written, else the word.
    fn word(word: &'a str) -> Said<'a> {
        Verb::of(Protocol::Smtp)
            .iter()
            .chain(Verb::of(Protocol::Pop3))
            .find(|verb| verb.name() == word)
            .map_or(Said::Word(word), |&verb| Said::Verb(verb))
    }

    /// A bit of a step's [`StepLabels`] mask: one per special and per verb, one for all
    /// words (which are then compared as text).
    #[inline]
    pub(super) fn bit(self) -> u32 {
        let bit = match self {
            Said::Greeting => 0,
            Said::AuthResponse => 1,
            Said::AuthCancel => 2,
            Said::Message => 3,
            Said::Verb(verb) => 4 + verb as u32,
            Said::Word(_) => ANY_WORD,
        };
        debug_assert!(bit <= ANY_WORD);
        bit
    }
}

/// The [`Said::bit`] of every word that names no verb.
const ANY_WORD: u32 = 63;

/// Each step's labels, found once per scenario: for each [`Said::bit`] the steps that have
/// a label of it, so that the steps an exchange could go to are found without asking every
/// step, and each step's words.
pub(super) struct StepLabels<'s> {
    words: Vec<Vec<&'s str>>,
    /// The steps of bit `b` are `by_bit[starts[b]..starts[b + 1]]`, in step order.
    starts: [u32; ANY_WORD as usize + 2],
    by_bit: Vec<u32>,
}

impl<'s> StepLabels<'s> {
    pub(super) fn of(scenario: &'s Scenario) -> Self {
        let mut masks = Vec::with_capacity(scenario.steps.len());
        let mut words = Vec::with_capacity(scenario.steps.len());
        for step in &scenario.steps {
            let mut mask = 0u64;
            let mut step_words = Vec::new();
            for label in &step.send {
                let said = Said::of_label(label);
                mask |= 1 << said.bit();
                if let Said::Word(word) = said {
                    step_words.push(word);
                }
            }
            masks.push(mask);
            words.push(step_words);
        }
        let mut starts = [0; ANY_WORD as usize + 2];
        let mut by_bit = Vec::new();
        for bit in 0..=ANY_WORD {
            starts[bit as usize] = by_bit.len() as u32;
            by_bit.extend((0..masks.len() as u32).filter(|&s| (masks[s as usize] >> bit) & 1 != 0));
        }
        starts[ANY_WORD as usize + 1] = by_bit.len() as u32;
        StepLabels {
            words,
            starts,
            by_bit,
        }
    }

    /// Whether step `s` could take an exchange that sent `said` ([`sends`]).
    #[cfg(test)]
    pub(super) fn sends(&self, s: usize, said: Said<'_>) -> bool {
        self.steps_sending(said).any(|step| step == s)
    }

    /// The steps that could take an exchange that sent `said` (each as [`sends`] says), in
    /// step order.
    #[inline]
    pub(super) fn steps_sending<'a>(&'a self, said: Said<'a>) -> impl Iterator<Item = usize> + 'a {
        let bit = said.bit() as usize;
        let steps = &self.by_bit[self.starts[bit] as usize..self.starts[bit + 1] as usize];
        steps
            .iter()
            .map(|&s| s as usize)
            .filter(move |&s| self.has_word(s, said))
    }

    /// Whether `said`, when it is a word, is one of step `s`'s words.
    #[inline]
    fn has_word(&self, s: usize, said: Said<'_>) -> bool {
        match said {
            Said::Word(word) => self.words[s].contains(&word),
            _ => true,
        }
    }
}

/// How exchange `j` fits each step, one byte per step: [`NO_FIT`] or a [`Fit`] as `1 + fit`.
const NO_FIT: u8 = 0;
const GOOD: u8 = 1;

fn fit_code(fit: Fit) -> u8 {
    match fit {
        Fit::Good => GOOD,
        Fit::WrongReply => 2,
        Fit::WrongArguments => 3,
    }
}

fn fit_of_code(code: u8) -> Fit {
    match code {
        GOOD => Fit::Good,
        2 => Fit::WrongReply,
        _ => Fit::WrongArguments,
    }
}

/// The buffers of an alignment, kept by each thread from one alignment to the next: a
/// capture's thousands of sessions are aligned with a few scenarios each, and allocating
/// the table afresh every time cost more than filling it.
#[derive(Default)]
struct Scratch {
    shape: Shape,
    /// Row 0.
    first: Vec<Cell>,
    /// The rows traced back directly, one after another.
    rows: Vec<Cell>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// The best alignment of `session` with `scenario`.
pub fn align(scenario: &Scenario, session: &Session) -> Alignment {
    align_within(scenario, session, DIRECT_CELLS)
}

/// [`align`], with the scenario's labels and what the session sent ([`Said::of_session`])
/// found already.
pub(super) fn align_labelled<'s>(
    scenario: &'s Scenario,
    labels: &StepLabels<'_>,
    session: &Session,
    said: &[Said<'_>],
    args: &ArgsSeen<'s>,
) -> Alignment {
    align_labelled_within(scenario, labels, session, said, args, DIRECT_CELLS)
}

/// [`align`], splitting the trace back once the table would hold more than `direct_cells`
/// cells.
fn align_within(scenario: &Scenario, session: &Session, direct_cells: usize) -> Alignment {
    let labels = StepLabels::of(scenario);
    align_labelled_within(
        scenario,
        &labels,
        session,
        &Said::of_session(session),
        &ArgsSeen::default(),
        direct_cells,
    )
}

fn align_labelled_within<'s>(
    scenario: &'s Scenario,
    labels: &StepLabels<'_>,
    session: &Session,
    said: &[Said<'_>],
    args: &ArgsSeen<'s>,
    direct_cells: usize,
) -> Alignment {
    let exchanges = &session.exchanges[..session.exchanges.len().min(MAX_EXCHANGES)];
    let events = SCRATCH.with(|scratch| {
        // A thread aligns one session at a time; the fallback only guards re-entry.
        let mut fresh = Scratch::default();
        let mut borrowed = scratch.try_borrow_mut();
        let Scratch { shape, first, rows } = match borrowed.as_mut() {
            Ok(scratch) => &mut **scratch,
            Err(_) => &mut fresh,
        };
        shape.fill(scenario, labels, exchanges, said, args);
        if let Some(events) = shape.only_perfect_way(&scenario.steps, exchanges.len()) {
            return events;
        }
        shape.fill_states(scenario, exchanges);
        let table = Table {
            steps: &scenario.steps,
            shape,
        };
        table.first_row(first);
        let mut events = Vec::new();
        table.trace(
            0,
            first,
            exchanges.len(),
            table.final_state(),
            direct_cells,
            rows,
            &mut events,
        );
        events.reverse();
        events
    });
    results(scenario, events)
}

/// The shape of the table's rows and what each exchange costs or earns at each step.
#[derive(Default)]
struct Shape {
    /// The counts each step distinguishes, `0..=caps[s]`.
    caps: Vec<u32>,
    /// Whether each step has no `max`: counting on past its cap stays at the cap.
    open: Vec<bool>,
    /// Where each step's states start in a row; the last entry is the final state.
    offsets: Vec<usize>,
    /// What leaving each exchange unmatched costs: 0 for a harmless one.
    extra_cost: Vec<Score>,
    /// How exchange `j` fits step `s`, at `j * steps + s` (see [`fit_code`]).
    fits: Vec<u8>,
    /// For each state but the final one: its step, and the points closing it earns.
    state_step: Vec<u32>,
    close_gain: Vec<Score>,
    /// How many exchanges each step could take (room kept between alignments).
    takers: Vec<u32>,
}

impl Shape {
    /// How each exchange fits each step, and how many exchanges each step could take: all
    /// that [`Shape::only_perfect_way`] reads.
    fn fill<'s>(
        &mut self,
        scenario: &'s Scenario,
        labels: &StepLabels<'_>,
        exchanges: &[Exchange],
        said: &[Said<'_>],
        args: &ArgsSeen<'s>,
    ) {
        let steps = scenario.steps.as_slice();
        let n = steps.len();
        self.fits.clear();
        self.fits.resize(exchanges.len() * n, NO_FIT);
        let takers = &mut self.takers;
        takers.clear();
        takers.resize(n, 0);
        debug_assert_eq!(said.len(), exchanges.len());
        for (j, (exchange, &said)) in exchanges.iter().zip(said).enumerate() {
            let fits = &mut self.fits[j * n..(j + 1) * n];
            for s in labels.steps_sending(said) {
                let step = &steps[s];
                fits[s] = fit_code(fit_given(step, exchange, args.fit(step, exchange)));
                takers[s] += 1;
            }
        }
    }

    /// The rest of the shape, which only filling the table reads: left out when the
    /// session has its only perfect way, as most of a capture's do.
    fn fill_states(&mut self, scenario: &Scenario, exchanges: &[Exchange]) {
        let steps = scenario.steps.as_slice();
        // A count can never pass the number of exchanges the step could take, so a bound
        // beyond that (`repeat: 1000`, or any large one) costs nothing more.
        self.caps.clear();
        self.caps.extend(
            steps
                .iter()
                .zip(&self.takers)
                .map(|(step, &takers)| cap(step).min(takers)),
        );
        self.open.clear();
        self.open
            .extend(steps.iter().map(|step| step.max.is_none()));
        self.offsets.clear();
        self.state_step.clear();
        self.close_gain.clear();
        let mut size = 0;
        for (s, (step, &cap)) in steps.iter().zip(&self.caps).enumerate() {
            self.offsets.push(size);
            size += (cap as usize + 1) * 2;
            for count in 0..=cap {
                for wrong in [false, true] {
                    self.state_step.push(s as u32);
                    self.close_gain
                        .push(Score::from(close_points(step, count, wrong)) * POINT);
                }
            }
        }
        self.offsets.push(size);
        self.extra_cost.clear();
        self.extra_cost
            .extend(exchanges.iter().map(|ex| match &ex.command {
                Some(command) if scenario.is_harmless(command) => 0,
                _ => 1,
            }));
    }
}

impl Shape {
    /// The events of the way that takes every exchange by a step it fits well, every step
    /// earning its points, when that way is the only one: each exchange fits exactly one
    /// step well, in step order, within each step's `repeat`. Such a way scores the most in
    /// every lane of [`Score`] (all points, every exchange matched and fitting, no extras),
    /// so the table's best way is it; and no other way scores as much, since that would take
    /// some exchange by another step it fits well. A capture's sessions mostly follow their
    /// scenario exactly, and filling the table for them was most of what grading cost.
    fn only_perfect_way(&self, steps: &[Step], exchanges: usize) -> Option<Vec<Event>> {
        let n = steps.len();
        let mut events = Vec::with_capacity(exchanges + n);
        // The step under way and how many exchanges it took.
        let (mut step, mut count) = (0, 0);
        // Closes the steps up to `to`; none when one of them earns nothing (below its
        // `min`; a step of `min` 0 not taken earns its points).
        let close = |to: usize, step: &mut usize, count: &mut u32, events: &mut Vec<Event>| {
            while *step < to {
                if *count < steps[*step].min {
                    return None;
                }
                events.push(Event::Closed { step: *step });
                *step += 1;
                *count = 0;
            }
            Some(())
        };
        for j in 0..exchanges {
            let fits = &self.fits[j * n..(j + 1) * n];
            let mut good = (0..n).filter(|&s| fits[s] == GOOD);
            let s = good.next()?;
            if good.next().is_some() || s < step {
                return None;
            }
            close(s, &mut step, &mut count, &mut events)?;
            count += 1;
            if steps[s].max.is_some_and(|max| count > max) {
                return None;
            }
            events.push(Event::Matched {
                step: s,
                exchange: j,
                fit: Fit::Good,
            });
        }
        close(n, &mut step, &mut count, &mut events)?;
        Some(events)
    }
}

/// A scenario's steps and the shape of its table against one session.
struct Table<'a> {
    steps: &'a [Step],
    shape: &'a Shape,
}

impl Table<'_> {
    fn width(&self) -> usize {
        self.final_state() + 1
    }

    /// All steps closed.
    fn final_state(&self) -> usize {
        self.shape.offsets[self.steps.len()]
    }

    /// The step a state belongs to (`steps.len()` for the final state).
    fn step_of(&self, state: usize) -> usize {
        match self.shape.state_step.get(state) {
            Some(&step) => step as usize,
            None => self.steps.len(),
        }
    }

    /// Row 0: nothing consumed, any number of steps closed.
    fn first_row(&self, row: &mut Vec<Cell>) {
        row.clear();
        row.resize(self.width(), UNREACHED);
        row[0] = Cell {
            score: TIDY,
            back: Back::Start,
        };
        self.close(row);
    }

    /// Closing steps within a row, in state order, so closes chain.
    fn close(&self, row: &mut [Cell]) {
        let shape = self.shape;
        let last = self.final_state();
        let states = &shape.state_step[..last];
        let gains = &shape.close_gain[..last];
        for from in 0..last {
            let score = row[from].score;
            if score == NONE {
                continue;
            }
            let to = shape.offsets[states[from] as usize + 1];
            relax(row, to, score + gains[from], Back::Close(from as u32));
        }
    }

    /// Row `j + 1` (`next`, all of it written) from row `j` (`row`).
    fn next(&self, row: &[Cell], j: usize, next: &mut [Cell]) {
        let shape = self.shape;
        let n = self.steps.len();
        let cost = shape.extra_cost[j];
        let fits = &shape.fits[j * n..(j + 1) * n];
        next.fill(UNREACHED);
        for (s, &fit) in fits.iter().enumerate() {
            let (lo, hi) = (shape.offsets[s], shape.offsets[s + 1]);
            let (from_cells, to_cells) = (&row[lo..hi], &mut next[lo..hi]);
            let cap = shape.caps[s];
            let open = shape.open[s];
            for (within, cell) in from_cells.iter().enumerate() {
                let score = cell.score;
                if score == NONE {
                    continue;
                }
                relax(to_cells, within, score - cost, Back::Extra);
                if fit == NO_FIT {
                    continue;
                }
                let (count, wrong) = ((within / 2) as u32, within % 2 == 1);
                let count = if count < cap {
                    count + 1
                } else if open {
                    count
                } else {
                    continue;
                };
                let good = fit == GOOD;
                let matched = score + MATCH + if good { FITTING } else { 0 };
                let to = count as usize * 2 + usize::from(wrong || !good);
                relax(
                    to_cells,
                    to,
                    matched,
                    Back::Match((lo + within) as u32, fit_of_code(fit)),
                );
            }
        }
        let last = self.final_state();
        let score = row[last].score;
        if score != NONE {
            relax(next, last, score - cost, Back::Extra);
        }
        self.close(next);
    }

    /// Follows the back pointers from `state` in row `end` down to row `start` (whose cells
    /// are `start_row`), pushing events newest first. Returns the state of row `start` where
    /// the path leaves for the row before (or begins). `rows` is room for the rows traced.
    #[allow(clippy::too_many_arguments)]
    fn trace(
        &self,
        start: usize,
        start_row: &[Cell],
        end: usize,
        state: usize,
        direct_cells: usize,
        rows: &mut Vec<Cell>,
        events: &mut Vec<Event>,
    ) -> usize {
        let width = self.width();
        let count = end - start + 1;
        if count > 2 && count.saturating_mul(width) > direct_cells {
            let middle = start + (end - start) / 2;
            let mut row = vec![UNREACHED; width];
            let mut spare = vec![UNREACHED; width];
            self.next(start_row, start, &mut row);
            for j in start + 1..middle {
                self.next(&row, j, &mut spare);
                std::mem::swap(&mut row, &mut spare);
            }
            drop(spare);
            let state = self.trace(middle, &row, end, state, direct_cells, rows, events);
            drop(row);
            return self.trace(start, start_row, middle, state, direct_cells, rows, events);
        }
        rows.clear();
        rows.resize((end - start) * width, UNREACHED);
        for j in start..end {
            let k = j - start;
            let (before, after) = rows.split_at_mut(k * width);
            let prev = if k == 0 {
                start_row
            } else {
                &before[(k - 1) * width..]
            };
            self.next(prev, j, &mut after[..width]);
        }
        let (mut j, mut state) = (end, state);
        loop {
            let row = if j == start {
                start_row
            } else {
                let k = j - start - 1;
                &rows[k * width..(k + 1) * width]
            };
            let cell = row[state];
            if cell.score == NONE {
                return state;
            }
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

/// The events of the best path, in session order, turned into step results. A way only
/// moves forward through the steps (closing one moves to the next), so the matches in
/// session order are already grouped by step, in step order: one pass places them.
fn results(scenario: &Scenario, events: Vec<Event>) -> Alignment {
    let steps = &scenario.steps;
    let mut extras = Vec::new();
    let mut matches = Vec::with_capacity(events.len());
    let mut results = Vec::with_capacity(steps.len());
    // Where the matches of the step `results.len()` start.
    let mut start = 0;
    let close = |results: &mut Vec<StepResult>, matches: &[(usize, Fit)], start: usize| {
        let step = &steps[results.len()];
        results.push(step_result(step, start..matches.len(), &matches[start..]));
    };
    for event in &events {
        match *event {
            Event::Matched {
                step,
                exchange,
                fit,
            } => {
                while results.len() < step {
                    close(&mut results, &matches, start);
                    start = matches.len();
                }
                debug_assert_eq!(results.len(), step, "matches out of step order");
                matches.push((exchange, fit));
            }
            Event::Extra { exchange } => extras.push(exchange),
            Event::Closed { .. } => {}
        }
    }
    while results.len() < steps.len() {
        close(&mut results, &matches, start);
        start = matches.len();
    }
    Alignment {
        events,
        steps: results,
        extras,
        matches,
    }
}

/// How a step came out, given the exchanges it took (`matched`, at `range` of the list).
fn step_result(step: &Step, range: std::ops::Range<usize>, matched: &[(usize, Fit)]) -> StepResult {
    let wrong = matched.iter().any(|(_, f)| *f != Fit::Good);
    let count = matched.len() as u32;
    let outcome = if count == 0 {
        if step.min == 0 {
            Outcome::Skipped
        } else {
            Outcome::Missing
        }
    } else if matched.iter().any(|(_, f)| *f == Fit::WrongArguments) {
        Outcome::WrongArguments
    } else if wrong {
        Outcome::WrongReply
    } else if count < step.min {
        Outcome::TooFew
    } else {
        Outcome::Passed
    };
    StepResult {
        matched: range,
        outcome,
        points: close_points(step, count, wrong),
    }
}

/// Whether any step of the scenario could take this exchange (by command).
pub fn any_step_sends(scenario: &Scenario, exchange: &Exchange) -> bool {
    scenario.steps.iter().any(|step| sends(step, exchange))
}

#[cfg(test)]
#[path = "align_tests.rs"]
mod tests;
