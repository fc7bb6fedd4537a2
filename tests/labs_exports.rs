//! LMS exports checked against what the LMS accepts, on a class of mixed evidence graded with
//! a lab: a full report, a lone telnet transcript, a file with no dialogue.

use std::path::Path;
use std::process::Output;

mod seed_support;
use seed_support::{seed_secrets, SEED};

mod cli_support;
use cli_support::mailgrade;

/// A folder as Canvas's "download submissions" writes it: `name[_late]_userid_fileid_file`.
fn canvas_class(dir: &Path) -> std::path::PathBuf {
    let class = dir.join("submissions");
    std::fs::create_dir(&class).expect("folder");
    let example = |name: &str| {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).expect("fixture")
    };
    std::fs::copy(SEED, class.join("liwei_5512_901_report.md")).expect("seed");
    std::fs::write(
        class.join("wangfang_late_5513_902_telnet.txt"),
        example("examples/telnet-auth-login.txt"),
    )
    .expect("written");
    std::fs::write(
        class.join("zhaolei_5514_903_notes.txt"),
        "I ran out of time and have no transcript.\n",
    )
    .expect("written");
    class
}

fn rows(output: &Output) -> Vec<Vec<String>> {
    let text = String::from_utf8(output.stdout.clone()).expect("UTF-8");
    assert!(seed_secrets().iter().all(|s| !text.contains(s)));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_string).collect())
        .collect()
}

fn row<'a>(rows: &'a [Vec<String>], student: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == student)
        .unwrap_or_else(|| panic!("row of {student} in {rows:?}"))
}

#[test]
fn canvas_rows_match_by_canvas_id_out_of_the_labs_total() {
    let dir = tempfile::tempdir().expect("temp dir");
    let class = canvas_class(dir.path());
    let output = mailgrade(&[
        "grade",
        class.to_str().expect("utf-8"),
        "--lab",
        "email-lab",
        "--server",
        "none",
        "--format",
        "canvas-csv",
    ]);
    let rows = rows(&output);
    // Canvas's import: these columns in this order, then Points Possible.
    assert_eq!(
        rows[0][..5],
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    );
    assert_eq!(rows[1][0], "Points Possible");
    assert_eq!(rows[1][5], "100");
    let liwei = row(&rows, "liwei");
    assert_eq!((liwei[1].as_str(), liwei[2].as_str()), ("5512", ""));
    assert_eq!(liwei[5], "55");
    let wangfang = row(&rows, "wangfang");
    assert_eq!(wangfang[1], "5513");
    // No headings: best fit, which ties between the client and the telnet scenario and
    // takes the first task naming the first (3.2, 25 points).
    assert_eq!(wangfang[5], "25", "one task's points: {rows:?}");
    // No dialogue at all: no score (Canvas leaves the cell as it was), not a zero.
    assert_eq!(row(&rows, "zhaolei")[5], "");
    for r in &rows[2..] {
        if let Ok(score) = r[5].parse::<u32>() {
            assert!(score <= 100, "{r:?}");
        }
        assert!(r[1].chars().all(|c| c.is_ascii_digit()), "{r:?}");
    }
    assert_eq!(rows.len(), 5, "every student once: {rows:?}");
}

#[test]
fn canvas_takes_names_and_sis_ids_from_the_roster() {
    let dir = tempfile::tempdir().expect("temp dir");
    let class = canvas_class(dir.path());
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "id,name,lms_id\n2021001,李伟,5512\n2021002,王芳,5513\n2021003,赵磊,5514\n",
    )
    .expect("written");
    let output = mailgrade(&[
        "grade",
        class.to_str().expect("utf-8"),
        "--lab",
        "email-lab",
        "--server",
        "none",
        "--roster",
        roster.to_str().expect("utf-8"),
        "--format",
        "canvas-csv",
    ]);
    let rows = rows(&output);
    let liwei = row(&rows, "李伟");
    assert_eq!(liwei[1..3], ["5512", "2021001"]);
    assert_eq!(liwei[5], "55");
    assert_eq!(row(&rows, "王芳")[1..3], ["5513", "2021002"]);
}

fn graded_seed(format: &str) -> String {
    let output = mailgrade(&[
        "grade",
        SEED,
        "--lab",
        "email-lab",
        "--server",
        "none",
        "--format",
        format,
    ]);
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(seed_secrets().iter().all(|s| !text.contains(s)));
    text
}

const TASKS: [&str; 5] = ["3.1", "3.2", "3.3", "3.4", "pop3"];

#[test]
fn gradescope_has_one_test_per_task_adding_up_to_the_total() {
    let results: serde_json::Value =
        serde_json::from_str(&graded_seed("gradescope")).expect("JSON");
    // Gradescope: `score` is the total shown; tests' scores should add up to it, none above
    // its own max_score.
    assert_eq!(
        (&results["score"], &results["max_score"]),
        (&55.into(), &100.into())
    );
    let tests = results["tests"].as_array().expect("tests");
    let numbers: Vec<&str> = tests
        .iter()
        .map(|t| t["number"].as_str().expect("number"))
        .collect();
    assert_eq!(numbers, TASKS);
    let sum = |key: &str| {
        tests
            .iter()
            .map(|t| t[key].as_u64().expect("points"))
            .sum::<u64>()
    };
    assert_eq!((sum("score"), sum("max_score")), (55, 100));
    assert!(tests
        .iter()
        .all(|t| t["score"].as_u64() <= t["max_score"].as_u64()));
    assert_eq!(tests[2]["status"], "failed");
    assert!(tests[2]["output"]
        .as_str()
        .is_some_and(|o| o.contains("missing")));
}

#[test]
fn autolab_scores_every_task_by_its_id() {
    let text = graded_seed("autolab");
    let last = text.lines().last().expect("a scores line");
    let scores: serde_json::Value = serde_json::from_str(last).expect("JSON");
    let keys: Vec<&String> = scores["scores"]
        .as_object()
        .expect("scores")
        .keys()
        .collect();
    let mut expected = TASKS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(scores["scores"]["3.4"], 30);
    assert_eq!(scores["scoreboard"][0], 55);
}

#[test]
fn prairielearn_scores_out_of_the_labs_total() {
    let results: serde_json::Value =
        serde_json::from_str(&graded_seed("prairielearn")).expect("JSON");
    assert_eq!(results["gradable"], true);
    assert_eq!(results["score"], 0.55);
    let tests = results["tests"].as_array().expect("tests");
    let max: u64 = tests
        .iter()
        .map(|t| t["max_points"].as_u64().expect("max"))
        .sum();
    assert_eq!(max, 100);
    assert_eq!(tests.len(), TASKS.len());
}

#[test]
fn junit_counts_a_superseded_attempt_as_skipped_and_names_the_student() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/telnet-auth-login.txt"
    ))
    .expect("example");
    // A short exploratory try, then the whole dialogue: the second counts.
    let first = "C: telnet localhost 25\nS: 220 lab.test ESMTP\nC: EHLO me\nS: 250 lab.test\nC: QUIT\nS: 221 bye\n";
    let path = dir.path().join("alice.txt");
    std::fs::write(&path, format!("{first}\n{good}")).expect("written");
    let output = mailgrade(&[
        "grade",
        path.to_str().expect("utf-8"),
        "--scenario",
        "smtp-telnet-auth-send",
        "--server",
        "none",
        "--format",
        "junit",
    ]);
    assert_eq!(output.status.code(), Some(0), "the second try passes");
    let xml = String::from_utf8(output.stdout).expect("UTF-8");
    let root = xml
        .lines()
        .find(|l| l.contains("<testsuites"))
        .expect("root");
    assert!(root.contains(r#"failures="0""#), "{xml}");
    assert!(root.contains(r#"errors="0""#), "{xml}");
    assert!(xml.contains("superseded: another attempt counts"), "{xml}");
    let student = path.display().to_string();
    for line in xml.lines().filter(|l| l.contains("<testcase")) {
        assert!(
            line.contains(&format!(r#"classname="{student}.smtp-telnet-auth-send""#)),
            "{line}"
        );
    }
}

#[test]
fn moodle_worksheet_has_names_a_grading_time_and_html_feedback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let class = dir.path().join("moodle");
    let folder = class.join("Li Wei_123456_assignsubmission_file_");
    std::fs::create_dir_all(&folder).expect("folders");
    std::fs::copy(SEED, folder.join("report.md")).expect("seed");
    let other = class.join("Wang Fang_123457_assignsubmission_file_");
    std::fs::create_dir_all(&other).expect("folders");
    std::fs::write(
        other.join("a.txt"),
        "C: EHLO <script>\nS: 250 ok & fine\nC: QUIT\nS: 221 bye\n",
    )
    .expect("written");
    let output = mailgrade(&[
        "grade",
        class.to_str().expect("utf-8"),
        "--lab",
        "email-lab",
        "--server",
        "none",
        "--format",
        "moodle-csv",
    ]);
    let rows = rows(&output);
    assert_eq!(rows[0][0], "Identifier");
    assert_eq!(rows[0][8], "Last modified (grade)");
    let li = rows
        .iter()
        .find(|r| r[0] == "Participant 123456")
        .expect("Li Wei's row");
    assert_eq!(li[1], "Li Wei");
    assert_eq!((li[4].as_str(), li[5].as_str()), ("55.00", "100.00"));
    assert!(li[8].ends_with(" UTC") && li[8].contains(", "), "{li:?}");
    for row in &rows[1..] {
        // HTML: nothing a student wrote is markup; parts are separated by <br>.
        let feedback = row[9].replace("<br>", "");
        assert!(
            !feedback.contains('<') && !feedback.contains('>'),
            "{row:?}"
        );
        assert!(!row[1].is_empty(), "{row:?}");
    }
}
