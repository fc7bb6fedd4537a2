//! Alignment: optional steps, repetition, alternatives, extras, out of order, missing, wrong
//! reply — each case a script and the status every step must end with.

mod grade_support;

use grade_support::session;
use mailgrade::grade::{self, Grade, Status};
use mailgrade::scenario::{self, Scenario};
use mailgrade::session::Protocol;

const SEND: &str = "
id: send
title: { en: Send, zh-CN: 发送 }
protocol: smtp
pass_mark: 50
steps:
  - { id: greeting, send: greeting, expect: 220, points: 5 }
  - { id: hello, send: [EHLO, HELO], expect: 250, points: 10 }
  - { id: tls, send: STARTTLS, optional: true, expect: 220, points: 5 }
  - { id: auth, send: AUTH, args: '(?i)^LOGIN$', optional: true, expect: [334, 235], points: 0 }
  - { id: mail, send: MAIL, expect: 250, points: 10 }
  - { id: rcpt, send: RCPT, repeat: 1.., expect: [250, 251], points: 10 }
  - { id: data, send: DATA, expect: 354, points: 10 }
  - { id: message, send: message, expect: 250, points: 10 }
  - { id: quit, send: QUIT, expect: 221, points: 10 }
";

fn scenario(text: &str) -> Scenario {
    scenario::load_str("test.yaml", text).unwrap_or_else(|e| panic!("{e}"))
}

fn statuses(grade: &Grade) -> String {
    grade
        .checks
        .iter()
        .map(|c| {
            let status = serde_json::to_value(c.status).expect("status");
            format!("{}={}", c.id, status.as_str().unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const HEAD: &str = "S: 220 hi\nC: EHLO me\nS: 250 ok\n";
const TAIL: &str = "C: DATA\nS: 354 go\nM: 10\nS: 250 queued\nC: QUIT\nS: 221 bye\n";

#[test]
fn alignment_cases() {
    let send = scenario(SEND);
    let all_ok = "greeting=passed hello=passed tls=skipped auth=skipped mail=passed rcpt=passed data=passed message=passed quit=passed";
    let cases: Vec<(&str, String, &str, u32)> = vec![
        ("in order", format!("{HEAD}C: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{TAIL}"), all_ok, 70),
        (
            "HELO is an alternative",
            format!("S: 220 hi\nC: HELO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{TAIL}"),
            all_ok,
            70,
        ),
        (
            "RCPT repeats",
            format!("{HEAD}C: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\nC: RCPT TO:<g@e.f>\nS: 251 fwd\nC: RCPT TO:<h@e.f>\nS: 250 ok\n{TAIL}"),
            all_ok,
            70,
        ),
        (
            "harmless extras cost nothing",
            format!("{HEAD}C: NOOP\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RSET\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{TAIL}"),
            all_ok,
            70,
        ),
        (
            "optional step taken",
            format!("{HEAD}C: STARTTLS\nS: 220 go ahead\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{TAIL}"),
            "greeting=passed hello=passed tls=passed auth=skipped mail=passed rcpt=passed data=passed message=passed quit=passed",
            70,
        ),
        (
            // The best-points reading leaves the refused try unmatched (explained as a finding).
            "a refused optional step counts as not taken",
            format!("{HEAD}C: STARTTLS\nS: 454 no tls\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{TAIL}"),
            all_ok,
            70,
        ),
        (
            "wrong reply",
            format!("{HEAD}C: MAIL FROM:<a@b.c>\nS: 550 no\nC: RCPT TO:<d@e.f>\nS: 503 need mail\n{TAIL}"),
            "greeting=passed hello=passed tls=skipped auth=skipped mail=wrong-reply rcpt=wrong-reply data=passed message=passed quit=passed",
            50,
        ),
        (
            "wrong arguments",
            format!("{HEAD}C: AUTH PLAIN AGFAYg==\nS: 235 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{TAIL}"),
            "greeting=passed hello=passed tls=skipped auth=wrong-arguments mail=passed rcpt=passed data=passed message=passed quit=passed",
            70,
        ),
        (
            "missing QUIT and greeting",
            "C: EHLO me\nS: 250 ok\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\nC: DATA\nS: 354 go\nM: 10\nS: 250 queued\n".to_string(),
            "greeting=missing hello=passed tls=skipped auth=skipped mail=passed rcpt=passed data=passed message=passed quit=missing",
            55,
        ),
        (
            "RCPT before MAIL and never again is out of order",
            format!("{HEAD}C: RCPT TO:<d@e.f>\nS: 503 need mail\nC: MAIL FROM:<a@b.c>\nS: 250 ok\n{TAIL}"),
            "greeting=passed hello=passed tls=skipped auth=skipped mail=passed rcpt=out-of-order data=passed message=passed quit=passed",
            60,
        ),
        (
            "a refused try followed by the right one loses nothing",
            format!("{HEAD}C: RCPT TO:<d@e.f>\nS: 503 need mail\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<x@y.z>\nS: 550 no such user\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{TAIL}"),
            all_ok,
            70,
        ),
        (
            "an early failure does not lose the later steps",
            format!("S: 220 hi\nC: EHLO\nS: 501 syntax\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n{TAIL}"),
            "greeting=passed hello=wrong-reply tls=skipped auth=skipped mail=passed rcpt=passed data=passed message=passed quit=passed",
            60,
        ),
        (
            "a message without reply",
            format!("{HEAD}C: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\nC: DATA\nS: 354 go\nM: 10\n"),
            "greeting=passed hello=passed tls=skipped auth=skipped mail=passed rcpt=passed data=passed message=wrong-reply quit=missing",
            50,
        ),
    ];
    for (name, script, expected, score) in cases {
        let grade = grade::grade(&session(Protocol::Smtp, &script), 0, &send);
        assert_eq!(
            statuses(&grade),
            expected,
            "{name}\n{}",
            grade.unified_diff()
        );
        assert_eq!(grade.score, score, "{name}");
        assert_eq!(grade.max_score, 70, "{name}");
        for check in grade.losses() {
            let feedback = check.feedback.as_ref().expect("every loss is explained");
            assert!(
                !feedback.en.is_empty() && !feedback.zh_cn.is_empty(),
                "{name}: {}",
                check.id
            );
            assert!(check.rule.is_some(), "{name}: {} names no rule", check.id);
        }
    }
}

#[test]
fn repeat_ranges_are_enforced() {
    let text = "
id: two-or-three
title: { en: t }
protocol: smtp
steps:
  - { id: rcpt, send: RCPT, repeat: 2..3, expect: 250, points: 10 }
  - { id: quit, send: QUIT, expect: 221, points: 10 }
";
    let scenario = scenario(text);
    let cases = [
        ("C: RCPT TO:<a@b.c>\nS: 250 ok\nC: QUIT\nS: 221 bye\n", "rcpt=missing quit=passed"),
        ("C: RCPT TO:<a@b.c>\nS: 250 ok\nC: RCPT TO:<a@b.c>\nS: 250 ok\nC: QUIT\nS: 221 bye\n", "rcpt=passed quit=passed"),
        (
            "C: RCPT TO:<a@b.c>\nS: 250 ok\nC: RCPT TO:<a@b.c>\nS: 250 ok\nC: RCPT TO:<a@b.c>\nS: 250 ok\nC: RCPT TO:<a@b.c>\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            "rcpt=passed quit=passed",
        ),
    ];
    for (script, expected) in cases {
        let grade = grade::grade(&session(Protocol::Smtp, script), 0, &scenario);
        assert_eq!(statuses(&grade), expected, "{script}");
    }
}

#[test]
fn strict_scenarios_refuse_extras() {
    let text = "
id: strict
title: { en: t }
protocol: smtp
strict: true
pass_mark: 10
steps:
  - { id: hello, send: EHLO, expect: 250, points: 10 }
  - { id: quit, send: QUIT, expect: 221, points: 10 }
";
    let scenario = scenario(text);
    let grade = grade::grade(
        &session(
            Protocol::Smtp,
            "C: EHLO me\nS: 250 ok\nC: NOOP\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        ),
        0,
        &scenario,
    );
    assert_eq!(
        statuses(&grade),
        "hello=passed quit=passed extra-2=unexpected"
    );
    assert_eq!(grade.score, 20);
    assert!(!grade.passed, "an extra fails a strict scenario");
    let lenient = scenario.clone();
    let lenient = mailgrade::scenario::Scenario {
        strict: false,
        ..lenient
    };
    let grade = grade::grade(
        &session(
            Protocol::Smtp,
            "C: EHLO me\nS: 250 ok\nC: NOOP\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
        ),
        0,
        &lenient,
    );
    assert!(grade.passed);
}

#[test]
fn skeleton_diff_shows_missing_changed_and_extra() {
    let send = scenario(SEND);
    let script = format!("{HEAD}C: NOOP\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 503 need mail\nC: MAIL FROM:<a@b.c>\nS: 250 ok\nC: DATA\nS: 554 no valid recipients\nM: 10\nS: 250 queued\n");
    let grade = grade::grade(&session(Protocol::Smtp, &script), 0, &send);
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("align_skeleton_diff", grade.unified_diff());
        insta::assert_json_snapshot!("align_grade_json", grade);
    });
    assert_eq!(
        grade
            .checks
            .iter()
            .find(|c| &*c.id == "rcpt")
            .map(|c| c.status),
        Some(Status::OutOfOrder)
    );
}

/// Of two readings that earn the same points and match as many exchanges, the one whose
/// matches fit wins: AUTH LOGIN's password, accepted with 235, is the `auth-done` step that
/// earned its points, not a wrong reply to the 0-point `auth-challenge` before it (which
/// showed as ✗ on a grade of full marks).
#[test]
fn equal_points_prefer_the_reading_whose_matches_fit() {
    let scenario = scenario::builtin("smtp-client-send").expect("built-in");
    let script = "S: 220 hi\nC: EHLO me\nS: 250 ok\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n\
                  A: dXNlcg==\nS: 334 UGFzc3dvcmQ6\nA: cGFzcw==\nS: 235 ok\n\
                  C: MAIL FROM:<a@b.c>\nS: 250 ok\nC: RCPT TO:<d@e.f>\nS: 250 ok\n\
                  C: DATA\nS: 354 go\nM: 10\nS: 250 queued\nC: QUIT\nS: 221 bye\n";
    let grade = grade::grade(&session(Protocol::Smtp, script), 0, &scenario);
    assert_eq!(grade.score, grade.max_score, "{}", grade.unified_diff());
    let auth: Vec<String> = grade
        .checks
        .iter()
        .filter(|c| c.id.starts_with("auth"))
        .map(|c| format!("{}={:?}", c.id, c.status))
        .collect();
    assert_eq!(
        auth,
        ["auth=Passed", "auth-challenge=Passed", "auth-done=Passed"]
    );
    let failed: Vec<&str> = grade
        .checks
        .iter()
        .filter(|c| !c.status.is_ok())
        .map(|c| &*c.id)
        .collect();
    assert!(failed.is_empty(), "full marks, yet failed: {failed:?}");
    assert!(
        grade.unified_diff().lines().all(|l| l.starts_with("  ")),
        "{}",
        grade.unified_diff()
    );
}
