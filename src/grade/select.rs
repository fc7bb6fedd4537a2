//! Which session goes with which scenario when a submission has several of each.

use super::align::{fits_well, ArgsSeen, Said, MAX_EXCHANGES};
use super::grader::{assess, grade, ungradable, Assessed};
use super::model::{Grade, Status, Verdict};
use super::prepared::PreparedScenario;
use super::rules::Explainer;
use crate::i18n::messages::grade::GradeMessage;
use crate::scenario::Scenario;
use crate::session::{Protocol, Session};

/// How well a grade fits, for picking the best: gradable first, then points, then passed
/// checks.
fn rank(grade: &Grade) -> (bool, u32, usize) {
    let passed = grade
        .checks
        .iter()
        .filter(|c| c.status == Status::Passed)
        .count();
    (grade.verdict != Verdict::Ungradable, grade.score, passed)
}

/// One grade per scenario, each with the session of the submission that fits it best. A
/// scenario no session fits gets an ungradable grade that says why.
pub fn grade_submission(sessions: &[Session], scenarios: &[Scenario]) -> Vec<Grade> {
    scenarios
        .iter()
        .map(|scenario| best_session(sessions, scenario))
        .collect()
}

/// The grade of the session that fits `scenario` best.
pub fn best_session(sessions: &[Session], scenario: &Scenario) -> Grade {
    let best = sessions
        .iter()
        .enumerate()
        .filter(|(_, session)| session.protocol == scenario.protocol)
        .map(|(index, session)| grade(session, index, scenario))
        .reduce(|best, next| {
            if rank(&next) > rank(&best) {
                next
            } else {
                best
            }
        });
    best.unwrap_or_else(|| {
        let name = scenario.protocol.name().to_uppercase();
        ungradable(
            scenario,
            None,
            GradeMessage::NoSessionOfProtocol { name }.text(),
        )
    })
}

/// One grade per session, against the scenario that fits it best (its protocol first, then
/// the alignment score); `None` for a session no scenario is about. Sessions are graded on
/// every core at once; the grades come back in the sessions' order.
///
/// Each session is measured against the scenarios of its protocol, but only the best
/// measure is written out as a grade (feedback, findings, skeleton diff).
pub fn grade_each_session(sessions: &[Session], scenarios: &[Scenario]) -> Vec<Option<Grade>> {
    let grader = SessionGrader::new(scenarios);
    super::parallel::map_in_order(sessions, |index, session| grader.grade(session, index))
}

/// Scenarios made ready to grade session after session, each against the scenario that fits
/// it best, as [`grade_each_session`] does: what a thread that grades batch after batch
/// keeps, rather than preparing every scenario again for each batch.
pub struct SessionGrader<'s> {
    prepared: Vec<PreparedScenario<'s>>,
}

impl<'s> SessionGrader<'s> {
    pub fn new(scenarios: &'s [Scenario]) -> Self {
        SessionGrader {
            prepared: scenarios.iter().map(PreparedScenario::new).collect(),
        }
    }

    /// The grade of `session`, the `index`th of its batch; `None` when no scenario is
    /// about its protocol.
    pub fn grade(&self, session: &Session, index: usize) -> Option<Grade> {
        let explainer = Explainer::new(session);
        // What each exchange sent, found once: for the bounds, every alignment, and the
        // grade written (its skeleton lines and impossible-reply). On the stack for a
        // session of a lab's length.
        let mut said_on_stack = [Said::Greeting; 32];
        let said_on_heap;
        let aligned = &session.exchanges[..session.exchanges.len().min(MAX_EXCHANGES)];
        let said: &[Said<'_>] = if aligned.len() <= said_on_stack.len() {
            for (said, exchange) in said_on_stack.iter_mut().zip(aligned) {
                *said = Said::of_exchange(exchange);
            }
            &said_on_stack[..aligned.len()]
        } else {
            said_on_heap = Said::of_session(session);
            &said_on_heap
        };
        best_measure(session, index, &self.prepared, &explainer, said).map(Assessed::into_grade)
    }
}

/// The measure of `session` against the scenario of its protocol with the highest
/// [`ratio`], the first such in `prepared` on a tie.
///
/// Scenarios are measured in the order of the most they could give ([`best_possible`]),
/// and one that can give no more than the best measure so far is not measured at all: a
/// session of a capture usually fits one scenario fully, and the others cannot beat it.
/// The pick is the same as measuring all of them: the one picked is never skipped (its
/// bound is at least its ratio, which no other beats, and no scenario before it ties).
/// `said` is [`Said::of_session`].
fn best_measure<'a>(
    session: &'a Session,
    index: usize,
    prepared: &'a [PreparedScenario<'a>],
    explainer: &'a Explainer<'a>,
    said: &'a [Said<'a>],
) -> Option<Assessed<'a>> {
    // Shared by every scenario's bound and alignment of this session.
    let args = ArgsSeen::default();
    let bounds = prepared
        .iter()
        .enumerate()
        .filter(|(_, p)| p.scenario.protocol == session.protocol)
        .map(|(position, p)| (best_possible(p, session, said, &args), position));
    // On the stack for the few scenarios of an assignment: a list per session cost an
    // allocation for a handful of pairs.
    let mut on_stack = [(0u32, 0usize); 8];
    let mut on_heap = Vec::new();
    let order: &mut [(u32, usize)] = if prepared.len() <= on_stack.len() {
        let mut kept = 0;
        for bound in bounds {
            on_stack[kept] = bound;
            kept += 1;
        }
        &mut on_stack[..kept]
    } else {
        on_heap.extend(bounds);
        &mut on_heap
    };
    order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut best: Option<(u32, usize, Assessed<'a>)> = None;
    for &(bound, position) in order.iter() {
        if let Some((ratio, at, _)) = &best {
            if bound < *ratio || (bound == *ratio && position > *at) {
                continue;
            }
        }
        let measured = assess(
            session,
            None,
            index,
            &prepared[position],
            explainer,
            said,
            &args,
        );
        let measured_ratio = ratio(&measured);
        let better = match &best {
            None => true,
            Some((ratio, at, _)) => {
                measured_ratio > *ratio || (measured_ratio == *ratio && position < *at)
            }
        };
        if better {
            best = Some((measured_ratio, position, measured));
        }
    }
    best.map(|(_, _, measured)| measured)
}

/// Points per thousand of the points possible: how well a measure fits.
fn ratio(measured: &Assessed<'_>) -> u32 {
    let (score, max_score) = measured.score();
    (score * 1000).checked_div(max_score).unwrap_or(0)
}

/// An upper bound of the [`ratio`] `session` can get against `scenario`, found without
/// aligning: a step that needs `min` matches cannot earn its points when fewer than `min`
/// exchanges fit it well, whatever the alignment. Every other check is counted as earned;
/// the ratio is highest when no content or TLS check is set aside as not checked, because
/// points earned never exceed points possible. `said` is [`Said::of_session`]; `args`, what
/// the arguments' patterns said of the session so far.
fn best_possible<'s>(
    prepared: &PreparedScenario<'s>,
    session: &Session,
    said: &[Said<'_>],
    args: &ArgsSeen<'s>,
) -> u32 {
    let scenario = prepared.scenario;
    if scenario.protocol == Protocol::Tls || session.exchanges.is_empty() {
        return u32::MAX;
    }
    // Points possible are the scenario's own, found once when it was prepared.
    let possible = prepared.possible;
    if possible == 0 {
        return 0;
    }
    if possible > u64::from(u32::MAX / 1000) {
        // Beyond what loading allows; a ratio this large is not worth bounding.
        return u32::MAX;
    }
    let exchanges = &session.exchanges[..session.exchanges.len().min(MAX_EXCHANGES)];
    let steps = &scenario.steps;
    // How many exchanges fit each step well (with the reply and arguments it expects),
    // counted up to the step's `min`; each exchange asks only the steps it could go to.
    let mut on_stack = [0u32; 64];
    let mut on_heap = Vec::new();
    let good: &mut [u32] = if steps.len() <= on_stack.len() {
        &mut on_stack[..steps.len()]
    } else {
        on_heap.resize(steps.len(), 0);
        &mut on_heap
    };
    for (exchange, &said) in exchanges.iter().zip(said) {
        for s in prepared.labels.steps_sending(said) {
            let step = &steps[s];
            if step.points > 0 && good[s] < step.min && fits_well(step, exchange, args) {
                good[s] += 1;
            }
        }
    }
    let lost: u64 = steps
        .iter()
        .zip(good.iter())
        .filter(|(step, &good)| step.min > 0 && step.points > 0 && good < step.min)
        .map(|(step, _)| u64::from(step.points))
        .sum();
    u32::try_from((possible - lost) * 1000 / possible).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn sessions(text: &str) -> Vec<Session> {
        crate::ingest::read_bytes(Path::new("t.txt"), text.as_bytes())
            .map(|read| read.sessions)
            .unwrap_or_default()
    }

    const DIALOGUES: [&str; 6] = [
        "S: 220 lab.test ESMTP\nC: EHLO pc\nS: 250 lab.test\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n\
         C: c3R1ZGVudA==\nS: 334 UGFzc3dvcmQ6\nC: cGFzcw==\nS: 235 ok\nC: MAIL FROM:<a@lab.test>\n\
         S: 250 Ok\nC: RCPT TO:<b@lab.test>\nS: 250 Ok\nC: DATA\nS: 354 go\nC: From: <a@lab.test>\n\
         C: Date: Mon, 1 Jan 2024 00:00:00 +0000\nC:\nC: hi\nC: .\nS: 250 queued\nC: QUIT\nS: 221 Bye\n",
        "S: 220 lab.test ESMTP\nC: HELO pc\nS: 250 lab.test\nC: RCPT TO:<b@lab.test>\nS: 503 need MAIL\n\
         C: MAIL FROM:<a@lab.test>\nS: 250 Ok\nC: RCPT TO:<b@lab.test>\nS: 250 Ok\nC: QUIT\nS: 221 Bye\n",
        "S: 220 lab.test ESMTP\nC: EHLO pc\nS: 250 lab.test\nC: MAIL FROM:<a@lab.test>\nS: 530 auth\n\
         C: QUIT\nS: 221 Bye\n",
        "S: +OK POP3 ready\nC: USER student\nS: +OK\nC: PASS secret\nS: +OK\nC: STAT\nS: +OK 1 10\n\
         C: RETR 1\nS: +OK\nS: hi\nS: .\nC: DELE 1\nS: +OK\nC: QUIT\nS: +OK bye\n",
        "S: +OK POP3 ready\nC: USER student\nS: +OK\nC: PASS secret\nS: -ERR no\nC: QUIT\nS: +OK bye\n",
        "S: +OK POP3 ready\nC: USER student\nS: +OK\nC: PASS secret\nS: +OK\nC: LIST\nS: +OK\nS: .\n\
         C: RSET\nS: +OK\nC: QUIT\nS: +OK bye\n",
    ];

    /// Skipping scenarios by their bound picks what measuring every one of them picks, and
    /// no bound is below the ratio measured.
    #[test]
    fn skipping_by_the_bound_picks_what_measuring_all_picks() {
        let scenarios = crate::scenario::builtins();
        let prepared: Vec<PreparedScenario<'_>> =
            scenarios.iter().map(PreparedScenario::new).collect();
        let mut measured_sessions = 0;
        for text in DIALOGUES {
            for session in sessions(text) {
                measured_sessions += 1;
                let explainer = Explainer::new(&session);
                let said = Said::of_session(&session);
                let mut all = Vec::new();
                for p in prepared
                    .iter()
                    .filter(|p| p.scenario.protocol == session.protocol)
                {
                    let measured = assess(
                        &session,
                        None,
                        0,
                        p,
                        &explainer,
                        &said,
                        &ArgsSeen::default(),
                    );
                    let args = ArgsSeen::default();
                    assert!(best_possible(p, &session, &said, &args) >= ratio(&measured));
                    all.push((ratio(&measured), p.scenario.id.clone()));
                }
                let best_ratio = all.iter().map(|(r, _)| *r).max();
                let expected = all.iter().find(|(r, _)| Some(*r) == best_ratio);
                let picked = best_measure(&session, 0, &prepared, &explainer, &said)
                    .map(|m| (ratio(&m), m.into_grade().scenario));
                assert_eq!(picked.as_ref(), expected, "{text}");
            }
        }
        assert_eq!(measured_sessions, DIALOGUES.len());
    }
}
