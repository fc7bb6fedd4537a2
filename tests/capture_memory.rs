//! A capture file is read in place, not into memory: the process may allocate far less than
//! the file's size and still reads every session of it. Connections that carry no mail cost
//! a table of bounded size: a SYN flood of a million connections is read in the same memory.
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

/// Runs `mailgrade extract --format json FILE` with `DATA_LIMIT` of data allowed.
fn extract_limited(path: &std::path::Path) -> std::process::Output {
    run_limited(&["extract", "--format", "json"], path)
}

/// Runs `mailgrade ARGS FILE` with `DATA_LIMIT` of data allowed.
fn run_limited(args: &[&str], path: &std::path::Path) -> std::process::Output {
    let mut command = Command::new(BIN);
    command.args(args).arg(path).stdin(Stdio::null());
    // With backtraces on, std's out-of-memory hook allocates to print one and, failing
    // again, waits on its own lock forever: a run over the limit would hang, not fail.
    command.env_remove("RUST_BACKTRACE");
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
    command.output().expect("mailgrade runs")
}

#[test]
fn a_capture_four_times_the_allowed_memory_is_read_whole() {
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("big.pcap");
    let file = std::fs::File::create(&path).expect("create capture");
    let (_, summary) =
        synth::mixed_capture(BufWriter::new(file), 4 * DATA_LIMIT, 11).expect("write capture");
    assert!(summary.bytes >= 4 * DATA_LIMIT);
    let output = extract_limited(&path);
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

/// A capture of nothing but mail, 16,000 short sessions: held until the file ends, its
/// sessions alone take about twice `DATA_LIMIT`, their grades as much again. Sessions leave
/// the capture reader as they end and are written (or graded) as they come, so `extract`'s
/// reports and `grade --server none` (text and JSON) are written whole within it.
#[test]
fn a_capture_of_many_sessions_is_written_as_it_is_read() {
    const SESSIONS: u64 = 16_000;
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("mail.pcap");
    let file = std::fs::File::create(&path).expect("create capture");
    let (_, summary) =
        synth::mail_capture(BufWriter::new(file), SESSIONS, 8, 7).expect("write capture");
    assert_eq!(summary.smtp_sessions + summary.pop3_sessions, SESSIONS);
    let output = extract_limited(&path);
    assert_eq!(
        output.status.code(),
        Some(0),
        "mailgrade extract --format json on {SESSIONS} sessions ({} MB) with {} MB of data \
         allowed:\n{}",
        summary.bytes >> 20,
        DATA_LIMIT >> 20,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(sessions_found(&output.stdout) as u64, SESSIONS);
    let output = run_limited(&["extract"], &path);
    assert_eq!(
        output.status.code(),
        Some(0),
        "mailgrade extract on {SESSIONS} sessions with {} MB of data allowed:\n{}",
        DATA_LIMIT >> 20,
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(&format!("\nsession {SESSIONS}: ")),
        "the last session is written"
    );
    let output = run_limited(&["grade", "--server", "none", "--format", "json"], &path);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "mailgrade grade --server none --format json on {SESSIONS} sessions with {} MB of data \
         allowed: {:?}\n{}",
        DATA_LIMIT >> 20,
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let submission = &report["submissions"][0];
    assert_eq!(
        submission["sessions"].as_array().map(Vec::len),
        Some(SESSIONS as usize)
    );
    assert_eq!(
        submission["grades"].as_array().map(Vec::len),
        Some(SESSIONS as usize)
    );
    let output = run_limited(&["grade", "--server", "none"], &path);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "mailgrade grade --server none on {SESSIONS} sessions with {} MB of data allowed: \
         {:?}\n{}",
        DATA_LIMIT >> 20,
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(&format!("({SESSIONS} session(s) graded")),
        "every session graded: {}",
        text.lines().last().unwrap_or_default()
    );
}

/// A million SYNs, each a connection that never carries a byte, held in a table would take
/// about a gigabyte; with the table capped they fit in the same 64 MB. The mail sessions
/// among them are each overrun by over 40,000 SYNs before their first byte (more than twice
/// the table), and are still read.
#[test]
fn a_syn_flood_fits_in_bounded_memory_and_its_mail_is_still_read() {
    const SYNS: u64 = 1_000_000;
    const MAIL: u64 = 24;
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("flood.pcap");
    let file = std::fs::File::create(&path).expect("create capture");
    let (_, summary, skeletons) =
        synth::syn_flood_capture(BufWriter::new(file), SYNS, MAIL).expect("write capture");
    assert_eq!(summary.other_flows, SYNS);
    let output = extract_limited(&path);
    assert_eq!(
        output.status.code(),
        Some(0),
        "mailgrade extract on {SYNS} SYNs ({} MB) with {} MB of data allowed:\n{}",
        summary.bytes >> 20,
        DATA_LIMIT >> 20,
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let sessions = report["submissions"][0]["sessions"]
        .as_array()
        .expect("sessions");
    let found: Vec<Vec<String>> = sessions
        .iter()
        .map(|s| {
            s["skeleton"]
                .as_array()
                .expect("skeleton")
                .iter()
                .map(|l| l.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .collect();
    assert_eq!(found, skeletons, "every session, every exchange");
    // A session whose opening was forgotten says where it began.
    let noted = sessions
        .iter()
        .filter(|s| {
            s["notes"]
                .to_string()
                .contains("too many connections without mail")
        })
        .count();
    assert!(noted > 0, "no session says its opening was set aside");
}

/// The summary says how many connections were set aside: in the reason when there is no
/// mail, in a note beside the sessions when there is.
#[test]
fn the_summary_says_how_many_connections_were_set_aside() {
    use mailgrade::ingest::{read_bytes, IngestError};
    /// Connections without mail kept at once (`capture::waiting::MAX_WAITING`).
    const KEPT: u64 = 12_288;
    const SYNS: u64 = 50_000;
    let path = std::path::Path::new("flood.pcap");
    let mut writer = synth::PcapWriter::new(Vec::new(), synth::Link::Ethernet).expect("header");
    synth::Flood::new().syns(&mut writer, SYNS, &mut 0);
    match read_bytes(path, &writer.into_inner()) {
        Err(IngestError::NothingFound { reason, .. }) => assert!(
            reason.en.contains(&format!(
                "{SYNS} TCP connection attempts that carried no data (ports 25, …) and {} \
                 connections set aside unread (more than {KEPT} without mail were open at once)",
                SYNS - KEPT
            )),
            "{reason:?}"
        ),
        other => panic!("a flood without mail: {other:?}"),
    }
    let (bytes, _, skeletons) = synth::syn_flood_capture(Vec::new(), SYNS, 2).expect("capture");
    let read = read_bytes(path, &bytes).expect("the mail reads");
    assert_eq!(read.sessions.len(), skeletons.len());
    let notes: Vec<&str> = read.notes.iter().map(|n| n.detail.en.as_str()).collect();
    let prefix = format!(
        "more than {KEPT} connections without mail were open at once (a SYN flood or a port \
         scan?), so "
    );
    let set_aside: Vec<u64> = notes
        .iter()
        .filter_map(|n| n.strip_prefix(&prefix)?.split(' ').next()?.parse().ok())
        .collect();
    // Every SYN but the last KEPT, and the mail connections' own openings (each is overrun
    // before its first byte, some of them twice: the SYN, then the SYN-ACK).
    assert!(
        matches!(set_aside[..], [n] if (SYNS - KEPT..=SYNS - KEPT + 4).contains(&n)),
        "{notes:?}"
    );
}
