//! What `extract` and `grade` print for every example and fixture transcript, in every
//! dialect and encoding: a change in reading or grading shows up as a snapshot diff.

use std::path::Path;
use std::process::Command;

fn mailgrade(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the mailgrade binary runs");
    format!(
        "exit: {:?}\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The path as given on the command line: relative to the crate, so snapshots are stable.
fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn snapshot_commands(kind: &str, path: &Path) {
    let file = relative(path);
    let extract = mailgrade(&["extract", &file]);
    let grade = mailgrade(&["grade", &file, "--server", "none"]);
    let grade_zh = mailgrade(&["grade", &file, "--server", "none", "--lang", "zh-CN"]);
    let text = format!("$ mailgrade extract {file}\n{extract}\n$ mailgrade grade {file} --server none\n{grade}\n$ … --lang zh-CN\n{grade_zh}");
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(kind, text);
    });
}

#[test]
fn examples() {
    insta::glob!("../examples", "*.{txt,md,csv}", |path| {
        snapshot_commands("example", path)
    });
}

#[test]
fn fixture_transcripts() {
    insta::glob!(
        "fixtures/transcripts",
        "**/*.{txt,md,csv,yaml,log}",
        |path| { snapshot_commands("fixture", path) }
    );
}
