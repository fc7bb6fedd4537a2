//! Each protocol rule explains the loss it is for, in both languages, naming the rule.

mod grade_support;

use grade_support::session;
use mailgrade::grade::{self, rules};
use mailgrade::scenario;
use mailgrade::session::Protocol;

const SMTP: &str = "
id: rules-smtp
title: { en: t }
protocol: smtp
steps:
  - { id: greeting, send: greeting, expect: 220, points: 1 }
  - { id: hello, send: [EHLO, HELO], expect: 250, points: 1 }
  - { id: auth, send: AUTH, optional: true, expect: [334, 235], points: 1 }
  - { id: auth-answers, send: auth-response, repeat: 0.., expect: [334, 235], points: 1 }
  - { id: mail, send: MAIL, expect: 250, points: 1 }
  - { id: rcpt, send: RCPT, repeat: 1.., expect: 250, points: 1 }
  - { id: data, send: DATA, expect: 354, points: 1 }
  - { id: message, send: message, expect: 250, points: 1 }
  - { id: quit, send: QUIT, expect: 221, points: 1 }
";

const POP3: &str = "
id: rules-pop3
title: { en: t }
protocol: pop3
steps:
  - { id: greeting, send: greeting, expect: +OK, points: 1 }
  - { id: user, send: USER, expect: +OK, points: 1 }
  - { id: pass, send: PASS, expect: +OK, points: 1 }
  - { id: stat, send: STAT, expect: +OK, points: 1 }
  - { id: retr, send: RETR, expect: +OK, points: 1 }
  - { id: dele, send: DELE, optional: true, expect: +OK, points: 1 }
  - { id: quit, send: QUIT, expect: +OK, points: 1 }
";

const OK_MAIL: &str = "C: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n";
const OK_END: &str = "C: DATA\nS: 354 go\nM: 5\nS: 250 ok\nC: QUIT\nS: 221 bye\n";

#[test]
fn each_rule_explains_its_loss() {
    let smtp = scenario::load_str("smtp.yaml", SMTP).unwrap_or_else(|e| panic!("{e}"));
    let pop3 = scenario::load_str("pop3.yaml", POP3).unwrap_or_else(|e| panic!("{e}"));
    // (protocol, script, step, rule id, a phrase of the English feedback)
    let cases: Vec<(Protocol, String, &str, &str, &str)> = vec![
        (Protocol::Smtp, format!("S: 220 hi\nC: MAIL FROM:<a@b.c>\nS: 503 send HELO first\nC: EHLO me\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{OK_END}"), "mail", "hello-first", "greet the server with EHLO"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 503 need MAIL\nC: MAIL FROM:<a@b.c>\nS: 250 ok\n{OK_END}"), "rcpt", "mail-before-rcpt", "RCPT before MAIL: a server answers 503"),
        (Protocol::Smtp, "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 550 no such user\nC: DATA\nS: 554 no valid recipients\nM: 5\nS: 250 ok\nC: QUIT\nS: 221 bye\n".to_string(), "data", "no-valid-recipients", "before any recipient was accepted"),
        (Protocol::Smtp, "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: DATA\nS: 503 need RCPT command\nC: QUIT\nS: 221 bye\n".to_string(), "data", "rcpt-before-data", "DATA before MAIL FROM and RCPT TO"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 503 nested MAIL\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{OK_END}"), "mail", "nested-mail", "MAIL inside an open transaction"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: AUTH LOGIN\nS: 503 MAIL transaction in progress\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{OK_END}"), "auth", "auth-not-now", "AUTH inside a mail transaction"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: AUTH PLAIN AGFAYg==\nS: 235 ok\nC: AUTH LOGIN\nS: 503 already authenticated\n{OK_MAIL}{OK_END}"), "auth", "already-authenticated", "already logged in"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 530 authentication required\n{OK_END}"), "mail", "auth-required", "not logged in"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: AUTH LOGIN\nS: 334 x\nA: YUBiLmM=\nS: 334 y\nA: d3Jvbmc=\nS: 535 authentication failed\n{OK_MAIL}{OK_END}"), "auth-answers", "auth-failed", "authorisation code"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: AUTH LOGIN\nS: 334 x\nA: a@b.c\nS: 501 cannot decode\n{OK_MAIL}{OK_END}"), "auth-answers", "auth-bad-payload", "could not decode"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: AUTH CRAM-MD5\nS: 504 unrecognized\n{OK_MAIL}{OK_END}"), "auth", "auth-mechanism", "AUTH mechanism"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM: a@b.c\nS: 501 syntax\n{OK_END}"), "mail", "address-syntax", "angle brackets"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<x@elsewhere>\nS: 554 relay access denied\n{OK_END}"), "rcpt", "recipient-rejected", "recipient was refused"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<x@y.z>\nS: 550 not yours\n{OK_END}"), "mail", "sender-rejected", "sender was refused"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\n{OK_MAIL}C: DATA\nS: 354 go\nM: 5\nS: 554 spam\nC: QUIT\nS: 221 bye\n"), "message", "message-rejected", "refused the message"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\n{OK_MAIL}C: DATA\nS: 354 go\nM: 5\n"), "message", "no-reply", "has no reply"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO\nS: 501 syntax: EHLO hostname\n{OK_MAIL}{OK_END}"), "hello", "syntax", "arguments of EHLO were malformed"),
        (Protocol::Smtp, format!("S: 220 hi\nC: HELO me\nS: 502 not implemented\n{OK_MAIL}{OK_END}"), "hello", "unknown-command", "did not recognise `HELO`"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 421 timeout\n{OK_MAIL}{OK_END}"), "hello", "server-closing", "closed the connection"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\n{OK_MAIL}C: DATA\nS: 250 hmm\nM: 5\nS: 250 ok\nC: QUIT\nS: 221 bye\n"), "data", "wrong-reply", "answered DATA with 250; the scenario expects 354"),
        (Protocol::Smtp, format!("C: EHLO me\nS: 250 ok\n{OK_MAIL}{OK_END}"), "greeting", "greeting-missing", "start the capture"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\n{OK_MAIL}C: DATA\nS: 354 go\nM: 5\nS: 250 ok\n"), "quit", "quit-missing", "does not end with QUIT"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\n{OK_END}"), "rcpt", "step-missing", "The session has no RCPT"),
        (Protocol::Smtp, format!("S: 220 hi\nC: EHLO me\nS: 250 ok\n{OK_MAIL}C: QUIT\nS: 221 bye\nC: DATA\nS: 354 go\n"), "data", "out-of-order", "not where the scenario expects it"),
        (Protocol::Pop3, "S: +OK hi\nC: PASS x\nS: -ERR no username\nC: USER a\nS: +OK\nC: STAT\nS: +OK 1 10\nC: RETR 1\nS: +OK\nC: QUIT\nS: +OK\n".to_string(), "pass", "pop3-user-before-pass", "send `USER name` first"),
        (Protocol::Pop3, "S: +OK hi\nC: USER a\nS: +OK\nC: PASS wrong\nS: -ERR auth failed\nC: STAT\nS: -ERR not logged in\nC: QUIT\nS: +OK\n".to_string(), "pass", "pop3-login-failed", "login was rejected"),
        (Protocol::Pop3, "S: +OK hi\nC: USER a\nS: +OK\nC: PASS wrong\nS: -ERR auth failed\nC: STAT\nS: -ERR not logged in\nC: QUIT\nS: +OK\n".to_string(), "stat", "pop3-login-first", "before the login succeeded"),
        (Protocol::Pop3, "S: +OK hi\nC: USER a\nS: +OK\nC: PASS x\nS: +OK\nC: STAT\nS: +OK 1 10\nC: RETR 9\nS: -ERR no such message\nC: QUIT\nS: +OK\n".to_string(), "retr", "pop3-no-such-message", "does not exist"),
        (Protocol::Pop3, "S: +OK hi\nC: USER a\nS: +OK\nC: PASS x\nS: +OK\nC: STAT\nS: +OK 1 10\nC: RETR 1\nS: +OK\nC: DELE 1\nS: +OK\n".to_string(), "quit", "pop3-dele-needs-quit", "DELE never took effect"),
        (Protocol::Pop3, "S: +OK hi\nC: USER a\nS: +OK\nC: PASS x\nS: +OK\nC: USER b\nS: -ERR\nC: STAT\nS: +OK 1 10\nC: RETR 1\nS: +OK\nC: QUIT\nS: +OK\n".to_string(), "user", "pop3-already-logged-in", "already logged in"),
        (Protocol::Pop3, "S: +OK hi\nC: USER a\nS: +OK\nC: PASS x\nS: +OK\nC: QUIT\nS: +OK\nC: STAT\nS: -ERR\n".to_string(), "stat", "pop3-session-over", "after QUIT"),
    ];
    let mut covered = std::collections::BTreeSet::new();
    for (protocol, script, step, rule, phrase) in &cases {
        let scenario = match protocol {
            Protocol::Smtp => &smtp,
            Protocol::Pop3 | Protocol::Tls => &pop3,
        };
        let grade = grade::grade(&session(*protocol, script), 0, scenario);
        let check = grade
            .checks
            .iter()
            .find(|c| &*c.id == *step)
            .expect("step check");
        // A refused try at an optional step costs nothing; it is explained as a finding.
        let feedback = if check.rule == Some(*rule) {
            assert!(check.points < check.max_points, "{rule}: no point lost");
            check.feedback.clone().expect("feedback")
        } else {
            let finding = grade.findings.iter().find(|f| f.check == *rule);
            let finding = finding.unwrap_or_else(|| {
                panic!(
                    "{rule}: step has {:?}, findings {:#?}\n{}",
                    check.rule,
                    grade.findings,
                    grade.unified_diff()
                )
            });
            assert!(
                check.status.is_ok(),
                "{rule}: {step} should not lose points"
            );
            finding.message.clone()
        };
        assert!(feedback.en.contains(phrase), "{rule}: {}", feedback.en);
        assert!(
            feedback
                .zh_cn
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{rule}: {}",
            feedback.zh_cn
        );
        covered.insert(*rule);
    }
    let uncovered: Vec<&str> = rules::RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !covered.contains(id) && *id != "wrong-arguments")
        .collect();
    assert!(uncovered.is_empty(), "rules without a case: {uncovered:?}");
}

#[test]
fn rule_table_documentation() {
    let table: String = rules::RULES
        .iter()
        .map(|rule| {
            format!(
                "## {}\nwhat: {}\nwhy: {}\nexample: {}\nen: {}\nzh-CN: {}\n\n",
                rule.id,
                rule.what,
                rule.why,
                rule.example,
                rule.message.template().en,
                rule.message.template().zh_cn
            )
        })
        .collect();
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("rule_table", table);
    });
}
