//! A student's own `.zip` in a per-submission folder (Gradescope, Autolab, PrairieLearn hand
//! over the folder as the student uploaded it) is read as that student's files (issue 16
//! item 3): the seed zipped grades exactly as the seed does; a zip inside it and a zip bomb
//! are problems of that submission, within the limits a class zip has.

use std::io::{Cursor, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;

mod seed_support;
use seed_support::{seed_secrets, SEED};

mod cli_support;
use cli_support::mailgrade;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(*name, options).expect("entry");
        zip.write_all(bytes).expect("written");
    }
    zip.finish().expect("finished").into_inner()
}

/// `submission/mywork.zip`: the seed report, a zip inside the zip, and 8 MiB of zeros (a
/// bomb by its ratio).
fn submission(dir: &Path) -> String {
    let seed = std::fs::read(SEED).expect("seed");
    let inner = zip_of(&[("old.txt", b"S: 220 a\nC: QUIT\nS: 221 b\n")]);
    let zeros = vec![0u8; 8 << 20];
    let own = zip_of(&[
        ("lab/email-lab-report.md", &seed),
        ("lab/old.zip", &inner),
        ("lab/zeros.txt", &zeros),
    ]);
    let folder = dir.join("submission");
    std::fs::create_dir(&folder).expect("folder");
    std::fs::write(folder.join("mywork.zip"), own).expect("written");
    folder.to_string_lossy().into_owned()
}

fn graded(path: &str, format: &str) -> String {
    let output = mailgrade(&[
        "grade",
        path,
        "--lab",
        "email-lab",
        "--server",
        "none",
        "--format",
        format,
    ]);
    assert!(
        matches!(output.status.code(), Some(1 | 2)),
        "{format}: {output:?}"
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(seed_secrets().iter().all(|s| !text.contains(s)));
    text
}

#[test]
fn a_students_own_zip_is_read_as_their_files_in_per_submission_formats() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = submission(dir.path());

    let results: serde_json::Value =
        serde_json::from_str(&graded(&folder, "gradescope")).expect("JSON");
    // The seed on its own scores 55/100 with the lab (tests/labs_exports.rs).
    assert_eq!(
        (&results["score"], &results["max_score"]),
        (&55.into(), &100.into()),
        "{results:#}"
    );
    let output = results["output"].as_str().expect("output");
    assert!(output.contains("zip inside a zip"), "{output}");
    assert!(output.contains("zip bomb"), "{output}");
    assert!(output.contains("mywork.zip/lab/old.zip"), "{output}");

    let autolab = graded(&folder, "autolab");
    let scores: serde_json::Value =
        serde_json::from_str(autolab.lines().last().expect("scores line")).expect("JSON");
    let total: u64 = scores["scores"]
        .as_object()
        .expect("scores")
        .values()
        .map(|v| v.as_u64().expect("points"))
        .sum();
    assert_eq!(total, 55, "{autolab}");

    let prairielearn: serde_json::Value =
        serde_json::from_str(&graded(&folder, "prairielearn")).expect("JSON");
    assert_eq!(prairielearn["score"], 0.55, "{prairielearn:#}");

    // The JSON names the files read from inside the zip.
    let json: serde_json::Value = serde_json::from_str(&graded(&folder, "json")).expect("JSON");
    let files = json["submissions"][0]["files"].to_string();
    assert!(
        files.contains("mywork.zip/lab/email-lab-report.md"),
        "{files}"
    );
}

#[test]
fn check_reads_a_zip_handed_to_it_as_one_students_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = submission(dir.path());
    let zip = format!("{folder}/mywork.zip");
    let output = mailgrade(&[
        "check",
        &zip,
        "--lab",
        "email-lab",
        "--server",
        "none",
        "--lang",
        "zh-CN",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("55/100"), "{stdout}");
    assert!(stdout.contains("不读取 zip 里面的 zip"), "{stdout}");
    assert!(
        !stdout.contains("a zip archive, not a transcript"),
        "{stdout}"
    );
}
