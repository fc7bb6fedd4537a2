//! Which session goes with which scenario when a submission has several of each.

use super::grader::{assess, grade, ungradable, Assessed};
use super::model::{Grade, Status, Verdict};
use super::prepared::PreparedScenario;
use super::rules::Explainer;
use crate::i18n::messages::grade::GradeMessage;
use crate::scenario::Scenario;
use crate::session::Session;

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
/// Each session is measured against every scenario of its protocol, but only the best
/// measure is written out as a grade (feedback, findings, skeleton diff).
pub fn grade_each_session(sessions: &[Session], scenarios: &[Scenario]) -> Vec<Option<Grade>> {
    let prepared: Vec<PreparedScenario<'_>> = scenarios.iter().map(PreparedScenario::new).collect();
    super::parallel::map_in_order(sessions, |index, session| {
        let explainer = Explainer::new(session);
        prepared
            .iter()
            .filter(|p| p.scenario.protocol == session.protocol)
            .map(|p| assess(session, None, index, p, &explainer))
            .reduce(|best, next| {
                let ratio = |a: &Assessed<'_>| {
                    let (score, max_score) = a.score();
                    (score * 1000).checked_div(max_score).unwrap_or(0)
                };
                if ratio(&next) > ratio(&best) {
                    next
                } else {
                    best
                }
            })
            .map(Assessed::into_grade)
    })
}
