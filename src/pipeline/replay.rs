//! Steps 3 and 4 of grading a submission: its graded sessions replayed on a server and
//! re-graded on the replies the server gave.

use std::sync::Arc;

use super::outcome::SubmissionOutcome;
use super::replay_findings::{replay_failed, replay_findings};
use super::server::{qualify, start, ServerChoice};
use crate::grade;
use crate::replay::{self, ReplaySetup};
use crate::scenario::Scenario;
use crate::server::{Account, MailServer};

/// Replays every graded session of `submission` (in session order, on one server, so an
/// SMTP session's message is there for a later POP3 session) and re-grades it on the
/// replayed replies. A replay that fails keeps the claimed grade and says why.
pub async fn replay_submission(
    submission: &mut SubmissionOutcome,
    scenarios: &[Scenario],
    choice: &ServerChoice,
) {
    let mut order: Vec<usize> = (0..submission.grades.len())
        .filter(|&g| {
            let grade = &submission.grades[g];
            grade.verdict != grade::Verdict::Ungradable && grade.session.is_some()
        })
        .collect();
    if order.is_empty() {
        return;
    }
    order.sort_by_key(|&g| submission.grades[g].session.as_ref().map_or(0, |s| s.index));
    let _turn = match choice {
        ServerChoice::Shared(shared) => {
            let turn = shared.turn.lock().await;
            if let Err(error) = shared.server.empty_mailboxes().await {
                for &g in &order {
                    let finding = replay_failed(&choice.name(), &error.to_string());
                    submission.grades[g].findings.push(finding);
                }
                return;
            }
            Some(turn)
        }
        _ => None,
    };
    let server: Arc<dyn MailServer> = match start(choice, scenarios).await {
        Ok(server) => server,
        Err(message) => {
            for &g in &order {
                submission.grades[g]
                    .findings
                    .push(replay_failed(&choice.name(), &message));
            }
            return;
        }
    };
    for g in order {
        let grade = &submission.grades[g];
        let Some(scenario) = scenarios.iter().find(|s| s.id == grade.scenario) else {
            continue;
        };
        let Some(index) = grade.session.as_ref().map(|s| s.index) else {
            continue;
        };
        let Some(claimed) = submission.sessions.get(index) else {
            continue;
        };
        let setup = setup_for(scenario, server.as_ref());
        match replay::replay_session(server.as_ref(), claimed, &setup).await {
            Ok(replayed) => {
                let mut regraded =
                    grade::grade_replayed(claimed, &replayed.session, index, scenario);
                regraded.server = Some(replayed.server.clone());
                regraded.task = grade.task.clone();
                regraded
                    .findings
                    .extend(replay_findings(claimed, &replayed));
                submission.grades[g] = regraded;
                submission.replayed.insert(index, replayed.session);
            }
            Err(error) => {
                let finding = replay_failed(&server.name(), &error.to_string());
                submission.grades[g].findings.push(finding);
            }
        }
    }
    if !matches!(choice, ServerChoice::Shared(_)) {
        let _ = server.stop().await;
    }
}

pub fn setup_for(scenario: &Scenario, server: &dyn MailServer) -> ReplaySetup {
    let spec = &scenario.server;
    let domain = server.domain();
    let account = spec
        .accounts
        .first()
        .map(|a| Account::new(qualify(&a.user, &domain), a.password.clone()))
        .or_else(|| server.accounts().into_iter().next())
        .unwrap_or_else(|| Account::new(format!("student@{domain}"), "secret"));
    let mut setup = ReplaySetup::new(account, domain);
    setup.keep_addresses = spec.keep_addresses;
    setup.send_then_read = spec.send_then_read;
    setup.max_exchanges = grade::align::MAX_EXCHANGES;
    setup.replay_body = spec.replay_body.as_ref().map(|b| b.as_bytes().to_vec());
    setup.mailbox = spec
        .mailboxes
        .iter()
        .filter(|m| qualify(&m.user, &setup.domain) == setup.account.address)
        .flat_map(|m| &m.messages)
        .map(|m| {
            format!(
                "From: {}\r\nTo: {}\r\nSubject: {}\r\n\r\n{}\r\n",
                m.from, m.to, m.subject, m.body
            )
            .into_bytes()
        })
        .collect();
    setup
}
