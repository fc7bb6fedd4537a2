//! `mailgrade grade --server container` through the real binary: the seed report and the
//! examples get the same scores as with `--server embedded`, the report names the container,
//! and a missing image is a clear exit 2 that names the build command.
//!
//! With `CI` set, a missing Docker engine or image fails the test; without, it prints a note.

use std::process::{Command, Output};

use serde_json::Value;

mod cli_support;
use cli_support::mailgrade;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/seed/email-lab-report.md"
);
const IMAGE: &str = "mailgrade/mailserver:bookworm-1";

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// True when the container cannot run here and CI is unset (the test then returns).
fn container_unavailable(output: &Output) -> bool {
    let text = stderr(output);
    let missing = output.status.code() == Some(2)
        && (text.contains("docker engine is not reachable") || text.contains("is not built"));
    if missing && std::env::var_os("CI").is_none() {
        eprintln!("note: --server container not tested: {text}");
        return true;
    }
    false
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {}", stderr(output)))
}

/// (submission id, scenario, score, max score, verdict, each check's id/status/points) of
/// every grade.
type Scores = (String, String, Value, Value, Value, Vec<Value>);

fn scores(report: &Value) -> Vec<Scores> {
    let mut scores = Vec::new();
    for submission in report["submissions"].as_array().into_iter().flatten() {
        for grade in submission["grades"].as_array().into_iter().flatten() {
            scores.push((
                submission["id"].as_str().unwrap_or("").to_string(),
                grade["scenario"].as_str().unwrap_or("").to_string(),
                grade["score"].clone(),
                grade["max_score"].clone(),
                grade["verdict"].clone(),
                grade["checks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| serde_json::json!([c["id"], c["status"], c["points"]]))
                    .collect(),
            ));
        }
    }
    scores
}

/// Each grade's replayed skeleton (the `actual` side of its diff), for the message when
/// scores differ.
fn skeletons(report: &Value) -> String {
    let grades = report["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["grades"].as_array().into_iter().flatten());
    let lines: Vec<Vec<Value>> = grades
        .map(|g| {
            g["skeleton_diff"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| d["actual"].clone())
                .collect()
        })
        .collect();
    serde_json::to_string_pretty(&lines).unwrap_or_default()
}

#[test]
fn seed_and_examples_score_the_same_on_the_container_as_on_the_embedded_server() {
    let examples = [
        format!("{ROOT}/examples/telnet-auth-login.txt"),
        format!("{ROOT}/examples/pop3-retrieve.txt"),
        format!("{ROOT}/examples/wireshark-export.csv"),
    ];
    let mut inputs: Vec<&str> = vec![SEED];
    inputs.extend(examples.iter().map(String::as_str));
    let run = |server: &str| {
        let mut args = vec!["grade", "--format", "json", "--server", server];
        args.extend(&inputs);
        mailgrade(&args)
    };
    let container = run("container");
    if container_unavailable(&container) {
        return;
    }
    let embedded = run("embedded");
    let (ours, theirs) = (json(&embedded), json(&container));
    assert_eq!(ours["server"], "embedded");
    assert_eq!(theirs["server"], format!("container {IMAGE}"));
    let graded: Vec<&Value> = theirs["submissions"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["grades"].as_array().into_iter().flatten())
        .collect();
    assert!(graded.len() >= 5, "too few grades: {}", graded.len());
    for grade in graded {
        assert_eq!(grade["server"], format!("container {IMAGE}"), "{grade}");
    }
    assert_eq!(
        scores(&ours),
        scores(&theirs),
        "embedded skeletons: {}\ncontainer skeletons: {}",
        skeletons(&ours),
        skeletons(&theirs)
    );
    // The seed is a full-marks report on either server.
    let seed_scores: Vec<_> = scores(&theirs)
        .into_iter()
        .filter(|s| s.0.ends_with("email-lab-report.md"))
        .collect();
    assert!(!seed_scores.is_empty());
    for (_, scenario, score, max, _, _) in seed_scores {
        assert_eq!(score, max, "seed {scenario} on the container");
    }
    assert_eq!(embedded.status.code(), container.status.code());
}

#[test]
fn a_missing_image_is_exit_2_naming_the_build_command() {
    let output = mailgrade(&[
        "grade",
        "--server",
        "container",
        "--image",
        "mailgrade/mailserver:no-such-tag",
        SEED,
    ]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {text}");
    if text.contains("docker engine is not reachable") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI has no Docker engine: {text}"
        );
        eprintln!("note: image check not tested: {text}");
        return;
    }
    assert!(text.contains("--server container"), "{text}");
    assert!(text.contains("mailgrade/mailserver:no-such-tag"), "{text}");
    assert!(
        text.contains("bash ci/mailserver/build-offline.sh"),
        "{text}"
    );
    assert!(output.stdout.is_empty(), "a report was printed anyway");
}

#[test]
fn image_is_refused_without_server_container() {
    let output = mailgrade(&["grade", "--image", IMAGE, SEED]);
    assert_eq!(output.status.code(), Some(64), "a usage error");
    assert!(
        stderr(&output).contains("--image is only used with --server container"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn no_docker_engine_is_exit_2_naming_the_build_command() {
    let output = Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(["grade", "--server", "container", SEED])
        .env("DOCKER_HOST", "unix:///nonexistent/mailgrade-test.sock")
        .output()
        .expect("the mailgrade binary runs");
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {text}");
    assert!(text.contains("docker engine is not reachable"), "{text}");
    assert!(
        text.contains("bash ci/mailserver/build-offline.sh"),
        "{text}"
    );
    assert!(text.contains("--server embedded"), "{text}");
    assert!(output.stdout.is_empty(), "a report was printed anyway");
}
