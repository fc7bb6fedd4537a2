//! Exit codes as the README documents them: 0 passed, 1 below the pass mark, 2 unusable.

use std::process::{Command, Output};

fn mailgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.to_string_lossy().into_owned()
}

#[test]
fn a_failing_dialogue_exits_one_with_feedback() {
    let dir = tempfile::tempdir().expect("temp dir");
    // RCPT before MAIL, then no retry: a server answers 503, the transaction never happens.
    let file = write(
        &dir,
        "rcpt-first.txt",
        "S: 220 mail.lab.test ESMTP\nC: EHLO me\nS: 250 mail.lab.test\nC: RCPT TO:<b@lab.test>\nS: 503 5.5.1 Error: need MAIL command\nC: QUIT\nS: 221 Bye\n",
    );
    let output = mailgrade(&["grade", &file, "--scenario", "smtp-telnet-auth-send"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("503"), "{text}");
}

#[test]
fn unusable_input_exits_two_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(&dir, "notes.txt", "I could not finish the lab, sorry.\n");
    let output = mailgrade(&["grade", &file]);
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("notes.txt"), "{text}");
}

#[test]
fn a_missing_file_exits_two() {
    let output = mailgrade(&["check", "/nonexistent/lab.pcapng"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stdout).contains("/nonexistent/lab.pcapng"));
}

#[test]
fn a_broken_scenario_exits_two_with_its_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = write(&dir, "bad.yaml", "id: bad\ntitle: { en: Bad }\nprotocol: smtp\nsteps:\n  - { id: hello, send: EHLLO, expect: 250 }\n");
    let output = mailgrade(&["scenario", "validate", &scenario]);
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("bad.yaml:5"), "{text}");
    let transcript = write(&dir, "t.txt", "S: 220 hi\nC: QUIT\nS: 221 bye\n");
    let output = mailgrade(&["grade", &transcript, "--scenario", &scenario]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad.yaml:5"));
}

#[test]
fn usage_errors_exit_two_and_help_exits_zero() {
    assert_eq!(mailgrade(&["grade"]).status.code(), Some(2));
    assert_eq!(mailgrade(&["--help"]).status.code(), Some(0));
}

#[test]
fn scenario_list_names_every_builtin() {
    let output = mailgrade(&["scenario", "list"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    for id in [
        "smtp-telnet-auth-send",
        "smtp-client-send",
        "pop3-retrieve",
        "pop3-delete",
        "smtp-error-recovery",
    ] {
        assert!(text.contains(id), "{id} missing from {text}");
    }
}
