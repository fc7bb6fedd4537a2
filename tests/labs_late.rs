//! A lab's late policy (issue 16 item 1, optional part): a submission the LMS marked late
//! (Canvas's `_late` file names, or the roster's `late` column where the download does not
//! say, as Moodle's does not) loses what the lab says, the grade says so in both languages,
//! `merge` decides the same, and a bad policy is reported at its file:line:col.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod seed_support;
use seed_support::{seed_secrets, SEED};

mod cli_support;
use cli_support::mailgrade;

/// The shipped e-mail lab with a late policy added.
fn late_lab(dir: &Path, policy: &str) -> String {
    let lab = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/labs/email-lab.yaml"))
        .expect("the shipped lab");
    let lab = lab.replacen("pass_mark: 60\n", &format!("pass_mark: 60\n{policy}"), 1);
    let path = dir.join("late-lab.yaml");
    std::fs::write(&path, lab).expect("written");
    path.to_string_lossy().into_owned()
}

/// Canvas's download: the seed on time, the same report late.
fn canvas_class(dir: &Path) -> PathBuf {
    let class = dir.join("submissions");
    std::fs::create_dir(&class).expect("folder");
    std::fs::copy(SEED, class.join("liwei_5512_901_report.md")).expect("seed");
    std::fs::copy(SEED, class.join("wangfang_late_5513_902_report.md")).expect("seed");
    class
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn submission<'a>(document: &'a Value, id: &str) -> &'a Value {
    document["submissions"]
        .as_array()
        .expect("submissions")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {document:#}"))
}

#[test]
fn a_late_canvas_submission_loses_what_the_lab_says_in_every_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lab = late_lab(dir.path(), "late:\n  deduct_percent: 20\n");
    let class = canvas_class(dir.path());
    let class = class.to_str().expect("UTF-8");
    let run = |extra: &[&str]| {
        let mut args = vec!["grade", class, "--lab", &lab, "--server", "none"];
        args.extend_from_slice(extra);
        mailgrade(&args)
    };
    let document = json(&run(&["--format", "json"]));
    // The seed scores 55/100 (tests/labs_exports.rs); late, 20 % of 55 is 11.
    let on_time = submission(&document, "5512");
    assert_eq!(on_time["grade"]["score"], 55);
    assert!(on_time["grade"]["late"].is_null(), "{on_time:#}");
    let late = submission(&document, "5513");
    assert_eq!(late["grade"]["score"], 44);
    assert_eq!(late["grade"]["late"]["before"], 55);
    assert_eq!(late["grade"]["late"]["points"], 11);
    assert_eq!(
        late["grade"]["late"]["reason"]["zh-CN"],
        "迟交：扣 11 分（LMS 标记为迟交的提交扣 20%）"
    );
    // 44 is below the pass mark of 60 either way; the verdict is on the score after it.
    assert_eq!(late["grade"]["basis"]["late"]["deduct_percent"], 20);

    let english = String::from_utf8(run(&[]).stdout).expect("UTF-8");
    assert!(seed_secrets().iter().all(|s| !english.contains(s)));
    assert!(
        english.contains("late: −11 points (20 % off a submission the LMS marked late)"),
        "{english}"
    );
    assert!(english.contains("score: 44/100"), "{english}");
    let chinese = String::from_utf8(run(&["--lang", "zh-CN"]).stdout).expect("UTF-8");
    assert!(
        chinese.contains("迟交：扣 11 分（LMS 标记为迟交的提交扣 20%）"),
        "{chinese}"
    );
    assert!(!chinese.contains("late:"), "{chinese}");

    // Canvas imports the score after the deduction; the feedback formats say why.
    let csv = String::from_utf8(run(&["--format", "canvas-csv"]).stdout).expect("UTF-8");
    let row = csv.lines().find(|l| l.contains("5513")).expect("a row");
    assert!(row.split(',').any(|cell| cell == "44"), "{csv}");
    for format in ["markdown", "html", "moodle-csv"] {
        let out = String::from_utf8(run(&["--format", format]).stdout).expect("UTF-8");
        assert!(out.contains("late: −11 points"), "{format}: {out}");
    }

    // `merge` decides again from the JSON: the same scores, the same deduction.
    let results = dir.path().join("results.json");
    std::fs::write(&results, run(&["--format", "json"]).stdout).expect("written");
    let merged = json(&mailgrade(&["merge", results.to_str().expect("UTF-8")]));
    assert_eq!(submission(&merged, "5513")["grade"]["score"], 44);
    assert_eq!(submission(&merged, "5512")["grade"]["score"], 55);
}

#[test]
fn the_roster_says_late_where_the_download_does_not_and_a_cap_applies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lab = late_lab(dir.path(), "late: { cap: 50 }\n");
    // Moodle's download does not say who was late; the TA's roster does.
    let class = dir.path().join("moodle");
    let folder = class.join("Li Wei_101_assignsubmission_file_");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::copy(SEED, folder.join("report.md")).expect("seed");
    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, "id,name,lms_id,late\n2021001,李伟,101,yes\n").expect("written");
    let output = mailgrade(&[
        "grade",
        class.to_str().expect("UTF-8"),
        "--roster",
        roster.to_str().expect("UTF-8"),
        "--lab",
        &lab,
        "--server",
        "none",
        "--format",
        "json",
    ]);
    let document = json(&output);
    let student = submission(&document, "2021001");
    assert_eq!(student["grade"]["score"], 50, "{student:#}");
    assert_eq!(
        student["grade"]["late"]["reason"]["en"],
        "late: −5 points (a submission the LMS marked late keeps at most 50 points)"
    );
    // A roster value that is neither yes nor no is refused, with its line.
    std::fs::write(&roster, "id,name,lms_id,late\n2021001,李伟,101,maybe\n").expect("written");
    let output = mailgrade(&[
        "grade",
        class.to_str().expect("UTF-8"),
        "--roster",
        roster.to_str().expect("UTF-8"),
        "--lab",
        &lab,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 2: `maybe` in `late`"), "{stderr}");
}

#[test]
fn a_bad_late_policy_is_reported_at_its_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lab = late_lab(
        dir.path(),
        "late:\n  deduct_percent: 150\n  cap: 500\n  grace: 2\n",
    );
    let output = mailgrade(&["grade", SEED, "--lab", &lab]);
    assert_eq!(output.status.code(), Some(64), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // pass_mark is on line 8 of the shipped lab; the policy follows it.
    for expected in [format!("{lab}:12:3"), "unknown field `grace`".to_string()] {
        assert!(stderr.contains(&expected), "{expected:?} in:\n{stderr}");
    }
    let lab = late_lab(dir.path(), "late:\n  deduct_percent: 150\n  cap: 500\n");
    let output = mailgrade(&["grade", SEED, "--lab", &lab]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        format!("{lab}:10:19"),
        "a late deduction of 150 % is more than the whole score".to_string(),
        format!("{lab}:11:8"),
        "a late cap of 500 points is above the total 100".to_string(),
    ] {
        assert!(stderr.contains(&expected), "{expected:?} in:\n{stderr}");
    }
    let lab = late_lab(dir.path(), "late: {}\n");
    let output = mailgrade(&["grade", SEED, "--lab", &lab]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the late policy takes nothing off")
            && stderr.contains(&format!("{lab}:9:1")),
        "{stderr}"
    );
}
