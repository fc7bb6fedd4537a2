//! Paths → units of grading: a file or a student's folder is one submission; a class (zip,
//! LMS folder, or any folder with `--class`) is one per student.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::PipelineError;
use super::outcome::Problem;
use super::outcome::Student;
use super::read::Unit;
use crate::i18n::messages::pipeline::{PipelineHint, PipelineProblem};
use crate::i18n::Text;
use crate::ingest::archive::{self, Limits, Lms, Roster};

/// The rule: a file named `.zip` is a class; so is a folder with a Moodle-named entry
/// (`…_assignsubmission_…`), or whose entries are all Canvas-named files of at least two
/// students; with `--class` any folder is. Any other file is one submission.
pub fn is_class(path: &Path, forced: bool) -> bool {
    if !path.is_dir() {
        return archive::has_zip_name(path);
    }
    if forced {
        return true;
    }
    let Ok(children) = std::fs::read_dir(path) else {
        return false;
    };
    let names: Vec<String> = children
        .flatten()
        .map(|c| c.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    let parsed: Vec<Option<archive::EntryName>> =
        names.iter().map(|n| archive::parse_entry(n)).collect();
    if parsed
        .iter()
        .flatten()
        .any(|e| e.lms == archive::Lms::Moodle)
    {
        return true;
    }
    // Canvas's names are less distinctive (`a_1_2_b.txt` fits): all of them, two students.
    let keys: std::collections::BTreeSet<&str> =
        parsed.iter().flatten().map(|e| e.key.as_str()).collect();
    !parsed.is_empty() && parsed.iter().all(Option::is_some) && keys.len() > 1
}

/// What the paths name: the units, and warnings about class entries that belong to no
/// student (for the caller to show: the entry, and why, in both languages).
pub struct Units {
    pub units: Vec<Unit>,
    pub warnings: Vec<(PathBuf, Text)>,
    /// Whether any path was a class: then results are sorted by student id.
    pub class: bool,
}

pub fn units(
    paths: &[PathBuf],
    forced: bool,
    roster: Option<&Roster>,
) -> Result<Units, PipelineError> {
    let mut singles = Vec::new();
    let mut students: BTreeMap<String, Unit> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut class = false;
    for path in paths {
        if !is_class(path, forced) {
            singles.push(single(path, roster));
            continue;
        }
        class = true;
        let read = archive::read_class(path, &Limits::default())
            .map_err(|e| PipelineError::Class(Box::new(e)))?;
        if read.students.is_empty() && roster.is_none() {
            return Err(PipelineError::EmptyClass(path.clone()));
        }
        warnings.extend(read.warnings.into_iter().map(|w| (w.file, w.message)));
        for student in read.students {
            let mut problems: Vec<Problem> = student
                .problems
                .into_iter()
                .map(|p| Problem::new(p.file, p.message, p.hint))
                .collect();
            let canvas = student.lms == Some(Lms::Canvas);
            let mut who = Student {
                name: student.name.clone().filter(|n| n != "Participant"),
                canvas_id: canvas.then(|| student.key.clone()),
                sis_id: None,
                late: student.late,
            };
            let id = match roster {
                None => student.key,
                Some(roster) => match roster.find(&student.key, student.name.as_deref()) {
                    Some(row) => {
                        if !row.name.is_empty() {
                            who.name = Some(row.name.clone());
                        }
                        if who.canvas_id.is_none()
                            && student.lms != Some(Lms::Moodle)
                            && !row.lms_id.is_empty()
                        {
                            who.canvas_id = Some(row.lms_id.clone());
                        }
                        who.sis_id = Some(row.id.clone());
                        who.late |= row.late;
                        row.id.clone()
                    }
                    None => {
                        let key = student.key.clone();
                        let message = match student.name {
                            Some(name) => PipelineProblem::NamedNotInRoster { key, name },
                            None => PipelineProblem::NotInRoster { key },
                        };
                        problems.push(Problem::new(
                            path.clone(),
                            message.text(),
                            Some(PipelineHint::AddToRoster.text()),
                        ));
                        student.key
                    }
                },
            };
            add_student(&mut students, id, path, student.files, problems, who);
        }
    }
    if let Some(roster) = roster.filter(|_| class) {
        for row in &roster.rows {
            students
                .entry(row.id.clone())
                .or_insert_with(|| Unit::Student {
                    id: row.id.clone(),
                    class: PathBuf::from(&row.id),
                    files: Vec::new(),
                    who: Student {
                        name: (!row.name.is_empty()).then(|| row.name.clone()),
                        canvas_id: (!row.lms_id.is_empty()).then(|| row.lms_id.clone()),
                        sis_id: Some(row.id.clone()),
                        late: row.late,
                    },
                    problems: vec![Problem::new(
                        PathBuf::from(&row.id),
                        PipelineProblem::NothingHandedIn.text(),
                        None,
                    )],
                });
        }
    }
    let mut units = singles;
    units.extend(students.into_values());
    if class {
        units.sort_by_key(Unit::id);
    }
    Ok(Units {
        units,
        warnings,
        class,
    })
}

/// A path graded on its own; with a roster that knows it by its name (an LMS-named file,
/// a file or folder named by the student id or LMS id), with the student's name and id.
fn single(path: &Path, roster: Option<&Roster>) -> Unit {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lms = archive::parse_entry(&name);
    let key = match &lms {
        Some(entry) => entry.key.clone(),
        None if path.is_dir() => name.clone(),
        None => name.split('.').next().unwrap_or_default().to_string(),
    };
    let lms_name = lms.as_ref().map(|e| e.name.as_str());
    match roster.and_then(|roster| roster.find(&key, lms_name)) {
        Some(row) => Unit::Known {
            path: path.to_path_buf(),
            who: Student {
                name: (!row.name.is_empty()).then(|| row.name.clone()),
                canvas_id: (!row.lms_id.is_empty()).then(|| row.lms_id.clone()),
                sis_id: Some(row.id.clone()),
                late: row.late || lms.is_some_and(|e| e.late),
            },
        },
        None => Unit::Paths(vec![path.to_path_buf()]),
    }
}

/// Adds a student's files; a student found twice (two zips, or a roster mapping two LMS
/// names to one id) gets all of them.
fn add_student(
    students: &mut BTreeMap<String, Unit>,
    id: String,
    class: &Path,
    files: Vec<(PathBuf, Vec<u8>)>,
    problems: Vec<Problem>,
    who: Student,
) {
    match students.get_mut(&id) {
        Some(Unit::Student {
            files: have,
            problems: had,
            who: known,
            ..
        }) => {
            have.extend(files);
            had.extend(problems);
            known.late |= who.late;
        }
        _ => {
            students.insert(
                id.clone(),
                Unit::Student {
                    id,
                    class: class.to_path_buf(),
                    files,
                    problems,
                    who,
                },
            );
        }
    }
}
