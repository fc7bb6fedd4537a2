//! A grade's losses and findings as [`Diagnostic`]s, so the CLI can show them against the
//! submitted file like compiler errors (one renderer for everything).

use super::model::{Evidence, FindingSeverity, Grade, Status};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::i18n::Lang;
use crate::session::Origin;

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::WrongReply => "wrong reply",
        Status::WrongArguments => "wrong arguments",
        Status::Missing => "missing",
        Status::OutOfOrder => "out of order",
        Status::Skipped => "skipped",
        Status::Failed => "failed",
        Status::NotChecked => "not checked",
        Status::Unexpected => "not allowed",
    }
}

/// Points the diagnostic at the evidence: a text line gets carets, a capture frame a note.
fn locate(mut diagnostic: Diagnostic, evidence: Option<&Evidence>) -> Diagnostic {
    let Some(evidence) = evidence else {
        return diagnostic;
    };
    match evidence.origin {
        Origin::Line { line, column } => {
            diagnostic.span = Some(Span::rest_of_line(line, column));
            diagnostic.label = evidence.exchange.clone();
            diagnostic
        }
        origin => diagnostic.with_note(format!("at {origin}: {}", evidence.exchange)),
    }
}

impl Grade {
    /// Every check that lost points or failed, then every finding, in `lang`. Render them against the session's source file with
    /// [`crate::diagnostic::render`].
    pub fn diagnostics(&self, lang: Lang) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for check in &self.checks {
            if check.status.is_ok() && check.points == check.max_points {
                continue;
            }
            let title = format!(
                "{} `{}` ({}): {}, {}/{} points",
                match check.kind {
                    super::CheckKind::Step => "step",
                    super::CheckKind::Content => "content check",
                    super::CheckKind::Forbidden => "forbidden",
                    super::CheckKind::Order => "order rule",
                    super::CheckKind::Extra => "extra",
                    super::CheckKind::Tls => "tls check",
                },
                check.id,
                check.name,
                status_word(check.status),
                check.points,
                check.max_points
            );
            let mut diagnostic = Diagnostic::error(title)
                .with_code(check.rule.unwrap_or(check.id.as_str()).to_string());
            if let Some(feedback) = &check.feedback {
                diagnostic = diagnostic.with_help(feedback.get(lang));
            }
            out.push(locate(diagnostic, check.evidence.as_ref()));
        }
        for finding in &self.findings {
            let severity = match finding.severity {
                FindingSeverity::Error => Severity::Error,
                FindingSeverity::Warning => Severity::Warning,
                FindingSeverity::Info => Severity::Note,
            };
            let diagnostic =
                Diagnostic::new(severity, finding.message.get(lang)).with_code(finding.check);
            out.push(locate(diagnostic, finding.evidence.as_ref()));
        }
        out
    }
}
