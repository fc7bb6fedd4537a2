use std::fmt;

use crate::diagnostic::{self, Diagnostic, SourceFile, Span, Style};

/// One thing wrong with a scenario file, with where it is and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// Stable id: `unknown-verb`, `impossible-code`, `ambiguous-steps`, …
    pub code: &'static str,
    /// Lowercase fragment: "unknown SMTP command `EHL0`".
    pub message: String,
    pub span: Option<Span>,
    /// What is wrong at the span.
    pub label: String,
    pub help: Option<String>,
}

impl ScenarioError {
    pub(super) fn new(code: &'static str, message: impl Into<String>) -> Self {
        ScenarioError {
            code,
            message: message.into(),
            span: None,
            label: String::new(),
            help: None,
        }
    }

    pub(super) fn at(mut self, span: Option<Span>, label: impl Into<String>) -> Self {
        self.span = span;
        self.label = label.into();
        self
    }

    pub(super) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut diagnostic = Diagnostic::error(&self.message).with_code(self.code);
        diagnostic.span = self.span;
        diagnostic.label = self.label.clone();
        if let Some(help) = &self.help {
            diagnostic = diagnostic.with_help(help);
        }
        diagnostic
    }
}

/// Everything wrong with one scenario file, all at once, with its text to render against.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioErrors {
    /// The file name shown after `-->`.
    pub name: String,
    pub text: String,
    pub errors: Vec<ScenarioError>,
    /// What the file is: `scenario` or `lab`.
    pub kind: &'static str,
}

/// Errors reported for one file; the rest are counted.
const MAX_ERRORS: usize = 100;

impl ScenarioErrors {
    pub(super) fn single(name: &str, error: ScenarioError) -> Self {
        ScenarioErrors {
            name: name.to_string(),
            text: String::new(),
            errors: vec![error],
            kind: "scenario",
        }
    }

    /// The errors found in one file's `text`, in the file's order, each once, and at most
    /// `MAX_ERRORS` of them: each rendered error walks the whole text, so a file with
    /// thousands of broken steps would take minutes to report.
    pub(super) fn collected(
        name: &str,
        text: &str,
        mut errors: Vec<ScenarioError>,
        kind: &'static str,
    ) -> Self {
        errors.sort_by_key(|e| e.span.map(|s| (s.line, s.column)));
        errors.dedup();
        if errors.len() > MAX_ERRORS {
            let more = errors.len() - MAX_ERRORS;
            errors.truncate(MAX_ERRORS);
            errors.push(ScenarioError::new(
                "too-many-errors",
                format!("{more} more errors not shown"),
            ));
        }
        ScenarioErrors {
            name: name.to_string(),
            text: text.to_string(),
            errors,
            kind,
        }
    }

    /// The same errors, about a lab file.
    pub(super) fn of_lab(self) -> Self {
        ScenarioErrors {
            kind: "lab",
            ..self
        }
    }

    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.errors
            .iter()
            .map(ScenarioError::to_diagnostic)
            .collect()
    }

    /// All errors rendered like a compiler's, with a closing count.
    pub fn render(&self, style: Style) -> String {
        diagnostic::render_all(
            &self.diagnostics(),
            SourceFile {
                name: &self.name,
                text: &self.text,
            },
            &format!("could not load {} `{}`", self.kind, self.name),
            style,
        )
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Style::Plain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_come_in_the_files_order_once_each_and_past_the_cap_only_counted() {
        let at =
            |line: u32| ScenarioError::new("bad", "bad").at(Some(Span::new(line, 1, 0)), "here");
        let mut found: Vec<_> = (1..=MAX_ERRORS as u32 + 20).rev().map(at).collect();
        found.push(at(1));
        let errors = ScenarioErrors::collected("f.yaml", "", found, "lab");
        assert_eq!(errors.errors.len(), MAX_ERRORS + 1);
        assert_eq!(errors.errors[0].span, Some(Span::new(1, 1, 0)));
        assert_eq!(errors.errors[1].span, Some(Span::new(2, 1, 0)));
        let last = errors.errors.last().unwrap();
        assert_eq!(
            (last.code, last.message.as_str()),
            ("too-many-errors", "20 more errors not shown")
        );
        assert_eq!(errors.kind, "lab");
    }
}
