//! The self-check page: how big it is, and how long grading a 10 MB capture takes in it
//! next to the same library built natively.
//!
//! ```text
//! cargo bench --bench web -- [--size-mb 10] [--runs 5]
//! ```
//!
//! Builds the page (`scripts/build-web`), prints the page's and the wasm module's sizes raw
//! and gzipped (`gzip -9`, as a static host would serve them), generates a synthetic pcapng
//! (`support/synth.rs`: mail sessions among other traffic), then times
//! `mailgrade::web::grade` on it with the built-in lab (the page's default) natively (best of
//! `--runs`) and the same grade in headless Chromium (best of `--runs` page loads). The page
//! logs to the console right before and after it grades; Chromium's log lines carry the
//! wall-clock time, which is what is compared (the page's own clock runs on virtual time
//! there). Both sides include reading,
//! grading and rendering the text and HTML reports; the page also copies the file into the
//! module's memory and parses the JSON answer.

#[path = "support/synth.rs"]
mod synth;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn gzip_size(path: &Path) -> u64 {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("gzip -9 -c '{}' | wc -c", path.display()))
        .output()
        .expect("gzip");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

/// Seconds since midnight from a Chromium log line's `MMDD/HHMMSS.micros` stamp.
fn stamp(line: &str) -> Option<f64> {
    let time = line.split(':').nth(2)?.split('/').nth(1)?;
    let (hms, micros) = time.split_once('.')?;
    let n: u32 = hms.parse().ok()?;
    let seconds = (n / 10_000) * 3600 + (n / 100 % 100) * 60 + n % 100;
    Some(f64::from(seconds) + micros.parse::<f64>().ok()? / 1e6)
}

fn page_time(page: &Path) -> Option<Duration> {
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .args([
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=120000",
        ])
        .arg("--dump-dom")
        .arg(format!("file://{}?lab=email-lab", page.display()))
        .output()
        .ok()?;
    let log = String::from_utf8_lossy(&out.stderr);
    let at = |what: &str| log.lines().find(|l| l.contains(what)).and_then(stamp);
    let (start, end) = (at("mailgrade: grading")?, at("mailgrade: graded")?);
    Some(Duration::from_secs_f64(end - start))
}

fn main() {
    let size_mb = arg("--size-mb", 10);
    let runs = arg("--runs", 5) as u32;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/web-bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let page_path = dir.join("index.html");
    let built = Command::new("bash")
        .arg("scripts/build-web")
        .arg(&page_path)
        .current_dir(&root)
        .status()
        .expect("scripts/build-web");
    assert!(built.success(), "scripts/build-web failed");
    let wasm = root.join("target/wasm32-unknown-unknown/release/mailgrade.wasm");
    for (what, path) in [("page", &page_path), ("wasm", &wasm)] {
        let raw = std::fs::metadata(path).expect("size").len();
        println!(
            "{what:5} {:>10} raw, {:>10} gzip -9",
            mb(raw),
            mb(gzip_size(path))
        );
    }

    let (capture, _) = synth::mixed_capture_ng(size_mb << 20, 42);
    println!("capture: synthetic pcapng, {}", mb(capture.len() as u64));
    let lang = mailgrade::i18n::Lang::En;
    let mut native = Duration::MAX;
    let mut exit = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let graded = mailgrade::web::grade(
            "capture.pcapng",
            capture.clone(),
            lang,
            Some("email-lab"),
            None,
        )
        .expect("graded");
        native = native.min(start.elapsed());
        exit = graded.exit;
    }
    println!("native  (mailgrade::web::grade, best of {runs}): {native:.1?} (exit {exit})");

    let page = std::fs::read_to_string(&page_path).expect("page");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&capture);
    let hook = format!(
        "<script>window.mailgradeOnReady = () => mailgradeGradeBase64(\"capture.pcapng\", \"{b64}\");</script>\n<script id=\"wasm\""
    );
    let with_capture = dir.join("capture.html");
    std::fs::write(
        &with_capture,
        page.replacen("<script id=\"wasm\"", &hook, 1),
    )
    .expect("page");
    let best = (0..runs).filter_map(|_| page_time(&with_capture)).min();
    match best {
        Some(time) => println!(
            "chromium (the page, best of {runs}): {time:.1?} ({:.1}× native)",
            time.as_secs_f64() / native.as_secs_f64()
        ),
        None => println!("chromium: not measured (no chromium, or the page did not grade)"),
    }
}
