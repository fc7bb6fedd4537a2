//! One session against one scenario → a grade.

use super::align::{
    align_labelled, fit, label_is, Alignment, ArgsSeen, Event, Fit, Outcome, Said, MAX_EXCHANGES,
};
use super::checks::{self, message_content, Context};
use super::diff::skeleton_diff;
use super::evidence::SkeletonLines;
use super::model::{
    Check, CheckKind, Finding, FindingSeverity, Grade, SessionRef, SharedLine, Status, Verdict,
};
use super::prepared::PreparedScenario;
use super::rules::{self, fill_for, Rule};
use crate::i18n::messages::grade::{CheckName, GradeMessage, StepExpected};
use crate::i18n::{In, Lang, List, Separator, Text};
use crate::protocol::Verb;
use crate::scenario::{Forbidden, Label, OrderRule, Scenario, Step};
use crate::session::{Protocol, Session};

/// Grades `session` (the `index`th of the submission) against `scenario`.
pub fn grade(session: &Session, index: usize, scenario: &Scenario) -> Grade {
    grade_with(session, None, index, scenario)
}

/// Grades the replies a replay server gave (`replayed`), keeping the `claimed` session for
/// the checks that compare the two (`replay-integrity`) or judge what the student handed in.
pub fn grade_replayed(
    claimed: &Session,
    replayed: &Session,
    index: usize,
    scenario: &Scenario,
) -> Grade {
    grade_with(replayed, Some(claimed), index, scenario)
}

fn grade_with(
    session: &Session,
    claimed: Option<&Session>,
    index: usize,
    scenario: &Scenario,
) -> Grade {
    let prepared = PreparedScenario::new(scenario);
    let explainer = rules::Explainer::new(session);
    let args = ArgsSeen::default();
    let said = Said::of_session(session);
    assess(session, claimed, index, &prepared, &explainer, &said, &args).into_grade()
}

/// A session measured against a scenario: its points decided, its explanations (feedback,
/// evidence, findings, the skeleton diff) not yet written, so that a session can be measured
/// against every scenario of its protocol and only the one that fits best be written out.
pub(super) enum Assessed<'a> {
    /// Decided without aligning: ungradable, or a TLS scenario.
    Done(Box<Grade>),
    /// Not boxed: one is made per session graded, and it is moved only a few times.
    Aligned(Aligned<'a>),
}

pub(super) struct Aligned<'a> {
    session: &'a Session,
    claimed: Option<&'a Session>,
    index: usize,
    prepared: &'a PreparedScenario<'a>,
    explainer: &'a rules::Explainer<'a>,
    /// What the session's aligned exchanges sent ([`Said::of_session`]).
    said: &'a [Said<'a>],
    alignment: Alignment,
    checks: Vec<Pending>,
    score: u32,
    max_score: u32,
}

/// A check whose points are decided and whose words are written only if the grade is kept.
enum Pending {
    /// The step at this position, judged.
    Step {
        position: usize,
        status: Status,
        at: Option<usize>,
        rule: Option<&'static Rule>,
    },
    /// The scenario's forbidden command at this position, and where the session used it.
    Forbidden {
        position: usize,
        used: Option<usize>,
    },
    /// The scenario's order rule at this position, and where the session broke it.
    Order {
        position: usize,
        broken: Option<usize>,
    },
    /// Message check `check` of the step at `position`, against the message at `message`.
    Content {
        position: usize,
        check: usize,
        message: Option<usize>,
        outcome: message_content::Outcome,
    },
    /// A check written already (TLS checks).
    Made(Box<Check>),
}

impl Pending {
    /// Points earned and possible.
    fn points(&self, scenario: &Scenario, alignment: &Alignment) -> (u32, u32) {
        match self {
            Pending::Step { position, .. } => (
                alignment.steps[*position].points,
                scenario.steps[*position].points,
            ),
            Pending::Forbidden { position, used } => {
                let points = scenario.forbidden[*position].points;
                (if used.is_some() { 0 } else { points }, points)
            }
            Pending::Order { position, broken } => {
                let points = scenario.order[*position].points;
                (if broken.is_some() { 0 } else { points }, points)
            }
            Pending::Content {
                position,
                check,
                outcome,
                ..
            } => outcome.points(&scenario.steps[*position].checks[*check]),
            Pending::Made(check) => (check.points, check.max_points),
        }
    }
}

impl Assessed<'_> {
    /// Points earned and possible.
    pub(super) fn score(&self) -> (u32, u32) {
        match self {
            Assessed::Done(grade) => (grade.score, grade.max_score),
            Assessed::Aligned(aligned) => (aligned.score, aligned.max_score),
        }
    }

    /// The grade, every check and finding written out.
    pub(super) fn into_grade(self) -> Grade {
        match self {
            Assessed::Done(grade) => *grade,
            Assessed::Aligned(aligned) => aligned.into_grade(),
        }
    }
}

/// Measures `session` (the `index`th of the submission) against a scenario: see [`Assessed`].
/// `explainer`, `said` ([`Said::of_session`]) and `args` are the session's: found once for
/// every scenario it is measured against and for the grade written.
pub(super) fn assess<'a>(
    session: &'a Session,
    claimed: Option<&'a Session>,
    index: usize,
    prepared: &'a PreparedScenario<'a>,
    explainer: &'a rules::Explainer<'a>,
    said: &'a [Said<'a>],
    args: &ArgsSeen<'a>,
) -> Assessed<'a> {
    let scenario = prepared.scenario;
    let session_ref = || SessionRef {
        source: session.source.clone(),
        index,
    };
    if session.protocol != scenario.protocol {
        return Assessed::Done(Box::new(ungradable(
            scenario,
            Some(session_ref()),
            wrong_protocol(session.protocol, scenario.protocol),
        )));
    }
    if scenario.protocol == Protocol::Tls {
        return Assessed::Done(Box::new(super::tls::grade_tls(session, index, scenario)));
    }
    if session.exchanges.is_empty() {
        let reason = if session.tls.is_some() {
            GradeMessage::EncryptedFromStart.text()
        } else {
            GradeMessage::NoExchanges.text()
        };
        return Assessed::Done(Box::new(ungradable(scenario, Some(session_ref()), reason)));
    }
    let alignment = align_labelled(scenario, &prepared.labels, session, said, args);
    let dele_seen = session.commands().any(|c| c.verb() == Some(Verb::Dele));
    let mut checks = Vec::with_capacity(prepared.checks);
    for (position, (step, result)) in scenario.steps.iter().zip(&alignment.steps).enumerate() {
        let (status, at, rule) = judge_step(
            session,
            explainer,
            &alignment,
            position,
            step,
            result.outcome,
            dele_seen,
        );
        checks.push(Pending::Step {
            position,
            status,
            at,
            rule,
        });
        if let Some(tls) = &step.tls {
            checks.push(Pending::Made(Box::new(super::tls::step_tls_check(
                &step.id, tls, session,
            ))));
        }
        if !step.checks.is_empty() {
            let matched = alignment.matched(position);
            let message = matched
                .iter()
                .find(|(_, f)| *f == Fit::Good)
                .or(matched.first())
                .map(|(i, _)| *i);
            let mut check = 0;
            message_content::assess(step, session, message, |outcome| {
                checks.push(Pending::Content {
                    position,
                    check,
                    message,
                    outcome,
                });
                check += 1;
            });
        }
    }
    for (position, forbidden) in scenario.forbidden.iter().enumerate() {
        let used = session
            .exchanges
            .iter()
            .position(|e| label_is(&forbidden.send, e));
        checks.push(Pending::Forbidden { position, used });
    }
    for (position, rule) in scenario.order.iter().enumerate() {
        let broken = order_broken(rule, session);
        checks.push(Pending::Order { position, broken });
    }
    // Checks that could not look at their evidence count neither for nor against (message
    // checks see to that themselves).
    for check in &mut checks {
        if let Pending::Made(check) = check {
            if check.status == Status::NotChecked {
                check.points = 0;
                check.max_points = 0;
            }
        }
    }
    let (score, max_score) = checks
        .iter()
        .map(|check| check.points(scenario, &alignment))
        .fold((0, 0), |(score, max), (p, m)| (score + p, max + m));
    Assessed::Aligned(Aligned {
        session,
        claimed,
        index,
        prepared,
        explainer,
        said,
        alignment,
        checks,
        score,
        max_score,
    })
}

impl Aligned<'_> {
    fn into_grade(self) -> Grade {
        let Aligned {
            session,
            claimed,
            index,
            prepared,
            explainer,
            said,
            alignment,
            checks,
            score,
            max_score,
        } = self;
        let scenario = prepared.scenario;
        let lines = SkeletonLines::new(session, said);
        let mut checks: Vec<Check> = checks
            .into_iter()
            .map(|pending| match pending {
                Pending::Step {
                    position,
                    status,
                    at,
                    rule,
                } => step_check(
                    session, &lines, prepared, &alignment, position, status, at, rule,
                ),
                Pending::Forbidden { position, used } => forbidden_check(
                    &scenario.forbidden[position],
                    prepared.shared_forbidden(position),
                    &lines,
                    used,
                ),
                Pending::Order { position, broken } => order_check(
                    &scenario.order[position],
                    prepared.shared_order(position),
                    &lines,
                    broken,
                ),
                Pending::Content {
                    position,
                    check,
                    message,
                    outcome,
                } => message_content::written(
                    &scenario.steps[position].checks[check],
                    prepared.content_words(position, check),
                    outcome,
                    session,
                    message,
                    message.and_then(|i| lines.evidence(i)),
                ),
                Pending::Made(check) => *check,
            })
            .collect();
        if scenario.strict {
            checks.extend(strict_extras(&lines, &alignment));
        }
        let mut findings = checks::run_all(&Context {
            session,
            said,
            scenario,
            claimed,
        });
        if session.exchanges.len() > MAX_EXCHANGES {
            findings.push(Finding {
                check: "too-long",
                severity: FindingSeverity::Warning,
                message: GradeMessage::TooLong {
                    exchanges: session.exchanges.len(),
                    graded: MAX_EXCHANGES,
                }
                .text(),
                evidence: lines.evidence(MAX_EXCHANGES),
            });
        }
        if !scenario.strict {
            findings.extend(explain_extras(
                scenario, session, &lines, explainer, &alignment,
            ));
        }
        let findings = super::bounded::bound_findings(findings);
        let unexpected = checks.iter().any(|c| c.status == Status::Unexpected);
        let passed = score >= scenario.pass_mark && !unexpected;
        Grade {
            scenario: scenario.id.clone(),
            title: scenario.title.clone(),
            protocol: scenario.protocol,
            score,
            max_score,
            pass_mark: scenario.pass_mark,
            passed,
            verdict: if passed {
                Verdict::Passed
            } else {
                Verdict::Failed
            },
            reason: None,
            checks,
            skeleton_diff: skeleton_diff(prepared, session, &lines, &alignment),
            findings,
            session: Some(SessionRef {
                source: session.source.clone(),
                index,
            }),
            server: None,
            task: None,
        }
    }
}

fn wrong_protocol(found: Protocol, wanted: Protocol) -> Text {
    GradeMessage::WrongProtocol {
        found: found.name().to_uppercase(),
        wanted: wanted.name().to_uppercase(),
    }
    .text()
}

/// A grade that says why nothing could be graded (not a zero).
pub fn ungradable(scenario: &Scenario, session: Option<SessionRef>, reason: Text) -> Grade {
    Grade {
        scenario: scenario.id.clone(),
        title: scenario.title.clone(),
        protocol: scenario.protocol,
        score: 0,
        max_score: scenario.max_score(),
        pass_mark: scenario.pass_mark,
        passed: false,
        verdict: Verdict::Ungradable,
        reason: Some(reason),
        checks: Vec::new(),
        skeleton_diff: Vec::new(),
        findings: Vec::new(),
        session,
        server: None,
        task: None,
    }
}

/// The exchange a step is judged by: the first bad match, else the first match.
fn judged_exchange(matched: &[(usize, Fit)]) -> Option<usize> {
    matched
        .iter()
        .find(|(_, f)| *f != Fit::Good)
        .or(matched.first())
        .map(|(i, _)| *i)
}

/// The exchange right after where a missing step should have been.
fn position_after(alignment: &Alignment, step: usize) -> Option<usize> {
    let closed = alignment
        .events
        .iter()
        .position(|e| *e == Event::Closed { step })?;
    alignment.events[closed..].iter().find_map(|e| match *e {
        Event::Matched { exchange, .. } | Event::Extra { exchange } => Some(exchange),
        Event::Closed { .. } => None,
    })
}

/// A step's commands, any one of which will do: `RCPT or DATA` / `RCPT 或 DATA`.
fn labels(step: &Step) -> List<String> {
    let labels = step.send.iter().map(Label::to_string).collect();
    List::new(labels, Separator::Or)
}

/// How a step came out, the exchange it is judged by and the rule that explains a loss.
fn judge_step(
    session: &Session,
    explainer: &rules::Explainer<'_>,
    alignment: &Alignment,
    position: usize,
    step: &Step,
    outcome: Outcome,
    dele_seen: bool,
) -> (Status, Option<usize>, Option<&'static Rule>) {
    let matched = alignment.matched(position);
    // A missing step whose command the session has elsewhere is out of order.
    let misplaced = match outcome {
        Outcome::Missing => alignment
            .extras
            .iter()
            .copied()
            .find(|&i| fit(step, &session.exchanges[i]).is_some()),
        _ => None,
    };
    match (outcome, misplaced) {
        (Outcome::Passed, _) => (Status::Passed, judged_exchange(matched), None),
        (Outcome::Skipped, _) => (Status::Skipped, None, None),
        (Outcome::WrongReply, _) => {
            let at = judged_exchange(matched);
            let rule = at
                .and_then(|i| explainer.reply(i))
                .unwrap_or(&rules::WRONG_REPLY);
            (Status::WrongReply, at, Some(rule))
        }
        (Outcome::WrongArguments, _) => (
            Status::WrongArguments,
            judged_exchange(matched),
            Some(&rules::WRONG_ARGUMENTS),
        ),
        (Outcome::Missing, Some(at)) => {
            let rule = explainer.reply(at).unwrap_or(&rules::OUT_OF_ORDER);
            (Status::OutOfOrder, Some(at), Some(rule))
        }
        (Outcome::Missing, None) => (
            Status::Missing,
            position_after(alignment, position),
            Some(rules::explain_missing(session, &step.send, dele_seen)),
        ),
        (Outcome::TooFew, _) => (
            Status::Missing,
            judged_exchange(matched),
            Some(&rules::STEP_MISSING),
        ),
    }
}

/// The check of a step judged by [`judge_step`], its feedback written.
#[allow(clippy::too_many_arguments)]
fn step_check(
    session: &Session,
    lines: &SkeletonLines<'_>,
    prepared: &PreparedScenario<'_>,
    alignment: &Alignment,
    position: usize,
    status: Status,
    at: Option<usize>,
    rule: Option<&'static Rule>,
) -> Check {
    let step = &prepared.scenario.steps[position];
    let result = &alignment.steps[position];
    let outcome = result.outcome;
    let feedback = rule.map(|rule| {
        let expected = match status {
            Status::Missing if outcome == Outcome::TooFew => StepExpected::AtLeast {
                labels: labels(step),
                expect: step.expect.to_string(),
                min: step.min,
            }
            .text(),
            Status::Missing => {
                let labels = labels(step);
                let [en, zh_cn] = [Lang::En, Lang::ZhCn]
                    .map(|lang| format!("{} → {}", In(&labels, lang), step.expect));
                Text::new(en, zh_cn)
            }
            _ => Text::from(step.expect.to_string()),
        };
        let exchange = match status {
            Status::Missing => None,
            _ => at.and_then(|i| session.exchanges.get(i)),
        };
        with_hint(
            rule.feedback(&fill_for(exchange, expected)),
            step.feedback.as_ref(),
        )
    });
    Check {
        id: prepared.shared_step_id(position),
        kind: CheckKind::Step,
        name: prepared.shared_step_line(position),
        title: None,
        status,
        points: result.points,
        max_points: step.points,
        rule: rule.map(|r| r.id),
        feedback,
        evidence: at.and_then(|i| lines.evidence(i)),
    }
}

/// The check of a forbidden command, named `id` and `name` ([`PreparedScenario`]).
fn forbidden_check(
    forbidden: &Forbidden,
    named: (SharedLine, SharedLine),
    lines: &SkeletonLines<'_>,
    used: Option<usize>,
) -> Check {
    let command = forbidden.send.to_string();
    let broken = used.map(|at| {
        let text = GradeMessage::Forbidden {
            command: command.clone(),
        }
        .text();
        (at, with_hint(text, forbidden.feedback.as_ref()))
    });
    let title = CheckName::Forbidden { command }.text();
    rule_check(
        CheckKind::Forbidden,
        named,
        title,
        forbidden.points,
        broken,
        lines,
    )
}

/// A rule's check (a forbidden command, an order): all its points unless `broken` says at
/// which exchange it was broken and what to say about it.
fn rule_check(
    kind: CheckKind,
    (id, name): (SharedLine, SharedLine),
    title: Text,
    max_points: u32,
    broken: Option<(usize, Text)>,
    lines: &SkeletonLines<'_>,
) -> Check {
    let (status, points, feedback, evidence) = match broken {
        Some((at, feedback)) => (Status::Failed, 0, Some(feedback), lines.evidence(at)),
        None => (Status::Passed, max_points, None, None),
    };
    Check {
        id,
        kind,
        name,
        title: Some(title),
        status,
        points,
        max_points,
        rule: None,
        feedback,
        evidence,
    }
}

/// `text`, followed by the scenario's own hint when it has one.
fn with_hint(text: Text, hint: Option<&Text>) -> Text {
    match hint {
        Some(hint) => text.join(hint),
        None => text,
    }
}

/// Where the session first sent `rule.after` before a positive reply to `rule.before`.
fn order_broken(rule: &OrderRule, session: &Session) -> Option<usize> {
    let mut before_done = false;
    for (i, exchange) in session.exchanges.iter().enumerate() {
        if !before_done && label_is(&rule.after, exchange) {
            return Some(i);
        }
        if label_is(&rule.before, exchange)
            && exchange
                .reply
                .as_ref()
                .is_some_and(|r| r.code.is_positive())
        {
            before_done = true;
        }
    }
    None
}

/// The check of an order rule, named `id` and `name` ([`PreparedScenario`]).
fn order_check(
    rule: &OrderRule,
    named: (SharedLine, SharedLine),
    lines: &SkeletonLines<'_>,
    broken: Option<usize>,
) -> Check {
    let (after, before) = (rule.after.to_string(), rule.before.to_string());
    let broken = broken.map(|at| {
        let text = GradeMessage::OrderBroken {
            after: after.clone(),
            before: before.clone(),
        }
        .text();
        (at, with_hint(text, rule.feedback.as_ref()))
    });
    let title = CheckName::Order { before, after }.text();
    rule_check(CheckKind::Order, named, title, rule.points, broken, lines)
}

/// In a strict scenario every exchange no step took is a failed check.
fn strict_extras(lines: &SkeletonLines<'_>, alignment: &Alignment) -> Vec<Check> {
    alignment
        .extras
        .iter()
        .map(|&i| Check {
            id: format!("extra-{}", i + 1).into(),
            kind: CheckKind::Extra,
            name: lines.shared(i),
            title: None,
            status: Status::Unexpected,
            points: 0,
            max_points: 0,
            rule: None,
            feedback: Some(
                GradeMessage::NotInExercise {
                    exchange: lines.line(i),
                }
                .text(),
            ),
            evidence: lines.evidence(i),
        })
        .collect()
}

/// Refused commands no step took (a failed first try before the right one) are explained,
/// costing nothing.
fn explain_extras(
    scenario: &Scenario,
    session: &Session,
    lines: &SkeletonLines<'_>,
    explainer: &rules::Explainer<'_>,
    alignment: &Alignment,
) -> Vec<Finding> {
    let missing: Vec<&Step> = scenario
        .steps
        .iter()
        .zip(&alignment.steps)
        .filter(|(_, result)| result.outcome == Outcome::Missing)
        .map(|(step, _)| step)
        .collect();
    alignment
        .extras
        .iter()
        .filter_map(|&i| {
            let exchange = &session.exchanges[i];
            if exchange
                .command
                .as_ref()
                .is_some_and(|c| scenario.is_harmless(c))
            {
                return None;
            }
            // An exchange that stands in for a missing step is explained by that step's check.
            let misplaced = missing.iter().any(|step| fit(step, exchange).is_some());
            if misplaced {
                return None;
            }
            let rule = explainer.reply(i)?;
            Some(Finding {
                check: rule.id,
                severity: FindingSeverity::Info,
                message: rule.feedback(&fill_for(Some(exchange), Text::default())),
                evidence: lines.evidence(i),
            })
        })
        .collect()
}
