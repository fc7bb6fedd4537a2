//! Grading throughput with replay on the embedded server: a class of 1,000 telnet
//! transcripts graded by the `mailgrade` binary, at several `--jobs`.
//!
//! ```text
//! cargo bench --bench replay -- [--count 1000] [--jobs 1,2,4,8] [--runs 3]
//! ```
//!
//! Each submission gets its own embedded server (started, replayed, stopped), as in a real
//! run. The figure is submissions per second, best of `--runs`, end to end (process start,
//! reading, claimed grading, replay, re-grading, JSON). `--server none` is timed alongside to
//! show what replay costs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

struct Options {
    count: usize,
    jobs: Vec<usize>,
    runs: u32,
}

fn options() -> Options {
    let mut options = Options {
        count: 1000,
        jobs: vec![1, 2, 4, 8],
        runs: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--count" => options.count = args.next().and_then(|v| v.parse().ok()).unwrap_or(1000),
            "--jobs" => {
                options.jobs = args
                    .next()
                    .map(|v| v.split(',').filter_map(|j| j.parse().ok()).collect())
                    .unwrap_or_default()
            }
            "--runs" => options.runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(3).max(1),
            _ => {} // `cargo bench` passes --bench
        }
    }
    options
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Student `n`'s telnet session: AUTH LOGIN, one mail, QUIT; every fifth logs in with a
/// wrong password first, every seventh forgets the body (a Wireshark size only).
fn transcript(n: usize) -> String {
    let user = format!("{}@qq.com", 100_000_000 + n);
    let mut text = format!(
        "telnet smtp.qq.com 25\nS: 220 smtp.qq.com Esmtp QQ Mail Server\nC: EHLO student{n}\nS: 250-smtp.qq.com\nS: 250-PIPELINING\nS: 250 AUTH LOGIN PLAIN\n"
    );
    if n % 5 == 0 {
        text.push_str(&format!(
            "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: {}\nS: 334 UGFzc3dvcmQ6\nC: {}\nS: 535 Error: authentication failed\n",
            b64(&user),
            b64("wrong")
        ));
    }
    text.push_str(&format!(
        "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: {}\nS: 334 UGFzc3dvcmQ6\nC: {}\nS: 235 Authentication successful\n",
        b64(&user),
        b64(&format!("code{n:06}"))
    ));
    text.push_str(&format!(
        "C: MAIL FROM:<{user}>\nS: 250 OK\nC: RCPT TO:<{}@qq.com>\nS: 250 OK\nC: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\n",
        200_000_000 + n
    ));
    if n % 7 == 0 {
        text.push_str("C: DATA fragment, 2429 bytes\n");
    } else {
        text.push_str(&format!(
            "C: From: <{user}>\nC: Subject: lab {n}\nC: \nC: Hello from student {n}.\nC: .\n"
        ));
    }
    text.push_str("S: 250 OK: queued as.\nC: QUIT\nS: 221 Bye\n");
    text
}

fn write_class(dir: &Path, count: usize) -> Vec<PathBuf> {
    (0..count)
        .map(|n| {
            let path = dir.join(format!("s{n:04}.txt"));
            std::fs::write(&path, transcript(n)).expect("write transcript");
            path
        })
        .collect()
}

fn time_run(paths: &[PathBuf], server: &str, jobs: usize, runs: u32) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_mailgrade"))
                .args(["grade", "--format", "json", "--server", server, "--jobs"])
                .arg(jobs.to_string())
                .args(paths)
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .status()
                .expect("mailgrade runs");
            assert!(
                status.code().is_some_and(|c| c < 2),
                "mailgrade failed: {status}"
            );
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let options = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = write_class(dir.path(), options.count);
    println!(
        "replay bench: {} telnet transcripts, {} core(s), best of {}",
        options.count,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        options.runs
    );
    for &jobs in &options.jobs {
        for server in ["embedded", "none"] {
            let took = time_run(&paths, server, jobs, options.runs);
            let rate = options.count as f64 / took.as_secs_f64();
            println!(
                "  --server {server:<8} --jobs {jobs}: {:>7.1} ms  {rate:>7.0} submissions/s",
                took.as_secs_f64() * 1000.0
            );
        }
    }
}
