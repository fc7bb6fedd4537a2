//! `mailgrade notify` against the embedded server: each student gets exactly their own
//! feedback, read back from their mailbox; a dry run sends nothing.

#[path = "class_support/mod.rs"]
mod support;

use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer};
use mailgrade::server::{Account, MailServer};
use support::{class, mailgrade, write};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_student_gets_their_own_feedback() {
    let dir = tempfile::tempdir().unwrap();
    let students = class(6);
    write(dir.path(), "class.zip", &support::moodle_zip(&students));
    let mut roster = String::from("id,name,email,lms_id\n");
    for s in &students {
        roster.push_str(&format!(
            "{},{},{}@lab.test,{}\n",
            s.id, s.name, s.id, s.lms_id
        ));
    }
    write(dir.path(), "roster.csv", roster.as_bytes());
    let output = mailgrade(
        dir.path(),
        &[
            "grade",
            "class.zip",
            "--roster",
            "roster.csv",
            "--server",
            "none",
            "--format",
            "json",
            "--out",
            "results.json",
        ],
    );
    assert!(output.status.code().is_some(), "{output:?}");

    let mut accounts: Vec<Account> = students
        .iter()
        .map(|s| Account::new(format!("{}@lab.test", s.id), "pw"))
        .collect();
    accounts.push(Account::new("ta@lab.test", "ta-secret"));
    let server = EmbeddedServer::start(EmbeddedConfig {
        accounts,
        catch_all_enabled: false,
        require_auth: true,
        ..EmbeddedConfig::default()
    })
    .await
    .expect("server starts");
    let port = server.endpoints().smtp.port().to_string();
    let (path, p) = (dir.path().to_path_buf(), port.clone());
    let dry = tokio::task::spawn_blocking(move || notify(&path, &p, false))
        .await
        .unwrap();
    assert_eq!(dry.status.code(), Some(0), "{dry:?}");
    let stdout = String::from_utf8_lossy(&dry.stdout);
    for s in &students {
        assert!(
            stdout.contains(&format!("To: \"{}\" <{}@lab.test>\n", s.name, s.id)),
            "{stdout}"
        );
        assert!(stdout.contains(&format!("Dear {},", s.name)), "{stdout}");
    }
    // Headers and body, exactly what would be sent; never the password.
    for header in [
        "From: \"Networks TA\" <ta@lab.test>\n",
        "Subject: Email lab: your feedback\n",
        "Content-Type: text/plain; charset=utf-8\n",
        "Date: ",
        ".mailgrade-notify@lab.test>\n",
    ] {
        assert_eq!(stdout.matches(header).count(), 6, "{header}: {stdout}");
    }
    assert!(
        !stdout.contains("ta-secret")
            && !String::from_utf8_lossy(&dry.stderr).contains("ta-secret")
    );
    for s in &students {
        let mailbox = server.mailbox(&format!("{}@lab.test", s.id)).await.unwrap();
        assert!(mailbox.is_empty(), "dry run sent nothing");
    }

    let (path, p) = (dir.path().to_path_buf(), port.clone());
    let sent = tokio::task::spawn_blocking(move || notify(&path, &p, true))
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert_eq!(sent.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("sent 6 message(s)"), "{stderr}");
    assert!(
        stderr.contains("(no TLS), logging in as ta@lab.test"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("ta-secret")
            && !String::from_utf8_lossy(&sent.stdout).contains("ta-secret")
    );
    for s in &students {
        let mailbox = server.mailbox(&format!("{}@lab.test", s.id)).await.unwrap();
        assert_eq!(mailbox.len(), 1, "{}: exactly one message", s.id);
        let text = mailbox[0].text();
        assert!(text.contains(&format!("Dear {}", s.name)), "{text}");
        let passed = matches!(s.kind, support::Kind::Good | support::Kind::Capture);
        let verdict = if passed {
            "submission passed"
        } else {
            "did not pass yet"
        };
        assert!(text.contains(verdict), "{}: {text}", s.id);
        for other in students.iter().filter(|o| o.id != s.id) {
            assert!(
                !text.contains(&other.name),
                "{} got {}'s feedback",
                s.id,
                other.id
            );
        }
    }
    server.stop().await.unwrap();
}

/// Runs `mailgrade notify` against the server on `port`, the password in the environment.
fn notify(dir: &std::path::Path, port: &str, send: bool) -> std::process::Output {
    let mut args = vec![
        "notify",
        "results.json",
        "--roster",
        "roster.csv",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        port,
        // The embedded server speaks no TLS; a login in clear is allowed to loopback only.
        "--tls",
        "none",
        "--from",
        "Networks TA <ta@lab.test>",
        "--user",
        "ta@lab.test",
        "--password-env",
        "TA_SMTP_PASSWORD",
    ];
    if send {
        args.push("--send");
    }
    std::process::Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .current_dir(dir)
        .args(args)
        .env("TA_SMTP_PASSWORD", "ta-secret")
        .output()
        .unwrap()
}

#[test]
fn notify_refuses_settings_that_cannot_be_used_or_would_leak_the_password() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "roster.csv", b"id,name,email\n1,A,a@lab.test\n");
    write(
        dir.path(),
        "results.json",
        br#"{"schema":"mailgrade/v1","tool":{},"server":"none","submissions":[{"id":"1","passed":false,"grades":[],"problems":[]}]}"#,
    );
    let login: &[&str] = &["--user", "ta", "--password-env", "TA_PW"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--send"], "--from <ADDRESS>"),
        (
            vec![
                "--send",
                "--from",
                "ta@lab.test",
                "--user",
                "ta",
                "--password-env",
                "NOPE_UNSET_VAR",
            ],
            "NOPE_UNSET_VAR",
        ),
        (
            vec!["--from", "ta@lab.test", "--password", "x"],
            "unexpected argument",
        ),
        (
            vec!["--from", "ta@lab.test", "--user", "ta"],
            "--user needs --password-env VAR or --password-file FILE",
        ),
        (
            vec![
                "--from",
                "ta@lab.test",
                "--password-env",
                "TA_PW",
                "--password-file",
                "pw",
            ],
            "both given",
        ),
        (
            vec!["--from", "not an address"],
            "--from `not an address` is not an address",
        ),
        // A login in clear to a server elsewhere is refused, in the dry run already and with
        // --send before any connection (`.invalid` never resolves: nothing could be reached).
        (
            [
                &[
                    "--from",
                    "ta@lab.test",
                    "--tls",
                    "none",
                    "--smtp-host",
                    "mail.invalid",
                ],
                login,
            ]
            .concat(),
            "refusing to send the password of `ta` over a plain connection to mail.invalid:9",
        ),
        (
            [
                &[
                    "--send",
                    "--from",
                    "ta@lab.test",
                    "--tls",
                    "none",
                    "--smtp-host",
                    "mail.invalid",
                ],
                login,
            ]
            .concat(),
            "refusing to send the password of `ta` over a plain connection to mail.invalid:9",
        ),
        (
            [
                &[
                    "--send",
                    "--from",
                    "ta@lab.test",
                    "--tls",
                    "none",
                    "--smtp-host",
                    "10.1.2.3",
                ],
                login,
            ]
            .concat(),
            "help: use --tls starttls (port 587, the default) or --tls implicit (port 465)",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = vec![
            "notify",
            "results.json",
            "--roster",
            "roster.csv",
            "--smtp-port",
            "9",
        ];
        args.extend_from_slice(&extra);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_mailgrade"))
            .current_dir(dir.path())
            .args(&args)
            .env("TA_PW", "ta-secret")
            .output()
            .unwrap();
        // Usage errors exit 64 (README "Exit codes", issue 16 item 4).
        assert_eq!(output.status.code(), Some(64), "{extra:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
        assert!(!stderr.contains("ta-secret"), "{stderr}");
        assert!(
            output.stdout.is_empty(),
            "{extra:?}: nothing is printed as if sent"
        );
    }
}
