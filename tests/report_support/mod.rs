//! Outcomes for report tests, built by really reading and grading files.

#![allow(dead_code)]

use std::path::Path;

use mailgrade::grade;
use mailgrade::ingest;
use mailgrade::pipeline::SubmissionGrade;
use mailgrade::report::{InputHash, Outcome, SubmissionOutcome};
use mailgrade::scenario;
use sha2::{Digest, Sha256};

pub const SEED: &str = "../shared/seed/email-lab-report.md";
pub const PASSED: &str = "examples/telnet-auth-login.txt";
pub const LOST_POINTS: &str = "examples/wireshark-export.csv";
pub const FAILING: &str = "tests/fixtures/reports/failing-smtp.txt";
pub const POP3_ONLY: &str = "tests/fixtures/reports/pop3-only.txt";
pub const NO_DIALOGUE: &str = "tests/fixtures/transcripts/prose-only.md";

#[path = "../seed_support/mod.rs"]
mod seed_support;

/// Secrets that must never appear in any report: the seed's credentials (read from the
/// seed) and the fixtures' passwords.
pub fn secrets() -> Vec<String> {
    let mut secrets = seed_support::seed_secrets();
    secrets.extend(["c2VjcmV0LXBhc3N3b3Jk", "aHVudGVyMg==", "hunter2"].map(String::from));
    secrets
}

/// Reads `path` as one submission and grades it: against the best-fitting built-in
/// scenario per session, or against `scenario` when given (ungradable when nothing fits).
pub fn submission(path: &str, scenario: Option<&str>) -> SubmissionOutcome {
    let mut submission = SubmissionOutcome {
        id: path.to_string(),
        files: vec![path.into()],
        ..Default::default()
    };
    let bytes = std::fs::read(path).expect("fixture readable");
    submission.hashes.push(InputHash {
        file: path.into(),
        sha256: format!("{:x}", Sha256::digest(&bytes)),
    });
    match ingest::read_file(Path::new(path)) {
        Ok(read) => submission.sessions = read.sessions,
        Err(error) => submission
            .problems
            .push(mailgrade::pipeline::read::problem(error)),
    }
    submission.grades = match scenario {
        None => grade::grade_each_session(&submission.sessions, &scenario::builtins())
            .into_iter()
            .flatten()
            .collect(),
        Some(id) => {
            let scenario = scenario::builtin(id).expect("built-in scenario");
            vec![grade::best_session(&submission.sessions, &scenario)]
        }
    };
    submission.grade = SubmissionGrade::of(&submission.grades);
    submission
}

pub fn outcome(submissions: Vec<SubmissionOutcome>) -> Outcome {
    Outcome {
        server: "none".into(),
        submissions,
    }
}

/// A class: full marks, points lost, below the pass mark, ungradable, unreadable.
pub fn class() -> Outcome {
    outcome(vec![
        submission(PASSED, None),
        submission(LOST_POINTS, None),
        submission(FAILING, Some("smtp-telnet-auth-send")),
        submission(POP3_ONLY, Some("smtp-telnet-auth-send")),
        submission(NO_DIALOGUE, Some("smtp-telnet-auth-send")),
    ])
}

/// The single submissions the once-per-submission formats are shown with.
pub fn singles() -> Vec<(&'static str, SubmissionOutcome)> {
    vec![
        ("passed", submission(PASSED, None)),
        (
            "failing",
            submission(FAILING, Some("smtp-telnet-auth-send")),
        ),
        (
            "ungradable",
            submission(NO_DIALOGUE, Some("smtp-telnet-auth-send")),
        ),
    ]
}

pub fn seed() -> Outcome {
    outcome(vec![submission(SEED, None)])
}

/// Runs `body` with snapshots stored in `snapshots/` at the crate root.
pub fn snapshots<F: FnOnce()>(body: F) {
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots")}, {
        body();
    });
}
