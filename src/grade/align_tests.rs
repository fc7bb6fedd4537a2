//! The alignment against the plain full-table dynamic program it replaced (every count
//! unrolled, every row kept): same answer, whether the trace back is split or not.

use proptest::prelude::*;
use regex::Regex;

use super::*;
use crate::scenario::{CodePattern, Expect, ServerSpec, Text};
use crate::session::{
    Args, Command, CommandKind, Origin, Protocol, Reply, ReplyCode, SmtpCode, Source,
};

/// The score the oracle keeps as the fields that [`super::Score`] packs into lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    points: u32,
    matched: u32,
    fitting: u32,
    tidiness: i64,
}

/// The previous implementation, kept as the oracle: one table of (exchanges + 1) × states.
#[allow(clippy::needless_range_loop)]
fn reference(scenario: &Scenario, session: &Session) -> Alignment {
    let steps = &scenario.steps;
    let exchanges = &session.exchanges[..session.exchanges.len().min(MAX_EXCHANGES)];
    let (n, m) = (exchanges.len(), steps.len());
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
    #[derive(Clone, Copy)]
    enum Old {
        Start,
        Close(usize),
        Extra(usize),
        Match(usize, Fit),
    }
    let mut best: Vec<Option<(Score, Old)>> = vec![None; (n + 1) * layer];
    let zero = Score {
        points: 0,
        matched: 0,
        fitting: 0,
        tidiness: 0,
    };
    best[id(0, 0, 0, false)] = Some((zero, Old::Start));
    let relax = |best: &mut Vec<Option<(Score, Old)>>, to: usize, score: Score, back: Old| {
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
                        relax(&mut best, id(j, s + 1, 0, false), closed, Old::Close(from));
                    }
                    if j == n {
                        continue;
                    }
                    let cost = match &exchanges[j].command {
                        Some(command) if scenario.is_harmless(command) => 0,
                        _ => 1,
                    };
                    let skipped = Score {
                        tidiness: score.tidiness - cost,
                        ..score
                    };
                    relax(&mut best, id(j + 1, s, c, w), skipped, Old::Extra(from));
                    if s < m {
                        if let Some(f) = fit(&steps[s], &exchanges[j]) {
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
                                    fitting: score.fitting + u32::from(f == Fit::Good),
                                    ..score
                                };
                                let to = id(j + 1, s, next, w || f != Fit::Good);
                                relax(&mut best, to, matched, Old::Match(from, f));
                            }
                        }
                    }
                }
            }
        }
    }
    let locate = |state: usize| {
        let rest = state % layer;
        (
            state / layer,
            offset.iter().rposition(|&o| o <= rest).unwrap_or(0).min(m),
        )
    };
    let mut events = Vec::new();
    let mut state = n * layer + offset[m];
    while let Some((_, back)) = best.get(state).copied().flatten() {
        let (j, s) = locate(state);
        match back {
            Old::Start => break,
            Old::Close(from) => {
                events.push(Event::Closed { step: s - 1 });
                state = from;
            }
            Old::Extra(from) => {
                events.push(Event::Extra { exchange: j - 1 });
                state = from;
            }
            Old::Match(from, fit) => {
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
    results(scenario, events)
}

const VERBS: [&str; 5] = ["HELO", "MAIL", "RCPT", "NOOP", "QUIT"];
const BOUNDS: [(u32, Option<u32>); 8] = [
    (1, Some(1)),
    (0, Some(1)),
    (1, None),
    (0, None),
    (2, Some(3)),
    (2, Some(2)),
    (0, Some(3)),
    (3, None),
];

fn step(index: usize, sends: u8, args: bool, expect: u8, points: u32, bounds: usize) -> Step {
    let send: Vec<Label> = VERBS[..4]
        .iter()
        .enumerate()
        .filter(|(k, _)| sends & (1 << k) != 0)
        .map(|(_, verb)| Label::Verb(verb.to_string()))
        .collect();
    let (min, max) = BOUNDS[bounds];
    Step {
        id: format!("s{index}"),
        send: if send.is_empty() {
            vec![Label::Verb("HELO".into())]
        } else {
            send
        },
        args: args.then(|| Regex::new("^a").expect("valid")),
        expect: Expect(vec![match expect {
            0 => CodePattern::Exact(SmtpCode::new(250).expect("code")),
            1 => CodePattern::Class(2),
            _ => CodePattern::Class(5),
        }]),
        points,
        min,
        max,
        feedback: None,
        checks: Vec::new(),
        tls: None,
    }
}

fn scenario_of(steps: Vec<Step>, strict: bool) -> Scenario {
    Scenario {
        id: "generated".into(),
        title: Text::new("t", "t"),
        description: None,
        protocol: Protocol::Smtp,
        pass_mark: 0,
        strict,
        harmless: vec!["NOOP".into()],
        server: ServerSpec::default(),
        steps,
        forbidden: Vec::new(),
        order: Vec::new(),
        tls: None,
        origin: "test".into(),
    }
}

fn session_of(exchanges: &[(usize, bool, u16)]) -> Session {
    let mut session = Session::new(Protocol::Smtp, Source::default());
    for (line, &(verb, a, code)) in exchanges.iter().enumerate() {
        let verb = VERBS[verb];
        session.exchanges.push(Exchange {
            command: Some(Command::new(
                CommandKind::line(Protocol::Smtp, verb, Args::plain(if a { "a" } else { "b" })),
                Origin::line(line as u32 + 1),
            )),
            reply: Some(Reply::new(
                ReplyCode::Smtp(SmtpCode::new(code).expect("code")),
                crate::session::ReplyLines::new(),
                Origin::line(line as u32 + 1),
            )),
        });
    }
    session
}

/// `shape` filled for `session` against `scenario`, as aligning fills it.
fn fill(shape: &mut Shape, scenario: &Scenario, labels: &StepLabels<'_>, session: &Session) {
    let said = Said::of_session(session);
    shape.fill(
        scenario,
        labels,
        &session.exchanges,
        &said,
        &ArgsSeen::default(),
    );
}

fn steps_strategy() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            1u8..16,
            any::<bool>(),
            0u8..3,
            0u32..20,
            0usize..BOUNDS.len(),
        ),
        0..7,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (sends, args, expect, points, bounds))| {
                step(i, sends, args, expect, points, bounds)
            })
            .collect()
    })
}

fn exchanges_strategy() -> impl Strategy<Value = Vec<(usize, bool, u16)>> {
    prop::collection::vec(
        (
            0usize..VERBS.len(),
            any::<bool>(),
            prop::sample::select(vec![250u16, 251, 550]),
        ),
        0..24,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn same_answer_as_the_full_table_split_or_not(
        steps in steps_strategy(),
        exchanges in exchanges_strategy(),
        strict in any::<bool>(),
    ) {
        let scenario = scenario_of(steps, strict);
        let session = session_of(&exchanges);
        let expected = reference(&scenario, &session);
        prop_assert_eq!(&align_within(&scenario, &session, usize::MAX), &expected);
        // Every range split down to two rows: the most recomputation there can be.
        prop_assert_eq!(&align_within(&scenario, &session, 0), &expected);
        prop_assert_eq!(&align(&scenario, &session), &expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Sessions that follow their steps (where the one way that fits them all well is taken
    /// without the table, when it is the only one) get the oracle's answer too.
    #[test]
    fn same_answer_for_sessions_that_follow_the_steps(
        steps in steps_strategy(),
        extra in prop::collection::vec(0u32..3, 7),
        strict in any::<bool>(),
    ) {
        let scenario = scenario_of(steps, strict);
        let mut exchanges = Vec::new();
        for (step, &more) in scenario.steps.iter().zip(&extra) {
            let verb = VERBS
                .iter()
                .position(|v| step.send.contains(&Label::Verb(v.to_string())))
                .expect("a step sends a verb");
            let code = [250, 550]
                .into_iter()
                .find(|&code| step.expect.matches(ReplyCode::Smtp(SmtpCode::new(code).expect("code"))))
                .expect("a code fits");
            let count = (step.min + more).min(step.max.unwrap_or(u32::MAX));
            exchanges.extend((0..count).map(|_| (verb, true, code)));
        }
        let session = session_of(&exchanges);
        let expected = reference(&scenario, &session);
        prop_assert_eq!(&align(&scenario, &session), &expected);
    }
}

/// The way every exchange takes is found without the table for a session that follows its
/// scenario, and not when an exchange could go to two steps.
#[test]
fn the_only_perfect_way_is_found_without_the_table() {
    let steps = vec![
        step(0, 0b0001, false, 0, 5, 0),
        step(1, 0b0110, true, 1, 5, 5),
    ];
    let scenario = scenario_of(steps, false);
    let labels = StepLabels::of(&scenario);
    let mut shape = Shape::default();
    let follows = session_of(&[(0, false, 250), (1, true, 250), (2, true, 250)]);
    fill(&mut shape, &scenario, &labels, &follows);
    assert_eq!(
        shape.only_perfect_way(&scenario.steps, follows.exchanges.len()),
        Some(vec![
            Event::Matched {
                step: 0,
                exchange: 0,
                fit: Fit::Good
            },
            Event::Closed { step: 0 },
            Event::Matched {
                step: 1,
                exchange: 1,
                fit: Fit::Good
            },
            Event::Matched {
                step: 1,
                exchange: 2,
                fit: Fit::Good
            },
            Event::Closed { step: 1 },
        ])
    );
    assert_eq!(align(&scenario, &follows), reference(&scenario, &follows));
    // HELO fits both steps well once the second one sends it too.
    let steps = vec![
        step(0, 0b0001, false, 0, 5, 1),
        step(1, 0b0001, false, 1, 5, 5),
    ];
    let scenario = scenario_of(steps, false);
    let twice = session_of(&[(0, false, 250)]);
    let labels = StepLabels::of(&scenario);
    fill(&mut shape, &scenario, &labels, &twice);
    assert_eq!(shape.only_perfect_way(&scenario.steps, 1), None);
    assert_eq!(align(&scenario, &twice), reference(&scenario, &twice));
}

/// `repeat: 100000000` used to allocate a count state per repetition in every row (70 GB);
/// the counts now stop at what the session can reach.
#[test]
fn a_huge_repeat_bound_costs_no_more_than_the_exchanges_it_can_take() {
    let mut huge = step(0, 0b0100, false, 0, 10, 0);
    (huge.min, huge.max) = (100_000_000, Some(100_000_000));
    let mut open = step(1, 0b0001, false, 0, 10, 0);
    (open.min, open.max) = (100_000_000, None);
    let scenario = scenario_of(vec![huge, open], false);
    let exchanges: Vec<(usize, bool, u16)> = (0..1000)
        .map(|i| (if i % 2 == 0 { 2 } else { 0 }, true, 250))
        .collect();
    let session = session_of(&exchanges);
    let mut shape = Shape::default();
    let labels = StepLabels::of(&scenario);
    fill(&mut shape, &scenario, &labels, &session);
    shape.fill_states(&scenario, &session.exchanges);
    assert_eq!(shape.caps, vec![500, 500]);
    let alignment = align(&scenario, &session);
    assert_eq!(alignment.matched_count(), 500 + 1);
    assert_eq!(alignment.steps[0].outcome, Outcome::TooFew);
}

/// A label and an exchange are the same [`Said`] exactly when [`label_is`] says so, verbs,
/// specials and unknown words alike (a word spelling a verb of the other protocol too).
#[test]
fn said_compares_as_label_is() {
    let text = "S: 220 lab.test ESMTP\nC: EHLO pc\nS: 250 ok\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n\
                C: c3R1ZGVudA==\nS: 334 UGFzc3dvcmQ6\nC: *\nS: 501 no\nC: USER x\nS: 502 what\n\
                C: XYZZY\nS: 502 what\nC: MAIL FROM:<a@b>\nS: 250 ok\nC: DATA\nS: 354 go\n\
                C: hi\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n\
                S: +OK ready\nC: USER s\nS: +OK\nC: EHLO pc\nS: -ERR what\nC: STAT\nS: +OK 0 0\n";
    let sessions = crate::ingest::read_bytes(std::path::Path::new("t.txt"), text.as_bytes())
        .map(|read| read.sessions)
        .unwrap_or_default();
    let mut labels = vec![
        Label::Greeting,
        Label::AuthResponse,
        Label::AuthCancel,
        Label::Message,
        Label::Verb("XYZZY".into()),
        Label::Verb("ehlo".into()),
        Label::Verb(String::new()),
    ];
    for protocol in [
        crate::session::Protocol::Smtp,
        crate::session::Protocol::Pop3,
    ] {
        labels.extend(Verb::of(protocol).iter().map(|&verb| Label::verb(verb)));
    }
    let steps = [step(0, 0b0001, false, 0, 1, 0)];
    let mut pairs = 0;
    let mut equal = 0;
    for session in &sessions {
        for exchange in &session.exchanges {
            for label in &labels {
                let said = Said::of_exchange(exchange);
                let same = Said::of_label(label) == said;
                assert_eq!(same, label_is(label, exchange), "{label} {exchange:?}");
                let step = Step {
                    send: vec![label.clone()],
                    ..steps[0].clone()
                };
                let scenario = scenario_of(vec![step], false);
                assert_eq!(StepLabels::of(&scenario).sends(0, said), same);
                pairs += 1;
                equal += usize::from(same);
            }
        }
    }
    assert!(pairs > 200 && equal >= 5, "{pairs} pairs, {equal} equal");
}

/// What [`ArgsSeen`] answers is what each step's pattern says, asked once or again, across
/// scenarios that share patterns, and past the answers it keeps.
#[test]
fn args_seen_answers_as_the_patterns_do() {
    let text = "S: 220 lab.test ESMTP\nC: EHLO pc\nS: 250 ok\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n\
                C: c3R1ZGVudA==\nS: 235 ok\nC: AUTH PLAIN x\nS: 503 no\nC: MAIL FROM:<a@b>\n\
                S: 250 ok\nC: MAIL FROM: a@b\nS: 503 no\nC: RCPT TO:<b@c>\nS: 250 ok\n\
                C: RCPT TO:<c@d>\nS: 250 ok\nC: RCPT TO: d@e\nS: 501 no\nC: RCPT TO:<e@f>\n\
                S: 250 ok\nC: RCPT TO:<f@g>\nS: 250 ok\nC: RCPT TO:<g@h>\nS: 250 ok\nC: DATA\n\
                S: 354 go\nC: hi\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n";
    let sessions = crate::ingest::read_bytes(std::path::Path::new("t.txt"), text.as_bytes())
        .map(|read| read.sessions)
        .unwrap_or_default();
    let scenarios = crate::scenario::builtins();
    let mut asked = 0;
    for session in &sessions {
        let args = ArgsSeen::default();
        for _ in 0..2 {
            for scenario in &scenarios {
                for step in scenario.steps.iter().filter(|s| s.args.is_some()) {
                    for exchange in &session.exchanges {
                        assert_eq!(args.fit(step, exchange), step.args_fit(exchange));
                        asked += 1;
                    }
                }
            }
        }
        assert_eq!(args.seen.borrow().1, ARGS_KEPT, "room all used");
    }
    assert!(asked > 4 * ARGS_KEPT, "{asked}");
}
