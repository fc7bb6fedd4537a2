//! The grading worksheet a TA downloaded from their own Moodle ("Download grading
//! worksheet"), filled in: `grade --format moodle-csv --moodle-worksheet FILE`.
//!
//! Moodle's upload finds its columns by comparing each header with its own strings in the
//! uploader's interface language, and reads the participant number as what follows its word
//! for "Participant". Those strings differ between languages and changed between Moodle
//! versions, so a worksheet mailgrade wrote with fixed headers fails on some Moodle. Filling
//! the TA's own file sidesteps that: every header, column, row, identifier and cell mailgrade
//! does not fill is kept byte for byte (its encoding, a UTF-8 byte order mark, its line ends,
//! its quoting), and only three cells of each row whose participant number is a graded
//! submission's change: the grade, "Last modified (grade)" and the feedback comments.
//!
//! mailgrade recognises the columns by the table [`HEADERS`] (and the participant word by
//! [`PARTICIPANT`]); the file is parsed by csv-core, the csv crate's own parser, which also
//! says where each field starts and ends, and the new cells are quoted by the csv crate.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::moodle_csv;
use super::{Outcome, SubmissionOutcome};
use crate::i18n::messages::common::Separator;
use crate::i18n::messages::report::{WorksheetMessage, WorksheetWord};
use crate::i18n::{Lang, List};

/// A column mailgrade reads or fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Identifier,
    FullName,
    Grade,
    LastModified,
    Feedback,
}

/// The header texts of each column, in every language and Moodle version mailgrade knows.
///
/// Where they come from: Moodle's offline grading importer
/// (`mod/assign/feedback/offline/importgradeslib.php`) finds its columns by the strings
/// `recordid` (mod_assign, the identifier), core `grade`, `lastmodifiedgrade` (mod_assign),
/// and the feedback comments plugin's editor field, whose name is that plugin's `pluginname`
/// (assignfeedback_comments); the worksheet's headers are the same strings, and its full
/// name column is core `fullname` (`mod/assign/gradingtable.php`). The Simplified Chinese
/// ones are those of Moodle's zh_cn language pack (`lang/zh_cn/assign.php`, `moodle.php`,
/// `assignfeedback_comments.php`), which changed over the years. Read in the packs of
/// MOODLE_34_STABLE (assign, moodle) and MOODLE_25_STABLE (assignfeedback_comments):
/// `recordid` 识别码, `fullname` 全名, `grade` 成绩, `lastmodifiedgrade` 最后修改（教师）,
/// `hiddenuser` 参与者, the comments plugin 评语反馈. The later strings (`recordid` 标识符,
/// `lastmodifiedgrade` 上次修改（评分）, the comments plugin 反馈意见 from 4.4, `hiddenuser`
/// 参与人), and 姓名 and 反馈评语, are kept as they were reported, not read in a pack. The
/// full name column is only compared with the name of the download, to catch a worksheet of
/// another assignment; it is optional.
///
/// Headers are compared with surrounding spaces trimmed, ASCII letters in either case and
/// full-width parentheses as ASCII ones (see [`normalise`]).
const HEADERS: [(Column, &[&str]); 5] = [
    (Column::Identifier, &["Identifier", "识别码", "标识符"]),
    (Column::FullName, &["Full name", "全名", "姓名"]),
    (Column::Grade, &["Grade", "成绩"]),
    (
        Column::LastModified,
        &[
            "Last modified (grade)",
            "最后修改（教师）",
            "上次修改（评分）",
        ],
    ),
    (
        Column::Feedback,
        &["Feedback comments", "评语反馈", "反馈评语", "反馈意见"],
    ),
];

/// The word before the participant number in the identifier column: mod_assign's
/// `hiddenuser` string ("Participant ", zh_cn 参与者 then 参与人). Moodle takes what follows
/// it as the number.
const PARTICIPANT: [&str; 3] = ["Participant", "参与者", "参与人"];

/// The columns without which Moodle's upload refuses the file.
const REQUIRED: [(Column, WorksheetWord); 3] = [
    (Column::Identifier, WorksheetWord::Identifier),
    (Column::Grade, WorksheetWord::Grade),
    (Column::LastModified, WorksheetWord::LastModified),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Utf8 { bom: bool },
    Gb18030,
}

/// A field of the file: where it is in the text, and its value unquoted.
#[derive(Debug)]
struct Field {
    span: Range<usize>,
    value: String,
}

/// A worksheet read and its columns found, ready to be filled.
#[derive(Debug)]
pub struct Worksheet {
    /// The file as the messages name it.
    file: String,
    encoding: Encoding,
    delimiter: u8,
    /// The text, a UTF-8 byte order mark left off.
    text: String,
    records: Vec<Vec<Field>>,
    identifier: usize,
    grade: usize,
    modified: usize,
    feedback: Option<usize>,
    full_name: Option<usize>,
}

/// The filled worksheet, and what the TA should know about it.
#[derive(Debug)]
pub struct Filled {
    pub bytes: Vec<u8>,
    pub warnings: Vec<WorksheetMessage>,
}

impl Worksheet {
    /// Reads a worksheet's bytes; `file` names it in messages. Fails when the text is
    /// neither UTF-8 nor GB18030, or its first row lacks a column Moodle's upload needs.
    pub fn read(file: &str, bytes: &[u8]) -> Result<Worksheet, Box<WorksheetMessage>> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let (encoding, text) = match bytes.strip_prefix(BOM) {
            Some(rest) => (Encoding::Utf8 { bom: true }, std::str::from_utf8(rest).ok()),
            None => (
                Encoding::Utf8 { bom: false },
                std::str::from_utf8(bytes).ok(),
            ),
        };
        let (encoding, text) = match text {
            Some(text) => (encoding, text.to_string()),
            // A worksheet saved again by a spreadsheet on a Chinese system.
            None => match encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
            {
                Some(text) => (Encoding::Gb18030, text.into_owned()),
                None => {
                    return Err(Box::new(WorksheetMessage::NotText {
                        file: file.to_string(),
                    }))
                }
            },
        };
        let delimiter = delimiter(&text);
        let records = fields(&text, delimiter);
        let headers: Vec<&str> = records
            .first()
            .map(|row| row.iter().map(|f| f.value.as_str()).collect())
            .unwrap_or_default();
        let find = |column: Column| {
            let known = known(column);
            headers.iter().position(|header| {
                let header = normalise(header);
                known.iter().any(|k| normalise(k) == header)
            })
        };
        let missing: Vec<(Column, WorksheetWord)> = REQUIRED
            .into_iter()
            .filter(|(column, _)| find(*column).is_none())
            .collect();
        if !missing.is_empty() {
            let expected = missing
                .iter()
                .map(|(column, _)| quoted(known(*column)).join(" / "))
                .collect();
            return Err(Box::new(WorksheetMessage::UnknownHeaders {
                file: file.to_string(),
                missing: List::new(
                    missing.into_iter().map(|(_, word)| word).collect(),
                    Separator::Enumeration,
                )
                .and_last(Separator::And),
                found: List::new(quoted(&headers), Separator::Enumeration),
                expected: List::new(expected, Separator::Semicolon),
            }));
        }
        let required = |column| find(column).unwrap_or_default();
        Ok(Worksheet {
            file: file.to_string(),
            encoding,
            delimiter,
            identifier: required(Column::Identifier),
            grade: required(Column::Grade),
            modified: required(Column::LastModified),
            feedback: find(Column::Feedback),
            full_name: find(Column::FullName),
            text,
            records,
        })
    }

    /// The worksheet with the grade, "Last modified (grade)" (`graded_at`, seconds since the
    /// Unix epoch, in the English form Moodle's upload reads back) and the feedback of every
    /// row whose participant number is a submission's. An ungradable submission keeps the
    /// row's grade as it was and gets its feedback. Submissions without a row are warnings.
    pub fn fill(&self, outcome: &Outcome, lang: Lang, graded_at: i64) -> Filled {
        let modified = moodle_csv::moodle_date(graded_at);
        let mut warnings = Vec::new();
        let mut by_number: BTreeMap<u64, (&SubmissionOutcome, String)> = BTreeMap::new();
        for submission in &outcome.submissions {
            let participant = moodle_csv::participant(submission);
            match participant.number.as_deref().and_then(|n| n.parse().ok()) {
                Some(number) => {
                    by_number.insert(number, (submission, participant.full_name));
                }
                None => warnings.push(WorksheetMessage::NoNumber {
                    id: submission.id.clone(),
                    file: self.file.clone(),
                }),
            }
        }
        let mut found = BTreeSet::new();
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        for record in self.records.iter().skip(1) {
            let Some(number) = record
                .get(self.identifier)
                .and_then(|field| participant_number(&field.value))
            else {
                continue;
            };
            let Some((submission, name)) = by_number.get(&number) else {
                continue;
            };
            let last = [Some(self.grade), Some(self.modified), self.feedback]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or_default();
            if record.len() <= last {
                continue;
            }
            found.insert(number);
            if let Some(row_name) = self.full_name.and_then(|i| record.get(i)) {
                let row_name = row_name.value.trim();
                if !row_name.is_empty() && !name.is_empty() && row_name != name.trim() {
                    warnings.push(WorksheetMessage::OtherName {
                        id: submission.id.clone(),
                        number: number.to_string(),
                        file: self.file.clone(),
                        name: row_name.to_string(),
                    });
                }
            }
            if let Some(grade) = moodle_csv::grade_cell(submission) {
                edits.push((record[self.grade].span.clone(), grade));
            }
            edits.push((record[self.modified].span.clone(), modified.clone()));
            if let Some(column) = self.feedback {
                let feedback = moodle_csv::feedback(submission, lang);
                edits.push((record[column].span.clone(), feedback));
            }
        }
        for (number, (submission, _)) in &by_number {
            if !found.contains(number) {
                warnings.push(WorksheetMessage::NoRow {
                    id: submission.id.clone(),
                    number: number.to_string(),
                    file: self.file.clone(),
                });
            }
        }
        if self.feedback.is_none() && !found.is_empty() {
            warnings.push(WorksheetMessage::NoFeedbackColumn {
                file: self.file.clone(),
                expected: List::new(quoted(known(Column::Feedback)), Separator::Enumeration),
            });
        }
        edits.sort_by_key(|(span, _)| span.start);
        let mut text = String::with_capacity(self.text.len() * 2);
        let mut at = 0;
        for (span, value) in edits {
            text.push_str(&self.text[at..span.start]);
            text.push_str(&quote(&value, self.delimiter));
            at = span.end;
        }
        text.push_str(&self.text[at..]);
        let bytes = match self.encoding {
            Encoding::Utf8 { bom } => {
                let mut bytes = Vec::with_capacity(text.len() + 3);
                if bom {
                    bytes.extend_from_slice(b"\xEF\xBB\xBF");
                }
                bytes.extend_from_slice(text.as_bytes());
                bytes
            }
            Encoding::Gb18030 => encoding_rs::GB18030.encode(&text).0.into_owned(),
        };
        Filled { bytes, warnings }
    }
}

/// The header texts mailgrade knows for a column.
fn known(column: Column) -> &'static [&'static str] {
    HEADERS
        .iter()
        .find(|(c, _)| *c == column)
        .map(|(_, headers)| *headers)
        .unwrap_or_default()
}

/// Header texts in quotes, as messages name them.
fn quoted(headers: &[&str]) -> Vec<String> {
    headers.iter().map(|h| format!("“{h}”")).collect()
}

/// A header as it is compared: spaces around it trimmed, ASCII lower case, full-width
/// parentheses as ASCII ones.
fn normalise(header: &str) -> String {
    header
        .trim()
        .chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The number after the participant word (`Participant 123456`, `参与人123456`).
fn participant_number(identifier: &str) -> Option<u64> {
    let identifier = identifier.trim();
    PARTICIPANT.iter().find_map(|word| {
        let rest = identifier
            .get(..word.len())
            .filter(|head| head.eq_ignore_ascii_case(word))
            .map(|_| identifier[word.len()..].trim())?;
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        rest.parse().ok()
    })
}

/// The delimiter of the header line: a comma (what Moodle writes) unless semicolons or tabs
/// are more common there (a worksheet saved again by a spreadsheet).
fn delimiter(text: &str) -> u8 {
    let line = text.lines().next().unwrap_or_default();
    let count = |d: char| line.matches(d).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (count(char::from(*d)), *d == b','))
        .unwrap_or(b',')
}

/// Every record of the text, each field with its place: the bytes between the delimiters
/// and line ends around it, quotes included.
fn fields(text: &str, delimiter: u8) -> Vec<Vec<Field>> {
    use csv_core::ReadFieldResult;
    let bytes = text.as_bytes();
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut out = vec![0; bytes.len() + 1];
    let (mut pos, mut start, mut written) = (0, 0, 0);
    let mut records = Vec::new();
    let mut record = Vec::new();
    loop {
        let (result, read, wrote) = reader.read_field(&bytes[pos..], &mut out[written..]);
        pos += read;
        written += wrote;
        match result {
            ReadFieldResult::InputEmpty => {}
            ReadFieldResult::OutputFull => out.resize(out.len() * 2, 0),
            ReadFieldResult::Field { record_end } => {
                let mut span = start..pos;
                if record.is_empty() {
                    // Line ends before a record (blank lines, the `\n` of a `\r\n`).
                    while span.start < span.end && matches!(bytes[span.start], b'\r' | b'\n') {
                        span.start += 1;
                    }
                }
                if record_end {
                    while span.end > span.start && matches!(bytes[span.end - 1], b'\r' | b'\n') {
                        span.end -= 1;
                    }
                } else if span.end > span.start && bytes[span.end - 1] == delimiter {
                    span.end -= 1;
                }
                record.push(Field {
                    span,
                    value: String::from_utf8_lossy(&out[..written]).into_owned(),
                });
                written = 0;
                start = pos;
                if record_end {
                    records.push(std::mem::take(&mut record));
                }
            }
            ReadFieldResult::End => break,
        }
    }
    records
}

/// A cell's value as the csv crate writes it: quoted only when it has to be.
fn quote(value: &str, delimiter: u8) -> String {
    if value.is_empty() {
        return String::new();
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fallback = || format!("\"{}\"", value.replace('"', "\"\""));
    if writer.write_record([value]).is_err() {
        return fallback();
    }
    match writer.into_inner() {
        Ok(bytes) => String::from_utf8_lossy(bytes.strip_suffix(b"\n").unwrap_or(&bytes)).into(),
        Err(_) => fallback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_know_their_places() {
        let text = "a,\"b, \"\"c\"\"\",\r\n\"d\ne\",f\n\n,g";
        let records = fields(text, b',');
        let cells: Vec<Vec<(&str, &str)>> = records
            .iter()
            .map(|r| {
                r.iter()
                    .map(|f| (&text[f.span.clone()], f.value.as_str()))
                    .collect()
            })
            .collect();
        assert_eq!(
            cells,
            vec![
                vec![("a", "a"), ("\"b, \"\"c\"\"\"", "b, \"c\""), ("", "")],
                vec![("\"d\ne\"", "d\ne"), ("f", "f")],
                vec![("", ""), ("g", "g")],
            ]
        );
    }

    #[test]
    fn participant_numbers_in_every_known_language() {
        assert_eq!(participant_number("Participant 123456"), Some(123_456));
        assert_eq!(participant_number("participant 7"), Some(7));
        assert_eq!(participant_number("参与者123"), Some(123));
        assert_eq!(participant_number("参与人 123"), Some(123));
        assert_eq!(participant_number("Participant"), None);
        assert_eq!(participant_number("Participant 12a"), None);
        assert_eq!(participant_number("Teilnehmer/in 12"), None);
    }

    #[test]
    fn headers_compare_without_case_spaces_or_width() {
        assert_eq!(
            normalise(" Last Modified (grade) "),
            normalise("last modified (grade)")
        );
        assert_eq!(normalise("上次修改(评分)"), normalise("上次修改（评分）"));
        assert_ne!(normalise("Maximum Grade"), normalise("Grade"));
    }

    #[test]
    fn the_delimiter_is_the_header_lines() {
        assert_eq!(delimiter("Identifier,Full name,Grade\n"), b',');
        assert_eq!(delimiter("Identifier;Full name;Grade\n"), b';');
        assert_eq!(delimiter("Identifier\tFull name\tGrade\n"), b'\t');
        assert_eq!(delimiter("Identifier\n"), b',');
    }

    #[test]
    fn new_cells_are_quoted_only_when_needed() {
        assert_eq!(quote("55.00", b','), "55.00");
        assert_eq!(quote("a, b", b','), "\"a, b\"");
        assert_eq!(quote("say \"hi\"", b','), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("a, b", b';'), "a, b");
    }
}
