//! A grade's losses and findings as [`Diagnostic`]s, so the CLI can show them against the
//! submitted file like compiler errors (one renderer for everything).

use super::evidence::skeleton_in;
use super::model::{Evidence, FindingSeverity, Grade, Status};
use super::CheckKind;
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::i18n::messages::grade::{DiagnosticKind, DiagnosticStatus, DiagnosticText};
use crate::i18n::Lang;
use crate::session::Origin;

fn status_word(status: Status) -> DiagnosticStatus {
    match status {
        Status::Passed => DiagnosticStatus::Passed,
        Status::WrongReply => DiagnosticStatus::WrongReply,
        Status::WrongArguments => DiagnosticStatus::WrongArguments,
        Status::Missing => DiagnosticStatus::Missing,
        Status::OutOfOrder => DiagnosticStatus::OutOfOrder,
        Status::Skipped => DiagnosticStatus::Skipped,
        Status::Failed => DiagnosticStatus::Failed,
        Status::NotChecked => DiagnosticStatus::NotChecked,
        Status::Unexpected => DiagnosticStatus::NotAllowed,
    }
}

fn kind_word(kind: CheckKind) -> DiagnosticKind {
    match kind {
        CheckKind::Step => DiagnosticKind::Step,
        CheckKind::Content => DiagnosticKind::Content,
        CheckKind::Forbidden => DiagnosticKind::Forbidden,
        CheckKind::Order => DiagnosticKind::Order,
        CheckKind::Extra => DiagnosticKind::Extra,
        CheckKind::Tls => DiagnosticKind::Tls,
    }
}

/// Points the diagnostic at the evidence: a text line gets carets, a capture frame a note.
fn locate(mut diagnostic: Diagnostic, evidence: Option<&Evidence>, lang: Lang) -> Diagnostic {
    let Some(evidence) = evidence else {
        return diagnostic;
    };
    let exchange = skeleton_in(&evidence.exchange, lang);
    match evidence.origin {
        Origin::Line { line, column } => {
            diagnostic.span = Some(Span::rest_of_line(line, column));
            diagnostic.label = exchange;
            diagnostic
        }
        origin => diagnostic.with_note(
            DiagnosticText::At {
                origin: origin.text(),
                exchange,
            }
            .render(lang),
        ),
    }
}

impl Grade {
    /// Every check that lost points or failed, then every finding, in `lang`. Render them
    /// against the session's source file with [`crate::diagnostic::render`].
    pub fn diagnostics(&self, lang: Lang) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for check in &self.checks {
            if check.status.is_ok() && check.points == check.max_points {
                continue;
            }
            let title = DiagnosticText::CheckTitle {
                kind: kind_word(check.kind),
                id: check.id.to_string(),
                name: skeleton_in(check.name_in(lang), lang),
                status: status_word(check.status),
                points: check.points,
                max: check.max_points,
            }
            .render(lang);
            let mut diagnostic =
                Diagnostic::error(title).with_code(check.rule.unwrap_or(&check.id).to_string());
            if let Some(feedback) = &check.feedback {
                diagnostic = diagnostic.with_help(feedback.get(lang));
            }
            out.push(locate(diagnostic, check.evidence.as_ref(), lang));
        }
        for finding in &self.findings {
            let severity = match finding.severity {
                FindingSeverity::Error => Severity::Error,
                FindingSeverity::Warning => Severity::Warning,
                FindingSeverity::Info => Severity::Note,
            };
            let diagnostic =
                Diagnostic::new(severity, finding.message.get(lang)).with_code(finding.check);
            out.push(locate(diagnostic, finding.evidence.as_ref(), lang));
        }
        out
    }
}
