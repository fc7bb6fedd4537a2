//! Every input has a budget: memory and time per submission grow with its size, never with a
//! product of its parts (recipients × body, steps × exchanges, students²). Each case runs
//! the real binary on input made here, under a time limit, a peak-memory budget and, for the
//! class run, a cap on address space, so a product that comes back fails the test instead of
//! the machine.

mod hostile_support;

use std::path::Path;

use hostile_support::{run, run_capped, tail, Budget};

/// One student's honest send, graded on the embedded server.
fn honest(n: usize) -> String {
    format!(
        "S: 220 mail.lab.test ESMTP\nC: EHLO pc{n}\nS: 250 ok\nC: MAIL FROM:<s{n}@lab.test>\n\
         S: 250 ok\nC: RCPT TO:<t@lab.test>\nS: 250 ok\nC: DATA\nS: 354 go\n\
         C: From: <s{n}@lab.test>\nC: Subject: lab {n}\nC:\nC: hello from {n}\nC: .\n\
         S: 250 queued\nC: QUIT\nS: 221 bye\n"
    )
}

/// One message to `recipients` addresses with a body of about `body` bytes: a store that
/// keeps a copy per recipient needs recipients × body.
fn many_recipients(recipients: usize, body: usize) -> String {
    let mut text = String::from(
        "S: 220 mail.lab.test ESMTP\nC: EHLO pc\nS: 250 ok\nC: MAIL FROM:<x@qq.com>\nS: 250 ok\n",
    );
    for i in 0..recipients {
        text.push_str(&format!("C: RCPT TO:<u{i}@qq.com>\nS: 250 ok\n"));
    }
    text.push_str("C: DATA\nS: 354 go\nC: From: <x@qq.com>\nC: Subject: big\nC:\n");
    let row = format!("C: {}\n", "x".repeat(70));
    for _ in 0..body / row.len() {
        text.push_str(&row);
    }
    text.push_str("C: .\nS: 250 queued\nC: QUIT\nS: 221 bye\n");
    text
}

fn json(text: &str, shown: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("JSON report: {err}\n{}", tail(shown)))
}

/// The class run of the issue: one student's transcript names 1,000 recipients of a 1 MB
/// message (a copy per recipient is 1 GB). Under an address space a class of honest
/// submissions needs a third of, every other student is graded and the hostile one is
/// there too: no abort takes the class down.
#[test]
fn a_class_with_one_hostile_transcript_grades_every_student() {
    let work = tempfile::tempdir().expect("temp dir");
    let class = work.path().join("class");
    for n in 1..=4 {
        let dir = class.join(format!("s{n}"));
        std::fs::create_dir_all(&dir).expect("student dir");
        std::fs::write(dir.join("send.txt"), honest(n)).expect("write");
    }
    let hostile = class.join("s5");
    std::fs::create_dir_all(&hostile).expect("student dir");
    std::fs::write(hostile.join("send.txt"), many_recipients(1000, 1 << 20)).expect("write");
    let budget = Budget {
        seconds: 180,
        rss_mb: 512,
    };
    let args = [
        "grade", "class", "--class", "--jobs", "2", "--format", "json", "--out", "r.json",
    ];
    let outcome = run_capped(&args, work.path(), budget, 768 << 20);
    let shown = outcome.shown();
    assert!(
        matches!(outcome.code, Some(0 | 1)),
        "ended {:?}:\n{}",
        outcome.code,
        tail(&shown)
    );
    let report = std::fs::read_to_string(work.path().join("r.json")).expect("report written");
    let report = json(&report, &shown);
    let submissions = report["submissions"].as_array().expect("submissions");
    assert_eq!(submissions.len(), 5, "every student is in the report");
    for submission in submissions {
        let id = submission["id"].as_str().unwrap_or_default();
        let grades = submission["grades"].as_array().expect("grades");
        let graded: Vec<&serde_json::Value> = grades
            .iter()
            .filter(|g| g["verdict"] != "ungradable")
            .collect();
        assert!(!graded.is_empty(), "{id} has no grade: {submission}");
        assert!(
            graded.iter().all(|g| g["server"] == "embedded"),
            "{id} was not replayed: {submission}"
        );
        if id == "s5" {
            // Said plainly: the replay mapped the addresses, named up to ten (the sender and nine recipients), the rest counted.
            let findings = graded[0]["findings"].to_string();
            assert!(findings.contains("and 991 more"), "{findings}");
        } else {
            assert_eq!(submission["passed"], true, "{id}: {submission}");
        }
    }
    eprintln!(
        "class with a hostile transcript: {:.1} s, {} MB peak",
        outcome.elapsed.as_secs_f64(),
        outcome.peak_rss_mb
    );
}

/// A scenario of 1,000 steps (as many as a scenario may have) against a session of 3,000
/// exchanges: the alignment table was 3,001 × 4,001 cells (half a gigabyte); now a few rows
/// of it are kept.
#[test]
fn a_large_scenario_aligns_in_memory_linear_in_steps_and_exchanges() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut scenario =
        String::from("id: long\ntitle: { en: t, zh-CN: t }\nprotocol: smtp\nsteps:\n");
    for i in 0..1000 {
        scenario.push_str(&format!(
            "  - {{ id: s{i}, send: VRFY, args: '^u{i}$', expect: 252, points: 1 }}\n"
        ));
    }
    std::fs::write(work.path().join("long.yaml"), scenario).expect("write");
    let mut transcript = String::from("S: 220 x\n");
    for i in 0..3000 {
        transcript.push_str(&format!("C: VRFY u{}\nS: 252 maybe\n", i % 1000));
    }
    std::fs::write(work.path().join("t.txt"), transcript).expect("write");
    let budget = Budget {
        seconds: 240,
        rss_mb: 160,
    };
    let args = [
        "grade",
        "--server",
        "none",
        "--scenario",
        "long.yaml",
        "--format",
        "json",
        "t.txt",
    ];
    let outcome = run(&args, work.path(), budget);
    let shown = outcome.shown();
    let report = json(&outcome.stdout, &shown);
    let grade = &report["submissions"][0]["grades"][0];
    assert_eq!(grade["score"], 1000, "{}", tail(&shown));
    eprintln!(
        "1,000 steps × 3,000 exchanges: {:.1} s, {} MB peak",
        outcome.elapsed.as_secs_f64(),
        outcome.peak_rss_mb
    );
}

/// Time per refused command was the length of the session (each was explained by replaying
/// the dialogue from its start): 4,000 refused commands took 51 s.
#[test]
fn many_refused_commands_are_explained_in_linear_time() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("S: 220 x\nC: EHLO pc\nS: 250 ok\n");
    for _ in 0..4000 {
        text.push_str("C: DATA\nS: 503 5.5.1 need RCPT\n");
    }
    text.push_str("C: QUIT\nS: 221 bye\n");
    std::fs::write(work.path().join("t.txt"), text).expect("write");
    let budget = Budget {
        seconds: 20,
        rss_mb: 256,
    };
    let args = ["grade", "--server", "none", "--format", "json", "t.txt"];
    let outcome = run(&args, work.path(), budget);
    let report = json(&outcome.stdout, &outcome.shown());
    let findings = report["submissions"][0]["grades"][0]["findings"]
        .as_array()
        .expect("findings")
        .len();
    // 4,000 explanations are 20 and a count.
    assert!(findings <= 2 * 21, "{findings} findings");
}

/// Each message's envelope was looked for from the start of the session, and each note of
/// replay found its command the same way; 3,000 transactions replayed and graded stay linear.
#[test]
fn many_transactions_replay_and_grade_in_linear_time() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("S: 220 x\nC: EHLO pc\nS: 250 ok\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "C: MAIL FROM:<a{i}@qq.com>\nS: 250 ok\nC: RCPT TO:<b{i}@qq.com>\nS: 250 ok\n\
             C: DATA\nS: 354 go\nC: From: <a{i}@qq.com>\nC: Subject: {i}\nC:\nC: hi\nC: .\n\
             S: 250 queued\n"
        ));
    }
    text.push_str("C: QUIT\nS: 221 bye\n");
    std::fs::write(work.path().join("t.txt"), text).expect("write");
    let budget = Budget {
        seconds: 60,
        rss_mb: 256,
    };
    let outcome = run(&["grade", "--format", "json", "t.txt"], work.path(), budget);
    let report = json(&outcome.stdout, &outcome.shown());
    let findings = report["submissions"][0]["grades"][0]["findings"].to_string();
    assert!(findings.contains("and 5990 more"), "{findings}");
}

/// The similarity report of a class whose every student handed in the same file: each
/// finding named every other student (students² names); now ten and a count.
#[test]
fn a_class_of_identical_submissions_is_reported_in_linear_memory() {
    let work = tempfile::tempdir().expect("temp dir");
    let class = work.path().join("class");
    let size = 3000;
    for n in 0..size {
        let dir = class.join(format!("s{n:05}"));
        std::fs::create_dir_all(&dir).expect("student dir");
        std::fs::write(dir.join("send.txt"), honest(0)).expect("write");
    }
    let budget = Budget {
        seconds: 240,
        rss_mb: 320,
    };
    let args = [
        "grade",
        "class",
        "--class",
        "--server",
        "none",
        "--format",
        "json",
        "--out",
        "r.json",
        "--similarity",
        "similar.txt",
    ];
    let outcome = run(&args, work.path(), budget);
    assert!(
        matches!(outcome.code, Some(0 | 1)),
        "{}",
        tail(&outcome.shown())
    );
    let report = std::fs::metadata(work.path().join("r.json"))
        .expect("report")
        .len();
    assert!(report < 64 << 20, "the report is {report} bytes");
    let similar = std::fs::read_to_string(work.path().join("similar.txt")).expect("similarity");
    assert!(
        similar.contains(&format!("{size} submissions")),
        "{similar}"
    );
    eprintln!(
        "{size} identical submissions: {:.1} s, {} MB peak, report {report} bytes",
        outcome.elapsed.as_secs_f64(),
        outcome.peak_rss_mb
    );
}

/// The text reader stops after 200,000 lines and says so; the note used to be dropped
/// between reading and the report.
#[test]
fn a_file_cut_off_after_too_many_lines_says_so_in_the_grade() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("S: 220 x\nC: HELO a\nS: 250 ok\n");
    for _ in 0..100_005 {
        text.push_str("C: NOOP\nS: 250 ok\n");
    }
    std::fs::write(work.path().join("long.txt"), text).expect("write");
    let budget = Budget {
        seconds: 120,
        rss_mb: 512,
    };
    for (format, fragment) in [
        ("json", "more than 200000 lines"),
        ("text", "Reading long.txt: more than 200000 lines"),
    ] {
        let args = ["grade", "--server", "none", "--format", format, "long.txt"];
        let outcome = run(&args, work.path(), budget);
        assert!(
            outcome.stdout.contains(fragment),
            "{format}: no `{fragment}` in:\n{}",
            tail(&outcome.shown())
        );
    }
}

/// A note about a whole file reaches every format that shows findings, in both languages.
#[test]
fn file_notes_reach_every_format_that_shows_findings() {
    let work = tempfile::tempdir().expect("temp dir");
    // GB18030 text: the encoding is guessed, and the guess is a note about the file.
    let text = "S: 220 x\nC: HELO a\nS: 250 好\nC: QUIT\nS: 221 再见\n";
    let (encoded, _, _) = encoding_rs::GB18030.encode(text);
    std::fs::write(work.path().join("gbk.txt"), &encoded).expect("write");
    let formats: &[(&str, &str)] = &[
        ("text", "Reading gbk.txt"),
        ("json", "\"check\": \"file-read\""),
        ("gradescope", "Reading gbk.txt"),
        ("prairielearn", "Reading gbk.txt"),
        ("autolab", "Reading gbk.txt"),
        ("junit", "Reading gbk.txt"),
        ("markdown", "Reading gbk.txt"),
        ("github", "Reading gbk.txt"),
        ("html", "Reading gbk.txt"),
    ];
    for (format, fragment) in formats {
        let args = ["grade", "--server", "none", "--format", format, "gbk.txt"];
        let outcome = run(&args, work.path(), hostile_support::SMALL);
        assert!(
            outcome.stdout.contains(fragment),
            "{format}: no `{fragment}` in:\n{}",
            tail(&outcome.shown())
        );
    }
    let args = ["grade", "--server", "none", "--lang", "zh-CN", "gbk.txt"];
    let outcome = run(&args, work.path(), hostile_support::SMALL);
    assert!(
        outcome.stdout.contains("读取 gbk.txt 时"),
        "{}",
        tail(&outcome.shown())
    );
    assert!(Path::new(work.path()).join("gbk.txt").exists());
}
