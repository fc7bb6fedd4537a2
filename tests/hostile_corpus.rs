//! The hostile corpus (`tests/hostile/corpus/`, written by `scripts/gen-hostile-corpus.py`)
//! and inputs too big to commit (made here in a temporary directory), each run through the
//! real binary under a time limit and a memory cap: no panic, no hang, no memory blow-up, the
//! exit code expected, and a message naming the file.

mod hostile_support;

use std::path::{Path, PathBuf};

use hostile_support::{run, tail, Budget, SMALL};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile/corpus");

/// What a case must give.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exit 2 with a message naming the file and containing this fragment.
    Unusable(&'static str),
    /// Graded: exit 0 or 1.
    Graded,
}

use Expect::{Graded, Unusable};

/// Every committed case and what `check` (inputs) or `scenario validate` (YAML) must say.
const CASES: &[(&str, Expect)] = &[
    // Captures: cut short, corrupt, lying about lengths.
    ("truncated-capture.pcap", Graded),
    ("header-only.pcap", Unusable("the capture has 0 frames")),
    (
        "short-header.pcap",
        Unusable("the pcap header is cut short"),
    ),
    (
        "corrupt-capture.pcap",
        Unusable("no SMTP or POP3 dialogue found"),
    ),
    ("huge-record.pcap", Unusable("impossible length")),
    (
        "zero-snaplen.pcap",
        Unusable("no SMTP or POP3 dialogue found"),
    ),
    (
        "unknown-link.pcap",
        Unusable("no SMTP or POP3 dialogue found"),
    ),
    ("corrupt.pcapng", Unusable("pcapng header is malformed")),
    ("zero-block.pcapng", Unusable("cut short")),
    // Text that is not text.
    (
        "binary-garbage.txt",
        Unusable("binary data, not a text transcript"),
    ),
    (
        "nul-only.txt",
        Unusable("binary data, not a text transcript"),
    ),
    (
        "elf-named.txt",
        Unusable("binary data, not a text transcript"),
    ),
    ("empty.txt", Unusable("the file is empty")),
    (
        "lone-surrogates.txt",
        Unusable("binary data, not a text transcript"),
    ),
    // UTF-8, GB18030 and UTF-16 in one file: the UTF-16 part has NUL bytes.
    (
        "mixed-encodings.txt",
        Unusable("binary data, not a text transcript"),
    ),
    // Odd but readable.
    ("invalid-utf8.txt", Graded),
    ("control-chars.txt", Graded),
    ("deep-lines.txt", Graded),
    // Parts that multiply: replies nobody asked for, one message to 300 recipients.
    ("unasked-replies.txt", Graded),
    ("many-recipients.txt", Graded),
    // Archives: read in memory as a class, each refusal a problem of that student.
    ("nested.zip", Unusable("a zip inside a zip")),
    (
        "self-including.zip",
        Unusable("no SMTP or POP3 dialogue found"),
    ),
    ("zip-slip.zip", Unusable("leaves the archive's folder")),
    ("zip-bomb.zip", Unusable("refused as a zip bomb")),
    ("not-a-zip.zip", Unusable("not a readable zip")),
    // Scenarios: alias bombs, nesting, recursion, junk.
    ("billion-laughs.yaml", Unusable("repetition limit exceeded")),
    ("alias-in-steps.yaml", Unusable("unknown field")),
    // 10,000 `[` on one line: the parser's own limit (255 open brackets) stops it first.
    ("deep-nesting.yaml", Unusable("recursion limit exceeded")),
    ("deep-maps.yaml", Unusable("nested more than 64 levels")),
    ("recursive-alias.yaml", Unusable("invalid YAML")),
    ("multi-document.yaml", Unusable("more than one document")),
    ("binary.yaml", Unusable("not UTF-8")),
    ("huge-number.yaml", Unusable("invalid")),
    // Counts the alignment would have unrolled (`repeat: '100000000'` took 70 GB to grade).
    (
        "huge-repeat.yaml",
        Unusable("repeat count 100000000 is more than 100"),
    ),
    ("many-counts.yaml", Unusable("the limit is 2000")),
    (
        "catastrophic-regex.yaml",
        Unusable("could not load scenario"),
    ),
];

fn check_outcome(args: &[&str], name: &str, expect: Expect, shown: &str, code: Option<i32>) {
    match expect {
        Unusable(fragment) => {
            // A scenario a grading run names is part of how the run was asked for: it exits
            // 64 (EX_USAGE, nothing graded); the same file checked on its own is the input, 2.
            let expected = if args.contains(&"--scenario") { 64 } else { 2 };
            assert_eq!(code, Some(expected), "{args:?} on {name}:\n{}", tail(shown));
            assert!(
                shown.contains(fragment),
                "{args:?} on {name}: no `{fragment}` in:\n{}",
                tail(shown)
            );
        }
        Graded => assert!(
            matches!(code, Some(0 | 1)),
            "{args:?} on {name} ended {code:?}:\n{}",
            tail(shown)
        ),
    }
    assert!(
        shown.contains(name),
        "{args:?}: the message names no {name}:\n{}",
        tail(shown)
    );
}

#[test]
fn every_committed_case_gives_its_expected_answer_within_limits() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut listed: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
    listed.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(CORPUS)
        .expect("corpus exists (scripts/gen-hostile-corpus.py)")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    assert_eq!(
        listed, on_disk,
        "every corpus file has an expectation, and only those"
    );
    let transcript = Path::new(CORPUS).join("invalid-utf8.txt");
    for &(name, expect) in CASES {
        let path = Path::new(CORPUS).join(name);
        let path = path.to_str().expect("UTF-8 path");
        let runs: Vec<Vec<&str>> = if name.ends_with(".yaml") {
            vec![
                vec!["scenario", "validate", path],
                vec![
                    "grade",
                    "--scenario",
                    path,
                    transcript.to_str().expect("UTF-8 path"),
                ],
            ]
        } else if name.ends_with(".zip") {
            // `grade` reads a zip as a class; `check` and `extract` read it as one student's
            // files, with the same limits. A class's top level is students, so its zips are
            // a level up: the self-including zip's inner zips are a student's own there.
            let as_files = match name {
                "self-including.zip" => Unusable("a zip inside a zip"),
                _ => expect,
            };
            for args in [vec!["check", path], vec!["extract", path]] {
                let outcome = run(&args, work.path(), SMALL);
                let shown = outcome.shown();
                check_outcome(&args, name, as_files, &shown, outcome.code);
            }
            vec![vec!["grade", "--format", "json", path]]
        } else {
            vec![
                vec!["check", path],
                vec!["grade", "--format", "json", path],
                vec!["extract", path],
            ]
        };
        for args in runs {
            let outcome = run(&args, work.path(), SMALL);
            let shown = outcome.shown();
            check_outcome(&args, name, expect, &shown, outcome.code);
        }
    }
    // Nothing from the zip-slip archive was written anywhere.
    for escaped in [
        "/tmp/mailgrade-zip-slip.txt",
        "/tmp/mailgrade-zip-slip-abs.txt",
    ] {
        assert!(!Path::new(escaped).exists(), "{escaped} was written");
    }
    let left: Vec<PathBuf> = std::fs::read_dir(work.path())
        .expect("work dir")
        .map(|entry| entry.expect("entry").path())
        .collect();
    assert!(
        left.is_empty(),
        "files written into the working directory: {left:?}"
    );
}

#[test]
fn a_100_mb_single_line_is_read_in_bounded_time_and_memory() {
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("one-line.txt");
    let mut line = b"C: ".to_vec();
    line.resize(100 << 20, b'A');
    line.push(b'\n');
    std::fs::write(&path, &line).expect("write 100 MB");
    drop(line);
    let path = path.to_str().expect("UTF-8 path");
    let budget = Budget {
        seconds: 60,
        rss_mb: 600,
    };
    for args in [vec!["check", path], vec!["extract", path]] {
        let outcome = run(&args, work.path(), budget);
        let shown = outcome.shown();
        check_outcome(&args, "one-line.txt", Graded, &shown, outcome.code);
        // The report quotes the line, never all of it.
        assert!(
            shown.len() < 1 << 20,
            "{args:?} printed {} bytes",
            shown.len()
        );
        eprintln!(
            "{args:?}: {:.1} s, {} MB peak",
            outcome.elapsed.as_secs_f64(),
            outcome.peak_rss_mb
        );
    }
}

#[test]
fn ten_thousand_sessions_in_one_file_are_all_graded() {
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("sessions.txt");
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!(
            "S: 220 mail.lab.test ESMTP\nC: HELO pc{i}\nS: 250 ok\nC: QUIT\nS: 221 bye\n"
        ));
    }
    std::fs::write(&path, text).expect("write sessions");
    let path = path.to_str().expect("UTF-8 path");
    // A debug build grades about 200 sessions a second on a shared machine.
    let budget = Budget {
        seconds: 240,
        rss_mb: 1024,
    };
    let outcome = run(&["grade", "--format", "json", path], work.path(), budget);
    let shown = outcome.shown();
    check_outcome(&["grade"], "sessions.txt", Graded, &shown, outcome.code);
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|err| panic!("JSON report: {err}\n{}", tail(&shown)));
    let sessions = report["submissions"][0]["sessions"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(sessions, 10_000, "sessions graded");
    eprintln!(
        "10,000 sessions: {:.1} s, {} MB peak",
        outcome.elapsed.as_secs_f64(),
        outcome.peak_rss_mb
    );
}

#[test]
fn huge_and_deep_scenarios_are_refused_quickly() {
    let work = tempfile::tempdir().expect("temp dir");
    let steps = |n: usize| {
        let mut text =
            String::from("id: huge\ntitle: { en: t, zh-CN: t }\nprotocol: smtp\nsteps:\n");
        for i in 0..n {
            text.push_str(&format!(
                "  - {{ id: s{i}, send: HELO, expect: 250, points: 1, bogus: 1 }}\n"
            ));
        }
        text
    };
    let cases = [
        ("five-megabytes.yaml", steps(90_000), "the limit is 1048576"),
        ("many-steps.yaml", steps(2_000), "the limit is 1000"),
        (
            "deep.yaml",
            format!(
                "id: deep\nsteps: {}{}\n",
                "[".repeat(200_000),
                "]".repeat(200_000)
            ),
            "recursion limit exceeded",
        ),
        (
            "deep-block.yaml",
            (0..500)
                .map(|i| format!("{}- a:\n", " ".repeat(i * 2)))
                .collect(),
            "nested more than 64 levels",
        ),
    ];
    for (name, text, fragment) in cases {
        let path = work.path().join(name);
        std::fs::write(&path, text).expect("write scenario");
        let path = path.to_str().expect("UTF-8 path");
        let args = ["scenario", "validate", path];
        let outcome = run(&args, work.path(), SMALL);
        check_outcome(
            &args,
            name,
            Unusable(fragment),
            &outcome.shown(),
            outcome.code,
        );
        assert!(
            outcome.elapsed.as_secs() < 15,
            "{name} took {:.1} s",
            outcome.elapsed.as_secs_f64()
        );
    }
}
