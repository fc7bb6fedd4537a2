//! Secrets audit: every command in every format, on inputs full of credentials in every
//! dialect and in captures, and no password, AUTH payload or digest — raw, base64, decoded,
//! URL-encoded, HTML- or JSON-escaped — shows up anywhere: standard output, standard error,
//! files written with `--out`, or the committed snapshots.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;

mod hostile_support;
mod seed_support;

use hostile_support::BIN;
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The passwords in the inputs below; each is written so that it appears nowhere else.
const POP3_PASSWORD: &str = "Tr0ub4dor&3xyz";
const BARE_PASSWORD: &str = "typedAlone!Qx7";
const PLAIN_PASSWORD: &str = "pl41n-P@ss'word";
const LOGIN_PASSWORD: &str = "l0gin#Pass<w>";
const SMTP_BARE_PASSWORD: &str = "n0tBase64 pass";
const APOP_DIGEST: &str = "c4c9334bac560ecc979e58001b3e22fb";
const CRAM_DIGEST: &str = "b913a602c7eda7a495b4e6e7334d3890";
const QUOTED_PASSWORD: &str = "qu0ted pa55";
const URL_PASSWORD: &str = "url%26enc0ded";
/// Passwords in the forms that once slipped through (issues 13 and 14): each by position,
/// or echoed by a server, or known only from a later line.
const APOP_ALONE_PASSWORD: &str = "ap0pAlone!Zq";
const USER_WORD_PASSWORD: &str = "us3rW0rd#Kp";
const USER_COLON_PASSWORD: &str = "c0lonPw$Rt";
const IMAP_LOGIN_PASSWORD: &str = "1mapL0gin^Wx";
const TAGGED_LOGIN_PASSWORD: &str = "t4ggedL0gin+Yu";
const ECHOED_PASSWORD: &str = "ech0edPw*Mn";
const EARLY_PASSWORD: &str = "e4rlyTyped~Bv";
const AFTER_FAILED_PASSWORD: &str = "aft3rFail%Gh";
const SMTP_PASS_PASSWORD: &str = "smtpPa55@Lk";
const UNRECORDED_CHALLENGE_PASSWORD: &str = "n0Chall3nge-Ty";
const SUBJECT_PASSWORD: &str = "subj3ctPw=Hs";
/// A line of a message body: the transcript format keeps it, JUnit must not.
const BODY_MARK: &str = "BODY-MARK-c81f";
/// A password typed the way the seed report types its own (`C: Pass: <base64>`).
const SEED_STYLE_PASSWORD: &str = "c3RhbmQtaW4tcGFzcw==";
/// Passwords in the corpus captures (read with tshark: `pop.request.parameter`,
/// `smtp.auth.password`).
const CORPUS_SECRETS: [&str; 3] = ["RGMQUXRFPXUOLWRD", "cHVuamFiQDEyMw==", "Y3VsdHVtZXhmcjE="];
const CORPUS_CAPTURES: [&str; 3] = [
    "zoey_pop3_163com_coremail_user-pass-stat-list-retr.pcap",
    "wswiki_smtp_auth-login_dotstuff_classic.pcap",
    "ndpi_smtp587_auth-login_emotet-spam.pcap",
];

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn plain_payload() -> String {
    b64(format!("\0student@lab.test\0{PLAIN_PASSWORD}").as_bytes())
}

fn subject_plain_payload() -> String {
    b64(format!("\0student@lab.test\0{SUBJECT_PASSWORD}").as_bytes())
}

fn cram_payload() -> String {
    b64(format!("student {CRAM_DIGEST}").as_bytes())
}

/// Every form in which a secret could leak.
fn needles() -> Vec<String> {
    let mut raw: Vec<String> = [
        POP3_PASSWORD,
        BARE_PASSWORD,
        PLAIN_PASSWORD,
        LOGIN_PASSWORD,
        SMTP_BARE_PASSWORD,
        APOP_DIGEST,
        CRAM_DIGEST,
        QUOTED_PASSWORD,
        URL_PASSWORD,
        SEED_STYLE_PASSWORD,
        "punjab@123",
        "cultumexfr1",
        APOP_ALONE_PASSWORD,
        USER_WORD_PASSWORD,
        USER_COLON_PASSWORD,
        IMAP_LOGIN_PASSWORD,
        TAGGED_LOGIN_PASSWORD,
        ECHOED_PASSWORD,
        EARLY_PASSWORD,
        AFTER_FAILED_PASSWORD,
        SMTP_PASS_PASSWORD,
        UNRECORDED_CHALLENGE_PASSWORD,
        SUBJECT_PASSWORD,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Servers echo an unknown command upper-cased.
    raw.extend(
        [APOP_ALONE_PASSWORD, ECHOED_PASSWORD, EARLY_PASSWORD].map(|s| s.to_ascii_uppercase()),
    );
    raw.extend(CORPUS_SECRETS.iter().map(|s| s.to_string()));
    raw.extend(seed_support::seed_secrets());
    let mut needles = Vec::new();
    for secret in raw {
        needles.push(b64(secret.as_bytes()));
        needles.push(url_encode(&secret));
        needles.push(html_escape(&secret));
        needles.push(json_escape(&secret));
        needles.push(secret);
    }
    needles.push(plain_payload());
    needles.push(cram_payload());
    needles.push(subject_plain_payload());
    needles.push(b64(b"\0student@lab.test\0"));
    needles.sort();
    needles.dedup();
    needles
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn json_escape(text: &str) -> String {
    let quoted = serde_json::to_string(text).expect("a string serialises");
    quoted[1..quoted.len() - 1].to_string()
}

/// Where a needle was found, for the failure message (never the needle itself in full).
/// Base64 runs in the output (GitHub Classroom's result is base64) are decoded and searched
/// too.
fn leaks(haystack: &str, needles: &[String]) -> Vec<String> {
    let mut texts = vec![haystack.to_string()];
    for run in haystack.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c))) {
        if run.len() >= 24 {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(run) {
                texts.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
    let haystack = texts.join("\n");
    needles
        .iter()
        .filter(|needle| haystack.contains(needle.as_str()))
        .map(|needle| format!("{}…", needle.chars().take(4).collect::<String>()))
        .collect()
}

/// Transcripts in every dialect mailgrade reads, each full of credentials.
fn transcripts() -> Vec<(&'static str, String)> {
    let plain = plain_payload();
    let cram = cram_payload();
    let login_user = b64(b"student@lab.test");
    let login_pass = b64(LOGIN_PASSWORD.as_bytes());
    vec![
        (
            "marked-pop3.txt",
            format!(
                "S: +OK Dovecot ready. <1896.697170952@lab.test>\n\
                 C: USER student\nS: +OK\n\
                 C: {BARE_PASSWORD}\nS: -ERR Unknown command.\n\
                 C: PASS {POP3_PASSWORD}\nS: -ERR [AUTH] Authentication failed.\n\
                 C: PASS \"{QUOTED_PASSWORD}\"\nS: -ERR [AUTH] Authentication failed.\n\
                 C: PASS {URL_PASSWORD}\nS: -ERR [AUTH] Authentication failed.\n\
                 C: APOP student {APOP_DIGEST}\nS: +OK Logged in.\n\
                 C: STAT\nS: +OK 0 0\nC: QUIT\nS: +OK Logging out.\n"
            ),
        ),
        (
            "marked-smtp.txt",
            format!(
                "S: 220 mail.lab.test ESMTP Postfix\nC: EHLO pc\n\
                 S: 250-mail.lab.test\nS: 250 AUTH PLAIN LOGIN CRAM-MD5\n\
                 C: AUTH PLAIN {plain}\nS: 535 5.7.8 Error: authentication failed\n\
                 C: AUTH PLAIN\nS: 334 \nC: {plain}\nS: 535 5.7.8 Error: authentication failed\n\
                 C: AUTH CRAM-MD5\nS: 334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAbGFiLnRlc3Q+\nC: {cram}\n\
                 S: 535 5.7.8 Error: authentication failed\n\
                 C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: {login_user}\nS: 334 UGFzc3dvcmQ6\n\
                 C: {login_pass}\nS: 235 2.7.0 Authentication successful\n\
                 C: MAIL FROM:<student@lab.test>\nS: 250 2.1.0 Ok\n\
                 C: RCPT TO:<teacher@lab.test>\nS: 250 2.1.5 Ok\n\
                 C: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\n\
                 C: Subject: hi\nC: \nC: hello {BODY_MARK}\nC: .\nS: 250 2.0.0 Ok: queued as 4Xz\n\
                 C: QUIT\nS: 221 2.0.0 Bye\n"
            ),
        ),
        (
            "smtp-bare-password.txt",
            format!(
                "S: 220 mail.lab.test ESMTP Postfix\nC: EHLO pc\nS: 250 mail.lab.test\n\
                 C: AUTH LOGIN {login_user}\nS: 334 UGFzc3dvcmQ6\n\
                 C: {SMTP_BARE_PASSWORD}\nS: 535 5.7.8 Error: authentication failed\n\
                 C: {SMTP_BARE_PASSWORD}\nS: 502 5.5.2 Error: command not recognized\n\
                 C: QUIT\nS: 221 2.0.0 Bye\n"
            ),
        ),
        (
            "pop3-slots.txt",
            format!(
                "S: +OK Dovecot ready.\n\
                 C: {EARLY_PASSWORD}\nS: -ERR Unknown command: {early_upper}\n\
                 C: APOP {APOP_ALONE_PASSWORD}\nS: -ERR Unknown command: {apop_upper}\n\
                 C: USER student {USER_WORD_PASSWORD}\nS: -ERR no such user\n\
                 C: USER student:{USER_COLON_PASSWORD}\nS: -ERR no such user\n\
                 C: LOGIN student {IMAP_LOGIN_PASSWORD}\nS: -ERR Unknown command.\n\
                 C: a1 LOGIN student {TAGGED_LOGIN_PASSWORD}\nS: -ERR Unknown command.\n\
                 C: USER student\nS: +OK\n\
                 C: PASS wrong-guess\nS: -ERR [AUTH] Authentication failed.\n\
                 C: {AFTER_FAILED_PASSWORD}\nS: -ERR Unknown command: {AFTER_FAILED_PASSWORD}\n\
                 C: USER student\nS: +OK\n\
                 C: PASS {EARLY_PASSWORD}\nS: -ERR [AUTH] Authentication failed.\n\
                 C: USER student\nS: +OK\n\
                 C: PASS {ECHOED_PASSWORD}\nS: +OK {ECHOED_PASSWORD} logged in\n\
                 C: {ECHOED_PASSWORD}\nS: -ERR Unknown command: {echoed_upper}\n\
                 C: RETR 1\nS: +OK 60 octets\nS: Subject: {ECHOED_PASSWORD}\nS: \nS: {BODY_MARK}\nS: .\n\
                 C: QUIT\nS: +OK Logging out.\n",
                early_upper = EARLY_PASSWORD.to_ascii_uppercase(),
                apop_upper = APOP_ALONE_PASSWORD.to_ascii_uppercase(),
                echoed_upper = ECHOED_PASSWORD.to_ascii_uppercase(),
            ),
        ),
        (
            "smtp-slots.txt",
            format!(
                "S: 220 mail.lab.test ESMTP Postfix\nC: EHLO pc\nS: 250 AUTH PLAIN LOGIN\n\
                 C: PASS {SMTP_PASS_PASSWORD}\nS: 502 5.5.2 Error: command not recognized\n\
                 C: a1 LOGIN student {TAGGED_LOGIN_PASSWORD}\nS: 502 5.5.2 Error: command a1 not recognized\n\
                 C: AUTH PLAIN {subject_plain}\nS: 235 2.7.0 Authentication successful\n\
                 C: MAIL FROM:<student@lab.test>\nS: 250 2.1.0 Ok\n\
                 C: RCPT TO:<teacher@lab.test>\nS: 250 2.1.5 Ok\n\
                 C: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\n\
                 C: From: student@lab.test\nC: Subject: my password is {SUBJECT_PASSWORD}\nC: \n\
                 C: {BODY_MARK} {subject_b64}\nC: .\nS: 250 2.0.0 Ok: queued as 5Ab\n\
                 C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: {login_user}\n\
                 C: {UNRECORDED_CHALLENGE_PASSWORD}\nS: 535 5.7.8 {UNRECORDED_CHALLENGE_PASSWORD} rejected\n\
                 C: QUIT\nS: 221 2.0.0 Bye\n",
                subject_plain = subject_plain_payload(),
                subject_b64 = b64(SUBJECT_PASSWORD.as_bytes()),
            ),
        ),
        (
            "raw-telnet-pop3.log",
            format!(
                "$ telnet pop.lab.test 110\n+OK Dovecot ready.\nuser student\n+OK\n\
                 {BARE_PASSWORD}\n-ERR Unknown command.\npass {POP3_PASSWORD}\n+OK Logged in.\n\
                 list\n+OK 0 messages:\n.\nquit\n+OK Logging out.\n"
            ),
        ),
        (
            "swaks.txt",
            format!(
                "=== Trying mail.lab.test:587...\n<-  220 mail.lab.test ESMTP Postfix\n\
                 -> EHLO pc.lab.test\n<-  250-mail.lab.test\n<-  250 AUTH PLAIN LOGIN\n\
                 -> AUTH PLAIN {plain}\n<-  235 2.7.0 Authentication successful\n\
                 -> QUIT\n<-  221 2.0.0 Bye\n"
            ),
        ),
        (
            "wireshark-info.md",
            format!(
                "# 实验报告\n\n```\nC: telnet smtp.lab.test 25\nS: 220 smtp.lab.test ESMTP\n\
                 C: EHLO LAPTOP\nS: 250-smtp.lab.test | AUTH LOGIN PLAIN\nC: AUTH LOGIN\n\
                 S: 334 VXNlcm5hbWU6\nC: User: {login_user}\nS: 334 UGFzc3dvcmQ6\n\
                 C: Pass: {login_pass}\nS: 235 Authentication successful\nC: QUIT\nS: 221 Bye\n```\n"
            ),
        ),
        (
            "tshark-list.txt",
            format!(
                "    1   0.000000    192.0.2.110 → 192.0.2.10   POP 93 S: +OK Dovecot ready.\n\
                 \x20   2   0.912004    192.0.2.10 → 192.0.2.110  POP 80 C: USER student\n\
                 \x20   3   0.912300  192.0.2.110 → 192.0.2.10   POP 71 S: +OK\n\
                 \x20   4   1.810441    192.0.2.10 → 192.0.2.110  POP 80 C: PASS {POP3_PASSWORD}\n\
                 \x20   5   1.830021  192.0.2.110 → 192.0.2.10   POP 82 S: +OK Logged in.\n"
            ),
        ),
        (
            "export.csv",
            format!(
                "\"No.\",\"Time\",\"Source\",\"Destination\",\"Protocol\",\"Length\",\"Info\"\n\
                 \"1\",\"0.0\",\"10.0.0.1\",\"10.0.0.2\",\"SMTP\",\"96\",\"S: 220 mail.lab.test ESMTP\"\n\
                 \"2\",\"0.1\",\"10.0.0.2\",\"10.0.0.1\",\"SMTP\",\"68\",\"C: AUTH PLAIN {plain}\"\n\
                 \"3\",\"0.2\",\"10.0.0.1\",\"10.0.0.2\",\"SMTP\",\"68\",\"S: 235 2.7.0 Authentication successful\"\n"
            ),
        ),
        (
            "seed-style.md",
            format!(
                "```\nC: telnet imap.qq.com 25\nS: 220 newxmesmtplogicsvrsza ESMTP\nC: HELO pc\n\
                 S: 250 OK\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: User: MTIzQHFxLmNvbQ==\n\
                 S: 334 UGFzc3dvcmQ6\nC: Pass: {SEED_STYLE_PASSWORD}\nS: 235 Authentication successful\n```\n"
            ),
        ),
    ]
}

/// A small pcap with an SMTP AUTH PLAIN and a POP3 session with a password typed alone.
fn capture() -> Vec<u8> {
    let plain = plain_payload();
    let lines = |lines: &[(bool, String)]| -> Vec<(bool, Vec<u8>)> {
        lines
            .iter()
            .map(|(client, text)| (*client, format!("{text}\r\n").into_bytes()))
            .collect()
    };
    let smtp = lines(&[
        (false, "220 mail.lab.test ESMTP".into()),
        (true, "EHLO pc".into()),
        (false, "250 AUTH PLAIN LOGIN".into()),
        (true, format!("AUTH PLAIN {plain}")),
        (false, "235 2.7.0 Authentication successful".into()),
        (true, "QUIT".into()),
        (false, "221 2.0.0 Bye".into()),
    ]);
    let pop3 = lines(&[
        (false, "+OK ready".into()),
        (true, "USER student".into()),
        (false, "+OK".into()),
        (true, BARE_PASSWORD.into()),
        (false, "-ERR Unknown command.".into()),
        (true, format!("PASS {POP3_PASSWORD}")),
        (false, "+OK Logged in.".into()),
        (true, "QUIT".into()),
        (false, "+OK bye".into()),
    ]);
    // The forms of issues 13 and 14, as a capture shows them.
    let slots = lines(&[
        (false, "+OK ready".into()),
        (true, EARLY_PASSWORD.into()),
        (false, format!("-ERR Unknown command: {EARLY_PASSWORD}")),
        (true, format!("APOP {APOP_ALONE_PASSWORD}")),
        (
            false,
            format!("-ERR Unknown command: {APOP_ALONE_PASSWORD}"),
        ),
        (true, format!("USER student {USER_WORD_PASSWORD}")),
        (false, "-ERR".into()),
        (true, format!("USER student:{USER_COLON_PASSWORD}")),
        (false, "-ERR".into()),
        (true, format!("a1 LOGIN student {TAGGED_LOGIN_PASSWORD}")),
        (false, "-ERR Unknown command.".into()),
        (true, "USER student".into()),
        (false, "+OK".into()),
        (true, format!("PASS {EARLY_PASSWORD}")),
        (false, format!("+OK {EARLY_PASSWORD} logged in")),
        (true, "QUIT".into()),
        (false, "+OK bye".into()),
    ]);
    let smtp_slots = lines(&[
        (false, "220 mail.lab.test ESMTP".into()),
        (true, format!("PASS {SMTP_PASS_PASSWORD}")),
        (false, "502 5.5.2 Error: command not recognized".into()),
        (true, format!("AUTH PLAIN {}", subject_plain_payload())),
        (false, "235 2.7.0 Authentication successful".into()),
        (true, "DATA".into()),
        (false, "354 go ahead".into()),
        (
            true,
            format!("Subject: {SUBJECT_PASSWORD}\r\n\r\n{BODY_MARK}\r\n."),
        ),
        (false, "250 2.0.0 Ok: queued".into()),
    ]);
    hostile_support::pcap::capture(&[
        (25, 40001, smtp),
        (110, 40002, pop3),
        (110, 40003, slots),
        (25, 40004, smtp_slots),
    ])
}

/// The values `--format` accepts for a subcommand, as clap lists them when given one it
/// does not know (so formats added later are audited too).
fn formats(subcommand: &str) -> Vec<String> {
    let output = Command::new(BIN)
        .args([subcommand, "--format", "no-such-format", "x"])
        .output()
        .expect("mailgrade runs");
    let error = String::from_utf8_lossy(&output.stderr).to_string();
    let values = error
        .split("[possible values: ")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("{subcommand} lists its formats:\n{error}"));
    values
        .split(", ")
        .map(|value| value.trim().to_string())
        .collect()
}

/// Whether a subcommand has `--out` (its help says so).
fn takes_out(subcommand: &str) -> bool {
    let output = Command::new(BIN)
        .args([subcommand, "--help"])
        .output()
        .expect("mailgrade runs");
    String::from_utf8_lossy(&output.stdout).contains("--out")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for (name, text) in transcripts() {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write input");
        paths.push(path);
    }
    let path = dir.join("written.pcap");
    std::fs::write(&path, capture()).expect("write capture");
    paths.push(path);
    for name in CORPUS_CAPTURES {
        paths.push(PathBuf::from(format!(
            "{ROOT}/../shared/corpus/pcap/{name}"
        )));
    }
    paths.push(PathBuf::from(format!(
        "{ROOT}/../shared/seed/email-lab-report.md"
    )));
    paths
}

/// Runs mailgrade with `args`, optionally writing to `--out`; returns everything it showed.
fn run(args: &[String], out: Option<&Path>) -> String {
    let mut command = Command::new(BIN);
    command.args(args).env("NO_COLOR", "1");
    if let Some(out) = out {
        command.arg("--out").arg(out);
    }
    let output = command.output().expect("mailgrade runs");
    let code = output.status.code();
    assert!(
        // 64 is a usage error: a broken scenario named by `grade --scenario` (README "Exit codes").
        matches!(code, Some(0..=2 | 64)),
        "{args:?} ended with {code:?}: a crash or a signal"
    );
    let mut all = String::from_utf8_lossy(&output.stdout).to_string();
    all.push_str(&String::from_utf8_lossy(&output.stderr));
    if let Some(out) = out {
        if let Ok(bytes) = std::fs::read(out) {
            all.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    all
}

#[test]
fn no_command_in_any_format_shows_a_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    // One student's submission: every input in one directory.
    let student = dir.path().join("student-1");
    std::fs::create_dir(&student).expect("student dir");
    let paths = inputs(&student);
    for path in &paths {
        assert!(path.exists(), "input missing: {}", path.display());
        if !path.starts_with(&student) {
            let link = student.join(path.file_name().expect("file name"));
            std::os::unix::fs::symlink(path, link).expect("link corpus file");
        }
    }
    let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let submission = student.display().to_string();
    let needles = needles();
    let strings = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let mut runs: Vec<Vec<String>> = Vec::new();
    // Replayed on `embedded`: the student's credentials are swapped for the test account's.
    for format in formats("grade") {
        for lang in ["en", "zh-CN"] {
            for server in ["none", "embedded"] {
                runs.push(strings(&[
                    "grade", "--server", server, "--format", &format, "--lang", lang,
                ]));
            }
        }
    }
    for format in formats("extract") {
        runs.push(strings(&["extract", "--format", &format]));
    }
    for lang in ["en", "zh-CN"] {
        runs.push(strings(&["check", "--server", "none", "--lang", lang]));
        runs.push(strings(&["check", "--server", "embedded", "--lang", lang]));
    }
    assert!(runs.len() >= 50, "fewer formats than expected: {runs:?}");
    let mut findings = Vec::new();
    for mut args in runs {
        let options = args.clone();
        // grade takes the student's directory; check and extract take files.
        if args[0] == "grade" {
            args.push(submission.clone());
        } else {
            args.extend(files.iter().cloned());
        }
        let out = dir.path().join("report.out");
        let _ = std::fs::remove_file(&out);
        let shown = if takes_out(&args[0]) {
            let shown = run(&args, Some(&out));
            assert!(out.exists(), "{options:?} wrote no --out file");
            shown
        } else {
            run(&args, None)
        };
        assert!(
            shown.contains("email-lab-report") || args[0] == "grade",
            "{options:?}: the inputs were not read:\n{shown}"
        );
        for found in leaks(&shown, &needles) {
            findings.push(format!("{options:?}: {found}"));
        }
        // JUnit shows the dialogue with message bodies by size only; the transcript format
        // keeps them, to be read back.
        let format = options.iter().skip_while(|o| *o != "--format").nth(1);
        match format.map(String::as_str) {
            Some("junit") if shown.contains(BODY_MARK) => {
                findings.push(format!("{options:?}: a message body"))
            }
            Some("transcript") if !shown.contains(BODY_MARK) => {
                findings.push(format!("{options:?}: the bodies are lost"))
            }
            _ => {}
        }
    }
    assert!(
        findings.is_empty(),
        "secrets shown:\n{}",
        findings.join("\n")
    );
}

#[test]
fn an_unusable_file_full_of_secrets_gets_an_error_without_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "binary.txt",
            [&[0u8, 1, 2, 0xff, 0xfe][..], format!("PASS {POP3_PASSWORD}\0").as_bytes()].concat(),
        ),
        ("truncated.pcap", capture()[..90].to_vec()),
        (
            "broken.yaml",
            format!("id: x\nprotocol: smtp\nserver: {{ accounts: [{{ user: a, password: {POP3_PASSWORD} }}] }}\nsteps: [\n").into_bytes(),
        ),
    ];
    let needles = needles();
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write input");
        let file = path.display().to_string();
        let runs: Vec<Vec<String>> = if name.ends_with(".yaml") {
            vec![
                vec!["scenario".into(), "validate".into(), file.clone()],
                vec![
                    "grade".into(),
                    "--scenario".into(),
                    file.clone(),
                    dir.path().join("binary.txt").display().to_string(),
                ],
            ]
        } else {
            vec![
                vec!["check".into(), file.clone()],
                vec!["grade".into(), file.clone()],
                vec!["extract".into(), file.clone()],
            ]
        };
        for args in runs {
            let shown = run(&args, None);
            assert!(
                shown.contains(name),
                "{args:?}: the error names the file:\n{shown}"
            );
            let found = leaks(&shown, &needles);
            assert!(found.is_empty(), "{args:?} showed {found:?}");
        }
    }
}

#[test]
fn committed_snapshots_hold_no_secret() {
    let needles = needles();
    let mut scanned = 0;
    let mut findings = Vec::new();
    for entry in std::fs::read_dir(format!("{ROOT}/snapshots")).expect("snapshots/ exists") {
        let path = entry.expect("dir entry").path();
        let text =
            String::from_utf8_lossy(&std::fs::read(&path).expect("read snapshot")).to_string();
        scanned += 1;
        for found in leaks(&text, &needles) {
            findings.push(format!("{}: {found}", path.display()));
        }
    }
    assert!(scanned > 10, "only {scanned} snapshots found");
    assert!(
        findings.is_empty(),
        "secrets in snapshots:\n{}",
        findings.join("\n")
    );
}

#[test]
fn the_needles_catch_what_they_should() {
    // The audit is only as good as its needles: a leaked secret in any of its forms is found.
    let needles = needles();
    for leaked in [
        format!("PASS {POP3_PASSWORD}"),
        format!("AUTH PLAIN {}", plain_payload()),
        "Tr0ub4dor&amp;3xyz".to_string(),
        "Tr0ub4dor%263xyz".to_string(),
        b64(LOGIN_PASSWORD.as_bytes()),
        seed_support::seed_secrets()[1][..15].to_string(),
    ] {
        assert!(!leaks(&leaked, &needles).is_empty(), "{leaked} not caught");
    }
    assert!(leaks("PASS <redacted>", &needles).is_empty());
}
