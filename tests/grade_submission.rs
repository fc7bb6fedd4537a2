//! Whole submissions against the built-in scenarios: each scenario gets the session that fits
//! it best; a scenario nothing fits is ungradable with a reason, not a zero.

mod grade_support;

use grade_support::{session, SEED_EHLO};
use mailgrade::grade::{self, Verdict};
use mailgrade::scenario;
use mailgrade::session::{Protocol, Session};

const POP3_RETRIEVE: &str = "S: +OK Dovecot ready.\nC: USER student@lab.test\nS: +OK\nC: PASS secret\nS: +OK Logged in.\nC: STAT\nS: +OK 1 120\nC: LIST\nS: +OK 1 messages:\nC: RETR 1\nS: +OK 120 octets\nC: QUIT\nS: +OK Logging out.\n";
const POP3_DELETE: &str = "S: +OK Dovecot ready.\nC: USER student@lab.test\nS: +OK\nC: PASS secret\nS: +OK Logged in.\nC: LIST\nS: +OK 1 messages:\nC: DELE 1\nS: +OK Marked to be deleted.\nC: QUIT\nS: +OK Logging out, messages deleted.\n";
const CLIENT_PLAIN: &str = "S: 220 mx ESMTP\nC: EHLO [192.168.1.5]\nS: 250-mx\nC: AUTH PLAIN AHN0dWRlbnRAbGFiLnRlc3QAc2VjcmV0\nS: 235 2.7.0 Authentication successful\nC: MAIL FROM:<student@lab.test> SIZE=512\nS: 250 2.1.0 Ok\nC: RCPT TO:<friend@lab.test>\nS: 250 2.1.5 Ok\nC: DATA\nS: 354 End data\nB: Date: Thu, 26 Nov 2026 10:00:00 +0800\\nFrom: Student <student@lab.test>\\nSubject: hi\\n\\nhello\nS: 250 2.0.0 Ok: queued\nC: QUIT\nS: 221 2.0.0 Bye\n";
const CLIENT_LOGIN: &str = "S: 220 mx ESMTP\nC: EHLO pc\nS: 250-mx\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nA: c3R1ZGVudEBsYWIudGVzdA==\nS: 334 UGFzc3dvcmQ6\nA: c2VjcmV0\nS: 235 ok\nC: MAIL FROM:<student@lab.test>\nS: 250 ok\nC: RCPT TO:<a@lab.test>\nS: 250 ok\nC: RCPT TO:<b@lab.test>\nS: 250 ok\nC: DATA\nS: 354 go\nB: Date: Thu, 26 Nov 2026 10:00:00 +0800\\nFrom: <student@lab.test>\\n\\nhello\nS: 250 ok\nC: QUIT\nS: 221 bye\n";
const RECOVER_503: &str = "S: 220 mx\nC: EHLO me\nS: 250 ok\nC: RCPT TO:<a@lab.test>\nS: 503 5.5.1 Error: need MAIL command\nC: MAIL FROM:<student@lab.test>\nS: 250 ok\nC: RCPT TO:<a@lab.test>\nS: 250 ok\nC: QUIT\nS: 221 bye\n";
const RECOVER_535: &str = "S: 220 mx\nC: EHLO me\nS: 250 ok\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nA: c3R1ZGVudEBsYWIudGVzdA==\nS: 334 UGFzc3dvcmQ6\nA: d3Jvbmc=\nS: 535 5.7.8 Error: authentication failed\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nA: c3R1ZGVudEBsYWIudGVzdA==\nS: 334 UGFzc3dvcmQ6\nA: c2VjcmV0\nS: 235 ok\nC: MAIL FROM:<student@lab.test>\nS: 250 ok\nC: RCPT TO:<a@lab.test>\nS: 250 ok\nC: DATA\nS: 354 go\nM: 100\nS: 250 ok\nC: QUIT\nS: 221 bye\n";

#[test]
fn builtins_give_full_marks_to_model_sessions() {
    let cases = [
        ("smtp-telnet-auth-send", Protocol::Smtp, SEED_EHLO),
        ("smtp-client-send", Protocol::Smtp, CLIENT_PLAIN),
        ("smtp-client-send", Protocol::Smtp, CLIENT_LOGIN),
        ("pop3-retrieve", Protocol::Pop3, POP3_RETRIEVE),
        ("pop3-delete", Protocol::Pop3, POP3_DELETE),
        ("smtp-error-recovery", Protocol::Smtp, RECOVER_503),
        ("smtp-error-recovery", Protocol::Smtp, RECOVER_535),
    ];
    for (name, protocol, script) in cases {
        let scenario = scenario::builtin(name).expect(name);
        let grade = grade::grade(&session(protocol, script), 0, &scenario);
        assert_eq!(
            grade.score,
            grade.max_score,
            "{name}:\n{}\n{:#?}",
            grade.unified_diff(),
            grade.losses().collect::<Vec<_>>()
        );
        assert_eq!(grade.verdict, Verdict::Passed, "{name}");
    }
}

#[test]
fn error_recovery_needs_an_error() {
    let scenario = scenario::builtin("smtp-error-recovery").expect("builtin");
    let grade = grade::grade(&session(Protocol::Smtp, SEED_EHLO), 0, &scenario);
    let error = grade
        .checks
        .iter()
        .find(|c| &*c.id == "error")
        .expect("error step");
    assert_eq!(error.points, 0);
    assert_eq!(grade.score, 70);
}

#[test]
fn pop3_delete_without_quit_keeps_the_message() {
    let scenario = scenario::builtin("pop3-delete").expect("builtin");
    let script = POP3_DELETE.replace("C: QUIT\nS: +OK Logging out, messages deleted.\n", "");
    let grade = grade::grade(&session(Protocol::Pop3, &script), 0, &scenario);
    let quit = grade
        .checks
        .iter()
        .find(|c| &*c.id == "quit")
        .expect("quit");
    assert_eq!(quit.rule, Some("pop3-dele-needs-quit"));
    assert_eq!(grade.score, 70);
    let with_rset = POP3_DELETE.replace("C: QUIT", "C: RSET\nS: +OK\nC: QUIT");
    let grade = grade::grade(&session(Protocol::Pop3, &with_rset), 0, &scenario);
    let forbidden = grade
        .checks
        .iter()
        .find(|c| &*c.id == "forbidden-rset")
        .expect("forbidden");
    assert_eq!(forbidden.status, grade::Status::Failed);
    assert!(forbidden
        .feedback
        .as_ref()
        .is_some_and(|f| f.en.contains("undoes every DELE")));
}

#[test]
fn each_scenario_gets_the_session_that_fits_it_best() {
    let sessions: Vec<Session> = vec![
        session(Protocol::Pop3, POP3_RETRIEVE),
        session(
            Protocol::Smtp,
            "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        ),
        session(Protocol::Smtp, SEED_EHLO),
    ];
    let scenarios = vec![
        scenario::builtin("smtp-telnet-auth-send").expect("builtin"),
        scenario::builtin("pop3-retrieve").expect("builtin"),
    ];
    let grades = grade::grade_submission(&sessions, &scenarios);
    assert_eq!(grades.len(), 2);
    assert_eq!(grades[0].scenario, "smtp-telnet-auth-send");
    assert_eq!(grades[0].session.as_ref().map(|s| s.index), Some(2));
    assert_eq!(grades[0].score, 100);
    assert_eq!(grades[1].session.as_ref().map(|s| s.index), Some(0));
    assert_eq!(grades[1].verdict, Verdict::Passed);

    let per_session = grade::grade_each_session(&sessions, &scenarios);
    let picked: Vec<Option<&str>> = per_session
        .iter()
        .map(|g| g.as_ref().map(|g| g.scenario.as_str()))
        .collect();
    assert_eq!(
        picked,
        [
            Some("pop3-retrieve"),
            Some("smtp-telnet-auth-send"),
            Some("smtp-telnet-auth-send")
        ]
    );
}

#[test]
fn a_scenario_without_a_session_is_ungradable_not_zero() {
    let sessions = vec![session(Protocol::Pop3, POP3_RETRIEVE)];
    let scenarios = vec![scenario::builtin("smtp-telnet-auth-send").expect("builtin")];
    let grades = grade::grade_submission(&sessions, &scenarios);
    assert_eq!(grades[0].verdict, Verdict::Ungradable);
    assert!(!grades[0].passed);
    let reason = grades[0].reason.as_ref().expect("reason");
    assert!(reason.en.contains("No SMTP session found"), "{}", reason.en);
    assert!(reason.zh_cn.contains("SMTP"));
    assert!(grades[0].session.is_none());

    let grades = grade::grade_submission(&[], &scenarios);
    assert_eq!(grades[0].verdict, Verdict::Ungradable);

    let empty = Session::new(Protocol::Smtp, Default::default());
    let grade = grade::grade(&empty, 0, &scenarios[0]);
    assert_eq!(grade.verdict, Verdict::Ungradable);
    assert!(grade
        .reason
        .as_ref()
        .is_some_and(|r| r.en.contains("nothing to grade")));
}
