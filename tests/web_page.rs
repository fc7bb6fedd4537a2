//! The self-check page in a real browser: headless Chromium (Debian's package, no npm, no
//! network) loads the page `scripts/build-web` builds, a file is handed to it as a dropped
//! file would be, and what it shows must be exactly what `mailgrade check --lab email-lab
//! --server none` prints for that file (the page grades with its built-in lab by default), in
//! English and in Chinese, and what `check --server none` prints when no lab is chosen. A
//! screenshot is kept for people to look at. Without Chromium the test is skipped, except
//! when CI is set: then it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use common::chromium;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

/// The built page (the wasm release build, once per test run).
fn build_page(dir: &Path) -> String {
    let out = dir.join("index.html");
    let status = Command::new("bash")
        .arg("scripts/build-web")
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("scripts/build-web runs");
    assert!(status.success(), "scripts/build-web failed");
    std::fs::read_to_string(out).expect("the built page")
}

/// The page with a hook that hands it `file` once the wasm module is ready.
fn page_with(page: &str, file: &Path) -> String {
    let name = file.file_name().unwrap().to_string_lossy();
    let bytes = std::fs::read(file).expect("input file");
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    let hook = format!(
        "<script>window.mailgradeOnReady = () => mailgradeGradeBase64({name:?}, \"{b64}\");</script>\n<script id=\"wasm\""
    );
    page.replacen("<script id=\"wasm\"", &hook, 1)
}

fn headless(browser: &str, args: &[&str], url: &str) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg("--virtual-time-budget=30000")
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs")
}

/// The text of the page's feedback block, as a person sees it.
fn feedback(dom: &str) -> Option<String> {
    let start = dom.find("<pre id=\"text\">")? + "<pre id=\"text\">".len();
    let end = start + dom[start..].find("</pre>")?;
    Some(
        dom[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&nbsp;", "\u{a0}")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

fn check_cli(file: &Path, lang: &str, lab: Option<&str>) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(["check", "--server", "none", "--lang", lang])
        .args(lab.map(|lab| ["--lab", lab]).into_iter().flatten())
        .arg(file.file_name().unwrap())
        .current_dir(file.parent().unwrap())
        .env("NO_COLOR", "1")
        .output()
        .expect("mailgrade runs");
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn the_page_shows_what_check_prints_for_the_seed_and_a_capture() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is needed for the self-check page test in CI"
        );
        eprintln!("note: no chromium found; the self-check page test is skipped");
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web_page");
    std::fs::create_dir_all(&dir).expect("target dir");
    let page = build_page(&dir);
    let files = [
        PathBuf::from(SHARED).join("seed/email-lab-report.md"),
        PathBuf::from(SHARED).join("corpus/pcap/student_quixel_smtp_nc-localhost_postfix.pcapng"),
    ];
    for file in &files {
        let html = dir.join(format!(
            "{}.html",
            file.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&html, page_with(&page, file)).expect("write page");
        // The page's default (its built-in lab) in both languages; once with no lab.
        let mut cases = vec![("en", None), ("zh-CN", None)];
        if file.extension().is_some_and(|e| e == "md") {
            cases.push(("en", Some("")));
        }
        for (lang, lab) in cases {
            let url = match lab {
                None => format!("file://{}?lang={lang}", html.display()),
                Some(lab) => format!("file://{}?lang={lang}&lab={lab}", html.display()),
            };
            // A loaded machine can take longer to compile the module than headless Chromium
            // waits before it dumps the DOM: up to three loads, the grade checked on the last.
            let mut dom = String::new();
            for _ in 0..3 {
                let out = headless(browser, &["--dump-dom"], &url);
                dom = String::from_utf8_lossy(&out.stdout).into_owned();
                if dom.contains("data-graded=\"1\"") {
                    break;
                }
            }
            assert!(
                dom.contains("data-graded=\"1\""),
                "{file:?} {lang} {lab:?}: not graded:\n{dom}"
            );
            let shown = feedback(&dom).expect("the feedback block");
            let cli_lab = match lab {
                None => Some("email-lab"),
                Some(lab) => (!lab.is_empty()).then_some(lab),
            };
            let expected = check_cli(file, lang, cli_lab);
            assert!(!expected.is_empty(), "{file:?}: check printed nothing");
            assert_eq!(shown, expected, "{file:?} {lang} --lab {cli_lab:?}");
            // The notices a student must read: nothing uploaded, no replay.
            let notice = if lang == "en" {
                "Nothing is uploaded"
            } else {
                "不会上传任何内容"
            };
            assert!(dom.contains(notice), "{lang}: the upload notice is missing");
        }
    }
    let shot = dir.join("seed-zh-CN.png");
    let _ = std::fs::remove_file(&shot);
    let url = format!(
        "file://{}?lang=zh-CN",
        dir.join("email-lab-report.md.html").display()
    );
    let screenshot = format!("--screenshot={}", shot.display());
    headless(browser, &[&screenshot, "--window-size=1200,1800"], &url);
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "an empty screenshot"
    );
    eprintln!("screenshot: {}", shot.display());
}

/// A file input's own button is labelled by the browser ("Choose File" in an English
/// Chromium, whatever the page's language), so each one is hidden behind words of ours that
/// the language switch translates.
#[test]
fn file_inputs_show_the_pages_words_not_the_browsers() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/web/page.html"))
        .expect("web/page.html");
    let inputs: Vec<&str> = page
        .match_indices("<input type=\"file\"")
        .map(|(at, _)| &page[at..at + page[at..].find('>').expect("a closed tag")])
        .collect();
    assert_eq!(inputs.len(), 2, "the dropped file and the scenario file");
    for input in inputs {
        assert!(input.contains(" hidden"), "a visible file input: {input}");
    }
    let chooser = page
        .find("<label class=\"chooser\"")
        .map(|at| &page[at..at + page[at..].find("</label>").unwrap()])
        .expect("the scenario's chooser label");
    assert!(chooser.contains("data-t=\"LoadScenario\"") && chooser.contains("id=\"scenario\""));
}
