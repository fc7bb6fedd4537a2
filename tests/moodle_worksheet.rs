//! `grade --format moodle-csv --moodle-worksheet FILE` (issue 16): the grading worksheet a TA
//! downloaded from their own Moodle, filled in. Worksheets with English, old zh_cn and new
//! zh_cn headers (written here as Moodle would write them) are filled for a small generated
//! Moodle class: the grade, "Last modified (grade)" and feedback cells of the rows of graded
//! participants change, and not one other byte of the file.

#[path = "class_support/mod.rs"]
mod class_support;

mod cli_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use class_support::{class, moodle_zip, write, Kind, Student};
use cli_support::mailgrade;

/// One language and Moodle version's worksheet: its headers and its word for "Participant".
struct Flavour {
    headers: [&'static str; 10],
    participant: &'static str,
    bom: bool,
}

const ENGLISH: Flavour = Flavour {
    headers: [
        "Identifier",
        "Full name",
        "Email address",
        "Status",
        "Grade",
        "Maximum Grade",
        "Grade can be changed",
        "Last modified (submission)",
        "Last modified (grade)",
        "Feedback comments",
    ],
    participant: "Participant ",
    bom: false,
};

/// zh_cn before the strings were revised: the strings of the MOODLE_34_STABLE zh_cn pack
/// (`recordid`, `fullname`, `email`, `status`, `grade`, `maxgrade`, `gradecanbechanged`,
/// `lastmodifiedsubmission`, `lastmodifiedgrade`) and the comments plugin's name in the
/// MOODLE_25_STABLE one.
const ZH_OLD: Flavour = Flavour {
    headers: [
        "识别码",
        "全名",
        "Email地址",
        "状态",
        "成绩",
        "最高成绩",
        "允许更改成绩",
        "最后修改（学生）",
        "最后修改（教师）",
        "评语反馈",
    ],
    participant: "参与者",
    bom: true,
};

/// zh_cn as Moodle 4.4 writes it.
const ZH_NEW: Flavour = Flavour {
    headers: [
        "标识符",
        "全名",
        "Email地址",
        "状态",
        "成绩",
        "最高分",
        "允许更改成绩",
        "上次修改（作业）",
        "上次修改（评分）",
        "反馈意见",
    ],
    participant: "参与人",
    bom: false,
};

const GRADE: usize = 4;
const MODIFIED: usize = 8;
const FEEDBACK: usize = 9;
/// A participant in the worksheet who handed nothing in.
const ABSENT: u32 = 99_999;

/// The worksheet as raw cells (quotes and all, the way PHP's fputcsv quotes: fields with
/// spaces quoted): a row for each student but the first, whose submission has no row, and a
/// row for a participant who handed nothing in. Line ends `\n`, as Moodle writes them.
fn worksheet_cells(flavour: &Flavour, students: &[Student]) -> Vec<Vec<String>> {
    let quoted = |cell: &str| {
        if cell.contains([' ', ',', '"']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.to_string()
        }
    };
    let mut rows = vec![flavour.headers.iter().map(|h| quoted(h)).collect()];
    let listed = students[1..]
        .iter()
        .map(|s| (s.lms_id, s.name.as_str()))
        .chain([(ABSENT, "Nobody, \"Absent\"")]);
    for (number, name) in listed {
        rows.push(
            [
                format!("{}{number}", flavour.participant),
                name.to_string(),
                format!("s{number}@example.edu"),
                "Submitted for grading - Not graded".to_string(),
                String::new(),
                "100.00".to_string(),
                "Yes".to_string(),
                "Monday, 30 November 2026, 9:15 AM".to_string(),
                "-".to_string(),
                String::new(),
            ]
            .iter()
            .map(|c| quoted(c))
            .collect(),
        );
    }
    rows
}

fn joined(flavour: &Flavour, cells: &[Vec<String>]) -> Vec<u8> {
    let mut bytes = if flavour.bom {
        b"\xEF\xBB\xBF".to_vec()
    } else {
        Vec::new()
    };
    for row in cells {
        bytes.extend(row.join(",").into_bytes());
        bytes.push(b'\n');
    }
    bytes
}

fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("CSV").iter().map(str::to_string).collect())
        .collect()
}

/// A cell as the csv crate quotes it.
fn csv_cell(value: &str) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record([value]).expect("written");
    let bytes = writer.into_inner().expect("flushed");
    String::from_utf8(bytes)
        .expect("UTF-8")
        .trim_end_matches('\n')
        .to_string()
}

fn grade(dir: &Path, worksheet: &Path, lang: &str) -> Output {
    mailgrade(&[
        "grade",
        dir.join("moodle.zip").to_str().expect("UTF-8"),
        "--server",
        "none",
        "--format",
        "moodle-csv",
        "--lang",
        lang,
        "--moodle-worksheet",
        worksheet.to_str().expect("UTF-8"),
    ])
}

/// The worksheet mailgrade writes by itself, by participant number: the grades and feedback
/// the filled cells must hold.
fn reference(dir: &Path, lang: &str) -> BTreeMap<String, Vec<String>> {
    let output = mailgrade(&[
        "grade",
        dir.join("moodle.zip").to_str().expect("UTF-8"),
        "--server",
        "none",
        "--format",
        "moodle-csv",
        "--lang",
        lang,
    ]);
    rows(&output.stdout)
        .into_iter()
        .skip(1)
        .map(|row| {
            let number = row[0].trim_start_matches("Participant ").to_string();
            (number, row)
        })
        .collect()
}

fn filled_as_expected(flavour: &Flavour, lang: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let students = class(6);
    write(dir.path(), "moodle.zip", &moodle_zip(&students));
    let cells = worksheet_cells(flavour, &students);
    let original = joined(flavour, &cells);
    let worksheet = write(dir.path(), "worksheet.csv", &original);

    let output = grade(dir.path(), &worksheet, lang);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code().is_some_and(|c| c < 2),
        "{:?}: {stderr}",
        output.status
    );
    let filled = output.stdout;
    assert_eq!(
        filled.starts_with(b"\xEF\xBB\xBF"),
        flavour.bom,
        "the byte order mark is kept exactly when the worksheet had one"
    );

    // Every cell as the worksheet had it, but the three filled ones of each graded row.
    let reference = reference(dir.path(), lang);
    let body = filled.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&filled);
    let values = rows(body);
    assert_eq!(values.len(), cells.len(), "no row added or dropped");
    let mut expected = cells.clone();
    for (index, student) in students[1..].iter().enumerate() {
        let row = &values[index + 1];
        let mine = &reference[&student.lms_id.to_string()];
        assert_eq!(row[GRADE], mine[4], "grade of {}", student.name);
        assert!(!row[GRADE].is_empty(), "{row:?}");
        assert_eq!(row[FEEDBACK], mine[9], "feedback of {}", student.name);
        assert!(!row[FEEDBACK].is_empty(), "{row:?}");
        assert!(
            // Moodle's own form: `Sunday, 06 December 2026, 07:33 AM UTC`.
            row[MODIFIED].ends_with(" UTC") && row[MODIFIED].split(", ").count() == 3,
            "{row:?}"
        );
        if student.kind == Kind::Failing {
            // Its lost points, one part a line, HTML with nothing unescaped.
            assert_ne!(row[GRADE], "100.00", "{row:?}");
            let parts = row[FEEDBACK].split("<br>").count();
            assert!(parts > 2, "{row:?}");
            assert!(
                !row[FEEDBACK].replace("<br>", "").contains(['<', '>']),
                "{row:?}"
            );
        }
        for column in [GRADE, MODIFIED, FEEDBACK] {
            expected[index + 1][column] = csv_cell(&row[column]);
        }
    }
    assert_eq!(
        String::from_utf8_lossy(&filled),
        String::from_utf8_lossy(&joined(flavour, &expected)),
        "only the grade, last modified (grade) and feedback cells of graded rows changed"
    );
    // The absent participant's row is the worksheet's, unchanged.
    assert_eq!(values.last().expect("a row")[GRADE], "");
    assert_eq!(values.last().expect("a row")[MODIFIED], "-");

    // The first student's submission has no row: said, not dropped.
    let first = students[0].lms_id.to_string();
    let said: Vec<&str> = stderr.lines().filter(|l| l.contains(&first)).collect();
    assert_eq!(said.len(), 1, "{stderr}");
    let words = if lang == "en" {
        "has no row in"
    } else {
        "没有对应的行"
    };
    assert!(said[0].contains(words), "{stderr}");
    assert!(said[0].contains("worksheet.csv"), "{stderr}");
}

#[test]
fn an_english_worksheet_is_filled_cell_by_cell() {
    filled_as_expected(&ENGLISH, "en");
}

#[test]
fn an_old_zh_cn_worksheet_with_a_byte_order_mark_is_filled() {
    filled_as_expected(&ZH_OLD, "zh-CN");
}

#[test]
fn a_new_zh_cn_worksheet_is_filled() {
    filled_as_expected(&ZH_NEW, "zh-CN");
}

#[test]
fn a_worksheet_saved_as_gb18030_stays_gb18030() {
    let dir = tempfile::tempdir().expect("temp dir");
    let students = class(3);
    write(dir.path(), "moodle.zip", &moodle_zip(&students));
    let text =
        String::from_utf8(joined(&ZH_NEW, &worksheet_cells(&ZH_NEW, &students))).expect("UTF-8");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the test file is not UTF-8"
    );
    let worksheet = write(dir.path(), "worksheet.csv", &gbk);
    let output = grade(dir.path(), &worksheet, "zh-CN");
    let (decoded, _, errors) = encoding_rs::GB18030.decode(&output.stdout);
    assert!(!errors, "GB18030 out");
    assert!(
        std::str::from_utf8(&output.stdout).is_err(),
        "not UTF-8 out"
    );
    let values = rows(decoded.as_bytes());
    assert_eq!(values[0][0], "标识符");
    assert!(!values[1][GRADE].is_empty(), "{values:?}");
    assert!(values[1][FEEDBACK].contains('/'), "{values:?}");
}

#[test]
fn a_worksheet_without_known_headers_is_refused_with_its_headers_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let students = class(2);
    write(dir.path(), "moodle.zip", &moodle_zip(&students));
    let worksheet = write(
        dir.path(),
        "worksheet.csv",
        "Identifiant,Nom complet,Note,Dernière modification (note)\nParticipant 50000,Li,,\n"
            .as_bytes(),
    );
    for (lang, words) in [("en", "Headers found"), ("zh-CN", "找到的表头")] {
        let output = grade(dir.path(), &worksheet, lang);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(output.stdout.is_empty(), "nothing written");
        assert!(stderr.contains(words), "{stderr}");
        assert!(stderr.contains("worksheet.csv"), "{stderr}");
        for found in [
            "Identifiant",
            "Nom complet",
            "Note",
            "Dernière modification (note)",
        ] {
            assert!(stderr.contains(&format!("“{found}”")), "{found}: {stderr}");
        }
        for expected in [
            "Identifier",
            "识别码",
            "标识符",
            "Grade",
            "上次修改（评分）",
        ] {
            assert!(
                stderr.contains(&format!("“{expected}”")),
                "{expected}: {stderr}"
            );
        }
    }
}

#[test]
fn a_worksheet_goes_with_the_moodle_format_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let worksheet = write(dir.path(), "worksheet.csv", b"Identifier\n");
    let output = mailgrade(&[
        "grade",
        "examples/telnet-auth-login.txt",
        "--server",
        "none",
        "--format",
        "junit",
        "--moodle-worksheet",
        worksheet.to_str().expect("UTF-8"),
    ]);
    assert_eq!(output.status.code(), Some(64), "a usage error");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--format moodle-csv"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
