//! A whole class graded in one command: a generated class of several hundred mixed
//! submissions, zipped the Moodle way and the Canvas way, graded with no result lost, in
//! every format, split into shards and merged back, and hostile zips that end as problems.

#[path = "class_support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use support::{class, ids, json, mailgrade, write, Kind};
use zip::write::SimpleFileOptions;

const STUDENTS: usize = 320;

#[test]
fn a_moodle_class_is_graded_whole_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut students = class(STUDENTS);
    // Two students hand in the same capture.
    students[19].files = students[9].files.clone();
    write(dir.path(), "moodle.zip", &support::moodle_zip(&students));
    write(
        dir.path(),
        "roster.csv",
        support::roster(&students).as_bytes(),
    );

    let output = mailgrade(
        dir.path(),
        &[
            "grade",
            "moodle.zip",
            "--roster",
            "roster.csv",
            "--server",
            "none",
            "--format",
            "json",
            "--out",
            "all.json",
            "--similarity",
            "similar.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "ungradable ones exist: {stderr}"
    );
    let document = json(&dir.path().join("all.json"));
    let got = ids(&document);
    let mut expected: Vec<String> = students.iter().map(|s| s.id.clone()).collect();
    expected.sort();
    assert_eq!(got, expected, "every student once, sorted by id");

    let counts = |kind: Kind| students.iter().filter(|s| s.kind == kind).count();
    let passed = counts(Kind::Good) + counts(Kind::Capture);
    let below = counts(Kind::Failing);
    let ungradable = counts(Kind::Ungradable) + counts(Kind::Broken);
    let summary = format!(
        "graded {STUDENTS} submissions: {passed} passed, {below} below the pass mark, \
         {ungradable} ungradable in"
    );
    assert!(stderr.contains(&summary), "{summary}\n{stderr}");
    for (student, submission) in sorted(&students)
        .iter()
        .zip(document["submissions"].as_array().unwrap())
    {
        let expect_pass = matches!(student.kind, Kind::Good | Kind::Capture);
        assert_eq!(
            submission["passed"], expect_pass,
            "{} {:?}",
            student.id, student.kind
        );
        let files = submission["files"].as_array().unwrap().len();
        assert_eq!(
            files,
            student.files.len(),
            "{}: all files of the student",
            student.id
        );
    }
    assert!(!std::fs::read_to_string(dir.path().join("all.json"))
        .unwrap()
        .contains("aHVudGVyMg=="));

    // The synthetic captures all claim queue id 4F2A1: listed for the TA, points untouched.
    let similar = json(&dir.path().join("similar.json"));
    let queue = similar["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["shared"] == "queue-id" && g["key"] == "4F2A1")
        .expect("shared queue id found");
    assert_eq!(
        queue["members"].as_array().unwrap().len(),
        counts(Kind::Capture)
    );
    let pair = [students[9].id.as_str(), students[19].id.as_str()];
    for shared in ["file", "transcript"] {
        let group = similar["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["shared"] == shared)
            .unwrap_or_else(|| panic!("a shared {shared} is found"));
        let members: Vec<&str> = group["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        assert_eq!(members, pair, "{shared}");
    }
    let capture_student = students.iter().find(|s| s.kind == Kind::Capture).unwrap();
    let flagged = document["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == capture_student.id.as_str())
        .unwrap();
    assert!(flagged.to_string().contains("similar-submission"));
    assert_eq!(
        flagged["grades"][0]["score"],
        flagged["grades"][0]["max_score"]
    );

    for (format, check) in FORMATS {
        // The Moodle worksheet is keyed by participant number, so it is written without roster.
        let roster: &[&str] = if format == "moodle-csv" {
            &[]
        } else {
            &["--roster", "roster.csv"]
        };
        let mut args = vec![
            "grade",
            "moodle.zip",
            "--server",
            "none",
            "--format",
            format,
        ];
        args.extend_from_slice(roster);
        let output = mailgrade(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{format}");
        let text = String::from_utf8(output.stdout).expect("utf-8");
        check(&text, &expected);
    }
}

#[test]
fn moodle_worksheet_with_a_roster_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let students = class(3);
    write(dir.path(), "moodle.zip", &support::moodle_zip(&students));
    write(
        dir.path(),
        "roster.csv",
        support::roster(&students).as_bytes(),
    );
    let output = mailgrade(
        dir.path(),
        &[
            "grade",
            "moodle.zip",
            "--roster",
            "roster.csv",
            "--server",
            "none",
            "--format",
            "moodle-csv",
        ],
    );
    assert_eq!(output.status.code(), Some(64), "a usage error");
    assert!(String::from_utf8_lossy(&output.stderr).contains("participant number"));
    assert!(output.stdout.is_empty());
}

fn sorted(students: &[support::Student]) -> Vec<&support::Student> {
    let mut sorted: Vec<_> = students.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    sorted
}

type Check = fn(&str, &[String]);

const FORMATS: [(&str, Check); 5] = [
    ("junit", |text, ids| {
        let mut reader = quick_xml::Reader::from_str(text);
        let mut depth = 0i32;
        loop {
            match reader.read_event().expect("well-formed XML") {
                quick_xml::events::Event::Start(_) => depth += 1,
                quick_xml::events::Event::End(_) => depth -= 1,
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0);
        for id in ids {
            assert!(text.contains(id.as_str()), "junit lacks {id}");
        }
    }),
    ("canvas-csv", |text, ids| {
        let rows = csv_rows(text);
        // header, Points Possible, one row per student
        assert_eq!(rows.len(), ids.len() + 2, "canvas rows");
    }),
    ("moodle-csv", |text, ids| {
        let rows = csv_rows(text);
        assert_eq!(rows.len(), ids.len() + 1, "moodle rows");
        assert!(
            rows[1..].iter().all(|r| r[0].starts_with("Participant 5")),
            "{:?}",
            &rows[1]
        );
    }),
    ("markdown", |text, ids| {
        for id in ids {
            assert!(text.contains(id.as_str()), "markdown lacks {id}");
        }
    }),
    ("html", |text, ids| {
        assert!(text.starts_with("<!DOCTYPE html>") || text.starts_with("<!doctype html>"));
        assert!(text.trim_end().ends_with("</html>"));
        for id in ids {
            assert!(text.contains(id.as_str()), "html lacks {id}");
        }
    }),
];

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV"))
        .collect()
}

#[test]
fn shards_add_up_to_the_class_and_merge_back_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let students = class(120);
    write(dir.path(), "canvas.zip", &support::canvas_zip(&students));
    write(
        dir.path(),
        "roster.csv",
        support::roster(&students).as_bytes(),
    );
    let grade = |extra: &[&str], out: &str| {
        let mut args = vec!["grade", "canvas.zip", "--roster", "roster.csv"];
        if !extra.contains(&"--server") {
            args.extend_from_slice(&["--server", "none"]);
        }
        args.extend_from_slice(&["--format", "json", "--out", out]);
        args.extend_from_slice(extra);
        let output = mailgrade(dir.path(), &args);
        assert!(output.status.code().is_some_and(|c| c <= 2), "{output:?}");
        json(&dir.path().join(out))
    };
    let whole = grade(&["--jobs", "3"], "whole.json");
    assert_eq!(ids(&whole).len(), students.len());
    let replayed = grade(&["--server", "embedded", "--jobs", "4"], "replayed.json");
    assert_eq!(
        ids(&replayed),
        ids(&whole),
        "replay loses no one and keeps the order"
    );
    assert_eq!(replayed["server"], "embedded");
    let mut union = BTreeSet::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let part = grade(
            &["--shard", &shard, "--jobs", "1"],
            &format!("shard{k}.json"),
        );
        for id in ids(&part) {
            assert!(union.insert(id.clone()), "{id} in two shards");
        }
    }
    assert_eq!(union, ids(&whole).into_iter().collect());

    let output = mailgrade(
        dir.path(),
        &[
            "merge",
            "shard1.json",
            "shard2.json",
            "shard3.json",
            "--out",
            "merged.json",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Similarity is found within one run, so shards see fewer neighbours: leave it out.
    let merged = without_similarity(json(&dir.path().join("merged.json")));
    let whole_graded = without_similarity(whole.clone());
    assert!(
        merged["submissions"] == whole_graded["submissions"],
        "merge = whole"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("120 submissions"));

    let output = mailgrade(dir.path(), &["merge", "shard1.json", "shard1.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is in both"));

    // A regrade check: pretend one student had more points before.
    let mut previous = whole.clone();
    let target = previous["submissions"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["grades"][0]["verdict"] == "failed")
        .unwrap();
    let id = target["id"].as_str().unwrap().to_string();
    target["grades"][0]["score"] = serde_json::json!(99);
    std::fs::write(dir.path().join("previous.json"), previous.to_string()).unwrap();
    let output = mailgrade(
        dir.path(),
        &[
            "grade",
            "canvas.zip",
            "--roster",
            "roster.csv",
            "--server",
            "none",
            "--format",
            "json",
            "--compare",
            "previous.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let dropped: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("score dropped"))
        .collect();
    assert_eq!(dropped.len(), 1, "{stderr}");
    assert!(
        dropped[0].contains(&id) && dropped[0].contains("99/"),
        "{stderr}"
    );
}

#[test]
fn a_folder_per_student_is_a_class_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let students = class(12);
    let root = dir.path().join("class");
    for student in &students {
        let folder = root.join(&student.id);
        std::fs::create_dir_all(&folder).unwrap();
        for (file, bytes) in &student.files {
            std::fs::write(folder.join(file), bytes).unwrap();
        }
    }
    let output = mailgrade(
        dir.path(),
        &[
            "grade", "class", "--class", "--server", "none", "--format", "json", "--out", "c.json",
        ],
    );
    assert!(output.status.code().is_some(), "{output:?}");
    assert_eq!(ids(&json(&dir.path().join("c.json"))).len(), 12);
    // Without --class a plain folder is one submission.
    let output = mailgrade(
        dir.path(),
        &[
            "grade", "class", "--server", "none", "--format", "json", "--out", "one.json",
        ],
    );
    assert!(output.status.code().is_some());
    assert_eq!(
        ids(&json(&dir.path().join("one.json"))),
        vec!["class".to_string()]
    );
}

#[test]
fn hostile_zips_give_problems_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let good = class(1).remove(0);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    let mut add = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    };
    add(
        "Good One_1_assignsubmission_file_/transcript.txt",
        &good.files[0].1,
    );
    add(
        "Slip Per_2_assignsubmission_file_/../../escaped.txt",
        b"C: HELO x\n",
    );
    add("../outside.txt", b"nobody's");
    add("/etc/cron.d/evil", b"nobody's");
    add(
        "Bomb Er_3_assignsubmission_file_/zeros.txt",
        &vec![0u8; 8 << 20],
    );
    let inner = {
        let mut inner = zip::ZipWriter::new(Cursor::new(Vec::new()));
        inner.start_file("deep.zip", options).unwrap();
        inner
            .write_all(&support_zip_with("x.txt", b"C: HELO y\n"))
            .unwrap();
        inner.start_file("lab.txt", options).unwrap();
        inner.write_all(&good.files[0].1).unwrap();
        inner.finish().unwrap().into_inner()
    };
    add("Nest Ed_4_assignsubmission_file_/work.zip", &inner);
    add(
        "Rar Red_5_assignsubmission_file_/work.rar",
        b"Rar!\x1a\x07\x00",
    );
    add(
        "Doc Ument_7_assignsubmission_file_/report.docx",
        &support_zip_with("word/document.xml", b"<w:document/>"),
    );
    zip.add_symlink(
        "Link Er_6_assignsubmission_file_/passwd",
        "/etc/passwd",
        options,
    )
    .unwrap();
    write(dir.path(), "evil.zip", &zip.finish().unwrap().into_inner());

    let output = mailgrade(
        dir.path(),
        &[
            "grade",
            "evil.zip",
            "--server",
            "none",
            "--format",
            "json",
            "--out",
            "evil.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("outside.txt"),
        "class-level warning: {stderr}"
    );
    assert!(
        !dir.path().join("escaped.txt").exists()
            && !dir.path().parent().unwrap().join("escaped.txt").exists()
    );
    let document = json(&dir.path().join("evil.json"));
    assert_eq!(ids(&document), ["1", "2", "3", "4", "5", "6", "7"]);
    // A .docx is a zip inside, but a document: handed to the reader, not opened.
    let docx = &document["submissions"][6];
    assert_eq!(docx["files"].as_array().unwrap().len(), 1, "{docx}");
    assert!(docx["files"][0].as_str().unwrap().ends_with("report.docx"));
    assert!(!docx["problems"].to_string().contains("zip inside"));
    let problems = |id: &str| -> String {
        let submission = document["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap();
        submission["problems"].to_string()
    };
    assert_eq!(problems("1"), "[]");
    let cases = [
        ("2", "leaves the archive"),
        ("3", "zip bomb"),
        ("4", "zip inside a zip"),
        ("5", "archive format not read"),
        ("6", "symbolic link"),
    ];
    for (id, expected) in cases {
        assert!(problems(id).contains(expected), "{id}: {}", problems(id));
    }
    // The nested zip's other file is still read and graded.
    let nested = document["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "4")
        .unwrap();
    assert_eq!(nested["passed"], true, "{nested}");

    write(
        dir.path(),
        "notzip.zip",
        b"PK\x03\x04 this is not really a zip",
    );
    let output = mailgrade(dir.path(), &["grade", "notzip.zip", "--server", "none"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("notzip.zip"));
}

fn support_zip_with(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(name, SimpleFileOptions::default()).unwrap();
    zip.write_all(bytes).unwrap();
    zip.finish().unwrap().into_inner()
}

fn without_similarity(mut document: serde_json::Value) -> serde_json::Value {
    for submission in document["submissions"].as_array_mut().unwrap() {
        for grade in submission["grades"].as_array_mut().unwrap() {
            grade["findings"]
                .as_array_mut()
                .unwrap()
                .retain(|f| f["check"] != "similar-submission");
        }
    }
    document
}

#[test]
fn an_unzipped_lms_download_is_a_class_but_a_lookalike_file_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let students = class(4);
    for (name, zipped) in [
        ("moodle", support::moodle_zip(&students)),
        ("canvas", support::canvas_zip(&students)),
    ] {
        let root = dir.path().join(name);
        let mut archive = zip::ZipArchive::new(Cursor::new(zipped)).unwrap();
        archive.extract(&root).unwrap();
        let out = format!("{name}.json");
        mailgrade(
            dir.path(),
            &[
                "grade", name, "--server", "none", "--format", "json", "--out", &out,
            ],
        );
        assert_eq!(ids(&json(&dir.path().join(&out))).len(), 4, "{name}");
    }
    // One student's own folder with a Canvas-like file name stays one submission.
    let own = dir.path().join("mine");
    std::fs::create_dir(&own).unwrap();
    std::fs::write(own.join("lab_2024_12345_smtp.txt"), &students[0].files[0].1).unwrap();
    mailgrade(
        dir.path(),
        &[
            "grade",
            "mine",
            "--server",
            "none",
            "--format",
            "json",
            "--out",
            "mine.json",
        ],
    );
    assert_eq!(ids(&json(&dir.path().join("mine.json"))), ["mine"]);
}

#[test]
fn the_hostile_corpus_zips_end_as_problems() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile/corpus/");
    let cases = [
        ("zip-slip.zip", "leaves the archive's folder"),
        ("zip-bomb.zip", "zip bomb"),
        ("nested.zip", "zip inside a zip"),
        ("not-a-zip.zip", "not a readable zip"),
        ("self-including.zip", "no SMTP or POP3 dialogue"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (file, expected) in cases {
        let path = format!("{corpus}{file}");
        let output = mailgrade(dir.path(), &["grade", &path, "--server", "none"]);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.code(), Some(2), "{file}: {all}");
        assert!(all.contains(expected), "{file}: {all}");
        assert!(!all.contains("panicked"), "{file}: {all}");
    }
    assert!(!std::path::Path::new("/tmp/mailgrade-zip-slip.txt").exists());
    assert!(!std::path::Path::new("/tmp/mailgrade-zip-slip-abs.txt").exists());
}

#[test]
fn an_empty_class_is_an_error_not_an_empty_gradebook() {
    let dir = tempfile::tempdir().unwrap();
    let empty = zip::ZipWriter::new(Cursor::new(Vec::new()))
        .finish()
        .unwrap()
        .into_inner();
    write(dir.path(), "empty.zip", &empty);
    let output = mailgrade(dir.path(), &["grade", "empty.zip", "--server", "none"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no submissions found"));
}

/// A class graded in two shards and merged is the class graded at once, in everything
/// merge writes (JSON, the one format it offers), its summary counts and its exit code;
/// with and without ungradable students, whose exit code differs.
#[test]
fn two_shards_merged_are_the_class_graded_at_once() {
    let counts = |stderr: &str, prefix: &str| -> String {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in {stderr}"));
        // `…: 30 passed, 12 below the pass mark, 6 ungradable` without the timing.
        let counted = line.split_once(" submissions: ").expect("counts").1;
        counted.split(" in ").next().unwrap_or_default().to_string()
    };
    for (name, keep) in [
        (
            "mixed",
            &[
                Kind::Good,
                Kind::Failing,
                Kind::Ungradable,
                Kind::Broken,
                Kind::Capture,
            ][..],
        ),
        (
            "all gradable",
            &[Kind::Good, Kind::Failing, Kind::Capture][..],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let students: Vec<_> = class(60)
            .into_iter()
            .filter(|s| keep.contains(&s.kind))
            .collect();
        write(dir.path(), "canvas.zip", &support::canvas_zip(&students));
        write(
            dir.path(),
            "roster.csv",
            support::roster(&students).as_bytes(),
        );
        let grade = |extra: &[&str]| {
            let mut args = vec![
                "grade",
                "canvas.zip",
                "--roster",
                "roster.csv",
                "--server",
                "none",
            ];
            args.extend_from_slice(&["--format", "json"]);
            args.extend_from_slice(extra);
            mailgrade(dir.path(), &args)
        };
        let whole = grade(&["--out", "whole.json"]);
        for k in 1..=2 {
            let shard = format!("{k}/2");
            let out = format!("shard{k}.json");
            let part = grade(&["--shard", &shard, "--out", &out]);
            assert!(part.status.code().is_some_and(|c| c <= 2), "{part:?}");
        }
        let merged = mailgrade(
            dir.path(),
            &[
                "merge",
                "shard1.json",
                "shard2.json",
                "--out",
                "merged.json",
            ],
        );
        let (whole_err, merged_err) = (
            String::from_utf8_lossy(&whole.stderr),
            String::from_utf8_lossy(&merged.stderr),
        );
        assert_eq!(
            merged.status.code(),
            whole.status.code(),
            "{name}: exit codes\n{whole_err}\n{merged_err}"
        );
        assert_eq!(
            counts(&merged_err, "merged 2 files"),
            counts(&whole_err, "graded "),
            "{name}: summary counts"
        );
        let merged = without_similarity(json(&dir.path().join("merged.json")));
        let whole = without_similarity(json(&dir.path().join("whole.json")));
        assert!(
            merged["submissions"] == whole["submissions"],
            "{name}: merged submissions differ from one run"
        );
        assert_eq!(merged["schema"], whole["schema"]);
        assert_eq!(merged["server"], whole["server"]);
    }
}
