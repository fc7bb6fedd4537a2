//! Capture reader throughput, next to tshark on the same file.
//!
//! ```text
//! cargo bench --bench capture -- [--size-mb 256] [--runs 3] [--keep FILE] [--no-tshark]
//! ```
//!
//! Generates a synthetic pcap (mail sessions among HTTPS/HTTP/DNS traffic, see
//! `support/synth.rs`), times mailgrade's capture reader on it on one core, best of
//! `--runs` — `read_capture` on the bytes in memory and `read_capture_file` on the file
//! (what `read_file` does: the file mapped from the page cache) — then times
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

/// CPU time (user + system) used so far by this process (`Self_`) or its waited-for
/// children: on a loaded machine it says more than wall time.
fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: getrusage only writes into the struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn mb_per_s(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

/// Best time of `runs` reads; `in_memory` reads the file into memory first (untimed) and
/// times `read_capture` on the bytes, otherwise `read_capture_file` reads the file.
fn time_mailgrade(path: &Path, runs: u32, in_memory: bool) -> (Duration, Duration, usize) {
    let bytes = if in_memory {
        std::fs::read(path).expect("read capture")
    } else {
        Vec::new()
    };
    let mut best = Duration::MAX;
    let mut best_cpu = Duration::MAX;
    let mut sessions = 0;
    for _ in 0..runs {
        let cpu = cpu_time(libc::RUSAGE_SELF);
        let start = Instant::now();
        let read = if in_memory {
            mailgrade::ingest::capture::read_capture(path, &bytes)
        } else {
            mailgrade::ingest::capture::read_capture_file(path)
        };
        let elapsed = start.elapsed();
        best_cpu = best_cpu.min(cpu_time(libc::RUSAGE_SELF) - cpu);
        sessions = read.expect("synthetic capture reads").sessions.len();
        best = best.min(elapsed);
    }
    (best, best_cpu, sessions)
}

fn time_tshark(path: &Path) -> Option<(Duration, Duration, usize)> {
    let cpu = cpu_time(libc::RUSAGE_CHILDREN);
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
    let cpu = cpu_time(libc::RUSAGE_CHILDREN) - cpu;
    output.status.success().then(|| {
        (
            elapsed,
            cpu,
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
    println!(
        "{:<24} {:>9} {:>10} {:>9} {:>10} {:>12}",
        "", "wall s", "MB/s", "CPU s", "MB/CPU-s", "sessions/s"
    );
    let row = |who: &str, wall: Duration, cpu: Duration| {
        println!(
            "{who:<24} {:>9.3} {:>10.1} {:>9.3} {:>10.1} {:>12.0}",
            wall.as_secs_f64(),
            mb_per_s(summary.bytes, wall),
            cpu.as_secs_f64(),
            mb_per_s(summary.bytes, cpu),
            mail as f64 / wall.as_secs_f64()
        );
    };
    let mut ours = Vec::new();
    for (what, in_memory) in [("in memory", true), ("from the file", false)] {
        let (wall, cpu, sessions) = time_mailgrade(&path, options.runs, in_memory);
        assert_eq!(sessions as u64, mail, "mailgrade found every mail session");
        row(&format!("mailgrade ({what})"), wall, cpu);
        ours.push((what, wall, cpu));
    }
    if !options.tshark {
        return;
    }
    match time_tshark(&path) {
        Some((wall, cpu, lines)) => {
            row("tshark", wall, cpu);
            println!(
                "(tshark printed {lines} smtp/pop packet lines; mailgrade: best of {} runs)",
                options.runs
            );
            for (what, our_wall, our_cpu) in &ours {
                println!(
                    "speed-up ({what}): {:.0}× wall, {:.0}× CPU",
                    wall.as_secs_f64() / our_wall.as_secs_f64(),
                    cpu.as_secs_f64() / our_cpu.as_secs_f64()
                );
            }
        }
        None => println!("tshark:    not run (not installed?)"),
    }
}
