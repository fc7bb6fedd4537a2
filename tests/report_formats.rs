//! Every course format, rendered from really graded submissions: snapshots, and checks that
//! each output parses the way its consumer reads it.

mod report_support;

use base64::Engine;
use mailgrade::i18n::Lang;
use mailgrade::report::{
    autolab, canvas_csv, github, github_classroom, gradescope, html, json, junit, markdown,
    moodle_csv, prairielearn, text, Outcome,
};
use quick_xml::events::Event;
use report_support::*;
use serde_json::Value;

const LANGS: [Lang; 2] = Lang::ALL;

fn canvas(outcome: &Outcome) -> String {
    canvas_csv::render(
        outcome,
        canvas_csv::Assignment {
            title: "Email lab",
            id: Some("4242"),
        },
    )
}

/// Every format for a whole outcome (the per-submission ones for each submission).
fn every_format(outcome: &Outcome, lang: Lang) -> Vec<(&'static str, String)> {
    let mut out = vec![
        (
            "text",
            text::render(outcome, text::TextStyle { lang, color: false }),
        ),
        ("json", json::render(outcome)),
        ("junit", junit::render(outcome, lang)),
        ("canvas-csv", canvas(outcome)),
        ("moodle-csv", moodle_csv::render(outcome, lang)),
        ("markdown", markdown::render(outcome, lang)),
        ("github", github::render(outcome, lang)),
        ("html", html::render(outcome, lang)),
    ];
    for submission in &outcome.submissions {
        out.push(("gradescope", gradescope::render(submission, "none", lang)));
        out.push(("prairielearn", prairielearn::render(submission, lang)));
        out.push(("autolab", autolab::render(submission, "none", lang)));
        out.push((
            "github-classroom",
            github_classroom::render(submission, lang),
        ));
        out.push((
            "github-classroom-json",
            github_classroom::result_json(submission, lang),
        ));
    }
    out
}

#[test]
fn no_format_shows_a_secret() {
    let outcomes = [seed(), class()];
    for outcome in &outcomes {
        for lang in LANGS {
            for (format, rendered) in every_format(outcome, lang) {
                assert!(!rendered.is_empty(), "{format} rendered nothing");
                for secret in &secrets() {
                    assert!(
                        !rendered.contains(secret),
                        "{format} ({lang:?}) shows the secret {secret}"
                    );
                }
            }
        }
    }
}

#[test]
fn class_formats_snapshot() {
    let outcome = class();
    snapshots(|| {
        for lang in LANGS {
            let suffix = if lang == Lang::En { "" } else { "_zh" };
            insta::assert_snapshot!(
                format!("report_junit{suffix}"),
                junit::render(&outcome, lang)
            );
            insta::assert_snapshot!(
                format!("report_moodle_csv{suffix}"),
                moodle_csv::render(&outcome, lang)
            );
            insta::assert_snapshot!(
                format!("report_markdown{suffix}"),
                markdown::render(&outcome, lang)
            );
            insta::assert_snapshot!(
                format!("report_github{suffix}"),
                github::render(&outcome, lang)
            );
        }
        insta::assert_snapshot!("report_canvas_csv", canvas(&outcome));
    });
}

#[test]
fn single_submission_formats_snapshot() {
    snapshots(|| {
        for (name, submission) in singles() {
            for lang in LANGS {
                let suffix = if lang == Lang::En { "" } else { "_zh" };
                insta::assert_snapshot!(
                    format!("report_gradescope_{name}{suffix}"),
                    gradescope::render(&submission, "none", lang)
                );
                insta::assert_snapshot!(
                    format!("report_prairielearn_{name}{suffix}"),
                    prairielearn::render(&submission, lang)
                );
                insta::assert_snapshot!(
                    format!("report_autolab_{name}{suffix}"),
                    autolab::render(&submission, "none", lang)
                );
                insta::assert_snapshot!(
                    format!("report_github_classroom_{name}{suffix}"),
                    github_classroom::result_json(&submission, lang)
                );
            }
        }
    });
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[test]
fn gradescope_scores_add_up_and_record_inputs() {
    for (name, submission) in singles() {
        let results = parse(&gradescope::render(&submission, "none", Lang::En));
        let tests = results["tests"].as_array().expect("tests");
        let sum: u64 = tests
            .iter()
            .map(|t| t["score"].as_u64().expect("score"))
            .sum();
        let max: u64 = tests
            .iter()
            .map(|t| t["max_score"].as_u64().expect("max_score"))
            .sum();
        assert_eq!(results["score"].as_u64(), Some(sum), "{name}");
        assert_eq!(results["max_score"].as_u64(), Some(max), "{name}");
        for test in tests {
            assert!(
                ["passed", "failed"].contains(&test["status"].as_str().expect("status")),
                "{name}: {test}"
            );
            assert_eq!(test["output_format"], "md");
            assert!(test["number"].is_string() && test["name"].is_string());
        }
        let inputs = results["extra_data"]["inputs"].as_array().expect("inputs");
        assert_eq!(inputs.len(), 1, "{name}");
        assert_eq!(inputs[0]["sha256"], submission.hashes[0].sha256.as_str());
        assert_eq!(inputs[0]["sha256"].as_str().map(str::len), Some(64));
    }
    let failing = submission(FAILING, Some("smtp-telnet-auth-send"));
    let results = parse(&gradescope::render(&failing, "none", Lang::En));
    assert!(results["tests"].as_array().expect("tests").iter().any(
        |t| t["status"] == "failed" && t["output"].as_str().is_some_and(|o| o.contains("530"))
    ));
}

#[test]
fn prairielearn_scores_are_fractions_and_ungradable_is_not_a_zero() {
    let cases = [
        (submission(PASSED, None), Some(1.0)),
        (
            submission(FAILING, Some("smtp-telnet-auth-send")),
            Some(0.45),
        ),
        (submission(POP3_ONLY, Some("smtp-telnet-auth-send")), None),
        (submission(NO_DIALOGUE, Some("smtp-telnet-auth-send")), None),
    ];
    for (submission, score) in cases {
        let results = parse(&prairielearn::render(&submission, Lang::En));
        assert_eq!(results["score"].as_f64(), score, "{}", submission.id);
        assert_eq!(results["gradable"].as_bool(), Some(score.is_some()));
        let errors = results["format_errors"].as_array();
        assert_eq!(
            errors.is_some_and(|e| !e.is_empty()),
            score.is_none(),
            "{results}"
        );
    }
}

#[test]
fn autolab_ends_with_the_scores_line() {
    let cases = [
        (submission(PASSED, None), "smtp-telnet-auth-send", 100),
        (
            submission(FAILING, Some("smtp-telnet-auth-send")),
            "smtp-telnet-auth-send",
            45,
        ),
    ];
    for (submission, scenario, score) in cases {
        let output = autolab::render(&submission, "none", Lang::En);
        let last = output.lines().last().expect("a last line");
        let scores = parse(last);
        assert_eq!(scores["scores"][scenario].as_u64(), Some(score), "{last}");
        assert!(output.lines().count() > 3, "a readable report comes first");
    }
}

#[test]
fn github_classroom_result_is_base64_json_the_reporter_reads() {
    let cases = [
        (submission(PASSED, None), "pass", 100),
        (
            submission(FAILING, Some("smtp-telnet-auth-send")),
            "fail",
            45,
        ),
        (
            submission(NO_DIALOGUE, Some("smtp-telnet-auth-send")),
            "error",
            0,
        ),
    ];
    for (submission, status, score) in cases {
        let encoded = github_classroom::render(&submission, Lang::En);
        assert_eq!(encoded.lines().count(), 1);
        let json = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim_end())
            .expect("base64");
        let result: Value = serde_json::from_slice(&json).expect("JSON");
        assert_eq!(result["version"], 1);
        assert_eq!(result["status"], status, "{result}");
        // The reporter adds up the tests' scores.
        let total: u64 = result["tests"]
            .as_array()
            .expect("tests")
            .iter()
            .map(|t| t["score"].as_u64().expect("score"))
            .sum();
        assert_eq!(total, score);
        assert!(result["max_score"].as_u64().is_some());
    }
}

/// Test suites, test cases, failures and errors as a JUnit consumer counts them.
fn junit_counts(xml: &str) -> (usize, usize, usize, usize, String) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut suites, mut cases, mut failures, mut errors) = (0, 0, 0, 0);
    let mut out = String::new();
    let mut in_out = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.name().as_ref() {
                b"testsuite" => suites += 1,
                b"testcase" => cases += 1,
                b"failure" => failures += 1,
                b"error" => errors += 1,
                b"system-out" => in_out = true,
                _ => {}
            },
            Ok(Event::End(e)) if e.name().as_ref() == b"system-out" => in_out = false,
            Ok(Event::Text(t)) if in_out => out.push_str(&t.unescape().expect("text")),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("not well-formed at {}: {error}", reader.error_position()),
        }
    }
    (suites, cases, failures, errors, out)
}

#[test]
fn junit_is_well_formed_and_counts_match() {
    let outcome = class();
    let xml = junit::render(&outcome, Lang::En);
    let (suites, cases, failures, errors, system_out) = junit_counts(&xml);
    let grades: Vec<_> = outcome.submissions.iter().flat_map(|s| &s.grades).collect();
    let problems: usize = outcome.submissions.iter().map(|s| s.problems.len()).sum();
    let ungradable = grades
        .iter()
        .filter(|g| g.verdict == mailgrade::grade::Verdict::Ungradable)
        .count();
    let problem_suites = outcome
        .submissions
        .iter()
        .filter(|s| !s.problems.is_empty())
        .count();
    assert_eq!(suites, grades.len() + problem_suites);
    let checks: usize = grades.iter().map(|g| g.checks.len()).sum();
    assert_eq!(cases, checks + ungradable + problems);
    let lost: usize = grades
        .iter()
        .flat_map(|g| &g.checks)
        .filter(|c| !c.status.is_ok())
        .count();
    assert_eq!(failures, lost);
    assert_eq!(errors, ungradable + problems);
    // Student text comes back as text, secrets redacted.
    assert!(
        system_out.contains("HELO <script>alert(1)</script>"),
        "{system_out}"
    );
    assert!(system_out.contains("<redacted>"));
    assert!(!xml.contains("<script>"));
    let root = format!(
        r#"<testsuites name="mailgrade" tests="{cases}" failures="{failures}" errors="{errors}">"#
    );
    assert!(xml.contains(&root), "{root}");
}

#[test]
fn junit_replaces_characters_xml_forbids() {
    let mut outcome = outcome(vec![submission(FAILING, Some("smtp-telnet-auth-send"))]);
    outcome.submissions[0].id = "bell\u{7}student".into();
    let xml = junit::render(&outcome, Lang::En);
    assert!(!xml.contains('\u{7}'));
    let (suites, ..) = junit_counts(&xml);
    assert_eq!(suites, 1);
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("CSV record").iter().map(String::from).collect())
        .collect()
}

#[test]
fn canvas_csv_has_the_gradebook_shape() {
    let outcome = class();
    let rows = csv_rows(&canvas(&outcome));
    assert_eq!(
        rows[0],
        [
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            "Email lab (4242)"
        ]
    );
    assert_eq!(rows[1], ["Points Possible", "", "", "", "", "100"]);
    assert_eq!(rows.len(), 2 + outcome.submissions.len());
    let scores: Vec<&str> = rows[2..].iter().map(|r| r[5].as_str()).collect();
    assert_eq!(scores, ["100", "85", "45", "", ""]);
}

#[test]
fn moodle_csv_has_the_worksheet_shape() {
    let mut moodle = submission(FAILING, Some("smtp-telnet-auth-send"));
    moodle.id = "submissions/Li Lei_123456_assignsubmission_file_".into();
    let mut numeric = submission(PASSED, None);
    numeric.id = "submissions/20231234/".into();
    let mut formula = submission(PASSED, None);
    formula.id = "=HYPERLINK(\"x\")".into();
    let rows = csv_rows(&moodle_csv::render(
        &outcome(vec![moodle, numeric, formula]),
        Lang::En,
    ));
    assert_eq!(rows[0].len(), 10);
    assert_eq!(rows[0][0], "Identifier");
    assert_eq!(rows[0][9], "Feedback comments");
    let identity: Vec<(&str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[4].as_str()))
        .collect();
    assert_eq!(
        identity,
        [
            ("Participant 123456", "Li Lei", "45.00"),
            ("Participant 20231234", "", "100.00"),
            ("'=HYPERLINK(\"x\")", "", "100.00"),
        ]
    );
    assert!(rows[1][9].contains("530"), "{}", rows[1][9]);
}

#[test]
fn github_annotations_point_at_lines_and_stop_commands_fence_the_summary() {
    let outcome = outcome(vec![submission(FAILING, Some("smtp-telnet-auth-send"))]);
    let output = github::render(&outcome, Lang::En);
    let errors: Vec<&str> = output
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    let lost = outcome.submissions[0].grades[0].losses().count();
    assert_eq!(errors.len(), lost, "{output}");
    assert!(errors.iter().any(
        |l| l.starts_with("::error file=tests/fixtures/reports/failing-smtp.txt,line=5,col=4,")
    ));
    let stop = output
        .lines()
        .find_map(|l| l.strip_prefix("::stop-commands::"))
        .expect("stop-commands");
    assert_eq!(output.lines().last(), Some(format!("::{stop}::").as_str()));
    assert!(output.contains(&markdown::render(&outcome, Lang::En)));
}

#[test]
fn markdown_escapes_student_text() {
    let outcome = outcome(vec![submission(FAILING, Some("smtp-telnet-auth-send"))]);
    let mut hostile = outcome;
    hostile.submissions[0].id = "<img src=x onerror=alert(1)>|x".into();
    let text = markdown::render(&hostile, Lang::En);
    assert!(!text.contains("<img"), "{text}");
    assert!(text.contains("&lt;img src=x onerror=alert(1)&gt;\\|x"));
}
