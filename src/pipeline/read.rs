//! Step 1 of grading a submission: its files read into sessions, what could not be used as
//! problems.

use std::path::{Path, PathBuf};

use super::outcome::{InputHash, Problem, SubmissionOutcome};
use crate::i18n::messages::ingest::IngestProblem;
use crate::ingest::archive::{self, Limits};
use crate::ingest::{self, CaptureStages, IngestError};
use crate::session::Session;

/// What one submission is made of before it is read.
pub enum Unit {
    /// Paths graded as one submission (a file, or a directory of one student's files).
    Paths(Vec<PathBuf>),
    /// One path the roster knows (by its file or folder name): graded as [`Unit::Paths`],
    /// the student's name and id from the roster.
    Known {
        path: PathBuf,
        who: super::outcome::Student,
    },
    /// A student of a class, files in memory.
    Student {
        id: String,
        /// The class it came from, named in problems.
        class: PathBuf,
        files: Vec<(PathBuf, Vec<u8>)>,
        problems: Vec<Problem>,
        /// What the class download and the roster say about the student.
        who: super::outcome::Student,
    },
}

impl Unit {
    /// The student id, or the first path.
    pub fn id(&self) -> String {
        match self {
            Unit::Paths(paths) => paths
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            Unit::Known { path, .. } => path.display().to_string(),
            Unit::Student { id, .. } => id.clone(),
        }
    }
}

/// Reads one submission: a file, or every file below a directory.
pub fn read_submission(path: &Path) -> SubmissionOutcome {
    read(path, true)
}

/// [`read_submission`] without the files' SHA-256 (`hashes` stays empty): for `extract`,
/// whose reports show none, as hashing a large capture costs as much as reading it.
pub fn read_submission_unhashed(path: &Path) -> SubmissionOutcome {
    read(path, false)
}

fn read(path: &Path, hash: bool) -> SubmissionOutcome {
    each_file(
        path,
        hash,
        |submission, used, file| match ingest::read_file(file) {
            Ok(read) => keep(submission, used, file, read),
            Err(error) => submission.problems.push(problem(error)),
        },
    )
}

/// Like [`read_submission`] (with `hash`) or [`read_submission_unhashed`], handing each
/// session to `sink` as it is read, within the submission's budget of message bytes; the
/// outcome returned holds the rest (files, notes, problems) and no sessions. A capture's
/// sessions go as each ends, so memory follows the sessions open at once. Meant for one
/// file: the sessions of a student's own `.zip` are handed on once every file is read.
/// `stages` says whether a capture's reading may take a second thread.
pub fn read_each(
    path: &Path,
    hash: bool,
    stages: CaptureStages,
    sink: &mut dyn FnMut(Session),
) -> SubmissionOutcome {
    let mut submission = each_file(path, hash, |submission, used, file| {
        let mut charge = super::content_budget::Charge::new(used);
        let read = ingest::read_file_each(file, stages, &mut |mut session| {
            charge.session(&mut session);
            sink(session);
        });
        let over = charge.note();
        match read {
            Ok(read) => keep_notes(submission, file, read, over),
            Err(error) => submission.problems.push(problem(error)),
        }
    });
    for session in std::mem::take(&mut submission.sessions) {
        sink(session);
    }
    submission
}

/// The files below `path`, each hashed (with `hash`) and given to `read_one` with the
/// message bytes used so far, in order; a student's own `.zip` is opened here.
fn each_file(
    path: &Path,
    hash: bool,
    mut read_one: impl FnMut(&mut SubmissionOutcome, &mut u64, &Path),
) -> SubmissionOutcome {
    let mut submission = SubmissionOutcome {
        id: path.display().to_string(),
        ..Default::default()
    };
    let files = match files_below(path) {
        Ok(files) => files,
        Err(source) => {
            submission.problems.push(problem(IngestError::Io {
                path: path.to_path_buf(),
                source,
            }));
            return submission;
        }
    };
    let mut used = 0;
    let limits = Limits::default();
    let mut budget = limits.max_total_bytes;
    for file in files {
        if let Some(Ok(sha256)) = hash.then(|| sha256_of(&file)) {
            submission.hashes.push(InputHash {
                file: file.clone(),
                sha256,
            });
        }
        if archive::has_zip_name(&file) {
            read_own_zip(&mut submission, &mut used, &file, &limits, &mut budget);
            continue;
        }
        read_one(&mut submission, &mut used, &file);
        submission.files.push(file);
    }
    submission
}

/// A student's own `.zip` in a submission folder (Gradescope, Autolab and PrairieLearn hand
/// over the folder as the student uploaded it): its entries are read as the student's files,
/// in memory, one level deep and within the limits a class zip has (size, ratio, entries,
/// total). A file named `.zip` that is no zip is read like any other file.
fn read_own_zip(
    submission: &mut SubmissionOutcome,
    used: &mut u64,
    file: &Path,
    limits: &Limits,
    budget: &mut u64,
) {
    let size = std::fs::metadata(file).map(|m| m.len());
    let bytes = match size {
        Ok(size) if size > limits.max_file_bytes.min(*budget) => {
            submission.problems.push(Problem::new(
                file,
                IngestProblem::EntryTooBig {
                    size,
                    max: limits.max_file_bytes.min(*budget),
                }
                .text(),
                None,
            ));
            submission.files.push(file.to_path_buf());
            return;
        }
        Ok(_) => std::fs::read(file),
        Err(error) => Err(error),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(source) => {
            submission.problems.push(problem(IngestError::Io {
                path: file.to_path_buf(),
                source,
            }));
            submission.files.push(file.to_path_buf());
            return;
        }
    };
    let (files, refused) =
        archive::open_student_zips(vec![(file.to_path_buf(), bytes)], limits, budget);
    submission.problems.extend(
        refused
            .into_iter()
            .map(|p| Problem::new(p.file, p.message, p.hint)),
    );
    for (inner, bytes) in files {
        match ingest::read_bytes(&inner, &bytes) {
            Ok(read) => keep(submission, used, &inner, read),
            Err(error) => submission.problems.push(problem(error)),
        }
        submission.files.push(inner);
    }
}

/// A file's sessions, within the submission's budget of message bytes (`used` so far), and
/// its notes about the file as a whole (reported with the grades).
fn keep(submission: &mut SubmissionOutcome, used: &mut u64, file: &Path, read: ingest::FileRead) {
    let mut read = read;
    let mut sessions = std::mem::take(&mut read.sessions);
    let over = super::content_budget::keep_within(&mut sessions, used);
    submission.sessions.extend(sessions);
    keep_notes(submission, file, read, over);
}

/// A file's outline and notes, the budget's note (`over`) last.
fn keep_notes(
    submission: &mut SubmissionOutcome,
    file: &Path,
    read: ingest::FileRead,
    over: Option<crate::session::Note>,
) {
    if !read.outline.is_empty() {
        submission.outlines.push((file.to_path_buf(), read.outline));
    }
    submission.file_notes.extend(
        read.notes
            .into_iter()
            .chain(over)
            .map(|note| (file.to_path_buf(), note)),
    );
}

pub fn problem(error: IngestError) -> Problem {
    let hint = error.hint();
    match error {
        IngestError::Io { path, source } => Problem::new(
            path,
            IngestProblem::ReadFailed {
                error: source.to_string(),
            }
            .text(),
            hint,
        ),
        IngestError::Invalid {
            path,
            place,
            message,
            ..
        } => Problem {
            file: path,
            place: place.map(|p| *p),
            message,
            hint,
        },
        IngestError::NothingFound { path, reason, .. } => {
            Problem::new(path, IngestProblem::NothingFound { reason }.text(), hint)
        }
    }
}

/// The files of a submission in a stable order; hidden files are skipped.
fn files_below(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The SHA-256 of a file as lowercase hex, read in pieces (captures can be large).
fn sha256_of(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// Reads one student of a class from the files already in memory: every file's sessions
/// together, refused files as problems.
pub fn read_student(
    id: String,
    files: Vec<(PathBuf, Vec<u8>)>,
    refused: Vec<Problem>,
    who: super::outcome::Student,
) -> SubmissionOutcome {
    use sha2::{Digest, Sha256};
    let mut submission = SubmissionOutcome {
        id,
        problems: refused,
        student: Some(who),
        ..Default::default()
    };
    let mut used = 0;
    for (file, bytes) in files {
        submission.hashes.push(InputHash {
            file: file.clone(),
            sha256: format!("{:x}", Sha256::digest(&bytes)),
        });
        match ingest::read_bytes(&file, &bytes) {
            Ok(read) => keep(&mut submission, &mut used, &file, read),
            Err(error) => submission.problems.push(problem(error)),
        }
        submission.files.push(file);
    }
    submission
}
