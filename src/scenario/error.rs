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

impl ScenarioErrors {
    pub(super) fn single(name: &str, error: ScenarioError) -> Self {
        ScenarioErrors {
            name: name.to_string(),
            text: String::new(),
            errors: vec![error],
            kind: "scenario",
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
