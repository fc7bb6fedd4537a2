//! Entries of a class (zip or folder) grouped into one set of files per student.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use super::names::parse_entry;
use super::zipped::{is_zip, read_zip};
use super::{folder, Limits};
use crate::i18n::messages::ingest::{IngestHint, IngestProblem};
use crate::i18n::Text;
use crate::ingest::IngestError;

/// One file of a class as read, or why it was not.
#[derive(Debug)]
pub(super) struct RawEntry {
    /// Path components inside the class.
    parts: Vec<String>,
    /// How reports name it: `class.zip/Li Wei_1_assignsubmission_file_/lab.md`.
    shown: PathBuf,
    data: Result<Vec<u8>, Text>,
}

impl RawEntry {
    pub(super) fn file(parts: Vec<String>, shown: PathBuf, bytes: Vec<u8>) -> Self {
        RawEntry {
            parts,
            shown,
            data: Ok(bytes),
        }
    }

    pub(super) fn refused(parts: Vec<String>, shown: PathBuf, why: Text) -> Self {
        RawEntry {
            parts,
            shown,
            data: Err(why),
        }
    }
}

/// All the files of one student, in memory, in path order.
#[derive(Debug, Default)]
pub struct StudentFiles {
    /// What names the student in the class: Moodle's participant number, Canvas's user id,
    /// or the folder / file stem.
    pub key: String,
    /// The name the LMS wrote, when it wrote one.
    pub name: Option<String>,
    /// The LMS whose naming the files follow (so `key` is its id), if any.
    pub lms: Option<super::names::Lms>,
    /// The LMS marked a file of the student's late (Canvas's `_late` in the name).
    pub late: bool,
    pub files: Vec<(PathBuf, Vec<u8>)>,
    pub problems: Vec<StudentProblem>,
}

/// A file of a student's that was refused (unsafe name, bomb, link, nested archive…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentProblem {
    pub file: PathBuf,
    pub message: Text,
    pub hint: Option<Text>,
}

/// Something in the class that belongs to no student (an entry named `../x`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassWarning {
    pub file: PathBuf,
    pub message: Text,
}

#[derive(Debug, Default)]
pub struct ClassRead {
    /// Sorted by key.
    pub students: Vec<StudentFiles>,
    pub warnings: Vec<ClassWarning>,
}

/// Reads a class: a zip (by content, whatever its name) or a folder. `Err` only when the
/// class itself cannot be opened; everything wrong inside it is a problem or a warning.
pub fn read_class(path: &Path, limits: &Limits) -> Result<ClassRead, IngestError> {
    let io = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut budget = limits.max_total_bytes;
    let entries = if path.is_dir() {
        folder::read_folder(path, limits, &mut budget).map_err(io)?
    } else {
        let file = std::fs::File::open(path).map_err(io)?;
        read_zip(std::io::BufReader::new(file), path, limits, &mut budget).map_err(|message| {
            IngestError::Invalid {
                path: path.to_path_buf(),
                place: None,
                message,
                hint: Some(IngestHint::ClassZip),
            }
        })?
    };
    let mut class = group(strip_wrapper(entries));
    for student in &mut class.students {
        open_nested(student, limits, &mut budget);
    }
    Ok(class)
}

/// A zip whose entries all sit in one folder that is not a student's (`submissions/…`) is
/// read as if that folder were the top.
fn strip_wrapper(mut entries: Vec<RawEntry>) -> Vec<RawEntry> {
    loop {
        let Some(first) = entries.first().and_then(|e| e.parts.first()).cloned() else {
            return entries;
        };
        let wrapped = entries
            .iter()
            .all(|e| e.parts.len() > 2 && e.parts[0] == first);
        if !wrapped || parse_entry(&first).is_some() {
            return entries;
        }
        for entry in &mut entries {
            entry.parts.remove(0);
        }
    }
}

fn group(entries: Vec<RawEntry>) -> ClassRead {
    let mut students: BTreeMap<String, StudentFiles> = BTreeMap::new();
    let mut warnings = Vec::new();
    for entry in entries {
        let Some(top) = entry.parts.first().filter(|p| *p != "..") else {
            warnings.push(ClassWarning {
                file: entry.shown,
                message: entry
                    .data
                    .err()
                    .unwrap_or_else(|| IngestProblem::BelongsToNoStudent.text()),
            });
            continue;
        };
        let (key, name, lms, late) = match parse_entry(top) {
            Some(lms) => (lms.key, Some(lms.name), Some(lms.lms), lms.late),
            None if entry.parts.len() == 1 => (stem(top), None, None, false),
            None => (top.clone(), None, None, false),
        };
        let student = students.entry(key.clone()).or_insert_with(|| StudentFiles {
            key,
            name: None,
            lms,
            ..StudentFiles::default()
        });
        if student.name.is_none() {
            student.name = name;
        }
        student.late |= late;
        match entry.data {
            Ok(bytes) => student.files.push((entry.shown, bytes)),
            Err(message) => student.problems.push(StudentProblem {
                file: entry.shown,
                message,
                hint: None,
            }),
        }
    }
    let mut students: Vec<StudentFiles> = students.into_values().collect();
    for student in &mut students {
        student.files.sort_by(|a, b| a.0.cmp(&b.0));
    }
    ClassRead { students, warnings }
}

/// A loose file's student key: its name without the extension.
fn stem(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

/// A zip a student handed in is read one level deep, in memory; a zip inside that, or
/// another archive format, is a problem.
fn open_nested(student: &mut StudentFiles, limits: &Limits, budget: &mut u64) {
    let files = std::mem::take(&mut student.files);
    let (files, problems) = open_student_zips(files, limits, budget);
    student.files = files;
    student.problems.extend(problems);
}

/// One student's files with each `.zip` among them opened in memory (one level: a zip in
/// there, or another archive format, is a problem), within `limits` and what is left of
/// `budget`; in path order. Office documents are zips too: only a file named `.zip` is
/// opened.
pub fn open_student_zips(
    files: Vec<(PathBuf, Vec<u8>)>,
    limits: &Limits,
    budget: &mut u64,
) -> (Vec<(PathBuf, Vec<u8>)>, Vec<StudentProblem>) {
    let mut kept = Vec::new();
    let mut problems = Vec::new();
    let refuse = |file: PathBuf, message: Text, hint: Option<Text>| StudentProblem {
        file,
        message,
        hint,
    };
    for (shown, bytes) in files {
        if other_archive(&shown) {
            problems.push(refuse(
                shown,
                IngestProblem::OtherArchive.text(),
                Some(IngestHint::HandInFiles.text()),
            ));
            continue;
        }
        if !is_zip(&bytes) || !has_zip_name(&shown) {
            kept.push((shown, bytes));
            continue;
        }
        match read_zip(Cursor::new(bytes), &shown, limits, budget) {
            Err(message) => problems.push(refuse(shown, message, None)),
            Ok(inner) => {
                for entry in inner {
                    match entry.data {
                        Ok(bytes) if is_zip(&bytes) && has_zip_name(&entry.shown) => {
                            problems.push(refuse(
                                entry.shown,
                                IngestProblem::ZipInZip.text(),
                                Some(IngestHint::HandInFiles.text()),
                            ))
                        }
                        Ok(bytes) => kept.push((entry.shown, bytes)),
                        Err(message) => problems.push(refuse(entry.shown, message, None)),
                    }
                }
            }
        }
    }
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    (kept, problems)
}

/// Whether a file is named as a zip archive.
pub fn has_zip_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn other_archive(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    [
        ".rar", ".7z", ".tar", ".tar.gz", ".tgz", ".gz", ".bz2", ".xz",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
}
