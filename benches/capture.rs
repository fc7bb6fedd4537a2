//! Capture reader throughput, next to tshark on the same file.
//!
//! ```text
//! cargo bench --bench capture -- [--size-mb 128] [--runs 5] [--format pcap|pcapng|both]
//!                                [--keep DIR] [--no-tshark] [--tshark-runs 2]
//!                                [--syn-flood N]
//! ```
//!
//! Generates a synthetic capture (mail sessions among HTTPS/HTTP/DNS traffic, see
//! `support/synth.rs`) as pcap and as pcapng, writes it in 8 KiB pieces as Wireshark does,
//! and times, best of `--runs`:
//!
//! - `read_capture` on the bytes already in memory (one thread);
//! - `read_capture_file` on the file, as the CLI reads it (mapped; a second thread faults
//!   the pages in ahead of the reader), and the same pinned to one core;
//! - best of `--tshark-runs`, `tshark -r F -Y 'smtp || pop' -T fields -e smtp.req.command -e smtp.response.code
//!   -e pop.request.command -e pop.response.indicator` on the same file;
//!
//! first with the file as it was just written, then again once it has been evicted from
//! the page cache and read back from disk. The kernel keeps a file it read ahead in large
//! pages and one written in small pieces in 4 KiB pages, and mapping the latter costs
//! several times more; neither state is the only real one, so both are shown.
//!
//! CPU time counts every thread, the page helper included (runs wait for it to end).
//!
//! `--syn-flood N` times instead a capture of N unanswered SYNs (every packet a new
//! connection) with 24 mail sessions among them, read from the file, next to tshark.

#[path = "support/synth.rs"]
mod synth;

use std::fs::File;
use std::io::{BufReader, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Options {
    size_mb: u64,
    runs: u32,
    formats: Vec<Format>,
    keep: Option<PathBuf>,
    tshark: bool,
    tshark_runs: u32,
    syn_flood: Option<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Pcap,
    PcapNg,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Pcap => "pcap",
            Format::PcapNg => "pcapng",
        }
    }
}

fn options() -> Options {
    let mut options = Options {
        size_mb: 128,
        runs: 5,
        formats: vec![Format::Pcap, Format::PcapNg],
        keep: None,
        tshark: true,
        tshark_runs: 2,
        syn_flood: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--size-mb" => {
                options.size_mb = args.next().and_then(|v| v.parse().ok()).unwrap_or(128)
            }
            "--runs" => options.runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(5).max(1),
            "--format" => {
                options.formats = match args.next().as_deref() {
                    Some("pcap") => vec![Format::Pcap],
                    Some("pcapng") => vec![Format::PcapNg],
                    _ => vec![Format::Pcap, Format::PcapNg],
                }
            }
            "--keep" => options.keep = args.next().map(PathBuf::from),
            "--no-tshark" => options.tshark = false,
            "--tshark-runs" => {
                options.tshark_runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(2).max(1)
            }
            "--syn-flood" => options.syn_flood = args.next().and_then(|v| v.parse().ok()),
            _ => {} // `cargo bench` passes --bench
        }
    }
    options
}

/// CPU time (user + system) used so far by this process (`Self_`, every thread) or its
/// waited-for children.
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

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(1, |d| d.count())
}

/// Waits (untimed) until threads the reader left behind (the page helper unmapping the
/// file) have ended, so their CPU time is counted in the run that caused it.
fn wait_for_threads(baseline: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while threads() > baseline && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `f` with the calling thread (and the threads it starts) on one CPU.
fn on_one_core<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: sched_{get,set}affinity only read and write the sets we pass.
    unsafe {
        let mut before: libc::cpu_set_t = std::mem::zeroed();
        libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut before);
        let mut one: libc::cpu_set_t = std::mem::zeroed();
        let first = (0..libc::CPU_SETSIZE as usize)
            .find(|&cpu| libc::CPU_ISSET(cpu, &before))
            .unwrap_or(0);
        libc::CPU_SET(first, &mut one);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &one);
        let result = f();
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &before);
        result
    }
}

fn mb_per_s(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

#[derive(Clone, Copy)]
enum Reader {
    InMemory,
    File,
    FileOneCore,
}

impl Reader {
    fn label(self) -> &'static str {
        match self {
            Reader::InMemory => "mailgrade, bytes in memory",
            Reader::File => "mailgrade, file",
            Reader::FileOneCore => "mailgrade, file, 1 core",
        }
    }
}

/// Best wall and CPU time of `runs` reads, and the sessions found.
fn time_mailgrade(path: &Path, runs: u32, reader: Reader) -> (Duration, Duration, usize) {
    let bytes = match reader {
        Reader::InMemory => std::fs::read(path).expect("read capture"),
        Reader::File | Reader::FileOneCore => Vec::new(),
    };
    let baseline = threads();
    let mut best = Duration::MAX;
    let mut best_cpu = Duration::MAX;
    let mut sessions = 0;
    for _ in 0..runs {
        let cpu = cpu_time(libc::RUSAGE_SELF);
        let start = Instant::now();
        let read = match reader {
            Reader::InMemory => mailgrade::ingest::capture::read_capture(path, &bytes),
            Reader::File => mailgrade::ingest::capture::read_capture_file(path),
            Reader::FileOneCore => {
                on_one_core(|| {
                    let read = mailgrade::ingest::capture::read_capture_file(path);
                    // The helper must finish on the one core too.
                    wait_for_threads(baseline);
                    read
                })
            }
        };
        let elapsed = start.elapsed();
        wait_for_threads(baseline);
        best_cpu = best_cpu.min(cpu_time(libc::RUSAGE_SELF) - cpu);
        sessions = read.expect("synthetic capture reads").sessions.len();
        best = best.min(elapsed);
    }
    (best, best_cpu, sessions)
}

/// Best wall and CPU time of `runs` tshark runs (the first also loads its libraries and
/// dissectors from disk), and the packet lines it printed.
fn time_tshark(path: &Path, runs: u32) -> Option<(Duration, Duration, usize)> {
    let mut best: Option<(Duration, Duration, usize)> = None;
    for _ in 0..runs {
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
        if !output.status.success() {
            return None;
        }
        let lines = output
            .stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        best = Some(match best {
            Some((wall, best_cpu, _)) => (wall.min(elapsed), best_cpu.min(cpu), lines),
            None => (elapsed, cpu, lines),
        });
    }
    best
}

/// Writes `bytes` in 8 KiB pieces, as Wireshark's writer does, and syncs it to disk.
fn write_in_pieces(path: &Path, bytes: &[u8]) {
    let mut file = File::create(path).expect("create capture");
    for piece in bytes.chunks(8 << 10) {
        file.write_all(piece).expect("write capture");
    }
    file.sync_all().expect("sync capture");
}

/// Drops the file from the page cache and reads it back from disk.
fn evict_and_read_back(path: &Path) {
    let file = File::open(path).expect("open capture");
    // SAFETY: posix_fadvise only reads its arguments; the descriptor is open.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED);
    }
    std::io::copy(
        &mut BufReader::with_capacity(1 << 20, file),
        &mut std::io::sink(),
    )
    .expect("read capture back");
}

fn main() {
    let options = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = options
        .keep
        .clone()
        .unwrap_or_else(|| dir.path().to_path_buf());
    std::fs::create_dir_all(&folder).expect("create --keep folder");
    if let Some(syns) = options.syn_flood {
        bench_syn_flood(syns, &folder.join("syn-flood.pcap"), &options);
        return;
    }
    for format in &options.formats {
        bench_format(
            *format,
            &folder.join(format!("synthetic.{}", format.name())),
            &options,
        );
    }
}

fn bench_format(format: Format, path: &Path, options: &Options) {
    let start = Instant::now();
    let (bytes, summary) = match format {
        Format::Pcap => {
            synth::mixed_capture(Vec::new(), options.size_mb << 20, 42).expect("write capture")
        }
        Format::PcapNg => synth::mixed_capture_ng(options.size_mb << 20, 42),
    };
    write_in_pieces(path, &bytes);
    drop(bytes);
    let mail = summary.smtp_sessions + summary.pop3_sessions;
    println!(
        "\n{}: {} ({:.1} MB, {} frames, {} SMTP + {} POP3 sessions, {} other flows), generated in {:.1?}",
        format.name(),
        path.display(),
        summary.bytes as f64 / 1e6,
        summary.frames,
        summary.smtp_sessions,
        summary.pop3_sessions,
        summary.other_flows,
        start.elapsed()
    );
    println!(
        "{:<34} {:>8} {:>9} {:>8} {:>9} {:>10} {:>13}",
        "", "wall s", "MB/s", "CPU s", "MB/CPU-s", "sessions/s", "× tshark"
    );
    let row = |who: &str, wall: Duration, cpu: Duration, tshark: Option<(Duration, Duration)>| {
        let ratio = tshark.map_or(String::new(), |(t_wall, t_cpu)| {
            format!(
                "{:.0} wall, {:.0} CPU",
                t_wall.as_secs_f64() / wall.as_secs_f64(),
                t_cpu.as_secs_f64() / cpu.as_secs_f64()
            )
        });
        println!(
            "{who:<34} {:>8.3} {:>9.1} {:>8.3} {:>9.1} {:>10.0}  {ratio}",
            wall.as_secs_f64(),
            mb_per_s(summary.bytes, wall),
            cpu.as_secs_f64(),
            mb_per_s(summary.bytes, cpu),
            mail as f64 / wall.as_secs_f64()
        );
    };
    for state in ["just written", "read back from disk"] {
        if state != "just written" {
            evict_and_read_back(path);
        }
        println!("page cache: file {state}");
        let tshark = if options.tshark {
            time_tshark(path, options.tshark_runs)
        } else {
            None
        };
        let versus = tshark.map(|(wall, cpu, _)| (wall, cpu));
        let readers: &[Reader] = if state == "just written" {
            &[Reader::InMemory, Reader::File, Reader::FileOneCore]
        } else {
            &[Reader::File, Reader::FileOneCore]
        };
        for &reader in readers {
            let (wall, cpu, sessions) = time_mailgrade(path, options.runs, reader);
            assert_eq!(sessions as u64, mail, "mailgrade found every mail session");
            row(&format!("  {}", reader.label()), wall, cpu, versus);
        }
        match tshark {
            Some((wall, cpu, lines)) => {
                row("  tshark", wall, cpu, None);
                println!("  (tshark printed {lines} smtp/pop packet lines; best of {} tshark and {} mailgrade runs)", options.tshark_runs, options.runs);
            }
            None if options.tshark => println!("  tshark: not run (not installed?)"),
            None => {}
        }
    }
}

fn bench_syn_flood(syns: u64, path: &Path, options: &Options) {
    const MAIL: u64 = 24;
    let (bytes, summary, _) = synth::syn_flood_capture(Vec::new(), syns, MAIL).expect("capture");
    write_in_pieces(path, &bytes);
    drop(bytes);
    println!(
        "\nSYN flood: {} ({:.1} MB, {} SYNs, {MAIL} mail sessions among them)",
        path.display(),
        summary.bytes as f64 / 1e6,
        syns
    );
    let (wall, cpu, sessions) = time_mailgrade(path, options.runs, Reader::File);
    assert_eq!(sessions as u64, MAIL, "mailgrade found every mail session");
    println!(
        "  mailgrade, file: {:.3} s wall ({:.1} MB/s), {:.3} s CPU",
        wall.as_secs_f64(),
        mb_per_s(summary.bytes, wall),
        cpu.as_secs_f64()
    );
    if options.tshark {
        match time_tshark(path, options.tshark_runs) {
            Some((t_wall, t_cpu, _)) => println!(
                "  tshark:          {:.3} s wall ({:.1} MB/s), {:.3} s CPU; mailgrade {:.0}× faster by wall time",
                t_wall.as_secs_f64(),
                mb_per_s(summary.bytes, t_wall),
                t_cpu.as_secs_f64(),
                t_wall.as_secs_f64() / wall.as_secs_f64()
            ),
            None => println!("  tshark: not run (not installed?)"),
        }
    }
}
