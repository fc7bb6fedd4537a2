//! A class zip written by a Chinese Windows: entry names in GBK with the UTF-8 flag (bit 11)
//! clear, beside entries a UTF-8 tool added for the same student (issue 16 item 4). The names
//! come out as typed (no `╩╡╤Θ5`) and each student is counted once.

use std::io::Write;

use zip::write::SimpleFileOptions;

/// A zip whose entries are named `names` (with the bytes given), each holding `text`. GBK
/// names are written as ASCII placeholders of the same length, which the zip crate stores
/// without the UTF-8 flag, then the placeholder bytes are replaced in the local and central
/// headers alike.
fn zip_with_raw_names(names: &[Vec<u8>], text: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut placeholders = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let shown = match std::str::from_utf8(name) {
            Ok(utf8) => utf8.to_string(),
            Err(_) => {
                let marker = format!("#{index}#");
                let placeholder = format!("{marker:@<width$}", width = name.len());
                assert_eq!(placeholder.len(), name.len());
                placeholders.push((placeholder.clone().into_bytes(), name.clone()));
                placeholder
            }
        };
        zip.start_file(shown, SimpleFileOptions::default())
            .expect("entry");
        zip.write_all(text).expect("data");
    }
    let mut bytes = zip.finish().expect("zip").into_inner();
    for (placeholder, name) in placeholders {
        let mut replaced = 0;
        let mut at = 0;
        while let Some(found) = bytes[at..]
            .windows(placeholder.len())
            .position(|w| w == placeholder.as_slice())
        {
            let start = at + found;
            bytes[start..start + name.len()].copy_from_slice(&name);
            at = start + name.len();
            replaced += 1;
        }
        assert_eq!(replaced, 2, "local and central header");
    }
    bytes
}

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn gbk_entry_names_come_out_right_and_each_student_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let transcript = std::fs::read("examples/telnet-auth-login.txt").expect("example");
    let names = vec![
        gbk("实验5/张三/报告.txt"),
        "实验5/张三/补充.txt".as_bytes().to_vec(),
        gbk("实验5/李四/报告.txt"),
    ];
    let bytes = zip_with_raw_names(&names, &transcript);
    // The GBK names really are written without the UTF-8 flag: bit 11 of the first local
    // header's general purpose flags.
    assert_eq!(bytes[7] & 0x08, 0, "flag bit 11 clear");
    let zip = dir.path().join("class.zip");
    std::fs::write(&zip, bytes).expect("write zip");
    let out = dir.path().join("grades.json");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args([
            "grade",
            zip.to_str().expect("utf-8"),
            "--server",
            "none",
            "--format",
            "json",
            "--out",
            out.to_str().expect("utf-8"),
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let text = std::fs::read_to_string(&out).unwrap_or_else(|_| panic!("no report: {stderr}"));
    assert!(
        !text.contains('╩') && !text.contains('Θ'),
        "CP437 mojibake:\n{text}"
    );
    let document: serde_json::Value = serde_json::from_str(&text).expect("json");
    let ids: Vec<&str> = document["submissions"]
        .as_array()
        .expect("submissions")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids.len(),
        2,
        "one submission per student: {ids:?}\n{stderr}"
    );
    assert!(ids.iter().any(|id| id.contains("张三")), "{ids:?}");
    assert!(ids.iter().any(|id| id.contains("李四")), "{ids:?}");
    assert!(
        text.contains("报告.txt") && text.contains("补充.txt"),
        "{text}"
    );
}
