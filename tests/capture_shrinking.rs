//! A capture file cut short by another program while mailgrade has it mapped: an error that
//! names the file (exit 2), never a SIGBUS, and in a batch the other submissions are still
//! graded.
//!
//! Deterministic: with `MAILGRADE_TEST_STOP_AFTER_MAP` set the binary stops itself once a
//! capture is mapped and before it reads it; the test then truncates the file it has mapped
//! (found in `/proc/PID/maps`) and lets it continue.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_mailgrade");

/// How the run ended, and what it printed.
struct Run {
    exit_code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    /// Whether the victim was truncated while mapped.
    truncated: bool,
}

/// Runs mailgrade with the stop hook; each time it stops with `victim` mapped (the first
/// time only), cuts `victim` to `keep` bytes, then continues it.
fn run_cutting(args: &[&str], victim: &Path, keep: u64, work: &Path) -> Run {
    let out = work.join("stdout");
    let err = work.join("stderr");
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("MAILGRADE_TEST_STOP_AFTER_MAP", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"));
    // Reaped below with waitpid (to see it stop), not through `Child::wait`.
    #[allow(clippy::zombie_processes)]
    let child = command.spawn().expect("mailgrade starts");
    let pid = child.id() as libc::pid_t;
    let victim = victim.canonicalize().expect("victim path");
    let mut truncated = false;
    let mut stops = 0;
    let status = loop {
        let mut status = 0;
        // SAFETY: waits for our own child; `status` is written by the call.
        let waited = unsafe { libc::waitpid(pid, &mut status, libc::WUNTRACED) };
        assert_eq!(waited, pid, "waitpid: {}", std::io::Error::last_os_error());
        if !libc::WIFSTOPPED(status) {
            break status;
        }
        stops += 1;
        assert!(stops < 100, "mailgrade keeps stopping");
        if !truncated && maps(pid).contains(&victim) {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&victim)
                .and_then(|f| f.set_len(keep))
                .expect("truncate the capture");
            truncated = true;
        }
        // SAFETY: continues our own stopped child.
        unsafe { libc::kill(pid, libc::SIGCONT) };
    };
    Run {
        exit_code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        stdout: std::fs::read_to_string(out).unwrap_or_default(),
        stderr: std::fs::read_to_string(err).unwrap_or_default(),
        truncated,
    }
}

/// The files process `pid` has mapped.
fn maps(pid: libc::pid_t) -> Vec<PathBuf> {
    std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5).map(PathBuf::from))
        .collect()
}

/// A capture of about `bytes` with mail in it.
fn capture(path: &Path, bytes: u64, seed: u64) {
    let file = std::fs::File::create(path).expect("create capture");
    synth::mixed_capture(BufWriter::new(file), bytes, seed).expect("write capture");
}

#[test]
fn a_capture_cut_short_while_it_is_read_is_an_error_not_a_crash() {
    let work = tempfile::tempdir().expect("temp dir");
    // Large enough for the helper thread that faults pages in ahead of the reader.
    let path = work.path().join("shrinking.pcap");
    capture(&path, 40 << 20, 3);
    let path_text = path.to_str().expect("utf-8 path");
    let run = run_cutting(&["extract", path_text], &path, 1 << 20, work.path());
    assert!(run.truncated, "the file was never seen mapped");
    assert_eq!(run.signal, None, "killed by a signal:\n{}", run.stderr);
    assert_eq!(run.exit_code, Some(2), "{}{}", run.stdout, run.stderr);
    // `extract` prints the problems of a file among its sessions, on stdout.
    let shown = format!("{}{}", run.stdout, run.stderr);
    assert!(
        shown.contains(path_text) && shown.contains("the file changed while it was read"),
        "{shown}"
    );
}

#[test]
fn in_a_batch_the_other_submissions_are_still_graded() {
    let work = tempfile::tempdir().expect("temp dir");
    let (first, second) = (work.path().join("a.pcap"), work.path().join("b.pcap"));
    capture(&first, 2 << 20, 5);
    capture(&second, 2 << 20, 6);
    let (a, b) = (first.to_str().unwrap(), second.to_str().unwrap());
    let args = [
        "grade", "--server", "none", "--jobs", "1", "--format", "json", a, b,
    ];
    let run = run_cutting(&args, &first, 4096, work.path());
    assert!(run.truncated, "the file was never seen mapped");
    assert_eq!(run.signal, None, "killed by a signal:\n{}", run.stderr);
    assert_eq!(run.exit_code, Some(2), "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    let submissions = report["submissions"].as_array().expect("submissions");
    let by_id = |path: &str| {
        submissions
            .iter()
            .find(|s| s["id"] == path)
            .unwrap_or_else(|| panic!("no submission {path}: {}", run.stdout))
    };
    let problems = by_id(a)["problems"].to_string();
    assert!(
        problems.contains("the file changed while it was read"),
        "{problems}"
    );
    let graded = by_id(b);
    assert!(
        graded["grades"].as_array().is_some_and(|g| !g.is_empty()),
        "the other submission was graded: {graded}"
    );
}
