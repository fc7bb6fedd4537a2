//! `mailgrade merge`: JSON v1 results of shards joined into one, and `--compare`'s reading
//! of an earlier result. Works on the JSON itself (no re-grading, nothing lost that the
//! shards wrote), so the output is JSON v1 plus a summary on stderr; for another format,
//! grade the class in one run. Each submission's grade is rebuilt from its JSON grades by
//! the same rule a run uses ([`SubmissionGrade::decide`]), so merged shards and one run
//! cannot disagree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;
use serde_json::Value;

use super::error::CliError;
use super::run::Output;
use super::ExitCode;
use crate::grade::Verdict;
use crate::pipeline::{GradeFacts, SubmissionGrade, SubmissionOutcome};
use crate::scenario::lab::{LabRule, LatePolicy, TaskRule};

#[derive(Clone, Debug, Args)]
pub struct MergeArgs {
    /// `mailgrade grade --format json` results, e.g. one per `--shard`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write the merged JSON here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: &MergeArgs) -> Result<Output, CliError> {
    let mut servers: Vec<String> = Vec::new();
    let mut owner: BTreeMap<String, (PathBuf, Value)> = BTreeMap::new();
    let mut tool = Value::Null;
    for file in &args.files {
        let document = read_document(file)?;
        if tool.is_null() {
            tool = document["tool"].clone();
        }
        if let Some(server) = document["server"].as_str() {
            if !servers.iter().any(|s| s == server) {
                servers.push(server.to_string());
            }
        }
        for submission in submissions(&document, file)? {
            let id = submission["id"].as_str().unwrap_or_default().to_string();
            if let Some((first, _)) = owner.get(&id) {
                return Err(CliError::InTwoShards {
                    id,
                    first: first.clone(),
                    second: file.clone(),
                });
            }
            owner.insert(id, (file.clone(), submission.clone()));
        }
    }
    let mut merged: Vec<Value> = Vec::with_capacity(owner.len());
    let (mut passed, mut failed, mut ungradable) = (0, 0, 0);
    let mut exit = ExitCode::Passed;
    for (file, submission) in owner.into_values() {
        let verdict = submission_grade(&submission, &file)?.verdict;
        match verdict {
            Verdict::Passed => passed += 1,
            Verdict::Failed => failed += 1,
            Verdict::Ungradable => ungradable += 1,
        }
        exit = exit.worst(ExitCode::from(verdict));
        merged.push(submission);
    }
    eprintln!(
        "merged {} files: {} submissions: {passed} passed, {failed} below the pass mark, \
         {ungradable} ungradable",
        args.files.len(),
        merged.len()
    );
    let document = serde_json::json!({
        "schema": crate::report::json::SCHEMA,
        "tool": tool,
        "server": servers.join(", "),
        "submissions": merged,
    });
    // A `Value` always prints (its keys are strings); `#` is serde_json's pretty form.
    let text = format!("{document:#}\n");
    Ok(Output {
        text: text.into(),
        exit,
        out: args.out.clone(),
    })
}

/// A JSON v1 document, or an error naming the file.
pub fn read_document(file: &Path) -> Result<Value, CliError> {
    let text = std::fs::read_to_string(file).map_err(|source| CliError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let document: Value = serde_json::from_str(&text).map_err(|source| CliError::NotJson {
        path: file.to_path_buf(),
        source,
    })?;
    if document["schema"] != crate::report::json::SCHEMA {
        return Err(CliError::NotAResult {
            path: file.to_path_buf(),
            schema: document["schema"].to_string(),
        });
    }
    Ok(document)
}

fn submissions<'a>(document: &'a Value, file: &Path) -> Result<&'a Vec<Value>, CliError> {
    document["submissions"]
        .as_array()
        .ok_or_else(|| CliError::BadResult {
            path: file.to_path_buf(),
            what: "no `submissions` list".into(),
        })
}

/// A JSON submission's grade, decided from its grades by the rule a run uses.
pub fn submission_grade(submission: &Value, file: &Path) -> Result<SubmissionGrade, CliError> {
    let grades = match submission.get("grades") {
        None | Some(Value::Null) => Vec::new(),
        Some(grades) => {
            Vec::<GradeFacts>::deserialize(grades).map_err(|e| CliError::BadResult {
                path: file.to_path_buf(),
                what: format!(
                    "submission `{}`: grades unreadable: {e}",
                    submission["id"].as_str().unwrap_or_default()
                ),
            })?
        }
    };
    let basis = &submission["grade"]["basis"];
    Ok(match basis["kind"].as_str() {
        Some("lab") => SubmissionGrade::decide_lab(
            &lab_rule(submission, file)?,
            grades,
            // A late submission's grade says what the policy took (zero points, too).
            submission["grade"]["late"].is_object(),
        ),
        Some("scenarios") => SubmissionGrade::decide(grades).named(),
        _ => SubmissionGrade::decide(grades),
    })
}

/// The lab's rule as a JSON submission keeps it: its id, total and pass mark in the grade's
/// `basis`, each task's points in `tasks`.
fn lab_rule(submission: &Value, file: &Path) -> Result<LabRule, CliError> {
    let grade = &submission["grade"];
    let unreadable = |what: &str| CliError::BadResult {
        path: file.to_path_buf(),
        what: format!(
            "submission `{}`: {what}",
            submission["id"].as_str().unwrap_or_default()
        ),
    };
    let number = |value: &Value, what: &str| {
        value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| unreadable(what))
    };
    let tasks = Vec::<TaskRule>::deserialize(&grade["tasks"])
        .map_err(|e| unreadable(&format!("lab tasks unreadable: {e}")))?;
    Ok(LabRule {
        id: grade["basis"]["lab"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        total: number(&grade["basis"]["total"], "the lab's total is unreadable")?,
        pass_mark: number(
            &grade["basis"]["pass_mark"],
            "the lab's pass mark is unreadable",
        )?,
        tasks,
        late: match basis_late(&grade["basis"]["late"]) {
            Ok(late) => late,
            Err(e) => return Err(unreadable(&format!("the late policy is unreadable: {e}"))),
        },
    })
}

/// The lab's late policy as the grade's `basis` keeps it (absent: none).
fn basis_late(value: &Value) -> Result<Option<LatePolicy>, serde_json::Error> {
    Option::<LatePolicy>::deserialize(value)
}

/// `--compare`: one line per student whose score is lower now than in `previous` (or who
/// was gradable then and is not now), and one per student who passed then and does not now
/// (a changed scenario or lab can fail a student at the same score).
pub fn dropped(previous: &Path, now: &[SubmissionOutcome]) -> Result<Vec<String>, CliError> {
    let document = read_document(previous)?;
    let mut before: BTreeMap<&str, (u32, u32, bool)> = BTreeMap::new();
    for submission in submissions(&document, previous)? {
        let grade = submission_grade(submission, previous)?;
        if let (Some(id), true) = (submission["id"].as_str(), grade.gradable()) {
            before.insert(id, (grade.score, grade.max_score, grade.passed()));
        }
    }
    let mut lines = Vec::new();
    for submission in now {
        let Some(&(old, old_max, passed)) = before.get(submission.id.as_str()) else {
            continue;
        };
        let grade = &submission.grade;
        if passed && !grade.passed() {
            lines.push(format!(
                "passed → not passed: {}: passed with {old}/{old_max} before, {} now",
                submission.id,
                if grade.gradable() {
                    format!("{}/{} below the pass mark", grade.score, grade.max_score)
                } else {
                    "ungradable".to_string()
                }
            ));
        }
        if !grade.gradable() {
            lines.push(format!(
                "score dropped: {}: {old}/{old_max} before, ungradable now",
                submission.id
            ));
        } else if grade.score < old {
            lines.push(format!(
                "score dropped: {}: {old}/{old_max} before, {}/{} now",
                submission.id, grade.score, grade.max_score
            ));
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{batch, Outcome, Plan, ServerChoice, Unit};

    /// Every kind of submission: passed, points lost, below the pass mark, a scenario no
    /// session fits, nothing readable, two files of one student.
    fn graded(explicit: bool, lab: bool) -> Vec<SubmissionOutcome> {
        let paths = [
            vec!["examples/telnet-auth-login.txt"],
            vec!["examples/wireshark-export.csv"],
            vec!["tests/fixtures/reports/failing-smtp.txt"],
            vec!["tests/fixtures/reports/pop3-only.txt"],
            vec!["tests/fixtures/transcripts/prose-only.md"],
            vec![
                "examples/pop3-retrieve.txt",
                "examples/telnet-auth-login.txt",
            ],
        ];
        let units = paths
            .iter()
            .map(|p| Unit::Paths(p.iter().map(PathBuf::from).collect()))
            .collect();
        let lab = lab
            .then(|| std::sync::Arc::new(crate::scenario::lab::builtin("email-lab").expect("lab")));
        let scenarios = if let Some(lab) = &lab {
            lab.scenarios.clone()
        } else if explicit {
            ["smtp-telnet-auth-send", "pop3-retrieve"]
                .map(|id| crate::scenario::builtin(id).expect("built-in"))
                .to_vec()
        } else {
            crate::scenario::builtins()
        };
        let plan = Plan {
            scenarios,
            explicit,
            server: ServerChoice::None,
            lab,
        };
        batch::grade_all(units, plan, 2, || {}).expect("graded")
    }

    #[test]
    fn the_grade_rebuilt_from_json_is_the_grade_of_the_run() {
        let mut met = Vec::new();
        for (explicit, lab) in [(false, false), (true, false), (false, true)] {
            let run = graded(explicit, lab);
            met.extend(run.iter().map(|s| s.grade.verdict));
            let outcome = Outcome {
                server: "none".into(),
                submissions: run,
            };
            let document: Value =
                serde_json::from_str(&crate::report::json::render(&outcome)).expect("JSON");
            let file = Path::new("result.json");
            let read = submissions(&document, file).expect("submissions");
            for (json, run) in read.iter().zip(&outcome.submissions) {
                let rebuilt = submission_grade(json, file).expect("readable");
                assert_eq!(rebuilt, run.grade, "{}", run.id);
                assert_eq!(
                    json["passed"],
                    Value::Bool(run.grade.passed()),
                    "{}",
                    run.id
                );
            }
        }
        for verdict in [Verdict::Passed, Verdict::Failed, Verdict::Ungradable] {
            assert!(met.contains(&verdict), "{verdict:?} met");
        }
    }

    #[test]
    fn compare_lists_who_passed_before_and_not_now() {
        let run = graded(false, false);
        let outcome = Outcome {
            server: "none".into(),
            submissions: run,
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let previous = dir.path().join("before.json");
        std::fs::write(&previous, crate::report::json::render(&outcome)).expect("written");
        // The same class graded with the lab: the first student (a lone telnet send)
        // passed before and is now far below the lab's pass mark.
        let now = graded(false, true);
        let lines = dropped(&previous, &now).expect("compared");
        let first = &now[0].id;
        assert!(
            lines.iter().any(|l| l.starts_with(&format!(
                "passed → not passed: {first}: passed with 100/100"
            ))),
            "{lines:?}"
        );
    }

    #[test]
    fn unreadable_grades_are_an_error_naming_the_file() {
        let submission = serde_json::json!({ "id": "s1", "grades": [{ "scenario": "x" }] });
        let error = submission_grade(&submission, Path::new("shard2.json")).unwrap_err();
        let text = error.render();
        assert!(
            text.starts_with("error: shard2.json: submission `s1`"),
            "{text}"
        );
        assert_eq!(error.exit_code(), ExitCode::Unusable);
    }
}
