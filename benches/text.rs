//! Text reader throughput: transcripts, reports and exports to sessions.
//!
//! ```text
//! cargo bench --bench text -- [--runs 3] [--seconds 1] [--lines 150000] [--only GROUP]
//!                               [--against OLD_BINARY]
//! ```
//!
//! `--against OLD_BINARY` adds, for each group, the same bytes read by the binary of another
//! commit (`OLD_BINARY extract FILE --format json`, the group's files written to a
//! temporary folder; best of `--runs` whole passes), and this commit's `mailgrade` binary the
//! same way, side by side in one run: both figures include start-up and JSON output, so
//! they compare with each other, not with the in-memory column.
//!
//! Reads every transcript input the project has, bytes already in memory, one group at a
//! time: `../shared/corpus/transcripts` (read in place), `examples/`, `tests/fixtures/
//! transcripts`, `tests/notations` (when present), and two generated transcripts of
//! `--lines` lines each, one with `C:`/`S:` marks and one raw telnet log with none. Each
//! group is read over and over for `--seconds`; the best of `--runs` is shown in MB/s of
//! input. A group missing from the checkout (an older one) is skipped, so the same bench
//! runs on an older commit for a side-by-side figure.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Options {
    runs: u32,
    seconds: f64,
    lines: usize,
    /// Only the groups whose name contains this (for a profiler).
    only: Option<String>,
    /// Another commit's binary to compare with, run on the same files.
    against: Option<PathBuf>,
}

fn options() -> Options {
    let mut options = Options {
        runs: 3,
        seconds: 1.0,
        lines: 150_000,
        only: None,
        against: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        match arg.as_str() {
            "--runs" => options.runs = value.and_then(|v| v.parse().ok()).unwrap_or(3).max(1),
            "--seconds" => options.seconds = value.and_then(|v| v.parse().ok()).unwrap_or(1.0),
            "--lines" => options.lines = value.and_then(|v| v.parse().ok()).unwrap_or(150_000),
            "--only" => options.only = value,
            "--against" => options.against = value.map(PathBuf::from),
            // `cargo bench` passes `--bench`; anything else unknown is ignored too.
            _ => {}
        }
    }
    options
}

/// A group of inputs: name and (path, bytes) of each file.
struct Group {
    name: String,
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Group {
    fn bytes(&self) -> usize {
        self.files.iter().map(|(_, bytes)| bytes.len()).sum()
    }
}

/// The files of a folder and its subfolders, sorted; none when it does not exist.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if !entry.file_name().to_string_lossy().starts_with('.') {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn group_of(name: &str, dir: &Path) -> Option<Group> {
    let files: Vec<(PathBuf, Vec<u8>)> = files_below(dir)
        .into_iter()
        .filter_map(|path| std::fs::read(&path).ok().map(|bytes| (path, bytes)))
        .collect();
    (!files.is_empty()).then(|| Group {
        name: name.to_string(),
        files,
    })
}

/// One SMTP session as a telnet user types it: EHLO, AUTH LOGIN, one message, QUIT.
fn session(n: usize, marked: bool) -> Vec<String> {
    let (c, s) = if marked { ("C: ", "S: ") } else { ("", "") };
    let mut lines = vec![
        format!("{s}220 mail.lab.test ESMTP Postfix"),
        format!("{c}EHLO pc{n}.lab.test"),
        format!("{s}250-mail.lab.test"),
        format!("{s}250-PIPELINING"),
        format!("{s}250-AUTH PLAIN LOGIN"),
        format!("{s}250 8BITMIME"),
        format!("{c}AUTH LOGIN"),
        format!("{s}334 VXNlcm5hbWU6"),
        format!("{c}c3R1ZGVudEBsYWIudGVzdA=="),
        format!("{s}334 UGFzc3dvcmQ6"),
        format!("{c}YmVuY2gtcGFzcw=="),
        format!("{s}235 2.7.0 Authentication successful"),
        format!("{c}MAIL FROM:<student{n}@lab.test>"),
        format!("{s}250 2.1.0 Ok"),
        format!("{c}RCPT TO:<teacher@lab.test>"),
        format!("{s}250 2.1.5 Ok"),
        format!("{c}DATA"),
        format!("{s}354 End data with <CR><LF>.<CR><LF>"),
        format!("{c}From: student{n}@lab.test"),
        format!("{c}Subject: lab report {n}"),
        format!("{c}"),
    ];
    for line in 0..12 {
        lines.push(format!(
            "{c}Line {line} of the report: the server answered every command in order."
        ));
    }
    lines.extend([
        format!("{c}."),
        format!("{s}250 2.0.0 Ok: queued as {n:X}"),
        format!("{c}QUIT"),
        format!("{s}221 2.0.0 Bye"),
    ]);
    lines
}

fn generated(name: &str, lines: usize, marked: bool) -> Group {
    let mut text = String::new();
    let mut count = 0;
    let mut n = 0;
    while count < lines {
        for line in session(n, marked) {
            text.push_str(&line);
            text.push('\n');
            count += 1;
        }
        n += 1;
    }
    Group {
        name: name.to_string(),
        files: vec![(PathBuf::from(format!("{name}.txt")), text.into_bytes())],
    }
}

/// Reads the whole group once; the sessions found (so the work is not optimised away).
fn read_group(group: &Group) -> usize {
    group
        .files
        .iter()
        .map(|(path, bytes)| {
            mailgrade::ingest::read_bytes(path, bytes).map_or(0, |read| read.sessions.len())
        })
        .sum()
}

/// MB/s of the best run, and the sessions read per pass.
fn measure(group: &Group, options: &Options) -> (f64, usize) {
    let sessions = read_group(group);
    let budget = Duration::from_secs_f64(options.seconds);
    let mut best = 0.0f64;
    for _ in 0..options.runs {
        let start = Instant::now();
        let mut passes = 0u64;
        while passes == 0 || start.elapsed() < budget {
            std::hint::black_box(read_group(group));
            passes += 1;
        }
        let mb = (group.bytes() as f64 * passes as f64) / 1e6;
        best = best.max(mb / start.elapsed().as_secs_f64());
    }
    (best, sessions)
}

fn old_name(options: &Options) -> String {
    options
        .against
        .as_ref()
        .map_or(String::new(), |p| p.display().to_string())
}

/// MB/s of the best of `runs` passes of `binary extract` over the group's files.
fn measure_binary(binary: &Path, group: &Group, runs: u32) -> f64 {
    let dir = std::env::temp_dir().join(format!("mailgrade-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let files: Vec<PathBuf> = group
        .files
        .iter()
        .enumerate()
        .map(|(i, (path, bytes))| {
            let name = path
                .file_name()
                .map_or("input.txt".into(), |n| n.to_owned());
            let file = dir.join(format!("{i}-{}", name.to_string_lossy()));
            std::fs::write(&file, bytes).expect("a bench input written");
            file
        })
        .collect();
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let start = Instant::now();
        for file in &files {
            let _ = std::process::Command::new(binary)
                .args(["extract", "--format", "json"])
                .arg(file)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_dir_all(&dir);
    group.bytes() as f64 / 1e6 / best
}

fn main() {
    let options = options();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut groups: Vec<Group> = [
        ("shared corpus", root.join("../shared/corpus/transcripts")),
        ("examples", root.join("examples")),
        ("fixtures", root.join("tests/fixtures/transcripts")),
        ("notations", root.join("tests/notations")),
    ]
    .iter()
    .filter_map(|(name, dir)| group_of(name, dir))
    .collect();
    groups.push(generated("generated C:/S:", options.lines, true));
    groups.push(generated("generated raw", options.lines, false));

    println!(
        "text reader, bytes in memory, best of {} runs of {:.1} s each",
        options.runs, options.seconds
    );
    println!(
        "  {:<18} {:>6} {:>11} {:>9} {:>9}",
        "group", "files", "bytes", "sessions", "MB/s"
    );
    let wanted = |group: &&Group| {
        options
            .only
            .as_ref()
            .map_or(true, |only| group.name.contains(only.as_str()))
    };
    for group in groups.iter().filter(wanted) {
        let (rate, sessions) = measure(group, &options);
        println!(
            "  {:<18} {:>6} {:>11} {:>9} {:>9.2}",
            group.name,
            group.files.len(),
            group.bytes(),
            sessions,
            rate
        );
        if let Some(old) = &options.against {
            let this = Path::new(env!("CARGO_BIN_EXE_mailgrade"));
            let (new, old) = (
                measure_binary(this, group, options.runs),
                measure_binary(old, group, options.runs),
            );
            println!(
                "  {:<18} binaries: this {new:.2} MB/s, {} {old:.2} MB/s ({:+.0} %)",
                "",
                old_name(&options),
                (new / old - 1.0) * 100.0
            );
        }
    }
}
