use std::path::Path;

use super::error::{ScenarioError, ScenarioErrors};
use super::model::Scenario;
use super::{parse, validate};
use crate::diagnostic::did_you_mean;

/// The scenarios that ship with mailgrade, by name.
const BUILTINS: &[(&str, &str)] = &[
    (
        "smtp-telnet-auth-send",
        include_str!("../../scenarios/smtp-telnet-auth-send.yaml"),
    ),
    (
        "smtp-client-send",
        include_str!("../../scenarios/smtp-client-send.yaml"),
    ),
    (
        "pop3-retrieve",
        include_str!("../../scenarios/pop3-retrieve.yaml"),
    ),
    (
        "pop3-delete",
        include_str!("../../scenarios/pop3-delete.yaml"),
    ),
    (
        "smtp-error-recovery",
        include_str!("../../scenarios/smtp-error-recovery.yaml"),
    ),
    (
        "webmail-tls-handshake",
        include_str!("../../scenarios/webmail-tls-handshake.yaml"),
    ),
];

/// Loads a scenario from YAML text; `name` is what diagnostics show after `-->`.
pub fn load_str(name: &str, text: &str) -> Result<Scenario, ScenarioErrors> {
    let mut errors = Vec::new();
    let scenario = parse::parse(text, &mut errors)
        .and_then(|parsed| validate::build(parsed, name, &mut errors));
    match scenario {
        Some(scenario) if errors.is_empty() => Ok(scenario),
        _ => Err(ScenarioErrors::collected(name, text, errors, "scenario")),
    }
}

/// Loads a scenario file.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|err| {
        ScenarioErrors::single(
            &name,
            ScenarioError::new("io", format!("cannot read scenario file: {err}")),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        ScenarioErrors::single(
            &name,
            ScenarioError::new("encoding", "scenario file is not UTF-8")
                .help("save the file as UTF-8 (Chinese feedback included)"),
        )
    })?;
    load_str(&name, &text)
}

/// A built-in scenario by name (`smtp-telnet-auth-send`, …).
pub fn builtin(name: &str) -> Option<Scenario> {
    let (_, text) = BUILTINS.iter().find(|(n, _)| *n == name)?;
    load_str(&format!("scenarios/{name}.yaml"), text).ok()
}

/// Every built-in scenario.
pub fn builtins() -> Vec<Scenario> {
    BUILTINS
        .iter()
        .filter_map(|(name, _)| builtin(name))
        .collect()
}

/// The YAML text of a built-in scenario, as shipped.
pub fn builtin_source(name: &str) -> Option<&'static str> {
    BUILTINS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The names of the built-in scenarios.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(name, _)| *name).collect()
}

/// A built-in name, or else a path to a YAML file.
pub fn resolve(name_or_path: &str) -> Result<Scenario, ScenarioErrors> {
    if let Some(scenario) = builtin(name_or_path) {
        return Ok(scenario);
    }
    let path = Path::new(name_or_path);
    if path.exists() {
        return load_file(path);
    }
    let mut error = ScenarioError::new(
        "unknown-scenario",
        format!("no built-in scenario or file named `{name_or_path}`"),
    );
    error = match did_you_mean(name_or_path, builtin_names()) {
        Some(near) => error.help(format!("did you mean `{near}`?")),
        None => error.help(format!(
            "built-in scenarios: {}",
            builtin_names().join(", ")
        )),
    };
    Err(ScenarioErrors::single(name_or_path, error))
}
