//! Adversarial notations: transcripts that mix every marker the text reader learns
//! (C:/S:, arrows both ways, swaks, Python, PHPMailer, Chinese labels, HTML escapes, quoted
//! literals, fences and backticks) in random order and combination. Whatever the reader
//! makes of them, it must not panic, must finish (inputs are bounded, and reading is linear
//! in them), and no password or AUTH payload may reach any output format. Bounded case
//! counts and sizes: the suite runs in seconds.

use std::path::Path;

use mailgrade::grade;
use mailgrade::ingest::read_bytes;
use mailgrade::report::{html, json, markdown, sessions_text, text, transcript};
use mailgrade::report::{Outcome, SubmissionOutcome};
use mailgrade::scenario;
use mailgrade::session::{CommandKind, Session};
use proptest::prelude::*;

const PASSWORD: &str = "n0tation-Pw!";
/// base64 of `student` / of the password / of `\0student\0` + password.
const USER_B64: &str = "c3R1ZGVudA==";
const PASSWORD_B64: &str = "bjB0YXRpb24tUHch";
const PLAIN_B64: &str = "AHN0dWRlbnQAbjB0YXRpb24tUHch";

/// Every marker of the notations corpus, and some that no tool writes.
const MARKERS: &[&str] = &[
    "",
    "C: ",
    "S: ",
    "S:",
    "C:",
    "-> ",
    "<- ",
    "<~ ",
    "~> ",
    "<** ",
    "*** ",
    "=== ",
    "send: ",
    "reply: ",
    "reply: retcode (250); Msg: ",
    "*cmd* ",
    "*put* ",
    "*get* ",
    "*resp* ",
    "*stat* ",
    "客户端: ",
    "服务器端: ",
    "回：",
    "-&gt; ",
    "&lt;- ",
    "2024-03-01 10:00:00\tCLIENT -> SERVER: ",
    "2024-03-01 10:00:00\tSERVER -> CLIENT: ",
    "> ",
    "< ",
    "* ",
    "\"SMTPD\"\t7\t12\t\"2024-03-01 10:00:00\"\t\"10.0.0.2\"\t\"SENT: ",
    "\"SMTPD\"\t7\t12\t\"2024-03-01 10:00:00\"\t\"10.0.0.2\"\t\"RECEIVED: ",
    "Mar  1 10:00:00 mail postfix/smtpd[42]: < localhost[127.0.0.1]: ",
    "Mar  1 10:00:00 mail postfix/smtpd[42]: > localhost[127.0.0.1]: ",
    "```",
    "`",
    "```text\n",
    "    ",
    "| ",
];

/// Dialogue lines without secrets, both sides, both protocols.
const PLAIN: &[&str] = &[
    "220 mail.lab.test ESMTP",
    "EHLO pc",
    "250-mail.lab.test",
    "250-AUTH PLAIN LOGIN",
    "250 PIPELINING",
    "MAIL FROM:<student@lab.test>",
    "RCPT TO:<teacher@lab.test>",
    "250 ok",
    "DATA",
    "354 go ahead",
    "Subject: hi",
    "",
    ".",
    "221 bye",
    "QUIT",
    "421 closing",
    "334 VXNlcm5hbWU6",
    "334 UGFzc3dvcmQ6",
    "334 ",
    "235 ok",
    "535 failed",
    "+OK ready",
    "+ ",
    "-ERR no",
    "USER student",
    "STAT",
    "+OK 2 320",
    "RETR 1",
    "1 350",
    "*",
    "Connection closed by foreign host.",
    "telnet mail.lab.test 25",
    "read 12 bytes",
    "[nl]",
];

/// A step of the dialogue: plain lines, or credentials in the places the protocols give
/// them (which the reader must redact whatever surrounds them).
fn step() -> impl Strategy<Value = Vec<String>> {
    let owned = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    prop_oneof![
        4 => proptest::sample::select(PLAIN).prop_map(move |l| owned(&[l])),
        1 => Just(owned(&["AUTH LOGIN", "334 VXNlcm5hbWU6", USER_B64, "334 UGFzc3dvcmQ6", PASSWORD_B64])),
        // Typed ahead of the challenges.
        1 => Just(owned(&["AUTH LOGIN", USER_B64, PASSWORD_B64, "334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"])),
        1 => Just(vec![format!("AUTH PLAIN {PLAIN_B64}")]),
        1 => Just(owned(&["AUTH PLAIN", "334 ", PLAIN_B64])),
        1 => Just(owned(&["AUTH PLAIN", "+ ", PLAIN_B64])),
        1 => Just(vec![format!("PASS {PASSWORD}")]),
        1 => Just(vec!["USER student".to_string(), PASSWORD.to_string()]),
    ]
}

/// How a tool writes a payload: as is, as a Python/Ruby literal, HTML-escaped, tabbed.
fn written(line: &str, how: u8) -> String {
    match how % 6 {
        0 | 1 => line.to_string(),
        2 => format!("'{line}\\r\\n'"),
        3 => format!("b\"{line}\\r\\n\""),
        4 => line.replace('<', "&lt;").replace('>', "&gt;"),
        _ => format!("{line}\""),
    }
}

fn transcript_text(steps: &[Vec<String>], picks: &[(usize, u8)]) -> String {
    let mut out = String::new();
    let mut pick = picks.iter().cycle();
    for line in steps.iter().flatten() {
        let (marker, how) = pick.next().copied().unwrap_or((0, 0));
        out.push_str(MARKERS[marker % MARKERS.len()]);
        out.push_str(&written(line, how));
        out.push('\n');
    }
    out
}

/// Whether `text` is part of a message or a POP3 body (the student's mail, shown as such).
fn in_content(sessions: &[Session], text: &str) -> bool {
    sessions
        .iter()
        .flat_map(|s| &s.exchanges)
        .flat_map(|exchange| {
            let message = exchange.command.as_ref().and_then(|c| match &c.kind {
                CommandKind::Message { content } => Some(content),
                _ => None,
            });
            message
                .into_iter()
                .chain(exchange.reply.as_ref().and_then(|r| r.body.as_deref()))
        })
        .filter_map(|content| content.bytes.as_deref())
        .any(|bytes| String::from_utf8_lossy(bytes).contains(text))
}

/// The formats a person reads: transcript, JSON, the sessions and the grade as text (both
/// languages), HTML, Markdown.
fn rendered(sessions: Vec<Session>) -> Vec<String> {
    let scenarios = scenario::builtins();
    let grades = grade::grade_submission(&sessions, &scenarios);
    let mut out: Vec<String> = sessions.iter().map(transcript::render).collect();
    let outcome = Outcome {
        server: "none".to_string(),
        submissions: vec![SubmissionOutcome {
            id: "student".to_string(),
            files: vec!["mixed.txt".into()],
            sessions,
            grade: mailgrade::pipeline::SubmissionGrade::of(&grades),
            grades,
            ..SubmissionOutcome::default()
        }],
    };
    out.push(json::render(&outcome));
    for lang in mailgrade::i18n::Lang::ALL {
        // `extract`'s listing shows every note, in each language (a note's zh-CN text
        // must be as free of secrets as its English).
        out.push(sessions_text::render(&outcome, lang));
        out.push(text::render(
            &outcome,
            text::TextStyle { lang, color: false },
        ));
        out.push(html::render(&outcome, lang));
        out.push(markdown::render(&outcome, lang));
    }
    out
}

/// Reads `input` and renders it every way; none of `secrets` may show (outside the
/// student's own mail).
fn check(input: &str, secrets: &[&'static str]) -> Result<(), TestCaseError> {
    let Ok(read) = read_bytes(Path::new("mixed.txt"), input.as_bytes()) else {
        return Ok(());
    };
    let secrets: Vec<&str> = secrets
        .iter()
        .copied()
        .filter(|secret| !in_content(&read.sessions, secret))
        .collect();
    let notes: Vec<String> = read
        .notes
        .iter()
        .flat_map(|n| [n.detail.en.clone(), n.detail.zh_cn.clone()])
        .collect();
    for output in rendered(read.sessions).iter().chain(&notes) {
        for secret in &secrets {
            prop_assert!(!output.contains(secret), "{secret} shown for:\n{input}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any mixture of markers, written forms and dialogue steps: read or refused and
    /// rendered in every format, never a panic, and no password or AUTH payload shown, even
    /// where a learned marker puts a client's line on the server's side.
    #[test]
    fn mixed_notations_never_panic_or_leak(
        steps in proptest::collection::vec(step(), 1..40),
        picks in proptest::collection::vec((0usize..MARKERS.len(), any::<u8>()), 1..12),
    ) {
        check(
            &transcript_text(&steps, &picks),
            &[PASSWORD, USER_B64, PASSWORD_B64, PLAIN_B64],
        )?;
    }

    /// One marker per side, the same all through the file (either way round, or the same
    /// on both sides): the reader learns the pair, or not, and still redacts by position.
    #[test]
    fn a_consistent_pair_of_markers_never_leaks(
        steps in proptest::collection::vec(step(), 1..40),
        client in proptest::sample::select(MARKERS),
        server in proptest::sample::select(MARKERS),
        how in any::<u8>(),
    ) {
        let mut input = String::new();
        for line in steps.iter().flatten() {
            let reply = line.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
            input.push_str(if reply { server } else { client });
            input.push_str(&written(line, how));
            input.push('\n');
        }
        check(&input, &[PASSWORD, USER_B64, PASSWORD_B64, PLAIN_B64])?;
    }
}

/// Large, bounded inputs of the worst shapes: a long run of markers that never parse, one
/// line of a thousand markers, deep quoting. Read without a panic, in time linear in size.
#[test]
fn worst_shapes_read_without_panic() {
    let mut inputs = vec![
        "-> <- ~> <~ ".repeat(20_000),
        format!("{}\n", "C: S: ".repeat(5_000)),
        format!("send: {}\n", "'".repeat(50_000)),
        format!("reply: b'{}'\n", "\\x".repeat(20_000)),
        "```\n`".repeat(20_000),
        "&lt;-&gt;".repeat(20_000),
        format!("*cmd* 'PASS {PASSWORD}'\n").repeat(5_000),
    ];
    let mut mixed = String::new();
    for (i, marker) in MARKERS.iter().cycle().take(30_000).enumerate() {
        mixed.push_str(marker);
        mixed.push_str(PLAIN[i % PLAIN.len()]);
        mixed.push('\n');
    }
    inputs.push(mixed);
    for input in inputs {
        let read = read_bytes(Path::new("worst.txt"), input.as_bytes());
        if let Ok(read) = read {
            for session in &read.sessions {
                let shown = transcript::render(session);
                assert!(
                    !shown.contains(PASSWORD)
                        || in_content(std::slice::from_ref(session), PASSWORD)
                );
            }
        }
    }
}

/// Mixtures the property found leaking, kept as plain cases: a SASL payload or password on
/// the server's side, behind a marker the reader did not learn, inside an unread literal,
/// or in a session of its own.
#[test]
fn credentials_on_the_wrong_side_stay_hidden() {
    let cases = [
        format!(
            "220 mail.lab.test ESMTP\nPASS {PASSWORD}\n-> 'AUTH PLAIN\\r\\n'\n<- 334 \n\
             C: {PLAIN_B64}\n2024-03-01 10:00:00\tCLIENT -> SERVER: PASS {PASSWORD}\n"
        ),
        format!(
            "| b\"AUTH PLAIN\\r\\n\"\nC: b\"334 \\r\\n\"\n| b\"{PLAIN_B64}\\r\\n\"\n\
             | b\"AUTH PLAIN {PLAIN_B64}\\r\\n\"\nC: b\"250-mail.lab.test\\r\\n\"\n"
        ),
        format!(
            "-> AUTH LOGIN\n<- 334 VXNlcm5hbWU6\n```'{USER_B64}\\r\\n'\nC: 334 UGFzc3dvcmQ6\n\
             Mar  1 10:00:00 mail postfix/smtpd[42]: < localhost[127.0.0.1]: {PASSWORD_B64}\n\
             -> 250-mail.lab.test\n"
        ),
        format!("+OK ready\nUSER student\n| {PASSWORD}\nsend: {PASSWORD}\n"),
    ];
    for input in &cases {
        check(input, &[PASSWORD, USER_B64, PASSWORD_B64, PLAIN_B64]).expect("no credential shown");
    }
}
