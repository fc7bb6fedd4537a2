//! The CLI with replay: the same JSON whatever `--jobs`, `--server none` keeps the claimed
//! replies, `--server external` talks to a host given by address, and no output shows a
//! student's or the test account's password.

mod replay_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use mailgrade::server::MailServer;
use replay_support::*;

fn mailgrade(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("mailgrade runs")
}

/// A class of submissions: honest and edited SMTP sessions, failed logins, POP3.
fn class(dir: &Path) -> Vec<PathBuf> {
    let edited = "S: 220 smtp.qq.com\nC: HELO qq.com\nS: 250 OK\nC: RCPT TO:<1@qq.com>\nS: 250 OK\nC: MAIL FROM:<2@qq.com>\nS: 250 OK\nC: QUIT\nS: 221 Bye\n";
    let texts = [
        telnet_auth_login("235 Authentication successful"),
        telnet_auth_login("535 Error: authentication failed"),
        edited.to_string(),
        pop3_retrieve(),
    ];
    (0..16)
        .map(|n| {
            let path = dir.join(format!("student-{n:02}.txt"));
            std::fs::write(&path, &texts[n % texts.len()]).unwrap();
            path
        })
        .collect()
}

fn json_of(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("json report")
}

#[test]
fn the_report_is_the_same_whatever_the_number_of_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let paths = class(dir.path());
    let args = |jobs: &'static str| {
        let mut args = vec!["grade", "--format", "json", "--jobs", jobs];
        args.extend(paths.iter().map(|p| p.to_str().unwrap()));
        args
    };
    let one = mailgrade(&args("1"));
    let eight = mailgrade(&args("8"));
    assert!(
        one.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert_eq!(one.status.code(), eight.status.code());
    assert_eq!(json_of(&one), json_of(&eight));
    let report = json_of(&one);
    assert_eq!(report["server"], "embedded");
    let grades = report["submissions"][2]["grades"].as_array().unwrap();
    assert!(grades.iter().all(|g| g["server"] == "embedded"));
    let findings = grades[0]["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["check"] == "replay-integrity"),
        "{findings:#?}"
    );
    let text = String::from_utf8_lossy(&one.stdout);
    for secret in student_secrets().iter().skip(1) {
        assert!(!text.contains(secret.as_str()), "{secret} in the report");
    }
    assert!(!text.contains("lab-password"));
}

#[test]
fn server_none_grades_the_claimed_replies() {
    let dir = tempfile::tempdir().unwrap();
    let paths = class(dir.path());
    let output = mailgrade(&[
        "grade",
        "--format",
        "json",
        "--server",
        "none",
        paths[2].to_str().unwrap(),
    ]);
    let report = json_of(&output);
    assert_eq!(report["server"], "none");
    let grade = &report["submissions"][0]["grades"][0];
    assert!(grade.get("server").is_none());
    let findings = grade["findings"].as_array().unwrap();
    assert!(!findings.iter().any(|f| f["check"] == "replay-integrity"));
}

#[test]
fn text_reports_say_which_server_answered() {
    let dir = tempfile::tempdir().unwrap();
    let paths = class(dir.path());
    let output = mailgrade(&["check", paths[0].to_str().unwrap()]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("replies from the embedded server"), "{text}");
    assert!(
        text.contains("877261793@qq.com → 877261793@lab.test"),
        "{text}"
    );
    assert_eq!(output.status.code(), Some(0), "{text}");
}

#[test]
fn external_needs_addresses() {
    let output = mailgrade(&["grade", "--server", "external", "x.txt"]);
    assert_eq!(output.status.code(), Some(64), "a usage error");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--smtp"));
}

#[test]
fn server_external_replays_against_the_given_host() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(embedded());
    let endpoints = server.endpoints();
    let dir = tempfile::tempdir().unwrap();
    let paths = class(dir.path());
    let (smtp, pop3) = (endpoints.smtp.to_string(), endpoints.pop3.to_string());
    let output = mailgrade(&[
        "grade",
        "--format",
        "json",
        "--server",
        "external",
        "--smtp",
        &smtp,
        "--pop3",
        &pop3,
        paths[0].to_str().unwrap(),
    ]);
    let report = json_of(&output);
    let name = report["server"].as_str().unwrap();
    assert!(name.starts_with("external smtp 127.0.0.1:"), "{name}");
    assert_eq!(report["submissions"][0]["grades"][0]["server"], name);
    assert_eq!(report["submissions"][0]["passed"], true, "{report:#}");
    let delivered = runtime
        .block_on(server.mailbox("student@lab.test"))
        .unwrap();
    assert_eq!(delivered.len(), 1);
}

#[test]
fn a_send_then_read_scenario_proves_the_message_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let source = mailgrade::scenario::builtin_source("smtp-telnet-auth-send").unwrap();
    let yaml = source.replacen(
        "  replay_body:",
        "  send_then_read: true\n  replay_body:",
        1,
    );
    assert_ne!(yaml, source, "the built-in has a server section to extend");
    let scenario = dir.path().join("send-then-read.yaml");
    std::fs::write(&scenario, yaml).unwrap();
    let loaded = mailgrade::scenario::load_file(&scenario).unwrap();
    assert!(loaded.server.send_then_read);
    let paths = class(dir.path());
    let output = mailgrade(&[
        "grade",
        "--format",
        "json",
        "-s",
        scenario.to_str().unwrap(),
        paths[0].to_str().unwrap(),
    ]);
    let report = json_of(&output);
    let findings = report["submissions"][0]["grades"][0]["findings"]
        .as_array()
        .unwrap();
    let readback = findings
        .iter()
        .find(|f| f["check"] == "send-then-read")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(readback["severity"], "info", "{readback:#}");
}
