//! Protocol facts live once, in `src/protocol/` (issue 15): no other module names an SMTP or
//! POP3 verb or reply code as a string literal. They use `protocol::Verb`, the reply tables
//! in `protocol/replies.rs` and the protocol's parsers and encoders instead, so a typo does
//! not compile and two tables cannot drift apart. Tests (`#[cfg(test)]` modules, `tests.rs`
//! and `*_tests.rs` files) and the scenarios' YAML may spell them out.
//!
//! What counts as a protocol fact: a string or byte-string literal that is exactly a verb
//! (`"DELE"`, `b"RCPT"`), exactly a reply code or POP3 indicator (`"250"`, `"250-"`,
//! `"+OK"`, `"-ERR "`), or a reply line (`"421 4.7.0 …"`, `"-ERR [SYS/TEMP] …"`). Prose
//! that mentions a code ("421 means the server is closing") is no reply line.

use std::fs;
use std::path::{Path, PathBuf};

const VERBS: [&str; 25] = [
    "HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "VRFY", "EXPN", "HELP", "QUIT",
    "STARTTLS", "AUTH", "USER", "PASS", "APOP", "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE",
    "CAPA", "STLS",
];

/// (file, literal, why it stays).
const ALLOWED: [(&str, &str, &str); 1] = [(
    "src/ingest/capture/detect.rs",
    "MAIL",
    "a word looked for in an FTP-or-SMTP banner (\"… mail server\"), not the verb",
)];

fn is_protocol_fact(literal: &str) -> bool {
    let bytes = literal.as_bytes();
    let code = bytes.len() >= 3
        && bytes[..3].iter().all(u8::is_ascii_digit)
        && (b'2'..=b'5').contains(&bytes[0]);
    let reply_line = code
        && match &literal[3..] {
            "" | " " | "-" => true,
            rest => {
                // `250 2.1.0 Ok`, `421-4.7.0 …`: a code and an enhanced status code.
                let status = rest[1..].split(' ').next().unwrap_or("");
                rest.starts_with([' ', '-'])
                    && status.split('.').count() == 3
                    && status
                        .split('.')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            }
        };
    let pop3 = ["+OK", "-ERR"]
        .iter()
        .any(|indicator| literal == *indicator || literal.starts_with(&format!("{indicator} ")));
    VERBS.contains(&literal) || reply_line || pop3
}

/// The string and byte-string literals of a line, without escapes worth decoding.
fn literals(line: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let Some(end) = end else { break };
        found.push(&after[..end]);
        rest = &after[end + 1..];
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs"
        || name.ends_with("_tests.rs")
        || path.components().any(|c| c.as_os_str() == "tests")
}

/// Every protocol literal outside `src/protocol/` and outside tests, as `file:line: literal`.
fn protocol_literals(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let mut found = Vec::new();
    for path in files {
        let relative = path.strip_prefix(root).expect("under the root");
        let name = relative.to_string_lossy().replace('\\', "/");
        if name.starts_with("src/protocol/") || is_test_file(relative) {
            continue;
        }
        let text = fs::read_to_string(&path).expect("a source file reads");
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("#[cfg(test)]") {
                break;
            }
            if code.starts_with("//") {
                continue;
            }
            for literal in literals(line) {
                let allowed = ALLOWED
                    .iter()
                    .any(|(file, allowed, _)| *file == name && *allowed == literal);
                if is_protocol_fact(literal) && !allowed {
                    found.push(format!("{name}:{}: \"{literal}\"", number + 1));
                }
            }
        }
    }
    found
}

#[test]
fn no_module_outside_protocol_names_a_verb_or_reply_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = protocol_literals(root);
    assert!(
        found.is_empty(),
        "protocol facts belong in src/protocol/ (use Verb, protocol::replies, the parsers and \
         encoders):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_what_it_is_meant_to() {
    let facts = [
        "DELE",
        "RCPT",
        "250",
        "250-",
        "+OK",
        "-ERR",
        "421 4.7.0 busy",
        "+OK ready",
    ];
    for fact in facts {
        assert!(is_protocol_fact(fact), "{fact}");
    }
    let prose = [
        "421 means the server is closing",
        "Delete",
        "mail",
        "+",
        "2.1.0",
        "1234",
    ];
    for text in prose {
        assert!(!is_protocol_fact(text), "{text}");
    }
    assert_eq!(
        literals(r#"x == "DELE" || y == b"+OK" && "a\"b""#),
        ["DELE", "+OK", "a\\\"b"]
    );
}

#[test]
fn every_allowed_literal_is_still_there() {
    // An allow-list entry whose literal went away must go too, or it would hide a new one.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, literal, why) in ALLOWED {
        let text = fs::read_to_string(root.join(file)).expect("an allowed file reads");
        assert!(
            text.contains(&format!("\"{literal}\"")),
            "{file}: {literal} ({why})"
        );
    }
}
