//! Each findings check: a session that triggers it and one that does not.

mod grade_support;

use grade_support::{session, SEED_EHLO};
use mailgrade::grade::{self, FindingSeverity, Grade, Status};
use mailgrade::scenario;
use mailgrade::session::Protocol;

fn smtp_grade(script: &str) -> Grade {
    let scenario = scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    grade::grade(&session(Protocol::Smtp, script), 0, &scenario)
}

fn findings_of<'a>(grade: &'a Grade, check: &str) -> Vec<&'a grade::Finding> {
    grade.findings.iter().filter(|f| f.check == check).collect()
}

const LOGIN_HEAD: &str = "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n";

#[test]
fn every_check_has_an_id_and_is_listed_once() {
    let ids: Vec<&str> = grade::CHECKS.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        [
            "unsure-reading",
            "connect-target",
            "encrypted",
            "auth-base64",
            "auth-user",
            "impossible-reply",
            "message-content",
            "replay-integrity"
        ]
    );
}

#[test]
fn check_cases() {
    // (name, protocol, script, check id, how many findings, a phrase of the first)
    let cases: &[(&str, Protocol, String, &str, usize, &str)] = &[
        ("seed is clean base64", Protocol::Smtp, SEED_EHLO.to_string(), "auth-base64", 0, ""),
        (
            "plain-text user name",
            Protocol::Smtp,
            format!("{LOGIN_HEAD}A: student@lab.test\nS: 501 cannot decode\n"),
            "auth-base64",
            1,
            "not valid base64",
        ),
        (
            "AUTH PLAIN initial response not base64",
            Protocol::Smtp,
            "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: AUTH PLAIN not-base64!\nS: 501 no\n".to_string(),
            "auth-base64",
            1,
            "not valid base64",
        ),
        ("seed user is an address", Protocol::Smtp, SEED_EHLO.to_string(), "auth-user", 0, ""),
        (
            "user name decodes to a number",
            Protocol::Smtp,
            // "877261793" in base64.
            format!("{LOGIN_HEAD}A: ODc3MjYxNzkz\nS: 334 UGFzc3dvcmQ6\nA: cGFzcw==\nS: 535 no\n"),
            "auth-user",
            1,
            "decodes to something that is not an e-mail address",
        ),
        (
            "IMAP host on the SMTP port",
            Protocol::Smtp,
            SEED_EHLO.to_string(),
            "connect-target",
            1,
            "`imap.qq.com` is the IMAP host",
        ),
        (
            "POP3 port for SMTP",
            Protocol::Smtp,
            "T: smtp.qq.com 110\nS: 220 hi\n".to_string(),
            "connect-target",
            1,
            "Port 110 is POP3's",
        ),
        (
            "right host and port",
            Protocol::Pop3,
            "T: pop.qq.com 110\nS: +OK hi\n".to_string(),
            "connect-target",
            0,
            "",
        ),
        (
            "354 to MAIL",
            Protocol::Smtp,
            "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 354 go on\n".to_string(),
            "impossible-reply",
            1,
            "no server gives",
        ),
        (
            "235 without AUTH",
            Protocol::Smtp,
            "S: 220 hi\nC: EHLO me\nS: 250 ok\nA: cGFzcw==\nS: 235 ok\n".to_string(),
            "impossible-reply",
            1,
            "no AUTH exchange was open",
        ),
        (
            "message accepted without DATA 354",
            Protocol::Smtp,
            "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: DATA\nS: 554 no recipients\nM: 10\nS: 250 ok\n".to_string(),
            "impossible-reply",
            1,
            "DATA was not answered 354",
        ),
        ("seed replies are possible", Protocol::Smtp, SEED_EHLO.to_string(), "impossible-reply", 0, ""),
        (
            "From differs from MAIL FROM",
            Protocol::Smtp,
            "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\nC: DATA\nS: 354 go\nB: From: Eve <eve@x.y>\\nSubject: hi\\n\\nbody\nS: 250 ok\n".to_string(),
            "message-content",
            0,
            "",
        ),
        (
            "elided body",
            Protocol::Smtp,
            SEED_EHLO.to_string(),
            "message-content",
            1,
            "not checked",
        ),
    ];
    for (name, protocol, script, check, count, phrase) in cases {
        let scenario = match protocol {
            Protocol::Smtp => scenario::builtin("smtp-telnet-auth-send"),
            Protocol::Pop3 => scenario::builtin("pop3-retrieve"),
            Protocol::Tls => scenario::builtin("webmail-tls-handshake"),
        }
        .expect("builtin");
        let grade = grade::grade(&session(*protocol, script), 0, &scenario);
        let found = findings_of(&grade, check);
        assert_eq!(found.len(), *count, "{name}: {:#?}", grade.findings);
        if let Some(first) = found.first() {
            assert!(
                first.message.en.contains(phrase),
                "{name}: {}",
                first.message.en
            );
            assert!(!first.message.zh_cn.is_empty(), "{name}");
            assert!(first.evidence.is_some(), "{name}: no evidence");
        }
    }
}

#[test]
fn scenario_message_checks_grade_the_body_when_seen() {
    let mismatch = "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: AUTH LOGIN\nS: 334 x\nA: YUBiLmM=\nS: 334 y\nA: cGFzcw==\nS: 235 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\nC: DATA\nS: 354 go\nB: From: Eve <eve@x.y>\\nSubject: hi\\n\\nbody\nS: 250 ok\nC: QUIT\nS: 221 bye\n";
    let grade = smtp_grade(mismatch);
    let from = grade
        .checks
        .iter()
        .find(|c| &*c.id == "from-header")
        .expect("from check");
    assert_eq!(from.status, Status::Failed);
    assert!(from
        .feedback
        .as_ref()
        .is_some_and(|f| f.en.contains("MAIL FROM")));
    let matching = mismatch.replace("Eve <eve@x.y>", "Me <A@B.C>");
    let grade = smtp_grade(&matching);
    let from = grade
        .checks
        .iter()
        .find(|c| &*c.id == "from-header")
        .expect("from check");
    assert_eq!(from.status, Status::Passed);
    let subject = grade
        .checks
        .iter()
        .find(|c| &*c.id == "subject-header")
        .expect("subject check");
    assert_eq!(subject.status, Status::Passed);
}

#[test]
fn default_message_checks_without_scenario_checks() {
    let scenario = scenario::builtin("smtp-error-recovery").expect("builtin");
    let script = "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\nC: DATA\nS: 354 go\nB: Subject: hi\\n\\nbody\nS: 250 ok\n";
    let grade = grade::grade(&session(Protocol::Smtp, script), 0, &scenario);
    let found = findings_of(&grade, "message-content");
    assert_eq!(found.len(), 1, "{:#?}", grade.findings);
    assert!(found[0].message.en.contains("no From header"));
    assert_eq!(found[0].severity, FindingSeverity::Warning);
}

#[test]
fn encrypted_sessions_say_why_steps_are_missing() {
    let mut session = session(
        Protocol::Smtp,
        "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: STARTTLS\nS: 220 go ahead\n",
    );
    session.encrypted_after = Some(2);
    let scenario = scenario::builtin("smtp-client-send").expect("builtin");
    let grade = grade::grade(&session, 0, &scenario);
    let found = findings_of(&grade, "encrypted");
    assert_eq!(found.len(), 1);
    assert!(found[0].message.en.contains("TLS"));
}
