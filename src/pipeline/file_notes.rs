//! What reading a file noted about the file as a whole (the text reader stopped after
//! 200,000 lines, an encoding was guessed, a capture was cut short) becomes a finding on the
//! grade of a session from that file, so every report format shows it. Applied after replay,
//! which replaces grades.

use std::path::Path;

use super::outcome::SubmissionOutcome;
use crate::grade::{Evidence, Finding, FindingSeverity, MAX_FINDINGS_PER_CHECK};
use crate::i18n::messages::replay::{FileNoteMessage, NoteKindGloss};
use crate::session::{Note, NoteKind};

const CHECK: &str = "file-read";

/// Moves the submission's file notes onto its grades: each file's onto the first grade of a
/// session read from it (else the submission's first grade), at most
/// [`MAX_FINDINGS_PER_CHECK`] per file and the rest counted.
pub fn attach(submission: &mut SubmissionOutcome) {
    let notes = std::mem::take(&mut submission.file_notes);
    if submission.grades.is_empty() {
        submission.file_notes = notes;
        return;
    }
    let mut files: Vec<(&Path, Vec<&Note>, usize)> = Vec::new();
    for (file, note) in &notes {
        let at = match files.iter().position(|(f, _, _)| *f == file.as_path()) {
            Some(at) => at,
            None => {
                files.push((file, Vec::new(), 0));
                files.len() - 1
            }
        };
        let (_, kept, more) = &mut files[at];
        if kept.len() < MAX_FINDINGS_PER_CHECK {
            kept.push(note);
        } else {
            *more += 1;
        }
    }
    for (file, kept, more) in files {
        let grade = submission
            .grades
            .iter()
            .position(|g| {
                g.session
                    .as_ref()
                    .and_then(|s| submission.sessions.get(s.index))
                    .is_some_and(|s| s.source.path == file)
            })
            .unwrap_or(0);
        let findings = &mut submission.grades[grade].findings;
        findings.extend(kept.into_iter().map(|note| finding(file, note)));
        if more > 0 {
            findings.push(Finding {
                check: CHECK,
                severity: FindingSeverity::Info,
                message: FileNoteMessage::MoreNotes {
                    file: file.display().to_string(),
                    more,
                }
                .text(),
                evidence: None,
            });
        }
    }
}

fn finding(file: &Path, note: &Note) -> Finding {
    let (severity, kind) = match note.kind {
        NoteKind::Truncated => (FindingSeverity::Warning, NoteKindGloss::Truncated),
        NoteKind::Gap => (FindingSeverity::Warning, NoteKindGloss::Gap),
        NoteKind::Decoding => (FindingSeverity::Info, NoteKindGloss::Decoding),
        NoteKind::DirectionInferred => (FindingSeverity::Info, NoteKindGloss::DirectionInferred),
        NoteKind::Paired => (FindingSeverity::Info, NoteKindGloss::Paired),
        NoteKind::Encrypted => (FindingSeverity::Info, NoteKindGloss::Encrypted),
        NoteKind::Unrecognised => (FindingSeverity::Info, NoteKindGloss::Unrecognised),
    };
    Finding {
        check: CHECK,
        severity,
        message: FileNoteMessage::Note {
            file: file.display().to_string(),
            detail: note.detail.clone(),
            kind,
        }
        .text(),
        evidence: Some(Evidence {
            source: file.into(),
            origin: note.origin,
            exchange: Default::default(),
        }),
    }
}
