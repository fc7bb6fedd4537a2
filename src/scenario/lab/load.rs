//! Labs by name or file: the shipped ones, and the errors of one that does not load.

use std::path::Path;

use super::build::build;
use super::model::Lab;
use crate::diagnostic::did_you_mean;
use crate::scenario::error::{ScenarioError, ScenarioErrors};

/// The labs that ship with mailgrade, by name.
const BUILTINS: &[(&str, &str)] = &[("email-lab", include_str!("../../../labs/email-lab.yaml"))];

/// Loads a lab from YAML text; `name` is what diagnostics show after `-->`, `base` the folder
/// its scenario files are relative to.
pub fn load_str(name: &str, text: &str, base: Option<&Path>) -> Result<Lab, ScenarioErrors> {
    let mut errors = Vec::new();
    let lab = build(text, base, &mut errors);
    match lab {
        Some(lab) if errors.is_empty() => Ok(lab),
        _ => Err(ScenarioErrors::collected(name, text, errors, "lab")),
    }
}

/// Loads a lab file.
pub fn load_file(path: &Path) -> Result<Lab, ScenarioErrors> {
    let name = path.display().to_string();
    let single = |error| ScenarioErrors::single(&name, error).of_lab();
    let bytes = std::fs::read(path).map_err(|err| {
        single(ScenarioError::new(
            "io",
            format!("cannot read lab file: {err}"),
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        single(
            ScenarioError::new("encoding", "lab file is not UTF-8")
                .help("save the file as UTF-8 (Chinese titles included)"),
        )
    })?;
    load_str(&name, &text, path.parent())
}

/// A shipped lab by name (`email-lab`).
pub fn builtin(name: &str) -> Option<Lab> {
    let (_, text) = BUILTINS.iter().find(|(n, _)| *n == name)?;
    load_str(&format!("labs/{name}.yaml"), text, None).ok()
}

/// The names of the shipped labs.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|(name, _)| *name).collect()
}

/// A shipped lab's name, or else a path to a YAML file.
pub fn resolve(name_or_path: &str) -> Result<Lab, ScenarioErrors> {
    if let Some(lab) = builtin(name_or_path) {
        return Ok(lab);
    }
    let path = Path::new(name_or_path);
    if path.exists() {
        return load_file(path);
    }
    let error = ScenarioError::new(
        "unknown-lab",
        format!("no shipped lab or file named `{name_or_path}`"),
    );
    let error = match did_you_mean(name_or_path, builtin_names()) {
        Some(near) => error.help(format!("did you mean `{near}`?")),
        None => error.help(format!("shipped labs: {}", builtin_names().join(", "))),
    };
    Err(ScenarioErrors::single(name_or_path, error).of_lab())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lab_loads() {
        for name in builtin_names() {
            let (_, text) = BUILTINS.iter().find(|(n, _)| *n == name).expect("listed");
            let lab = load_str(name, text, None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(lab.total, lab.tasks.iter().map(|t| t.points).sum::<u32>());
        }
        let lab = builtin("email-lab").expect("email-lab");
        let ids: Vec<&str> = lab.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["3.1", "3.2", "3.3", "3.4", "pop3"]);
        assert_eq!((lab.total, lab.pass_mark), (100, 60));
    }
}
