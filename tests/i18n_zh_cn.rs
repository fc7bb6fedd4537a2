//! Every human-readable report honours `--lang zh-CN` (issue 16 item 4): the seed and a
//! class, in each human-readable format, hold none of the English phrases the reports
//! used to leave untranslated. Verbs, reply codes, header names, step ids (`greeting`,
//! `auth-response`, `message`) and file names are notation and stay as they are.

use std::path::Path;
use std::process::{Command, Output};

const SEED: &str = "../shared/seed/email-lab-report.md";

/// English the zh-CN reports must not contain (each once came out in English).
const ENGLISH: &[&str] = &[
    "code block",
    "header equals",
    "header names a",
    "header present",
    "header (optional)",
    "(no reply)",
    " before ",
    "graded ",
    "submission",
    "passed",
    "below the pass mark",
    "ungradable",
    "missing",
    "Score",
    "points",
    "Task",
    "section",
    "out of",
];

fn mailgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn class(dir: &Path) -> String {
    let passing = std::fs::read_to_string("examples/telnet-auth-login.txt").expect("example");
    // RCPT before MAIL and a QUIT never answered: wrong order, missing steps, "(no reply)".
    let failing = "S: 220 mail.lab.test ESMTP\nC: EHLO me\nS: 250 mail.lab.test\nC: RCPT TO:<b@lab.test>\nS: 503 5.5.1 Error: need MAIL command\nC: QUIT\n";
    for (student, text) in [("ann_1001", passing.as_str()), ("bo_1002", failing)] {
        std::fs::create_dir_all(dir.join(student)).expect("folder");
        std::fs::write(dir.join(student).join("dialogue.txt"), text).expect("write");
    }
    dir.to_string_lossy().into_owned()
}

fn assert_chinese(what: &str, text: &str) {
    for phrase in ENGLISH {
        assert!(
            !text.contains(phrase),
            "{what}: English `{phrase}` under --lang zh-CN:\n{text}"
        );
    }
}

#[test]
fn the_seed_and_a_class_read_in_chinese_in_every_human_readable_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let class = class(dir.path());
    let runs: [&[&str]; 3] = [
        &[SEED],
        &[SEED, "--lab", "email-lab"],
        &[class.as_str(), "--class"],
    ];
    for run in runs {
        for format in ["text", "markdown"] {
            let mut args = vec!["grade", "--lang", "zh-CN", "--server", "none"];
            args.extend_from_slice(run);
            args.extend_from_slice(&["--format", format]);
            let output = mailgrade(&args);
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{args:?}: {output:?}"
            );
            let what = format!("{run:?} --format {format}");
            assert_chinese(&what, &String::from_utf8_lossy(&output.stdout));
            assert_chinese(&what, &String::from_utf8_lossy(&output.stderr));
        }
    }
}

#[test]
fn english_is_still_english() {
    let dir = tempfile::tempdir().expect("temp dir");
    let class = class(dir.path());
    let output = mailgrade(&["grade", &class, "--class", "--server", "none"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("From header equals MAIL FROM"), "{stdout}");
    assert!(stdout.contains("QUIT → (no reply)"), "{stdout}");
    assert!(
        stderr.contains("graded 2 submissions: 1 passed"),
        "{stderr}"
    );
    let output = mailgrade(&["grade", SEED, "--server", "none"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("(code block 2)"), "{stdout}");
}
