//! A lab file's text → a [`Lab`], with every error found, each at its file:line:col.

use std::collections::HashMap;
use std::path::Path;

use super::model::{Lab, LatePolicy, Task};
use super::raw::{RawLab, RawLate, RawTask};
use crate::diagnostic::{did_you_mean, Span};
use crate::scenario::error::ScenarioError;
use crate::scenario::parse::{read_tree, value_error};
use crate::scenario::yaml::{self, Document, Limits};
use crate::scenario::{self as scenarios, Scenario};

/// A lab is a page of YAML.
const MAX_LAB_BYTES: usize = 256 * 1024;
const MAX_TASKS: usize = 200;
/// The most points a lab may give: keeps every sum far from overflow.
const MAX_TOTAL: u32 = 100_000;

/// Reads and checks a lab; `base` is the folder scenario files are named relative to.
pub(super) fn build(
    text: &str,
    base: Option<&Path>,
    errors: &mut Vec<ScenarioError>,
) -> Option<Lab> {
    if text.trim().is_empty() {
        errors.push(
            ScenarioError::new("empty", "lab file is empty")
                .at(Some(Span::new(1, 1, 0)), "nothing here")
                .help("a lab needs at least `id:`, `title:` and `tasks:`"),
        );
        return None;
    }
    if text.len() > MAX_LAB_BYTES {
        errors.push(ScenarioError::new(
            "too-big",
            format!(
                "lab file is {} bytes; the limit is {MAX_LAB_BYTES}",
                text.len()
            ),
        ));
        return None;
    }
    let limits = Limits {
        depth: 32,
        expanded: 2 * MAX_LAB_BYTES as u64,
    };
    let (doc, top) = read_tree::<RawLab>(text, limits, errors)?;
    let root = doc.root();
    let items = doc
        .entry(root, "tasks")
        .map_or(&[][..], |(_, tasks)| doc.items(tasks));
    if items.len() > MAX_TASKS {
        errors.push(
            ScenarioError::new(
                "too-many-tasks",
                format!("lab has {} tasks; the limit is {MAX_TASKS}", items.len()),
            )
            .at(doc.key("tasks"), "too many tasks"),
        );
        return None;
    }
    let raw_tasks: Vec<Option<RawTask>> = items
        .iter()
        .map(|&item| match yaml::from_node::<RawTask>(&doc, item) {
            Ok(task) => Some(task),
            Err(err) => {
                errors.push(value_error(err));
                None
            }
        })
        .collect();
    let mut known: Vec<Scenario> = Vec::new();
    let mut tasks = Vec::new();
    let mut first_line: HashMap<String, u32> = HashMap::new();
    for (i, raw) in raw_tasks.into_iter().enumerate() {
        let Some(raw) = raw else { continue };
        let path = format!("tasks.{i}");
        let id_span = doc
            .value(&format!("{path}.id"))
            .or_else(|| doc.value(&path));
        if raw.id.trim().is_empty() {
            errors.push(ScenarioError::new("bad-value", "empty task id").at(id_span, "empty"));
        }
        match first_line.get(&raw.id) {
            Some(line) => errors.push(
                ScenarioError::new("duplicate-id", format!("duplicate task id `{}`", raw.id))
                    .at(id_span, "a task above has this id")
                    .help(format!(
                        "task ids must be unique: the first `{}` is on line {line}",
                        raw.id
                    )),
            ),
            None => {
                first_line.insert(raw.id.clone(), id_span.map_or(0, |s| s.line));
            }
        }
        both_languages(&raw.title, &doc, &format!("{path}.title"), errors);
        let mut ids = Vec::new();
        if raw.scenarios.0.is_empty() {
            errors.push(
                ScenarioError::new(
                    "no-scenarios",
                    format!("task `{}` names no scenario", raw.id),
                )
                .at(doc.value(&format!("{path}.scenarios")), "empty list")
                .help(format!(
                    "name the scenario(s) that show the task done, e.g. `[{}]`",
                    scenarios::builtin_names()[0]
                )),
            );
        }
        for (k, name) in raw.scenarios.0.iter().enumerate() {
            let place = doc
                .value(&format!("{path}.scenarios.{k}"))
                .or_else(|| doc.value(&format!("{path}.scenarios")));
            if let Some(scenario) = scenario(name, base, place, errors) {
                if ids.contains(&scenario.id) {
                    errors.push(
                        ScenarioError::new(
                            "duplicate-scenario",
                            format!("task `{}` names scenario `{}` twice", raw.id, scenario.id),
                        )
                        .at(place, "named above already"),
                    );
                    continue;
                }
                ids.push(scenario.id.clone());
                if !known.iter().any(|s| s.id == scenario.id) {
                    known.push(scenario);
                }
            }
        }
        for (k, hint) in raw.sections.iter().enumerate() {
            if hint.trim().is_empty() {
                errors.push(
                    ScenarioError::new("bad-value", "empty section hint")
                        .at(doc.value(&format!("{path}.sections.{k}")), "empty")
                        .help("a heading number such as \"3.4\" or words a heading contains"),
                );
            }
        }
        tasks.push(Task {
            id: raw.id,
            title: raw.title,
            points: raw.points,
            scenarios: ids,
            required: raw.required,
            sections: raw.sections.iter().map(|s| s.trim().to_string()).collect(),
        });
    }
    let top = top?;
    both_languages(&top.title, &doc, "title", errors);
    if top.tasks.0 == 0 {
        errors.push(
            ScenarioError::new("no-tasks", "lab has no tasks")
                .at(doc.key("tasks"), "empty list")
                .help("add at least one task with `id`, `title`, `points` and `scenarios`"),
        );
    }
    // A task that did not read would make the sum wrong: its error is reported already.
    let all_read = tasks.len() == top.tasks.0;
    let sum: u64 = tasks.iter().map(|t| u64::from(t.points)).sum();
    let total = match top.total {
        Some(total) if u64::from(total) != sum && all_read => {
            errors.push(
                ScenarioError::new(
                    "total-mismatch",
                    format!("the total is {total}, but the tasks' points add up to {sum}"),
                )
                .at(doc.value("total"), format!("tasks add up to {sum}"))
                .help("make the tasks' points add up to the total, or leave `total` out"),
            );
            total
        }
        Some(total) => total,
        None => u32::try_from(sum).unwrap_or(u32::MAX),
    };
    if total == 0 || total > MAX_TOTAL {
        errors.push(
            ScenarioError::new(
                "bad-total",
                format!("a lab's total must be between 1 and {MAX_TOTAL}, not {sum}"),
            )
            .at(doc.value("total").or(doc.key("tasks")), "here"),
        );
    }
    let pass_mark = top.pass_mark.unwrap_or(total * 3 / 5);
    if pass_mark > total {
        errors.push(
            ScenarioError::new(
                "bad-pass-mark",
                format!("pass mark {pass_mark} is above the total {total}"),
            )
            .at(doc.value("pass_mark"), format!("at most {total}")),
        );
    }
    let late = top.late.map(|late| late_policy(late, total, &doc, errors));
    Some(Lab {
        id: top.id,
        title: top.title,
        description: top.description,
        total,
        pass_mark,
        late,
        tasks,
        scenarios: known,
    })
}

/// A late policy, checked: a share of at most 100 %, a cap within the total, one of them.
fn late_policy(
    late: RawLate,
    total: u32,
    doc: &Document<'_>,
    errors: &mut Vec<ScenarioError>,
) -> LatePolicy {
    if late.deduct_percent.is_none() && late.cap.is_none() {
        errors.push(
            ScenarioError::new("empty-late-policy", "the late policy takes nothing off")
                .at(doc.key("late"), "no `deduct_percent` or `cap`")
                .help("give `deduct_percent: 10` (a share of the score), `cap: 80` (the most points a late submission keeps), or both"),
        );
    }
    let deduct_percent = late.deduct_percent.unwrap_or(0);
    if deduct_percent > 100 {
        errors.push(
            ScenarioError::new(
                "bad-late-deduction",
                format!("a late deduction of {deduct_percent} % is more than the whole score"),
            )
            .at(doc.value("late.deduct_percent"), "at most 100"),
        );
    }
    if let Some(cap) = late.cap.filter(|&cap| cap > total) {
        errors.push(
            ScenarioError::new(
                "bad-late-cap",
                format!("a late cap of {cap} points is above the total {total}"),
            )
            .at(doc.value("late.cap"), format!("at most {total}"))
            .help("leave `cap` out to keep only the deduction"),
        );
    }
    LatePolicy {
        deduct_percent,
        cap: late.cap,
    }
}

/// A title a student reads in either language needs both.
fn both_languages(
    text: &crate::i18n::Text,
    doc: &Document<'_>,
    path: &str,
    errors: &mut Vec<ScenarioError>,
) {
    if text.en.trim().is_empty() || text.zh_cn.trim().is_empty() {
        errors.push(
            ScenarioError::new("missing-translation", "a title needs `en` and `zh-CN`")
                .at(doc.value(path), "one language is missing")
                .help("write it as `{ en: …, zh-CN: … }`"),
        );
    }
}

/// A task's scenario: a built-in name, or a file relative to the lab.
fn scenario(
    name: &str,
    base: Option<&Path>,
    place: Option<Span>,
    errors: &mut Vec<ScenarioError>,
) -> Option<Scenario> {
    if let Some(scenario) = scenarios::builtin(name) {
        return Some(scenario);
    }
    let looks_like_file = name.ends_with(".yaml") || name.ends_with(".yml") || name.contains('/');
    if looks_like_file {
        let path = base.map_or_else(|| Path::new(name).to_path_buf(), |b| b.join(name));
        return match scenarios::load_file(&path) {
            Ok(scenario) => Some(scenario),
            Err(failed) => {
                let first = failed
                    .errors
                    .first()
                    .map_or(String::new(), |e| e.message.clone());
                errors.push(
                    ScenarioError::new(
                        "bad-scenario",
                        format!("scenario `{name}` does not load: {first}"),
                    )
                    .at(place, "this scenario")
                    .help(format!(
                        "run `mailgrade scenario validate {}` for every error in it",
                        path.display()
                    )),
                );
                None
            }
        };
    }
    let help = match did_you_mean(name, scenarios::builtin_names()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!(
            "built-in scenarios: {}; or name a YAML file",
            scenarios::builtin_names().join(", ")
        ),
    };
    errors.push(
        ScenarioError::new(
            "unknown-scenario",
            format!("no built-in scenario named `{name}`"),
        )
        .at(place, "not a scenario")
        .help(help),
    );
    None
}
