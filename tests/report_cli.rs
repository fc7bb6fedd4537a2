//! `mailgrade grade --format …` end to end: every format value runs on the seed report, and
//! the once-per-submission formats refuse a class.

use std::process::Command;

const SEED: &str = "../shared/seed/email-lab-report.md";
const FORMATS: [&str; 12] = [
    "text",
    "json",
    "gradescope",
    "prairielearn",
    "autolab",
    "github-classroom",
    "junit",
    "canvas-csv",
    "moodle-csv",
    "markdown",
    "github",
    "html",
];
mod seed_support;
#[path = "../benches/support/synth.rs"]
mod synth;

fn mailgrade(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("mailgrade runs")
}

#[test]
fn every_format_grades_the_seed_without_secrets() {
    for format in FORMATS {
        for lang in ["en", "zh-CN"] {
            let output = mailgrade(&["grade", SEED, "--format", format, "--lang", lang]);
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(0), "{format}: {stderr}");
            assert!(!stdout.trim().is_empty(), "{format} printed nothing");
            for secret in &seed_support::seed_secrets() {
                assert!(!stdout.contains(secret), "{format} shows {secret}");
                assert!(!stderr.contains(secret), "{format} shows {secret}");
            }
        }
    }
}

#[test]
fn gradescope_records_the_seed_hash() {
    use sha2::{Digest, Sha256};
    let output = mailgrade(&["grade", SEED, "--format", "gradescope"]);
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seed/email-lab-report.md"
    ))
    .expect("seed");
    let expected = format!("{:x}", Sha256::digest(&bytes));
    assert_eq!(
        results["extra_data"]["inputs"][0]["sha256"],
        expected.as_str()
    );
    assert_eq!(results["score"], 100);
}

#[test]
fn per_submission_formats_refuse_a_class() {
    for format in ["gradescope", "prairielearn", "autolab", "github-classroom"] {
        let output = mailgrade(&[
            "grade",
            SEED,
            "examples/telnet-auth-login.txt",
            "--format",
            format,
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // A class handed to a per-submission format is a usage error (README "Exit codes").
        assert_eq!(output.status.code(), Some(64), "{format}");
        assert!(
            stderr.contains("exactly one submission") && stderr.contains("got 2"),
            "{format}: {stderr}"
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn canvas_assignment_flags_name_the_column() {
    let output = mailgrade(&[
        "grade",
        SEED,
        "--format",
        "canvas-csv",
        "--assignment",
        "Lab 3",
        "--assignment-id",
        "77",
    ]);
    let csv = String::from_utf8_lossy(&output.stdout);
    assert!(
        csv.starts_with("Student,ID,SIS User ID,SIS Login ID,Section,Lab 3 (77)\r\n"),
        "{csv}"
    );
}

/// `--compact` writes the same document as the pretty default, without whitespace: both
/// parse to the same value, on every path the JSON takes (graded after replay, graded while
/// read, extracted).
#[test]
fn compact_json_is_the_pretty_document_without_whitespace() {
    const CAPTURE: &str = "../shared/corpus/pcap/wswiki_smtp_auth-login_dotstuff_classic.pcap";
    let runs: [&[&str]; 4] = [
        &["grade", SEED, "--format", "json"],
        &["grade", SEED, "--format", "json", "--server", "none"],
        &[
            "grade",
            SEED,
            "--format",
            "json",
            "--server",
            "none",
            "--lab",
            "email-lab",
        ],
        &["extract", CAPTURE, "--format", "json"],
    ];
    for args in runs {
        let pretty = mailgrade(args);
        let compact = mailgrade(&[args, &["--compact"]].concat());
        assert_eq!(pretty.status.code(), compact.status.code(), "{args:?}");
        let (pretty, compact) = (pretty.stdout, compact.stdout);
        let parsed: serde_json::Value = serde_json::from_slice(&pretty).expect("JSON");
        assert_eq!(
            parsed,
            serde_json::from_slice::<serde_json::Value>(&compact).expect("compact JSON"),
            "{args:?}"
        );
        assert!(
            compact.len() < pretty.len() / 2 + pretty.len() / 4,
            "{args:?}"
        );
        assert!(compact.ends_with(b"}\n"), "{args:?}");
        assert!(!compact[..compact.len() - 1].contains(&b'\n'), "{args:?}");
        assert!(
            !String::from_utf8(compact).expect("UTF-8").contains("\": "),
            "{args:?}"
        );
    }
}

#[test]
fn compact_goes_with_json_only() {
    for args in [
        &["grade", SEED, "--format", "text", "--compact"][..],
        &["extract", SEED, "--compact"][..],
    ] {
        let output = mailgrade(args);
        assert_eq!(output.status.code(), Some(64), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("--compact"),
            "{args:?}"
        );
    }
}

/// `grade --server none` of one file is graded and written as the file is read (text and
/// JSON); `--shard 1/1` keeps every submission but takes the path that holds them whole.
/// Both must print the same report, in both languages, for every corpus file and example
/// (captures with notes, ones without mail, transcripts, failing sessions).
#[test]
fn one_file_graded_as_it_is_read_reports_what_the_whole_path_reports() {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in [
        "../shared/corpus/pcap",
        "../shared/corpus/pcap/extra",
        "../shared/corpus/transcripts",
        "examples",
    ] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for entry in std::fs::read_dir(&dir).expect("corpus folder").flatten() {
            if entry.path().is_file() {
                files.push(entry.path());
            }
        }
    }
    files.push(SEED.into());
    assert!(files.len() > 30, "{} files", files.len());
    for file in &files {
        let file = file.to_str().expect("UTF-8 path");
        for (format, lang) in [("text", "en"), ("text", "zh-CN"), ("json", "en")] {
            let args = [
                "grade", "--server", "none", "--format", format, "--lang", lang,
            ];
            let streamed = mailgrade(&[&args[..], &[file]].concat());
            let whole = mailgrade(&[&args[..], &["--shard", "1/1", file]].concat());
            assert_eq!(
                streamed.status.code(),
                whole.status.code(),
                "{format} {lang} {file}"
            );
            assert!(
                streamed.stdout == whole.stdout,
                "{format} {lang} {file}:\n{}\n---\n{}",
                String::from_utf8_lossy(&streamed.stdout),
                String::from_utf8_lossy(&whole.stdout)
            );
        }
    }
}

/// A capture of many sessions, graded as it is read: its batches of 256 are dealt to one
/// grading thread per core in turn and taken back in the same turn. The report must keep the
/// sessions' order and say what the whole path says, in text and JSON, whatever the number
/// of cores (each session's address and index are in the report, so any reordering shows).
#[test]
fn a_capture_graded_in_many_batches_reports_what_the_whole_path_reports() {
    // Six batches at least, so each of two grading threads takes several and the last is short.
    const SESSIONS: u64 = 1_500;
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("mail.pcap");
    let capture = std::fs::File::create(&path).expect("create capture");
    synth::mail_capture(std::io::BufWriter::new(capture), SESSIONS, 8, 7).expect("write capture");
    let file = path.to_str().expect("UTF-8 path");
    for format in ["text", "json"] {
        let args = ["grade", "--server", "none", "--format", format];
        let streamed = mailgrade(&[&args[..], &[file]].concat());
        let whole = mailgrade(&[&args[..], &["--shard", "1/1", file]].concat());
        assert_eq!(streamed.status.code(), whole.status.code(), "{format}");
        let report = String::from_utf8_lossy(&streamed.stdout);
        // The synthetic capture's nth session comes from port 20000 + n.
        assert!(
            report.contains(&format!(":{} ", 20_000 + SESSIONS)),
            "{format}: the last session is missing"
        );
        assert!(
            streamed.stdout == whole.stdout,
            "{format}: the streamed report differs from the whole path's"
        );
    }
}
