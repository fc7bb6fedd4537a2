//! The redaction pass on hostile input: a transcript where every client line sits in a
//! credential slot (a bare "password" after USER, tens of thousands of times) is read in
//! bounded time and memory, under the same limits as the hostile corpus.

mod hostile_support;

use hostile_support::{run, tail, Budget};

#[test]
fn a_file_of_bare_passwords_is_read_in_bounded_memory() {
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("bare-passwords.txt");
    // USER, then 80,000 different 200-byte lines that are no command: each is a secret.
    let mut text = String::from("S: +OK ready\nC: USER student\nS: +OK\n");
    for n in 0..80_000 {
        let filler = "x".repeat(180);
        text.push_str(&format!("C: pw{n:08}{filler}\nS: -ERR Unknown command\n"));
    }
    std::fs::write(&path, text).expect("write transcript");
    let path = path.to_str().expect("UTF-8 path");
    let budget = Budget {
        seconds: 120,
        rss_mb: 400,
    };
    let outcome = run(&["extract", "--format", "json", path], work.path(), budget);
    let shown = outcome.shown();
    assert_eq!(outcome.code, Some(0), "{}", tail(&shown));
    assert!(!outcome.stdout.contains("pw00000042x"), "a secret is shown");
    eprintln!(
        "80,000 bare passwords: {:.1} s, {} MB peak",
        outcome.elapsed.as_secs_f64(),
        outcome.peak_rss_mb
    );
}
