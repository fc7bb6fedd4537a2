//! The seed report (a real student's lab report, read in place from ../shared) through the
//! real binary: what a TA and a student see, and what must never be seen.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

mod seed_support;
use seed_support::{seed_secrets, SEED};

mod cli_support;
use cli_support::mailgrade;

fn seed() -> &'static str {
    assert!(
        PathBuf::from(SEED).exists(),
        "the seed report is missing at {SEED}"
    );
    SEED
}

fn assert_no_secret(output: &Output, what: &str) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        for secret in seed_secrets() {
            assert!(
                !text.contains(&secret),
                "{what} printed one of the seed's credentials"
            );
        }
    }
}

#[test]
fn grade_json_finds_both_sessions_with_full_marks() {
    let output = mailgrade(&[
        "grade",
        seed(),
        "--scenario",
        "smtp-telnet-auth-send",
        "--format",
        "json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(json["schema"], "mailgrade/v1");
    let submission = &json["submissions"][0];
    let sessions = submission["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2);
    let expected_replies = [
        "220", "250", "334", "334", "235", "250", "250", "354", "250", "221",
    ];
    let expected_kinds = [
        "greeting",
        "command",
        "command",
        "auth-response",
        "auth-response",
        "command",
        "command",
        "command",
        "message",
        "command",
    ];
    for (session, hello) in sessions.iter().zip(["EHLO", "HELO"]) {
        assert_eq!(session["protocol"], "smtp");
        let exchanges = session["exchanges"].as_array().expect("exchanges");
        let replies: Vec<_> = exchanges
            .iter()
            .map(|e| e["reply"].as_str().unwrap_or(""))
            .collect();
        let kinds: Vec<_> = exchanges
            .iter()
            .map(|e| e["kind"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(replies, expected_replies);
        assert_eq!(kinds, expected_kinds);
        assert_eq!(exchanges[1]["verb"], hello);
        assert_eq!(exchanges[2]["verb"], "AUTH");
        assert_eq!(session["connect"]["host"], "imap.qq.com");
        assert_eq!(session["connect"]["port"], 25);
    }
    let grades = submission["grades"].as_array().expect("grades");
    assert_eq!(grades.len(), 2);
    for grade in grades {
        assert_eq!(grade["scenario"], "smtp-telnet-auth-send");
        assert_eq!(grade["verdict"], "passed");
        assert_eq!(grade["score"], grade["max_score"]);
        let findings = grade["findings"].as_array().expect("findings");
        assert!(
            findings.iter().any(|f| f["check"] == "connect-target"
                && f["message"]["en"]
                    .as_str()
                    .unwrap_or("")
                    .contains("imap.qq.com")),
            "the imap.qq.com 25 connection is pointed out: {findings:?}"
        );
    }
    assert_no_secret(&output, "grade --format json");
}

#[test]
fn check_gives_readable_feedback_in_both_languages() {
    let english = mailgrade(&["check", seed()]);
    assert_eq!(english.status.code(), Some(0));
    let text = String::from_utf8_lossy(&english.stdout);
    assert!(text.contains("100/100 passed"), "{text}");
    assert!(text.contains("imap.qq.com"), "{text}");
    assert_no_secret(&english, "check");

    let chinese = mailgrade(&["check", seed(), "--lang", "zh-CN"]);
    assert_eq!(chinese.status.code(), Some(0));
    let text = String::from_utf8_lossy(&chinese.stdout);
    assert!(text.contains("通过"), "{text}");
    assert_no_secret(&chinese, "check --lang zh-CN");
}

#[test]
fn no_command_shows_a_secret() {
    let runs: [&[&str]; 6] = [
        &["extract", SEED],
        &["extract", SEED, "--format", "json"],
        &["extract", SEED, "--format", "transcript"],
        &["grade", SEED],
        &["grade", SEED, "--format", "json", "--lang", "zh-CN"],
        &["check", SEED],
    ];
    for args in runs {
        let output = mailgrade(args);
        assert!(
            output.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_no_secret(&output, &args.join(" "));
    }
}

#[test]
fn extract_transcript_reads_back_to_the_same_skeleton() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = mailgrade(&["extract", seed(), "--format", "transcript"]);
    assert_eq!(output.status.code(), Some(0));
    let path = dir.path().join("extracted.txt");
    std::fs::write(&path, &output.stdout).expect("write transcript");
    let original = mailgrade(&["extract", seed(), "--format", "json"]);
    let again = mailgrade(&[
        "extract",
        path.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    let skeletons = |o: &Output| -> Vec<Value> {
        let json: Value = serde_json::from_slice(&o.stdout).expect("json");
        json["submissions"][0]["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .map(|s| s["skeleton"].clone())
            .collect()
    };
    assert_eq!(skeletons(&original), skeletons(&again));
}

#[test]
fn replay_on_the_embedded_server_gives_the_same_dialogue() {
    let output = mailgrade(&["grade", seed(), "--server", "embedded", "--format", "json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(json["server"], "embedded");
    let submission = &json["submissions"][0];
    for session in submission["sessions"].as_array().expect("sessions") {
        let replayed: Vec<_> = session["replayed"]["exchanges"]
            .as_array()
            .expect("a replayed dialogue")
            .iter()
            .map(|e| e["reply"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            replayed,
            ["220", "250", "334", "334", "235", "250", "250", "354", "250", "221"]
        );
    }
    for grade in submission["grades"].as_array().expect("grades") {
        assert_eq!(grade["score"], grade["max_score"]);
        let findings = grade["findings"].as_array().expect("findings");
        assert!(
            !findings.iter().any(|f| f["check"] == "replay-integrity"),
            "{findings:?}"
        );
    }
    assert_no_secret(&output, "grade --server embedded");
}

/// The review's reproduction: the seed's client session under `smtp-client-send` scored
/// 100/100 and showed `✗ auth-response → 334 … got 235`. A step the grade passed shows as
/// passed, and no step of a full-mark grade shows as failed, on replayed replies and on the
/// claimed ones.
#[test]
fn a_full_mark_grade_shows_no_failed_step() {
    for server in ["embedded", "none"] {
        let args = [
            "grade",
            seed(),
            "-s",
            "smtp-client-send",
            "--server",
            server,
        ];
        let output = mailgrade(&args);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("100/100 passed"), "{text}");
        let first = text
            .split("smtp-client-send — ")
            .nth(1)
            .expect("the first session's grade");
        assert!(first.contains("✓ auth-response → 334"), "{first}");
        assert!(first.contains("✓ auth-response → 235  5/5"), "{first}");
        assert!(!first.contains('✗'), "{server}: {first}");
        let output = mailgrade(&[&args[..], &["--format", "json"]].concat());
        let json: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
        for grade in json["submissions"][0]["grades"].as_array().expect("grades") {
            if grade["score"] != grade["max_score"] {
                continue;
            }
            for check in grade["checks"].as_array().expect("checks") {
                let status = check["status"].as_str().unwrap_or_default();
                assert!(
                    ["passed", "skipped", "not-checked"].contains(&status),
                    "{server}: {} is {status} in a full-mark grade",
                    check["id"]
                );
            }
        }
    }
}
