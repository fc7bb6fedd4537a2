//! Any session against any built-in scenario grades without panicking, within bounds, and
//! never shows a secret.

mod grade_support;

use grade_support::session;
use mailgrade::grade::{self, Verdict};
use mailgrade::scenario;
use mailgrade::session::Protocol;
use proptest::prelude::*;

const SMTP_ITEMS: &[&str] = &[
    "C: EHLO me",
    "C: HELO me",
    "C: AUTH LOGIN",
    "C: AUTH PLAIN c2VjcmV0LXRva2Vu",
    "A: c2VjcmV0LXRva2Vu",
    "A: not base64!",
    "C: MAIL FROM:<a@b.c>",
    "C: RCPT TO:<d@e.f>",
    "C: DATA",
    "M: 12",
    "B: From: x@y.z\\n\\nhi",
    "C: QUIT",
    "C: NOOP",
    "C: RSET",
    "C: STARTTLS",
    "C: BDAT 5 LAST",
    "S: 220 hi",
    "S: 250 ok",
    "S: 334 go",
    "S: 235 ok",
    "S: 354 go",
    "S: 221 bye",
    "S: 503 no",
    "S: 535 no",
    "S: 550 no",
    "S: 421 bye",
    "*",
];

const POP3_ITEMS: &[&str] = &[
    "C: USER a",
    "C: PASS secret-token",
    "C: STAT",
    "C: LIST",
    "C: RETR 1",
    "C: DELE 1",
    "C: QUIT",
    "C: CAPA",
    "C: RSET",
    "C: TOP 1 0",
    "S: +OK",
    "S: -ERR",
    "S: + ",
];

fn script(items: &[&str], picks: &[usize]) -> String {
    picks
        .iter()
        .map(|&i| items[i % items.len()])
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_smtp_session_grades(picks in proptest::collection::vec(0usize..1000, 0..60)) {
        let session = session(Protocol::Smtp, &script(SMTP_ITEMS, &picks));
        for scenario in scenario::builtins().iter().filter(|s| s.protocol == Protocol::Smtp) {
            let grade = grade::grade(&session, 0, scenario);
            prop_assert!(grade.score <= grade.max_score);
            prop_assert_eq!(grade.passed, grade.verdict == Verdict::Passed);
            let json = serde_json::to_string(&grade).expect("json");
            prop_assert!(!json.contains("c2VjcmV0LXRva2Vu"));
            let diagnostics = format!("{:?}", grade.diagnostics(mailgrade::i18n::Lang::En));
            prop_assert!(!diagnostics.contains("c2VjcmV0LXRva2Vu"));
        }
    }

    #[test]
    fn any_pop3_session_grades(picks in proptest::collection::vec(0usize..1000, 0..60)) {
        let session = session(Protocol::Pop3, &script(POP3_ITEMS, &picks));
        for scenario in scenario::builtins().iter().filter(|s| s.protocol == Protocol::Pop3) {
            let grade = grade::grade(&session, 0, scenario);
            prop_assert!(grade.score <= grade.max_score);
            let json = serde_json::to_string(&grade).expect("json");
            prop_assert!(!json.contains("secret-token"));
        }
    }
}

#[test]
fn very_long_sessions_are_graded_on_their_beginning() {
    let mut script = String::from("S: 220 hi\nC: EHLO me\nS: 250 ok\n");
    for _ in 0..6000 {
        script.push_str("C: NOOP\nS: 250 ok\n");
    }
    script.push_str("C: QUIT\nS: 221 bye\n");
    let scenario = scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    let grade = grade::grade(&session(Protocol::Smtp, &script), 0, &scenario);
    assert!(grade.findings.iter().any(|f| f.check == "too-long"));
    let quit = grade
        .checks
        .iter()
        .find(|c| &*c.id == "quit")
        .expect("quit");
    assert_eq!(
        quit.status,
        grade::Status::Missing,
        "QUIT lies past the graded part"
    );
}

#[test]
fn order_rules_are_checked() {
    let text = "
id: order
title: { en: t }
protocol: smtp
steps:
  - { id: hello, send: EHLO, expect: 250, points: 10 }
  - { id: mail, send: MAIL, expect: 250, points: 10 }
  - { id: auth, send: AUTH, optional: true, expect: [235, 334], points: 0 }
order:
  - id: auth-before-mail
    before: AUTH
    after: MAIL
    points: 5
    feedback: { en: Log in before sending., zh-CN: 发信前先登录。 }
forbidden:
  - send: VRFY
    points: 3
    feedback: { en: No probing., zh-CN: 不要探测。 }
";
    let scenario = scenario::load_str("order.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let vrfy = "C: VRFY a\nS: 252 ok\n";
    let cases = [
        ("C: EHLO me\nS: 250 ok\nC: AUTH PLAIN AGFAYg==\nS: 235 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\n", grade::Status::Passed, 28),
        ("C: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\n", grade::Status::Failed, 23),
    ];
    for (script, status, score) in cases {
        // Each script again with the forbidden command: the same order, 3 points less.
        for (script, forbidden, score) in [
            (script.to_string(), grade::Status::Passed, score),
            (format!("{script}{vrfy}"), grade::Status::Failed, score - 3),
        ] {
            let grade = grade::grade(&session(Protocol::Smtp, &script), 0, &scenario);
            let check = |id: &str| {
                grade
                    .checks
                    .iter()
                    .find(|c| &*c.id == id)
                    .unwrap_or_else(|| panic!("{id} in {script}"))
                    .clone()
            };
            assert_eq!(grade.score, score, "{script}");
            let order = check("auth-before-mail");
            let no_vrfy = check("forbidden-vrfy");
            assert_eq!(&*order.name, "AUTH before MAIL");
            assert_eq!(&*no_vrfy.name, "no VRFY");
            for (check, status, points, hint) in [
                (
                    &order,
                    status,
                    5,
                    ("Log in before sending.", "发信前先登录"),
                ),
                (&no_vrfy, forbidden, 3, ("No probing.", "不要探测")),
            ] {
                assert_eq!(check.status, status, "{} in {script}", check.id);
                assert_eq!(check.max_points, points, "{}", check.id);
                if status == grade::Status::Failed {
                    assert_eq!(check.points, 0, "{}", check.id);
                    let feedback = check.feedback.as_ref().expect("feedback");
                    assert!(feedback.en.contains(hint.0), "{}", feedback.en);
                    assert!(feedback.zh_cn.contains(hint.1), "{}", feedback.zh_cn);
                    // The exchange that broke the rule is named.
                    let evidence = check.evidence.as_ref().expect("evidence");
                    let sent = if check.id == order.id { "MAIL" } else { "VRFY" };
                    assert!(evidence.exchange.starts_with(sent), "{}", evidence.exchange);
                } else {
                    assert_eq!(check.points, points, "{}", check.id);
                    assert!(check.feedback.is_none() && check.evidence.is_none());
                }
            }
        }
    }
}
