//! Labs (`--lab`): a lab file loaded like a scenario, the seed report graded task by task out
//! of the lab's total, and the `basis` every JSON result gives for its total.

use std::process::Output;

use serde_json::Value;

mod seed_support;
use seed_support::{seed_secrets, SEED};

mod cli_support;
use cli_support::mailgrade;

fn assert_no_secret(output: &Output) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(seed_secrets().iter().all(|s| !text.contains(s)));
    }
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn task<'a>(grade: &'a Value, id: &str) -> &'a Value {
    grade["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("task {id} in {grade:#}"))
}

#[test]
fn the_seed_is_graded_task_by_task_out_of_the_labs_total() {
    // Replayed on the embedded server: the task each grade is evidence for survives re-grading.
    let output = mailgrade(&["grade", SEED, "--lab", "email-lab", "--format", "json"]);
    let json = json_of(&output);
    let grade = &json["submissions"][0]["grade"];
    assert_eq!(grade["max_score"], 100, "{grade:#}");
    assert_eq!(grade["basis"]["kind"], "lab");
    assert_eq!(grade["basis"]["total"], 100);
    assert!(grade["basis"]["reason"]["zh-CN"]
        .as_str()
        .is_some_and(|r| r.contains("email-lab")));
    // The two dialogues are alike: their headings, not the best fit, decide their tasks.
    let telnet = task(grade, "3.4");
    assert_eq!(telnet["section"], "4.4 telnet收发邮件", "{telnet:#}");
    assert_eq!(telnet["scenario"], "smtp-telnet-auth-send");
    assert_eq!(task(grade, "3.2")["section"], "4.2 本地收发邮件");
    for (id, score, status) in [
        ("3.1", 0, "missing"),
        ("3.2", 25, "passed"),
        ("3.3", 0, "missing"),
        ("3.4", 30, "passed"),
        ("pop3", 0, "missing"),
    ] {
        let task = task(grade, id);
        assert_eq!(
            (&task["score"], &task["status"]),
            (&Value::from(score), &Value::from(status)),
            "{task:#}"
        );
    }
    assert_eq!(grade["score"], 55);
    assert_eq!(grade["verdict"], "failed");
    assert_eq!(output.status.code(), Some(1));
    assert_no_secret(&output);
    // Every grade says which task it is evidence for.
    for g in json["submissions"][0]["grades"].as_array().expect("grades") {
        assert!(g["task"]["id"].is_string(), "{g:#}");
    }
}

#[test]
fn the_text_report_lists_every_task_in_the_students_language() {
    let output = mailgrade(&[
        "check",
        SEED,
        "--lab",
        "email-lab",
        "--server",
        "none",
        "--lang",
        "zh-CN",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("任务 3.3（web 邮件及其 TLS 握手）：0/20，缺失"),
        "{text}"
    );
    assert!(
        text.contains("任务 3.4（用 telnet 手动发信）：30/30，通过"),
        "{text}"
    );
    assert!(
        text.contains("得分：55/100，满分 100，即实验 `email-lab` 的总分"),
        "{text}"
    );
    assert_no_secret(&output);
}

#[test]
fn every_result_says_which_total_it_used_and_why() {
    let matched = json_of(&mailgrade(&[
        "grade", SEED, "--server", "none", "--format", "json",
    ]));
    let basis = &matched["submissions"][0]["grade"]["basis"];
    assert_eq!(basis["kind"], "matched", "{basis:#}");
    assert!(basis["reason"]["en"]
        .as_str()
        .is_some_and(|r| r.contains("--lab")));
    let named = json_of(&mailgrade(&[
        "grade",
        SEED,
        "--server",
        "none",
        "--scenario",
        "smtp-telnet-auth-send",
        "--format",
        "json",
    ]));
    let grade = &named["submissions"][0]["grade"];
    assert_eq!(grade["basis"]["kind"], "scenarios");
    assert_eq!(grade["basis"]["total"], grade["max_score"]);
}

#[test]
fn a_broken_lab_file_is_reported_like_a_broken_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lab.yaml");
    std::fs::write(
        &path,
        "id: l\ntitle: { en: L }\ntotal: 50\ntasks:\n  - { id: a, title: { en: A, zh-CN: 甲 }, points: 30, scenarios: [smtp-telnet-auth-sned] }\n  - { id: a, title: { en: B, zh-CN: 乙 }, points: 10, scenarios: pop3-retrieve, sectoins: [x] }\n",
    )
    .expect("written");
    let file = path.to_str().expect("utf-8 path");
    let output = mailgrade(&["grade", SEED, "--lab", file]);
    // The lab a run names is how the run was asked for: nothing graded, exit 64 (EX_USAGE).
    assert_eq!(output.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        format!("could not load lab `{file}`"),
        format!("{file}:2:8"),
        "did you mean `smtp-telnet-auth-send`?".to_string(),
        format!("{file}:5:"),
        "unknown field `sectoins`".to_string(),
        format!("{file}:6:"),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} in:\n{stderr}");
    }
}

#[test]
fn a_lab_and_named_scenarios_do_not_mix_and_an_unknown_lab_gets_a_suggestion() {
    let both = mailgrade(&["grade", SEED, "--lab", "email-lab", "-s", "pop3-retrieve"]);
    assert_eq!(both.status.code(), Some(64));
    let unknown = mailgrade(&["check", SEED, "--lab", "email-lb"]);
    assert_eq!(unknown.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("did you mean `email-lab`?"), "{stderr}");
}

#[test]
fn a_dialogue_under_a_heading_for_another_protocol_goes_to_its_best_fit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pop3 = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/pop3-retrieve.txt"
    ))
    .expect("example");
    let report = format!("# Lab\n\n## 3.4 telnet收发邮件\n\n```\n{pop3}```\n");
    let path = dir.path().join("report.md");
    std::fs::write(&path, report).expect("written");
    let output = mailgrade(&[
        "grade",
        path.to_str().expect("utf-8"),
        "--lab",
        "email-lab",
        "--server",
        "none",
        "--format",
        "json",
    ]);
    let json = json_of(&output);
    let grade = &json["submissions"][0]["grade"];
    let pop3 = task(grade, "pop3");
    assert_eq!(pop3["status"], "passed", "{grade:#}");
    assert!(pop3.get("section").is_none(), "{pop3:#}");
    assert_eq!(task(grade, "3.4")["status"], "missing");
}
