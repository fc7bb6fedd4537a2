//! A scenario file's text → its raw types, read once ([`super::yaml`]), with every error the
//! reading finds turned into a located [`ScenarioError`].
//!
//! The top level and each step are deserialised from their own nodes of the one tree, so a
//! broken step does not hide the next; what went wrong is decided by the error's case
//! ([`Problem`]), never by its wording.

use super::error::ScenarioError;
use super::raw::{RawProtocol, RawScenario, RawStep};
use super::yaml::{self, DeError, Document, Limits, Problem, TreeError, TreeProblem};
use crate::diagnostic::{did_you_mean, Span};

/// A scenario file as read: the top level (when it deserialised), each step (or `None` where
/// its errors were reported), and the tree, which validation asks where things are.
pub(super) struct Parsed<'text> {
    pub top: Option<RawScenario>,
    /// The protocol as written, even when the top level did not deserialise.
    pub protocol: Option<RawProtocol>,
    pub steps: Vec<Option<RawStep>>,
    pub doc: Document<'text>,
}

/// A scenario is a page of YAML; anything far bigger is a mistake or an attack.
const MAX_SCENARIO_BYTES: usize = 1 << 20;
/// Steps in one scenario: each is read and checked on its own, so they must stay few.
const MAX_STEPS: usize = 1000;
/// Scenarios nest a few levels: steps, a step, its fields.
const MAX_NESTING: usize = 64;
/// What aliases may repeat: as much again as the largest file holds (nodes and characters),
/// so that an alias bomb is refused where it starts to grow.
const MAX_EXPANDED: u64 = 2 * MAX_SCENARIO_BYTES as u64;

/// Reads `text`. A syntax error or a broken limit ends reading (nothing after it can be
/// trusted); errors in the values are collected, the top level's and every step's.
pub(super) fn parse<'text>(
    text: &'text str,
    errors: &mut Vec<ScenarioError>,
) -> Option<Parsed<'text>> {
    if text.trim().is_empty() {
        errors.push(
            ScenarioError::new("empty", "scenario file is empty")
                .at(Some(Span::new(1, 1, 0)), "nothing here")
                .help("a scenario needs at least `id:`, `title:`, `protocol:` and `steps:`"),
        );
        return None;
    }
    if text.len() > MAX_SCENARIO_BYTES {
        errors.push(
            ScenarioError::new(
                "too-big",
                format!(
                    "scenario file is {} bytes; the limit is {MAX_SCENARIO_BYTES}",
                    text.len()
                ),
            )
            .help("a scenario is a few dozen steps; split it or check that this is the right file"),
        );
        return None;
    }
    let limits = Limits {
        depth: MAX_NESTING,
        expanded: MAX_EXPANDED,
    };
    let (doc, top) = read_tree::<RawScenario>(text, limits, errors)?;
    let root = doc.root();
    let protocol = doc
        .entry(root, "protocol")
        .and_then(|(_, node)| yaml::from_node::<RawProtocol>(&doc, node).ok());
    let items = doc
        .entry(root, "steps")
        .map_or(&[][..], |(_, steps)| doc.items(steps));
    if items.len() > MAX_STEPS {
        errors.push(
            ScenarioError::new(
                "too-many-steps",
                format!(
                    "scenario has {} steps; the limit is {MAX_STEPS}",
                    items.len()
                ),
            )
            .at(doc.key("steps"), "too many steps")
            .help("a lab dialogue is a few dozen steps; use `repeat` for a step that recurs"),
        );
        return None;
    }
    let steps = items
        .iter()
        .map(|&item| match yaml::from_node::<RawStep>(&doc, item) {
            Ok(step) => Some(step),
            Err(err) => {
                errors.push(value_error(err));
                None
            }
        })
        .collect();
    Some(Parsed {
        top,
        protocol,
        steps,
        doc,
    })
}

/// `text` as a tree, and its top level read as `T`. No tree when the text is no single,
/// affordable YAML document; a tree without `T` when only the top level's values are wrong,
/// so that the caller can still look for errors further down. Errors go to `errors`.
pub(super) fn read_tree<'text, T: serde::de::DeserializeOwned>(
    text: &'text str,
    limits: Limits,
    errors: &mut Vec<ScenarioError>,
) -> Option<(Document<'text>, Option<T>)> {
    let doc = match Document::parse(text, limits) {
        Ok(doc) => doc,
        Err(err) => {
            errors.push(tree_error(err));
            return None;
        }
    };
    let top = match yaml::from_node::<T>(&doc, doc.root()) {
        Ok(top) => Some(top),
        Err(err) => {
            errors.push(value_error(err));
            None
        }
    };
    Some((doc, top))
}

/// A text that is no single, affordable YAML document.
pub(super) fn tree_error(err: TreeError) -> ScenarioError {
    let span = Some(err.span);
    match err.problem {
        TreeProblem::Syntax(reason) => ScenarioError::new(
            "yaml-syntax",
            format!("invalid YAML: {reason}"),
        )
        .at(span, "the YAML parser stopped here")
        .help("check indentation, quotes and the `key: value` form around here"),
        TreeProblem::TooDeep { limit } => ScenarioError::new(
            "too-deep",
            format!("YAML nested more than {limit} levels deep"),
        )
        .at(span, "too deep here")
        .help("a scenario nests a few levels: steps, a step, its fields"),
        TreeProblem::MoreThanOneDocument => ScenarioError::new(
            "yaml-syntax",
            "invalid YAML: the file holds more than one document",
        )
        .at(span, "a second document starts here")
        .help("a scenario file is one YAML document: remove this `---` and what follows, or make it a file of its own"),
        TreeProblem::DuplicateKey { key, first_line } => ScenarioError::new(
            "yaml-syntax",
            format!("invalid YAML: duplicate key `{key}`"),
        )
        .at(span, "this key is already in this mapping")
        .help(format!("keys must be unique: the first `{key}` is on line {first_line}")),
        TreeProblem::RecursiveAlias => ScenarioError::new(
            "yaml-syntax",
            "invalid YAML: an alias inside the node it repeats",
        )
        .at(span, "repeats a node it is part of")
        .help("an alias can only repeat a node that is complete before it"),
        TreeProblem::TooRepetitive { limit } => ScenarioError::new(
            "too-big",
            format!(
                "repetition limit exceeded: with its aliases repeated the file would hold more than {limit} nodes and characters"
            ),
        )
        .at(span, "this alias passes the limit")
        .help("aliases are for repeating a few texts or steps, not for multiplying them"),
    }
}

/// A value that does not fit the scenario's types: unknown fields get a "did you mean",
/// the rest say what was found and what was expected.
pub(super) fn value_error(err: DeError) -> ScenarioError {
    // The field path inside the node read (`checks[0].equals`), where there is one.
    let at = |what: String| {
        if err.path.is_empty() {
            what
        } else {
            format!("{}: {what}", err.path)
        }
    };
    let error = match &err.problem {
        Problem::UnknownField { field, known } => {
            let help = match did_you_mean(field, known.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("known fields here: {}", known.join(", ")),
            };
            ScenarioError::new("unknown-field", format!("unknown field `{field}`"))
                .at(err.span, "not a field here")
                .help(help)
        }
        Problem::MissingField(field) => {
            ScenarioError::new("missing-field", format!("missing field `{field}`"))
                .at(err.span, format!("`{field}` is required here"))
        }
        Problem::UnknownVariant { variant, known } => {
            let expected = yaml::de::one_of(known);
            ScenarioError::new(
                "bad-value",
                at(format!("unknown variant `{variant}`, expected {expected}")),
            )
            .at(err.span, format!("unknown variant `{variant}`"))
            .help(format!("expected {expected}"))
        }
        Problem::InvalidType { found, expected } => ScenarioError::new(
            "bad-value",
            at(format!("invalid type: {found}, expected {expected}")),
        )
        .at(err.span, format!("invalid type: {found}"))
        .help(format!("expected {expected}")),
        Problem::InvalidValue { found, expected } => ScenarioError::new(
            "bad-value",
            at(format!("invalid value: {found}, expected {expected}")),
        )
        .at(err.span, format!("invalid value: {found}"))
        .help(format!("expected {expected}")),
        Problem::DuplicateField(_) | Problem::InvalidLength { .. } | Problem::Custom(_) => {
            let what = err.problem.to_string();
            ScenarioError::new("bad-value", at(what.clone())).at(err.span, what)
        }
    };
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(&'static str, Option<Span>)> {
        let mut errors = Vec::new();
        parse(text, &mut errors);
        errors.iter().map(|e| (e.code, e.span)).collect()
    }

    #[test]
    fn limits_are_checked_before_the_values() {
        let deep = format!("steps: {}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(codes(&deep), [("too-deep", Some(Span::new(1, 72, 1)))]);
        // Brackets inside quotes and comments are text, not nesting.
        for text in [
            format!("a: '{}'\n", "[".repeat(100)),
            format!("a: \"{}\"\n", "{".repeat(100)),
            format!("a: 1 # {}\n", "[".repeat(100)),
            format!("a: 'it''s {}'\n", "[".repeat(100)),
        ] {
            assert!(
                codes(&text).iter().all(|(code, _)| *code != "too-deep"),
                "{text}"
            );
        }
        assert_eq!(
            codes(&"x".repeat(MAX_SCENARIO_BYTES + 1)),
            [("too-big", None)]
        );
        let steps: String = (0..=MAX_STEPS)
            .map(|i| format!("  - {{ id: s{i} }}\n"))
            .collect();
        let many = format!("id: a\ntitle: {{ en: t }}\nprotocol: smtp\nsteps:\n{steps}");
        assert_eq!(codes(&many), [("too-many-steps", Some(Span::new(4, 1, 5)))]);
    }

    #[test]
    fn every_step_is_read_even_when_others_are_broken() {
        let text = "id: a\ntitle: { en: t }\nprotocol: smtp\nstrikt: 1\nsteps:\n  - { id: a, send: EHLO, points: x }\n  - { id: b, sned: EHLO }\n  - { id: c, send: QUIT }\n";
        let mut errors = Vec::new();
        let parsed = parse(text, &mut errors).expect("read");
        let found: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.code, e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("unknown-field", "unknown field `strikt`"),
                (
                    "bad-value",
                    "points: invalid type: string \"x\", expected a whole number"
                ),
                ("unknown-field", "unknown field `sned`"),
            ]
        );
        assert_eq!(errors[2].help.as_deref(), Some("did you mean `send`?"));
        assert!(parsed.top.is_none());
        assert_eq!(parsed.protocol, Some(RawProtocol::Smtp));
        let read: Vec<bool> = parsed.steps.iter().map(Option::is_some).collect();
        assert_eq!(read, [false, false, true]);
    }
}
