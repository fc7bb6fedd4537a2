//! What the pipeline hands to the renderers: each submission's files, sessions, grades and
//! its one [`SubmissionGrade`].

use std::path::PathBuf;

use serde::Serialize;

use super::submission::SubmissionGrade;
use crate::grade::Grade;
use crate::i18n::{Lang, Text};
use crate::session::Session;

/// Everything one run found and decided: the input of every renderer.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Which server's replies the grades rest on: `none` (claimed replies), `embedded`, …
    pub server: String,
    pub submissions: Vec<SubmissionOutcome>,
}

/// One student's files, what was read from them and how it was graded.
#[derive(Debug, Default)]
pub struct SubmissionOutcome {
    /// The student id, or the path when there is none.
    pub id: String,
    pub files: Vec<PathBuf>,
    /// The SHA-256 of each input file that could be read, for reports that record provenance.
    pub hashes: Vec<InputHash>,
    pub sessions: Vec<Session>,
    /// The replay server's version of a session, by the index of the claimed one: the
    /// student's commands with the replies a real server gave. Grades rest on these.
    pub replayed: std::collections::BTreeMap<usize, Session>,
    /// One per graded session, plus an ungradable one per requested scenario no session fits.
    pub grades: Vec<Grade>,
    /// The submission's grade, decided once from `grades` by [`SubmissionGrade::decide`]:
    /// what every renderer, `merge` and the exit code read.
    pub grade: SubmissionGrade,
    pub problems: Vec<Problem>,
    /// What reading each file noted about the file as a whole (cut off after too many
    /// lines, an encoding guessed, frames skipped), for the grades to report.
    pub file_notes: Vec<(PathBuf, crate::session::Note)>,
    /// The headings of each report read, so that a lab can tie its dialogues to tasks.
    pub outlines: Vec<(PathBuf, Vec<crate::ingest::Heading>)>,
    /// Who the student is, as far as the class download and the roster say.
    pub student: Option<Student>,
}

/// A student of a class: what LMS exports match rows by.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Student {
    /// The name, from the roster or else as the LMS wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Canvas's numeric user id (from a Canvas file name, or the roster's `lms_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canvas_id: Option<String>,
    /// The roster's student id (Canvas's SIS User ID), when a roster was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sis_id: Option<String>,
    /// The LMS marked the submission late (a Canvas `_late` file name, or the roster's
    /// `late` column): a lab's late policy applies.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

impl SubmissionOutcome {
    /// Adds another part of the same submission (a second file the student named), before
    /// its grade is decided.
    pub fn merge(&mut self, other: SubmissionOutcome) {
        let offset = self.sessions.len();
        self.files.extend(other.files);
        self.hashes.extend(other.hashes);
        self.sessions.extend(other.sessions);
        self.replayed.extend(
            other
                .replayed
                .into_iter()
                .map(|(index, session)| (index + offset, session)),
        );
        self.problems.extend(other.problems);
        self.file_notes.extend(other.file_notes);
        self.outlines.extend(other.outlines);
        self.grades
            .extend(other.grades.into_iter().map(|mut grade| {
                if let Some(session) = &mut grade.session {
                    session.index += offset;
                }
                grade
            }));
    }

    /// The session a grade's replies come from: the replayed one when there is one.
    pub fn graded_session(&self, index: usize) -> Option<&Session> {
        self.replayed
            .get(&index)
            .or_else(|| self.sessions.get(index))
    }
}

/// A submission whose sessions come one at a time while its files are still being read
/// (`pipeline::stream`), for the reports written that way.
pub trait SubmissionStream {
    fn id(&self) -> &str;
    fn files(&self) -> &[PathBuf];
    fn grade(&self) -> SubmissionGrade;
    /// The problems known before the sessions (a directory read whole: all of them); a file
    /// being read has its problems in [`SubmissionStream::finish`].
    fn problems_first(&mut self) -> Vec<Problem>;
    /// The next session, `None` after the last.
    fn next_session(&mut self) -> Option<Session>;
    /// A session the report is done with, given back to be dropped where it costs the
    /// writer nothing (by default, here).
    fn give_back(&mut self, session: Session) {
        drop(session);
    }
    /// After the last session: the rest of the submission, without its sessions.
    fn finish(self: Box<Self>) -> SubmissionOutcome;
}

/// A file, or a place in it, that could not be used. Its texts are in both languages;
/// reports pick the run's `--lang`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub place: Option<Text>,
    pub message: Text,
    pub hint: Option<Text>,
}

impl Problem {
    /// A problem with a whole file, no place in it.
    pub fn new(file: impl Into<PathBuf>, message: Text, hint: Option<Text>) -> Self {
        Problem {
            file: file.into(),
            place: None,
            message,
            hint,
        }
    }

    /// `file, place: message` in `lang` — the hint is for the renderer to place.
    pub fn line_in(&self, lang: Lang) -> String {
        let place = self
            .place
            .as_ref()
            .map(|p| format!(", {}", p.get(lang)))
            .unwrap_or_default();
        format!("{}{place}: {}", self.file.display(), self.message.get(lang))
    }
}

/// JSON schema v1 keeps `place`, `message` and `hint` as English strings (consumers read
/// them so); `*_text` beside them hold both languages, like a finding's `message`.
impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            file: &'a PathBuf,
            #[serde(skip_serializing_if = "Option::is_none")]
            place: Option<&'a str>,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            hint: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            place_text: Option<&'a Text>,
            message_text: &'a Text,
            #[serde(skip_serializing_if = "Option::is_none")]
            hint_text: Option<&'a Text>,
        }
        View {
            file: &self.file,
            place: self.place.as_ref().map(|p| p.en.as_str()),
            message: &self.message.en,
            hint: self.hint.as_ref().map(|h| h.en.as_str()),
            place_text: self.place.as_ref(),
            message_text: &self.message,
            hint_text: self.hint.as_ref(),
        }
        .serialize(serializer)
    }
}

/// The SHA-256 of one input file, as lowercase hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputHash {
    pub file: PathBuf,
    pub sha256: String,
}

impl std::fmt::Display for Problem {
    /// `file, place: message` in English — the hint is for the renderer to place.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.line_in(Lang::En))
    }
}
