//! Capture reader throughput, next to tshark on the same file.
//!
//! ```text
//! cargo bench --bench capture -- [--size-mb 256] [--runs 3] [--keep FILE] [--no-tshark]
//! ```
//!
//! Generates a synthetic pcap (mail sessions among HTTPS/HTTP/DNS traffic, see
//! `support/synth.rs`), times mailgrade's capture reader on it on one core, best of
//! `--runs` — `read_capture` on the bytes in memory (what `read_file` does) and
//! `read_capture_file` streaming from the (cached) file — then times
//! `tshark -r F -Y 'smtp || pop' -T fields -e smtp.req.command -e smtp.response.code
//! -e pop.request.command -e pop.response.indicator` on the same file, and prints both.

#[path = "support/synth.rs"]
mod synth;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Options {
    size_mb: u64,
    runs: u32,
    keep: Option<PathBuf>,
    tshark: bool,
}

fn options() -> Options {
    let mut options = Options {
        size_mb: 256,
        runs: 3,
        keep: None,
        tshark: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--size-mb" => {
                options.size_mb = args.next().and_then(|v| v.parse().ok()).unwrap_or(256)
            }
            "--runs" => options.runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(3).max(1),
            "--keep" => options.keep = args.next().map(PathBuf::from),
            "--no-tshark" => options.tshark = false,
            _ => {} // `cargo bench` passes --bench
        }
    }
    options
}

fn mb_per_s(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

/// Best time of `runs` reads; `in_memory` reads the file into memory first (untimed) and
/// times `read_capture` on the bytes, otherwise `read_capture_file` streams it.
fn time_mailgrade(path: &Path, runs: u32, in_memory: bool) -> (Duration, usize) {
    let bytes = if in_memory {
        std::fs::read(path).expect("read capture")
    } else {
        Vec::new()
    };
    let mut best = Duration::MAX;
    let mut sessions = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let read = if in_memory {
            mailgrade::ingest::capture::read_capture(path, &bytes)
        } else {
            mailgrade::ingest::capture::read_capture_file(path)
        };
        let elapsed = start.elapsed();
        sessions = read.expect("synthetic capture reads").sessions.len();
        best = best.min(elapsed);
    }
    (best, sessions)
}

fn time_tshark(path: &Path) -> Option<(Duration, usize)> {
    let start = Instant::now();
    let output = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(["-Y", "smtp || pop", "-T", "fields"])
        .args(["-e", "smtp.req.command", "-e", "smtp.response.code"])
        .args(["-e", "pop.request.command", "-e", "pop.response.indicator"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let elapsed = start.elapsed();
    output.status.success().then(|| {
        (
            elapsed,
            output
                .stdout
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .count(),
        )
    })
}

fn main() {
    let options = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = options
        .keep
        .clone()
        .unwrap_or_else(|| dir.path().join("synthetic.pcap"));
    let start = Instant::now();
    let file = BufWriter::new(File::create(&path).expect("create capture"));
    let (_, summary) =
        synth::mixed_capture(file, options.size_mb << 20, 42).expect("write capture");
    let mail = summary.smtp_sessions + summary.pop3_sessions;
    println!(
        "capture: {} ({:.1} MB, {} frames, {} SMTP + {} POP3 sessions, {} other flows), generated in {:.1?}",
        path.display(),
        summary.bytes as f64 / 1e6,
        summary.frames,
        summary.smtp_sessions,
        summary.pop3_sessions,
        summary.other_flows,
        start.elapsed()
    );
    let mut ours = Vec::new();
    for (what, in_memory) in [("in memory", true), ("streamed", false)] {
        let (time, sessions) = time_mailgrade(&path, options.runs, in_memory);
        assert_eq!(sessions as u64, mail, "mailgrade found every mail session");
        let speed = mb_per_s(summary.bytes, time);
        println!(
            "mailgrade ({what:>9}): {:>8.3} s  {:>8.1} MB/s  {:>8.0} sessions/s  ({} sessions, best of {})",
            time.as_secs_f64(),
            speed,
            sessions as f64 / time.as_secs_f64(),
            sessions,
            options.runs
        );
        ours.push((what, speed));
    }
    if !options.tshark {
        return;
    }
    match time_tshark(&path) {
        Some((time, lines)) => {
            let theirs = mb_per_s(summary.bytes, time);
            println!(
                "tshark                 : {:>8.3} s  {:>8.1} MB/s  {:>8.0} sessions/s  ({} smtp/pop packets)",
                time.as_secs_f64(),
                theirs,
                mail as f64 / time.as_secs_f64(),
                lines
            );
            for (what, speed) in &ours {
                println!("speed-up ({what}): {:.0}×", speed / theirs);
            }
        }
        None => println!("tshark:    not run (not installed?)"),
    }
}
