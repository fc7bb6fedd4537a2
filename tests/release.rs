//! `scripts/release`'s checks, cheaply: the cross builds take minutes and stay out of CI, but
//! the part that decides whether a built binary is fit to ship (its `--version`, the seed
//! graded five ways with output and exit code equal to the native build's) runs here on the
//! test binary, and must also reject a binary that grades differently.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_mailgrade");

fn compare(binary: &Path) -> Output {
    Command::new("bash")
        .arg("scripts/release")
        .arg("--compare")
        .arg(binary)
        .env("REFERENCE", BIN)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("scripts/release runs")
}

#[test]
fn the_native_binary_passes_its_own_release_checks() {
    // --compare runs no .exe, so it must not make the Wine prefix: its looping `z:` link
    // under target/ broke the file globs of tests run after it in the same checkout.
    let prefix = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/wine");
    let had_prefix = prefix.exists();
    let out = compare(Path::new(BIN));
    assert!(
        had_prefix || !prefix.exists(),
        "scripts/release --compare made {}",
        prefix.display()
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("5 gradings"), "{stdout}");
}

#[test]
fn a_binary_that_grades_differently_is_rejected() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release");
    std::fs::create_dir_all(&dir).expect("dir");
    // The right version, and the real grade with one word changed.
    let fake = dir.join("mailgrade-off");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\n[ \"$1\" = --version ] && exec {BIN} --version\n{BIN} \"$@\" | sed 's/e/E/'\nexit 0\n"
        ),
    )
    .expect("fake");
    Command::new("chmod")
        .arg("+x")
        .arg(&fake)
        .status()
        .expect("chmod");
    let out = compare(&fake);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "accepted a different grade");
    assert!(stderr.contains("differs from the native build"), "{stderr}");
}
