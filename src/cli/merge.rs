//! `mailgrade merge`: JSON v1 results of shards joined into one, and `--compare`'s reading
//! of an earlier result. Works on the JSON itself (no re-grading, nothing lost that the
//! shards wrote), so the output is JSON v1 plus a summary on stderr; for another format,
//! grade the class in one run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::Value;

use super::run::Output;
use super::ExitCode;
use crate::report::{summary, SubmissionOutcome};

#[derive(Clone, Debug, Args)]
pub struct MergeArgs {
    /// `mailgrade grade --format json` results, e.g. one per `--shard`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Write the merged JSON here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: &MergeArgs) -> Result<Output, String> {
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
                return Err(format!(
                    "error: submission `{id}` is in both {} and {}\n  help: merge the results \
                     of disjoint shards (`--shard K/N` with the same N)\n",
                    first.display(),
                    file.display()
                ));
            }
            owner.insert(id, (file.clone(), submission.clone()));
        }
    }
    let merged: Vec<Value> = owner.into_values().map(|(_, s)| s).collect();
    let (mut passed, mut failed, mut ungradable) = (0, 0, 0);
    for submission in &merged {
        match json_exit(submission) {
            ExitCode::Passed => passed += 1,
            ExitCode::Failed => failed += 1,
            ExitCode::Unusable => ungradable += 1,
        }
    }
    let exit = merged
        .iter()
        .map(json_exit)
        .fold(ExitCode::Passed, ExitCode::worst);
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
    let mut text = serde_json::to_string_pretty(&document)
        .map_err(|e| format!("error: failed to write the merged JSON: {e}\n"))?;
    text.push('\n');
    Ok(Output {
        text,
        exit,
        out: args.out.clone(),
    })
}

/// A JSON v1 document, or an error naming the file.
pub fn read_document(file: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("error: failed to read {}: {e}\n", file.display()))?;
    let document: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "error: {}, line {}: not JSON: {e}\n",
            file.display(),
            e.line()
        )
    })?;
    if document["schema"] != crate::report::json::SCHEMA {
        return Err(format!(
            "error: {}: not a mailgrade/v1 result (schema is {})\n  help: pass files written \
             by `mailgrade grade --format json`\n",
            file.display(),
            document["schema"]
        ));
    }
    Ok(document)
}

fn submissions<'a>(document: &'a Value, file: &Path) -> Result<&'a Vec<Value>, String> {
    document["submissions"]
        .as_array()
        .ok_or_else(|| format!("error: {}: no `submissions` list\n", file.display()))
}

/// The exit code a submission of a JSON result stands for, like a freshly graded one.
fn json_exit(submission: &Value) -> ExitCode {
    match json_totals(submission) {
        None => ExitCode::Unusable,
        Some(_) if submission["passed"] == Value::Bool(true) => ExitCode::Passed,
        Some(_) => ExitCode::Failed,
    }
}

/// Score and maximum of a JSON submission counted like [`summary::totals`]: per scenario the
/// best gradable grade; `None` when nothing was gradable.
fn json_totals(submission: &Value) -> Option<(u64, u64)> {
    let mut best: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for grade in submission["grades"].as_array().into_iter().flatten() {
        if grade["verdict"] == "ungradable" {
            continue;
        }
        let scenario = grade["scenario"].as_str().unwrap_or_default();
        let score = grade["score"].as_u64().unwrap_or(0);
        let max = grade["max_score"].as_u64().unwrap_or(0);
        let entry = best.entry(scenario).or_insert((score, max));
        if score > entry.0 {
            *entry = (score, max);
        }
    }
    if best.is_empty() {
        return None;
    }
    Some(best.values().fold((0, 0), |(s, m), (a, b)| (s + a, m + b)))
}

/// `--compare`: one line per student whose score is lower now than in `previous` (or who
/// was gradable then and is not now).
pub fn dropped(previous: &Path, now: &[SubmissionOutcome]) -> Result<Vec<String>, String> {
    let document = read_document(previous)?;
    let mut before: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for submission in submissions(&document, previous)? {
        if let (Some(id), Some(totals)) = (submission["id"].as_str(), json_totals(submission)) {
            before.insert(id, totals);
        }
    }
    let mut lines = Vec::new();
    for submission in now {
        let Some(&(old, old_max)) = before.get(submission.id.as_str()) else {
            continue;
        };
        let totals = summary::totals(submission);
        if !totals.gradable {
            lines.push(format!(
                "score dropped: {}: {old}/{old_max} before, ungradable now",
                submission.id
            ));
        } else if u64::from(totals.score) < old {
            lines.push(format!(
                "score dropped: {}: {old}/{old_max} before, {}/{} now",
                submission.id, totals.score, totals.max_score
            ));
        }
    }
    Ok(lines)
}
