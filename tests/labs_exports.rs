//! LMS exports checked against what the LMS accepts, on a class of mixed evidence graded with
//! a lab: a full report, a lone telnet transcript, a file with no dialogue.

use std::path::Path;
use std::process::{Command, Output};

mod seed_support;
use seed_support::{seed_secrets, SEED};

fn mailgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the mailgrade binary runs")
}

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
