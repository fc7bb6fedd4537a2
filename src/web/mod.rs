//! The self-check page's way into the library (`web/`, built by `scripts/build-web`): one
//! file graded on the replies it claims, as `mailgrade check --server none` grades it, and
//! the page's own texts.
//!
//! The page runs this compiled to `wasm32-unknown-unknown` without the `native` feature:
//! no replay, no sockets, nothing uploaded. [`abi`] is the handful of `extern "C"`
//! functions the page's script calls (no wasm-bindgen: bytes in, JSON bytes out); the
//! functions here are plain Rust, so native tests call them directly.

#[cfg(target_arch = "wasm32")]
pub mod abi;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;

use crate::i18n::messages::web::WebWord;
use crate::i18n::Lang;
use crate::pipeline::submission::grade_claimed;
use crate::pipeline::{Outcome, Plan, ServerChoice, Unit};
use crate::report::text::{self, TextStyle};
use crate::scenario;

/// What the page shows for one file.
#[derive(Debug)]
pub struct Graded {
    /// `mailgrade check --server none`'s output, without colour.
    pub text: String,
    /// The HTML report: the ladder diagram of every dialogue and every lost point.
    pub html: String,
    /// The exit code `check` would give: 0 passed, 1 below the pass mark, 2 ungradable.
    pub exit: u8,
}

/// The scenarios a file is graded on, and the lab that totals them: a built-in lab by name
/// (`mailgrade check --lab NAME`), else a scenario file the student loaded (its YAML text),
/// else every built-in scenario. A scenario that does not load is the error, rendered as the
/// CLI renders it; the CLI's rule holds too: a lab and a scenario file are not used together.
pub fn plan(lab: Option<&str>, yaml: Option<(&str, &str)>) -> Result<Plan, String> {
    let plain = |scenarios, explicit| Plan {
        scenarios,
        explicit,
        server: ServerChoice::None,
        lab: None,
    };
    match (lab, yaml) {
        // The CLI's words for the same mistake (its usage errors are English only).
        (Some(_), Some(_)) => Err("--lab and --scenario cannot be used together".to_string()),
        (Some(name), None) => {
            // In the browser there is no file system: only a built-in lab's name resolves.
            let lab = scenario::lab::resolve(name)
                .map_err(|e| e.render(crate::diagnostic::Style::Plain))?;
            Ok(Plan {
                scenarios: lab.scenarios.clone(),
                explicit: false,
                server: ServerChoice::None,
                lab: Some(Arc::new(lab)),
            })
        }
        (None, None) => Ok(plain(scenario::builtins(), false)),
        (None, Some((name, text))) => scenario::load_str(name, text)
            .map(|s| plain(vec![s], true))
            .map_err(|e| e.render(crate::diagnostic::Style::Plain)),
    }
}

/// The built-in labs' names, as the page offers them (`["email-lab"]`).
pub fn labs_json() -> String {
    json!(scenario::lab::builtin_names()).to_string()
}

/// Grades `bytes` (named `name`, as `check` names a file) on the replies they claim, with
/// [`plan`]'s lab or scenarios.
pub fn grade(
    name: &str,
    bytes: Vec<u8>,
    lang: Lang,
    lab: Option<&str>,
    scenario_yaml: Option<(&str, &str)>,
) -> Result<Graded, String> {
    let plan = plan(lab, scenario_yaml)?;
    let unit = Unit::Student {
        id: name.to_string(),
        class: PathBuf::from(name),
        files: vec![(PathBuf::from(name), bytes)],
        problems: Vec::new(),
        who: crate::pipeline::Student::default(),
    };
    let submission = grade_claimed(unit, &plan);
    let exit = match submission.grade.verdict {
        crate::grade::Verdict::Passed => 0,
        crate::grade::Verdict::Failed => 1,
        crate::grade::Verdict::Ungradable => 2,
    };
    let outcome = Outcome {
        server: plan.server.name(),
        submissions: vec![submission],
    };
    Ok(Graded {
        text: text::render(&outcome, TextStyle { lang, color: false }),
        html: crate::report::html::render(&outcome, lang),
        exit,
    })
}

/// `grade`'s answer as the page reads it: `{"ok": true, "text", "html", "exit"}` or
/// `{"ok": false, "error"}`.
pub fn grade_json(
    name: &str,
    bytes: Vec<u8>,
    lang: &str,
    lab: Option<&str>,
    scenario_yaml: Option<(&str, &str)>,
) -> String {
    let lang = if lang == Lang::ZhCn.code() {
        Lang::ZhCn
    } else {
        Lang::En
    };
    match grade(name, bytes, lang, lab, scenario_yaml) {
        Ok(graded) => json!({
            "ok": true,
            "text": graded.text,
            "html": graded.html,
            "exit": graded.exit,
        }),
        Err(error) => json!({ "ok": false, "error": error }),
    }
    .to_string()
}

/// The page's own texts in both languages, `{"Id": {"en": …, "zh-CN": …}}`.
pub fn texts_json() -> String {
    let map: serde_json::Map<String, serde_json::Value> = WebWord::TEMPLATES
        .iter()
        .map(|t| {
            (
                t.id.to_string(),
                json!({ Lang::En.code(): t.en, Lang::ZhCn.code(): t.zh_cn }),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

#[cfg(test)]
mod tests;
