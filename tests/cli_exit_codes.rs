//! Exit codes as the README documents them: 0 passed, 1 below the pass mark, 2 an input
//! unusable (the rest graded and written), 64 the run asked for wrongly (nothing graded).

mod cli_support;
use cli_support::mailgrade;

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
fn a_broken_scenario_exits_two_when_checked_and_64_when_a_run_names_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = write(&dir, "bad.yaml", "id: bad\ntitle: { en: Bad }\nprotocol: smtp\nsteps:\n  - { id: hello, send: EHLLO, expect: 250 }\n");
    let output = mailgrade(&["scenario", "validate", &scenario]);
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("bad.yaml:5"), "{text}");
    let transcript = write(&dir, "t.txt", "S: 220 hi\nC: QUIT\nS: 221 bye\n");
    let output = mailgrade(&["grade", &transcript, "--scenario", &scenario]);
    assert_eq!(output.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.yaml:5"), "{stderr}");
    // The summary line ends like every other, so a shell prompt starts on a line of its own.
    assert!(stderr.ends_with("error\n"), "{stderr:?}");
}

#[test]
fn usage_errors_exit_64_and_help_exits_zero() {
    assert_eq!(mailgrade(&["grade"]).status.code(), Some(64));
    assert_eq!(
        mailgrade(&["grade", "x.txt", "--no-such-flag"])
            .status
            .code(),
        Some(64)
    );
    assert_eq!(
        mailgrade(&["grade", "x.txt", "--format", "no-such-format"])
            .status
            .code(),
        Some(64)
    );
    assert_eq!(mailgrade(&["--help"]).status.code(), Some(0));
    assert_eq!(mailgrade(&["--version"]).status.code(), Some(0));
}

/// A class with a passing, a failing and an unusable submission, graded as a Moodle download.
fn class_zip(dir: &tempfile::TempDir, students: &[(&str, &str)]) -> String {
    let path = dir.path().join("class.zip");
    let file = std::fs::File::create(&path).expect("create zip");
    let mut zip = zip::ZipWriter::new(file);
    for (folder, text) in students {
        zip.start_file(
            format!("{folder}/transcript.txt"),
            zip::write::SimpleFileOptions::default(),
        )
        .expect("zip entry");
        std::io::Write::write_all(&mut zip, text.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finished");
    path.to_string_lossy().into_owned()
}

const PASSING: &str = "S: 220 mail.lab.test ESMTP\nC: EHLO me\nS: 250 mail.lab.test\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: c3R1ZGVudEBsYWIudGVzdA==\nS: 334 UGFzc3dvcmQ6\nC: c2VjcmV0\nS: 235 2.7.0 Authentication successful\nC: MAIL FROM:<student@lab.test>\nS: 250 2.1.0 Ok\nC: RCPT TO:<teacher@lab.test>\nS: 250 2.1.5 Ok\nC: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\nC: Subject: hi\nC:\nC: hello\nC: .\nS: 250 2.0.0 Ok: queued as 1\nC: QUIT\nS: 221 2.0.0 Bye\n";
const FAILING: &str = "S: 220 mail.lab.test ESMTP\nC: EHLO me\nS: 250 mail.lab.test\nC: RCPT TO:<b@lab.test>\nS: 503 5.5.1 Error: need MAIL command\nC: QUIT\nS: 221 Bye\n";
const UNUSABLE: &str = "I could not finish the lab, sorry.\n";

/// The three outcomes of a class run, each with its own code, and the report written in the
/// first two.
#[test]
fn a_class_run_tells_failed_from_unusable_from_a_bad_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |zip: &str, extra: &[&str]| {
        let out = dir.path().join("grades.json");
        let _ = std::fs::remove_file(&out);
        let mut args = vec![
            "grade",
            zip,
            "--server",
            "none",
            "--scenario",
            "smtp-telnet-auth-send",
            "--format",
            "json",
            "--out",
            out.to_str().expect("utf-8 path"),
        ];
        args.extend_from_slice(extra);
        let output = mailgrade(&args);
        let written = std::fs::read_to_string(&out).ok();
        (output, written)
    };
    let students = [
        ("Ann Lee_1001_assignsubmission_file_", PASSING),
        ("Bo Chen_1002_assignsubmission_file_", FAILING),
    ];
    let zip = class_zip(&dir, &students);
    let (output, written) = run(&zip, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "graded, some failed: {stderr}"
    );
    assert!(written.is_some());

    let students = [
        ("Ann Lee_1001_assignsubmission_file_", PASSING),
        ("Bo Chen_1002_assignsubmission_file_", FAILING),
        ("Cai Wu_1003_assignsubmission_file_", UNUSABLE),
    ];
    let zip = class_zip(&dir, &students);
    let (output, written) = run(&zip, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "one unusable: {stderr}");
    let written = written.expect("the rest is graded and written");
    for name in ["Ann Lee", "Bo Chen", "Cai Wu"] {
        assert!(written.contains(name), "{name} in {written}");
    }

    for (extra, what) in [
        (&["--lab", "no-such-lab"][..], "an unknown lab"),
        (&["--lab", "email-lab"][..], "--lab with --scenario"),
        (&["--roster"][..], "an option without its value"),
    ] {
        let (output, written) = run(&zip, extra);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(64), "{what}: {stderr}");
        assert!(written.is_none(), "{what}: nothing is written");
    }
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
