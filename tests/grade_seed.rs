//! The seed report's two transcripts score full marks on `smtp-telnet-auth-send`.

mod grade_support;

use grade_support::{session, SEED_EHLO, SEED_HELO, SEED_PASSWORD};
use mailgrade::grade::{self, Status, Verdict};
use mailgrade::scenario;
use mailgrade::session::Protocol;

#[test]
fn both_seed_transcripts_get_full_marks() {
    let scenario = scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    for script in [SEED_EHLO, SEED_HELO] {
        let session = session(Protocol::Smtp, script);
        let grade = grade::grade(&session, 0, &scenario);
        assert_eq!((grade.score, grade.max_score), (100, 100), "{grade:#?}");
        assert_eq!(grade.verdict, Verdict::Passed);
        assert!(grade.passed);
        for check in &grade.checks {
            assert!(check.status.is_ok(), "{} is {:?}", check.id, check.status);
        }
        assert!(grade.losses().next().is_none());
    }
}

#[test]
fn seed_message_checks_are_not_checked_and_cost_nothing() {
    let scenario = scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    let grade = grade::grade(&session(Protocol::Smtp, SEED_EHLO), 0, &scenario);
    let from = grade
        .checks
        .iter()
        .find(|c| &*c.id == "from-header")
        .expect("check");
    assert_eq!(from.status, Status::NotChecked);
    assert_eq!((from.points, from.max_points), (0, 0));
    let notes: Vec<&str> = grade.findings.iter().map(|f| f.check).collect();
    assert!(notes.contains(&"message-content"), "{notes:?}");
    let elided = grade
        .findings
        .iter()
        .find(|f| f.check == "message-content")
        .expect("finding");
    assert!(
        elided.message.en.contains("2429 bytes"),
        "{}",
        elided.message.en
    );
}

#[test]
fn seed_connect_target_is_pointed_out() {
    let scenario = scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    let grade = grade::grade(&session(Protocol::Smtp, SEED_HELO), 0, &scenario);
    let finding = grade
        .findings
        .iter()
        .find(|f| f.check == "connect-target")
        .expect("connect-target finding");
    assert!(
        finding.message.en.contains("imap.qq.com"),
        "{}",
        finding.message.en
    );
    assert!(
        finding.message.en.contains("IMAP"),
        "{}",
        finding.message.en
    );
    assert!(!finding.message.zh_cn.is_empty());
    // Port 25 is right for SMTP: only the host name is wrong.
    assert_eq!(
        grade
            .findings
            .iter()
            .filter(|f| f.check == "connect-target")
            .count(),
        1
    );
}

#[test]
fn seed_grade_never_shows_the_password() {
    let scenario = scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    for script in [SEED_EHLO, SEED_HELO] {
        let grade = grade::grade(&session(Protocol::Smtp, script), 0, &scenario);
        let json = serde_json::to_string(&grade).expect("json");
        let debug = format!("{grade:?}");
        for text in [&json, &debug, &grade.unified_diff()] {
            assert!(!text.contains(SEED_PASSWORD));
            assert!(!text.contains("ODc3MjYxNzkzQHFxLmNvbQ=="));
        }
    }
}

#[test]
fn seed_skeleton_diff_is_all_same() {
    let scenario = scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    let grade = grade::grade(&session(Protocol::Smtp, SEED_EHLO), 0, &scenario);
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("seed_ehlo_skeleton_diff", grade.unified_diff());
    });
}

#[test]
fn seed_findings_render_against_the_transcript() {
    use mailgrade::diagnostic::{render, SourceFile, Style};
    let scenario = scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    let grade = grade::grade(&session(Protocol::Smtp, SEED_HELO), 0, &scenario);
    let text = SEED_HELO;
    let file = SourceFile {
        name: "submission/transcript.txt",
        text,
    };
    let rendered: Vec<String> = grade
        .diagnostics(mailgrade::i18n::Lang::ZhCn)
        .iter()
        .map(|d| render(d, file, Style::Plain))
        .collect();
    let all = rendered.join("\n\n");
    assert!(!all.contains(SEED_PASSWORD));
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("seed_helo_diagnostics_zh", all);
    });
}
