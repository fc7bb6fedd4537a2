//! The one renderer for every diagnostic that points into a file: a scenario that does not
//! load, a transcript line that makes no sense, a grading finding shown with its evidence.
//!
//! A diagnostic renders the way hurl and rustc do:
//!
//! ```text
//! error[unknown-verb]: unknown SMTP command `EHL0`
//!   --> scenarios/lab.yaml:12:11
//!    |
//! 12 |     send: EHL0
//!    |           ^^^^ not an SMTP command
//!    |
//!    = help: did you mean `EHLO`?
//! ```
//!
//! Positions are 1-based lines and columns counted in characters, as editors show them.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{Level, Renderer, Snippet};
use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    fn level(self) -> Level {
        match self {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Note => Level::Note,
        }
    }
}

/// A place in a text file: 1-based line and column (in characters), and how many characters
/// the offending text spans on that line (0 points between characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

impl Span {
    pub fn new(line: u32, column: u32, len: u32) -> Self {
        Span { line, column, len }
    }

    /// From `column` to the end of the line (a transcript line a finding is about).
    pub fn rest_of_line(line: u32, column: u32) -> Self {
        Span {
            line,
            column,
            len: u32::MAX,
        }
    }

    /// The byte range this span covers in `text`, clamped to its line; `None` when the line
    /// does not exist.
    pub fn byte_range(&self, text: &str) -> Option<Range<usize>> {
        let line_index = usize::try_from(self.line).ok()?.checked_sub(1)?;
        let mut offset = 0;
        let mut line_text = None;
        let mut lines = 0;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            lines = index + 1;
            if index == line_index {
                line_text = Some(line.trim_end_matches(['\n', '\r']));
                break;
            }
            offset += line.len();
        }
        // The line just past the last one (an error at end of file) points at the end.
        let line_text = match line_text {
            Some(line) => line,
            None if line_index == lines && text.ends_with('\n')
                || text.is_empty() && line_index == 0 =>
            {
                ""
            }
            None => return None,
        };
        let byte_at = |chars: usize| {
            line_text
                .char_indices()
                .nth(chars)
                .map_or(line_text.len(), |(byte, _)| byte)
        };
        let start_char = (self.column.max(1) - 1) as usize;
        let start = byte_at(start_char);
        let end = byte_at(start_char.saturating_add(self.len as usize));
        Some(offset + start..offset + end)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One problem to show: a title, where it is, what is wrong there, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case id (`unknown-verb`), shown as `error[unknown-verb]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// What is wrong at the span, shown beside the carets.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// `help:` lines: how to fix it, "did you mean …?".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub help: Vec<String>,
    /// `note:` lines: background, the rule that was broken.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, title: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code: None,
            title: title.into(),
            span: None,
            label: String::new(),
            help: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn error(title: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, title)
    }

    pub fn warning(title: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, title)
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_span(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = label.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// The file a diagnostic points into: the name shown after `-->` and its text.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Plain text for files, logs and snapshots; styled (ANSI colours) for a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Color,
}

/// Renders one diagnostic against the file it points into.
pub fn render(diagnostic: &Diagnostic, file: SourceFile<'_>, style: Style) -> String {
    let renderer = match style {
        Style::Plain => Renderer::plain(),
        Style::Color => Renderer::styled(),
    };
    let range = diagnostic.span.and_then(|span| span.byte_range(file.text));
    // Without a usable position, name the file (and the position, if any) in a note instead.
    let location_note = match (diagnostic.span, &range) {
        (_, Some(_)) => None,
        (Some(span), None) => Some(format!("in {}:{span}", file.name)),
        (None, None) => Some(format!("in {}", file.name)),
    };
    let level = diagnostic.severity.level();
    let mut message = level.title(&diagnostic.title);
    if let Some(code) = &diagnostic.code {
        message = message.id(code);
    }
    if let Some(range) = range {
        let annotation = level.span(range).label(&diagnostic.label);
        message = message.snippet(
            Snippet::source(file.text)
                .line_start(1)
                .origin(file.name)
                .fold(true)
                .annotation(annotation),
        );
    }
    if let Some(note) = &location_note {
        message = message.footer(Level::Note.title(note));
    }
    for note in &diagnostic.notes {
        message = message.footer(Level::Note.title(note));
    }
    for help in &diagnostic.help {
        message = message.footer(Level::Help.title(help));
    }
    let out = renderer.render(message).to_string();
    out
}

/// Renders every diagnostic, a blank line between them, and a closing summary line such as
/// ``error: could not load `lab.yaml`: 3 errors``.
pub fn render_all(
    diagnostics: &[Diagnostic],
    file: SourceFile<'_>,
    summary: &str,
    style: Style,
) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render(diagnostic, file, style));
        out.push_str("\n\n");
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let counted = match errors {
        0 => summary.to_string(),
        1 => format!("{summary}: 1 error"),
        n => format!("{summary}: {n} errors"),
    };
    let renderer = match style {
        Style::Plain => Renderer::plain(),
        Style::Color => Renderer::styled(),
    };
    let summary_line = renderer.render(Level::Error.title(&counted)).to_string();
    out.push_str(&summary_line);
    out
}

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(&word, &candidate.to_ascii_lowercase());
            (distance, candidate)
        })
        .filter(|&(distance, candidate)| distance <= (candidate.len() / 3).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_to_byte_range_counts_characters() {
        let text = "a: 1\nb: 中文x\n";
        let cases = [
            (Span::new(1, 1, 1), Some(0..1)),
            (Span::new(2, 4, 2), Some(8..14)),
            (Span::new(2, 6, 5), Some(14..15)),
            (Span::new(3, 1, 1), Some(16..16)),
            (Span::new(9, 1, 1), None),
        ];
        for (span, expected) in cases {
            assert_eq!(span.byte_range(text), expected, "{span:?}");
        }
    }

    #[test]
    fn renders_title_location_carets_and_help() {
        let text = "id: x\nsteps:\n  - send: EHL0\n";
        let diagnostic = Diagnostic::error("unknown SMTP command `EHL0`")
            .with_code("unknown-verb")
            .with_span(Span::new(3, 11, 4), "not an SMTP command")
            .with_help("did you mean `EHLO`?");
        let out = render(
            &diagnostic,
            SourceFile {
                name: "lab.yaml",
                text,
            },
            Style::Plain,
        );
        assert!(
            out.contains("error[unknown-verb]: unknown SMTP command `EHL0`"),
            "{out}"
        );
        assert!(out.contains("--> lab.yaml:3:11"), "{out}");
        assert!(out.contains("^^^^ not an SMTP command"), "{out}");
        assert!(out.contains("help: did you mean `EHLO`?"), "{out}");
    }

    #[test]
    fn suggests_only_near_misses() {
        let verbs = ["EHLO", "HELO", "MAIL", "RCPT", "DATA", "QUIT"];
        assert_eq!(did_you_mean("EHL0", verbs), Some("EHLO"));
        assert_eq!(did_you_mean("quitt", verbs), Some("QUIT"));
        assert_eq!(did_you_mean("BANANA", verbs), None);
    }
}
