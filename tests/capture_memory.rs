//! A capture file is read in place, not into memory: the process may allocate far less than
//! the file's size and still reads every session of it.
//!
//! `RLIMIT_DATA` caps what a process can allocate (heap and private mappings) but not a
//! read-only mapping of a file, so a reader that loaded the file into a buffer fails here
//! while one that maps or streams it does not.

#[path = "../benches/support/synth.rs"]
mod synth;

use std::io::BufWriter;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_mailgrade");

/// What the process may allocate; a debug build reads the captures below in about 20 MB.
const DATA_LIMIT: u64 = 64 << 20;

fn sessions_found(report: &[u8]) -> usize {
    let report: serde_json::Value = serde_json::from_slice(report).expect("JSON report");
    report["submissions"][0]["sessions"]
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn a_capture_four_times_the_allowed_memory_is_read_whole() {
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("big.pcap");
    let file = std::fs::File::create(&path).expect("create capture");
    let (_, summary) =
        synth::mixed_capture(BufWriter::new(file), 4 * DATA_LIMIT, 11).expect("write capture");
    assert!(summary.bytes >= 4 * DATA_LIMIT);

    let mut command = Command::new(BIN);
    command
        .args(["extract", "--format", "json"])
        .arg(&path)
        .stdin(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: DATA_LIMIT,
                rlim_max: DATA_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_DATA, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let output = command.output().expect("mailgrade runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "mailgrade extract on a {} MB capture with {} MB of data allowed:\n{}",
        summary.bytes >> 20,
        DATA_LIMIT >> 20,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        sessions_found(&output.stdout) as u64,
        summary.smtp_sessions + summary.pop3_sessions,
        "every mail session of the capture"
    );
}
