//! What reading a file noted about the file as a whole (the text reader stopped after
//! 200,000 lines, an encoding was guessed, a capture was cut short) becomes a finding on the
//! grade of a session from that file, so every report format shows it. Applied after replay,
//! which replaces grades.

use std::path::Path;

use super::outcome::SubmissionOutcome;
use crate::grade::{Evidence, Finding, FindingSeverity, MAX_FINDINGS_PER_CHECK};
use crate::scenario::Text;
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
                message: Text::new(
                    format!(
                        "Reading {}: {more} more notes about the file, not listed one by one.",
                        file.display()
                    ),
                    format!(
                        "读取 {} 时：另有 {more} 条关于该文件的说明，未逐一列出。",
                        file.display()
                    ),
                ),
                evidence: None,
            });
        }
    }
}

fn finding(file: &Path, note: &Note) -> Finding {
    let (severity, zh) = match note.kind {
        NoteKind::Truncated => (FindingSeverity::Warning, "文件只读取了一部分"),
        NoteKind::Gap => (FindingSeverity::Warning, "内容有缺失"),
        NoteKind::Decoding => (FindingSeverity::Info, "文件的读取方式是推测的"),
        NoteKind::DirectionInferred => (FindingSeverity::Info, "对话方向是推测的"),
        NoteKind::Paired => (FindingSeverity::Info, "回复按协议而非行序与命令配对"),
        NoteKind::Encrypted => (FindingSeverity::Info, "之后的内容已加密"),
        NoteKind::Unrecognised => (FindingSeverity::Info, "有无法识别的内容"),
    };
    Finding {
        check: CHECK,
        severity,
        message: Text::new(
            format!("Reading {}: {}.", file.display(), note.detail),
            format!("读取 {} 时：{zh}（{}）。", file.display(), note.detail),
        ),
        evidence: Some(Evidence {
            source: file.to_path_buf(),
            origin: note.origin,
            exchange: String::new(),
        }),
    }
}
