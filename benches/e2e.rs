//! The CLI's whole path on a capture, as a user runs it, next to tshark in one run.
//!
//! ```text
//! cargo bench --bench e2e -- [--sessions 20000] [--at-once 8] [--runs 3] [--tshark-runs 1]
//!                            [--big] [--keep DIR] [--no-tshark] [--bin LABEL=PATH]…
//! ```
//!
//! Generates a capture of nothing but mail (`support/synth.rs`, `mail_capture`: SMTP and
//! POP3 sessions alternately, `--at-once` of them interleaved; 20,000 sessions make about
//! 71 MB) and times, best and median of `--runs`, the release binary's
//!
//! - `mailgrade extract FILE` (text),
//! - `mailgrade extract --format json FILE`,
//! - `mailgrade grade --server none FILE` (text) and `--format json`,
//! - both JSON runs again with `--compact` (the same document without whitespace),
//!
//! each writing its report to a file (dirty pages written back before every run, tshark's
//! too, so no run pays for the one before), beside tshark's field extraction on the same file
//! (`tshark -r F -Y 'smtp || pop' -T fields -e smtp.req.command -e smtp.response.code
//! -e pop.request.command -e pop.response.indicator`, best of `--tshark-runs`). The runs are
//! taken in rounds, one of each row per round, tshark's among the first rounds, so that a
//! slow spell of the machine falls on every row alike. Each row gives the best and the
//! median wall time, CPU time, MB/s and sessions/s by wall time, the ratio to tshark by the
//! best wall times, the
//! peak resident memory of the process (`wait4`'s rusage, the largest of the runs) and how
//! many times the capture size that is.
//!
//! `--big` (or `MAILGRADE_E2E_BIG=1`) adds a capture of about 1 GB (282,000 sessions), which
//! takes minutes with tshark; the default run stays short. `--bin LABEL=PATH` times another
//! build of mailgrade as well (e.g. one built from an older commit), side by side.
//! The machine's load average is printed before and after: the figures are only comparable
//! within one run.

#[path = "support/synth.rs"]
mod synth;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mailgrade");
/// Sessions in the 1 GB capture: about 3.55 kB of capture each.
const BIG_SESSIONS: u64 = 282_000;

struct Options {
    sessions: u64,
    at_once: usize,
    runs: u32,
    tshark_runs: u32,
    big: bool,
    keep: Option<PathBuf>,
    tshark: bool,
    bins: Vec<(String, PathBuf)>,
}

fn options() -> Options {
    let mut options = Options {
        sessions: 20_000,
        at_once: 8,
        runs: 3,
        tshark_runs: 1,
        big: std::env::var_os("MAILGRADE_E2E_BIG").is_some_and(|v| v != "0"),
        keep: None,
        tshark: true,
        bins: vec![("mailgrade".into(), PathBuf::from(BIN))],
    };
    let mut args = std::env::args().skip(1);
    let number = |value: Option<String>, default: u64| {
        value.and_then(|v| v.parse().ok()).unwrap_or(default).max(1)
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sessions" => options.sessions = number(args.next(), 20_000),
            "--at-once" => options.at_once = number(args.next(), 8) as usize,
            "--runs" => options.runs = number(args.next(), 3) as u32,
            "--tshark-runs" => options.tshark_runs = number(args.next(), 1) as u32,
            "--big" => options.big = true,
            "--keep" => options.keep = args.next().map(PathBuf::from),
            "--no-tshark" => options.tshark = false,
            "--bin" => {
                if let Some((label, path)) = args.next().as_deref().and_then(|v| v.split_once('='))
                {
                    options.bins.push((label.into(), path.into()));
                }
            }
            _ => {} // `cargo bench` passes --bench
        }
    }
    options
}

/// What one run of a child process cost.
#[derive(Clone, Copy)]
struct Run {
    wall: Duration,
    cpu: Duration,
    /// Peak resident set, bytes.
    peak: u64,
    code: i32,
}

/// Runs `command` to its end, its stdout into `out`, and reads its rusage with `wait4`.
fn run(command: &mut Command, out: &Path) -> Run {
    let stdout = File::create(out).expect("create output file");
    // Each run's report replaces the one before it (the file truncated and written again),
    // and the kernel writes such a file back to disk right after it is closed (ext4's
    // `auto_da_alloc`). Without this, up to 4.5 GB of that writeback, from the previous run,
    // ran during this one and took its CPU on two cores: `extract --format json` on the
    // 1 GB capture read 467 MB/s, 628 MB/s with it. Each run starts with nothing dirty, as
    // a user's single run does; what its own report costs to write stays in its time.
    // SAFETY: sync takes no arguments and only asks the kernel to write dirty pages back.
    unsafe { libc::sync() };
    let start = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("start child");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 only writes into the status and rusage we pass; the child is ours and
    // not waited for elsewhere (its `Child` is dropped without waiting).
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let waited = libc::wait4(pid, &mut status, 0, &mut usage);
        assert_eq!(waited, pid, "wait4");
        usage
    };
    let wall = start.elapsed();
    drop(child);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        // Linux gives ru_maxrss in KiB.
        peak: usage.ru_maxrss as u64 * 1024,
        code: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
    }
}

/// Runs of one command, folded as they come.
#[derive(Default)]
struct Runs {
    walls: Vec<Duration>,
    best: Option<Run>,
}

impl Runs {
    fn add(&mut self, next: Run) {
        self.walls.push(next.wall);
        self.best = Some(match self.best {
            // Best wall and CPU time, the largest peak memory, the last exit code.
            Some(best) => Run {
                wall: best.wall.min(next.wall),
                cpu: best.cpu.min(next.cpu),
                peak: best.peak.max(next.peak),
                code: next.code,
            },
            None => next,
        });
    }

    /// The median wall time: how far the best is from a typical run.
    fn median(&self) -> Duration {
        let mut walls = self.walls.clone();
        walls.sort();
        walls.get(walls.len() / 2).copied().unwrap_or_default()
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn main() {
    let options = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = options
        .keep
        .clone()
        .unwrap_or_else(|| dir.path().to_path_buf());
    std::fs::create_dir_all(&folder).expect("create --keep folder");
    println!(
        "load average before: {} ({} CPUs)",
        load(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    bench_capture(&folder, "mail.pcap", options.sessions, &options);
    if options.big {
        bench_capture(&folder, "mail-1gb.pcap", BIG_SESSIONS, &options);
    }
    println!("\nload average after: {}", load());
}

fn bench_capture(folder: &Path, name: &str, sessions: u64, options: &Options) {
    let path = folder.join(name);
    let start = Instant::now();
    let file = BufWriter::with_capacity(1 << 20, File::create(&path).expect("create capture"));
    let (file, summary) =
        synth::mail_capture(file, sessions, options.at_once, 7).expect("write capture");
    file.into_inner()
        .expect("flush capture")
        .sync_all()
        .expect("sync capture");
    let mail = summary.smtp_sessions + summary.pop3_sessions;
    let mb = summary.bytes as f64 / 1e6;
    println!(
        "\n{} ({mb:.1} MB, {} frames, {} SMTP + {} POP3 sessions, {} at once), generated in {:.1?}",
        path.display(),
        summary.frames,
        summary.smtp_sessions,
        summary.pop3_sessions,
        options.at_once,
        start.elapsed()
    );
    let out = folder.join("report.out");
    let tshark_out = folder.join("tshark.out");
    let commands: [(&str, &[&str]); 6] = [
        ("extract", &["extract"]),
        ("extract --format json", &["extract", "--format", "json"]),
        (
            "extract --format json --compact",
            &["extract", "--format", "json", "--compact"],
        ),
        ("grade --server none", &["grade", "--server", "none"]),
        (
            "grade --server none --format json",
            &["grade", "--server", "none", "--format", "json"],
        ),
        (
            "grade --server none --format json --compact",
            &["grade", "--server", "none", "--format", "json", "--compact"],
        ),
    ];
    // Every row's runs taken in rounds, one run of each row per round and tshark's among
    // the first rounds: this machine kind's speed drifts by tens of percent over seconds,
    // and rows timed one after the other compared one period with another.
    struct Row<'a> {
        label: &'a str,
        bin: &'a Path,
        what: &'a str,
        args: &'a [&'a str],
        runs: Runs,
        out_bytes: u64,
        unsupported: bool,
    }
    let mut rows: Vec<Row<'_>> = options
        .bins
        .iter()
        .flat_map(|(label, bin)| {
            commands.iter().map(move |&(what, args)| Row {
                label,
                bin,
                what,
                args,
                runs: Runs::default(),
                out_bytes: 0,
                unsupported: false,
            })
        })
        .collect();
    let mut tshark = Runs::default();
    for round in 0..options.runs.max(options.tshark_runs) {
        if round < options.runs {
            for row in rows.iter_mut().filter(|row| !row.unsupported) {
                let r = run(Command::new(row.bin).args(row.args).arg(&path), &out);
                // An older build (`--bin`) may not know an option: a usage error, not a figure.
                if r.code == 64 {
                    row.unsupported = true;
                    continue;
                }
                assert!(
                    r.code == 0 || (r.code == 1 && row.what.starts_with("grade")),
                    "{} {} exited with {}",
                    row.label,
                    row.what,
                    r.code
                );
                row.out_bytes = std::fs::metadata(&out).map_or(0, |m| m.len());
                row.runs.add(r);
            }
        }
        if options.tshark && round < options.tshark_runs {
            tshark.add(run(
                Command::new("tshark")
                    .arg("-r")
                    .arg(&path)
                    .args(["-Y", "smtp || pop", "-T", "fields"])
                    .args(["-e", "smtp.req.command", "-e", "smtp.response.code"])
                    .args(["-e", "pop.request.command", "-e", "pop.response.indicator"]),
                &tshark_out,
            ));
        }
    }
    let tshark_best = tshark.best.filter(|t| t.code == 0);
    println!(
        "{:<52} {:>7} {:>7} {:>7} {:>8} {:>10} {:>9} {:>8} {:>7} {:>8}",
        "",
        "wall s",
        "med s",
        "CPU s",
        "MB/s",
        "sessions/s",
        "× tshark",
        "peak MB",
        "× file",
        "out MB"
    );
    let print_row = |who: &str, runs: &Runs, out_bytes: u64| {
        let Some(r) = runs.best else {
            return;
        };
        let ratio = tshark_best.map_or(String::new(), |t| {
            format!("{:.1}", t.wall.as_secs_f64() / r.wall.as_secs_f64())
        });
        println!(
            "{who:<52} {:>7.3} {:>7.3} {:>7.3} {:>8.1} {:>10.0} {:>9} {:>8.0} {:>7.2} {:>8.1}",
            r.wall.as_secs_f64(),
            runs.median().as_secs_f64(),
            r.cpu.as_secs_f64(),
            mb / r.wall.as_secs_f64(),
            mail as f64 / r.wall.as_secs_f64(),
            ratio,
            r.peak as f64 / 1e6,
            r.peak as f64 / summary.bytes as f64,
            out_bytes as f64 / 1e6
        );
    };
    for row in &rows {
        if row.unsupported {
            println!("  {} {}: not supported by this build", row.label, row.what);
        } else {
            print_row(
                &format!("  {} {}", row.label, row.what),
                &row.runs,
                row.out_bytes,
            );
        }
    }
    match tshark_best {
        Some(_) => {
            let out_bytes = std::fs::metadata(&tshark_out).map_or(0, |m| m.len());
            print_row("  tshark -T fields (smtp || pop)", &tshark, out_bytes);
        }
        None if options.tshark => println!("  tshark: not run (not installed?)"),
        None => {}
    }
    println!(
        "  (best and median of {} mailgrade and {} tshark runs, taken in rounds; peak = largest ru_maxrss of the runs; load now {})",
        options.runs,
        options.tshark_runs,
        load()
    );
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&tshark_out);
}
