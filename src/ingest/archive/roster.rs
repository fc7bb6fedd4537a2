//! The class list: `--roster roster.csv` maps what the LMS calls a student to the student id
//! reports use, and gives names and e-mail addresses (for `mailgrade notify`).
//!
//! A CSV file with a header row. Columns, in any order, names case-insensitive:
//! `id` (required; also `student_id`, `student id`, `sis user id`), `name`, `email`, and
//! `lms_id` (also `participant`, `participant id`, `user id`, `canvas id`): Moodle's
//! participant number or Canvas's user id, when it differs from `id`; `lang` (also
//! `language`): the language `mailgrade notify` writes to that student in (`en`, `zh-CN`);
//! `late`: `yes` (also `y`, `true`, `1`, `late`) when the LMS marked the submission late and
//! its download does not say so (Moodle's does not), for a lab's late policy.

use std::path::{Path, PathBuf};

use crate::i18n::Lang;

/// One student of the class.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RosterRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub lms_id: String,
    /// The language the student reads feedback in, when the roster says.
    pub lang: Option<Lang>,
    /// The roster says the submission was late.
    pub late: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Roster {
    pub rows: Vec<RosterRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("failed to read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}, line {line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

impl Roster {
    pub fn load(path: &Path) -> Result<Roster, RosterError> {
        let bytes = std::fs::read(path).map_err(|source| RosterError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Roster::parse(path, &bytes)
    }

    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Roster, RosterError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let invalid = |line: u64, message: String| RosterError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        };
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let header = reader
            .headers()
            .map_err(|e| invalid(1, format!("unreadable header: {e}")))?
            .clone();
        let column = |names: &[&str]| {
            header
                .iter()
                .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
        };
        let id = column(&["id", "student_id", "student id", "sis user id", "studentid"])
            .ok_or_else(|| invalid(1, "no `id` column (the student id)".into()))?;
        let name = column(&["name", "full name", "student"]);
        let email = column(&["email", "e-mail", "email address", "mail"]);
        let lms_id = column(&[
            "lms_id",
            "participant",
            "participant id",
            "user id",
            "canvas id",
        ]);
        let lang = column(&["lang", "language"]);
        let late = column(&["late"]);
        let mut rows = Vec::new();
        for (index, record) in reader.records().enumerate() {
            let line = index as u64 + 2;
            let record = record.map_err(|e| invalid(line, format!("unreadable row: {e}")))?;
            let cell = |i: Option<usize>| {
                i.and_then(|i| record.get(i))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            let row = RosterRow {
                id: cell(Some(id)),
                name: cell(name),
                email: cell(email),
                lms_id: cell(lms_id),
                lang: match cell(lang).as_str() {
                    "" => None,
                    tag => Some(language(tag).ok_or_else(|| {
                        invalid(
                            line,
                            format!("unknown language `{tag}` in `lang` (en or zh-CN)"),
                        )
                    })?),
                },
                late: match cell(late).to_lowercase().as_str() {
                    "" | "no" | "n" | "false" | "0" => false,
                    "yes" | "y" | "true" | "1" | "late" => true,
                    other => {
                        return Err(invalid(
                            line,
                            format!("`{other}` in `late`: write yes or no"),
                        ))
                    }
                },
            };
            if row.id.is_empty() {
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                return Err(invalid(line, "empty `id`".into()));
            }
            if rows.iter().any(|r: &RosterRow| r.id == row.id) {
                return Err(invalid(
                    line,
                    format!("student id `{}` appears twice", row.id),
                ));
            }
            rows.push(row);
        }
        Ok(Roster { rows })
    }

    /// The row for a student the class names by `key` (participant number, user id, folder
    /// name) and, when the LMS wrote one, `name`: by LMS id, then student id, then e-mail
    /// user, then name (letters and digits only, either word order).
    pub fn find(&self, key: &str, name: Option<&str>) -> Option<&RosterRow> {
        let by = |f: &dyn Fn(&RosterRow) -> bool| self.rows.iter().find(|r| f(r));
        by(&|r| !r.lms_id.is_empty() && r.lms_id == key)
            .or_else(|| by(&|r| r.id == key))
            .or_else(|| by(&|r| !r.email.is_empty() && r.email.split('@').next() == Some(key)))
            .or_else(|| {
                let wanted = name
                    .map(fold)
                    .filter(|n| !n.is_empty() && n != "participant")?;
                by(&|r| fold(&r.name) == wanted || fold(&reversed(&r.name)) == wanted)
            })
    }

    /// The row with this student id.
    pub fn by_id(&self, id: &str) -> Option<&RosterRow> {
        self.rows.iter().find(|r| r.id == id)
    }
}

/// The language a roster's `lang` cell names: a BCP 47 tag (`en`, `en-GB`, `zh-CN`,
/// `zh-Hans`, any case, `_` or `-`) or the language's name.
fn language(tag: &str) -> Option<Lang> {
    let tag = tag.to_lowercase().replace('_', "-");
    let primary = tag.split('-').next().unwrap_or_default();
    match primary {
        "en" | "english" => Some(Lang::En),
        // Traditional-script tags are not Simplified Chinese: no catalogue for them.
        "zh" if tag.contains("tw") || tag.contains("hk") || tag.contains("hant") => None,
        "zh" | "chinese" | "中文" | "简体中文" | "汉语" => Some(Lang::ZhCn),
        _ => None,
    }
}

fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn reversed(name: &str) -> String {
    name.split_whitespace().rev().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_students_by_each_key() {
        let csv = "\u{feff}ID,Name,Email,LMS_ID\n2023001,Li Wei,liwei@uni.test,77\n2023002,Anna Smith,asmith@uni.test,\n\n";
        let roster = Roster::parse(Path::new("r.csv"), csv.as_bytes()).unwrap();
        let cases = [
            ("77", None, Some("2023001")),
            ("2023002", None, Some("2023002")),
            ("asmith", None, Some("2023002")),
            ("999", Some("Li Wei"), Some("2023001")),
            ("999", Some("smithanna"), Some("2023002")),
            ("999", Some("Participant"), None),
            ("999", None, None),
        ];
        for (key, name, id) in cases {
            assert_eq!(
                roster.find(key, name).map(|r| r.id.as_str()),
                id,
                "{key} {name:?}"
            );
        }
    }

    #[test]
    fn refuses_bad_rosters() {
        let cases = [
            ("name,email\nx,y\n", "no `id` column"),
            (
                "id,name\n1,a\n1,b\n",
                "line 3: student id `1` appears twice",
            ),
            ("id,name\n,a\n", "line 2: empty `id`"),
            (
                "id,lang\n1,en\n2,fr\n",
                "line 3: unknown language `fr` in `lang` (en or zh-CN)",
            ),
        ];
        for (csv, expected) in cases {
            let error = Roster::parse(Path::new("r.csv"), csv.as_bytes()).unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        }
    }

    #[test]
    fn reads_each_students_language() {
        let csv = "id,Language\n1,zh-CN\n2,EN\n3,\n4,zh_Hans\n5,中文\n6,en-GB\n";
        let roster = Roster::parse(Path::new("r.csv"), csv.as_bytes()).unwrap();
        let langs: Vec<_> = roster.rows.iter().map(|r| r.lang).collect();
        let (en, zh) = (Some(Lang::En), Some(Lang::ZhCn));
        assert_eq!(langs, [zh, en, None, zh, zh, en]);
        let traditional = Roster::parse(Path::new("r.csv"), b"id,lang\n1,zh-TW\n");
        assert!(traditional.is_err(), "no catalogue for Traditional Chinese");
    }
}
