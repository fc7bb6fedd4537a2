//! Lab reports handed in as Word (.docx) or LibreOffice (.odt) files: the seed report turned
//! into each (one paragraph per line, its headings as heading styles, as a student's word
//! processor writes them) grades exactly as the Markdown original, task by task.

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod seed_support;
use seed_support::{seed_secrets, SEED};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The seed's lines as (heading level, text): code fences and Markdown bold left out, as
/// they are not in a document a student types.
fn paragraphs() -> Vec<(usize, String)> {
    let seed = std::fs::read_to_string(SEED).expect("the seed report at ../shared/seed");
    seed.lines()
        .filter(|line| !line.trim_start().starts_with("```"))
        .map(|line| {
            let level = line.chars().take_while(|&c| c == '#').count();
            let text = line[level..].trim().replace("**", "");
            (level, text)
        })
        .collect()
}

fn zip_of(parts: &[(&str, String)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// As a Chinese Word writes it: heading styles with the ids `1`, `2`, … and the names
/// `heading 1`, …; a run per paragraph, spaces kept.
fn docx() -> Vec<u8> {
    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let mut body = String::new();
    for (level, text) in paragraphs() {
        body.push_str("<w:p>");
        if level > 0 {
            body.push_str(&format!(r#"<w:pPr><w:pStyle w:val="{level}"/></w:pPr>"#));
        }
        body.push_str(&format!(
            r#"<w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            escape(&text)
        ));
    }
    let styles: String = (1..=6)
        .map(|n| format!(r#"<w:style w:type="paragraph" w:styleId="{n}"><w:name w:val="heading {n}"/></w:style>"#))
        .collect();
    zip_of(&[
        ("[Content_Types].xml", "<Types/>".to_string()),
        (
            "word/document.xml",
            format!("<w:document {W}><w:body>{body}</w:body></w:document>"),
        ),
        (
            "word/styles.xml",
            format!("<w:styles {W}>{styles}</w:styles>"),
        ),
    ])
}

/// As LibreOffice writes it: `text:h` with an outline level, runs of spaces as `text:s`.
fn odt() -> Vec<u8> {
    let mut body = String::new();
    for (level, text) in paragraphs() {
        let text = escape(&text).replace("  ", r#" <text:s/>"#);
        if level > 0 {
            body.push_str(&format!(
                r#"<text:h text:outline-level="{level}">{text}</text:h>"#
            ));
        } else {
            body.push_str(&format!("<text:p>{text}</text:p>"));
        }
    }
    zip_of(&[
        (
            "mimetype",
            "application/vnd.oasis.opendocument.text".to_string(),
        ),
        (
            "content.xml",
            format!(
                r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
            ),
        ),
    ])
}

fn graded(path: &Path) -> (Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args([
            "grade",
            "--lab",
            "email-lab",
            "--server",
            "none",
            "--format",
            "json",
        ])
        .arg(path)
        .output()
        .expect("mailgrade runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout} {}", String::from_utf8_lossy(&out.stderr)));
    (json["submissions"][0]["grade"].clone(), stdout)
}

/// Score, and each task's score, status and section.
fn tasks(grade: &Value) -> Vec<(String, Value, Value, Value)> {
    grade["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["score"].clone(),
                t["status"].clone(),
                t["section"].clone(),
            )
        })
        .collect()
}

#[test]
fn the_seed_as_docx_and_odt_grades_as_the_markdown_original() {
    let (original, _) = graded(Path::new(SEED));
    assert_eq!(
        original["score"], 55,
        "the seed's own grade moved: {original}"
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ingest_office");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in [("report.docx", docx()), ("report.odt", odt())] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let (grade, stdout) = graded(&path);
        assert_eq!(grade["score"], original["score"], "{name}: {grade}");
        assert_eq!(grade["max_score"], original["max_score"], "{name}");
        assert_eq!(tasks(&grade), tasks(&original), "{name}");
        // Findings say "line N": the reader is told that N counts paragraphs.
        assert!(
            stdout.contains("line numbers count its paragraphs"),
            "{name}: no note on line numbers: {stdout}"
        );
        assert!(
            !original
                .to_string()
                .contains("line numbers count its paragraphs"),
            "the note belongs to documents only"
        );
        for secret in seed_secrets() {
            assert!(
                !stdout.contains(secret.as_str()),
                "{name}: a password in the output"
            );
        }
    }
}

#[test]
fn a_damaged_document_is_a_problem_of_that_file_with_exit_2() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ingest_office_damaged");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.docx");
    let broken = zip_of(&[(
        "word/document.xml",
        "<w:document><w:body><w:p><w:t>C: EHLO x</w:p>".to_string(),
    )]);
    std::fs::write(&path, broken).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(["check", "--server", "none"])
        .arg(&path)
        .output()
        .expect("mailgrade runs");
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{shown}");
    assert!(shown.contains("broken.docx"), "{shown}");
    assert!(shown.contains("word-processor document"), "{shown}");
    assert!(!shown.contains("panicked"), "{shown}");
}
