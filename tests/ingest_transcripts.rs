//! Text submissions in every dialect and encoding → sessions, checked as snapshots of a
//! compact view (skeleton with line:column, connect target, notes), and against the real
//! transcripts in `../shared`.

use std::path::{Path, PathBuf};

use mailgrade::ingest::{read_bytes, read_file, FileRead, IngestError};
use mailgrade::session::{Origin, Protocol, Session};
use serde::Serialize;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

/// What a snapshot shows of one file: never a secret, never message text.
#[derive(Serialize)]
struct FileView {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sessions: Vec<SessionView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

#[derive(Serialize)]
struct SessionView {
    protocol: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    connect: Option<String>,
    skeleton: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

fn place(origin: Origin) -> String {
    match origin {
        Origin::Line { line, column } => format!("{line}:{column}"),
        other => other.to_string(),
    }
}

fn session_view(session: &Session) -> SessionView {
    SessionView {
        protocol: session.protocol.to_string(),
        label: session.source.label.clone(),
        connect: session.connect.as_ref().map(|c| match c.port {
            Some(port) => format!("{} {port}", c.host),
            None => c.host.clone(),
        }),
        skeleton: session
            .exchanges
            .iter()
            .map(|e| {
                let origin = e
                    .command
                    .as_ref()
                    .map(|c| c.origin)
                    .or(e.reply.as_ref().map(|r| r.origin))
                    .unwrap_or_default();
                format!("{} {}", place(origin), e.skeleton_line())
            })
            .collect(),
        notes: session
            .notes
            .iter()
            .map(|n| format!("{} {:?}: {}", place(n.origin), n.kind, n.detail.en))
            .collect(),
    }
}

fn view(result: &Result<FileRead, IngestError>) -> FileView {
    match result {
        Ok(read) => FileView {
            sessions: read.sessions.iter().map(session_view).collect(),
            notes: read
                .notes
                .iter()
                .map(|n| format!("{} {:?}: {}", place(n.origin), n.kind, n.detail.en))
                .collect(),
            error: None,
            hint: None,
        },
        Err(error) => FileView {
            sessions: Vec::new(),
            notes: Vec::new(),
            // The path differs between machines; the message after it does not.
            error: Some(error.to_string().replace(SHARED, "../shared")),
            hint: error.hint().map(|h| h.en.clone()),
        },
    }
}

fn relative(path: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

fn read_relative(path: &Path) -> Result<FileRead, IngestError> {
    let bytes = std::fs::read(path).expect("fixture is readable");
    read_bytes(&relative(path), &bytes)
}

fn skeletons(read: &FileRead) -> Vec<Vec<String>> {
    read.sessions.iter().map(Session::skeleton).collect()
}

macro_rules! snapshot_settings {
    ($body:block) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
        }, $body)
    };
}

#[test]
fn fixtures_read_as_snapshotted() {
    snapshot_settings!({
        insta::glob!("fixtures/transcripts/**/*.*", |path| {
            if path.file_name().is_some_and(|n| n == ".gitattributes") {
                return;
            }
            insta::assert_yaml_snapshot!(view(&read_relative(path)));
        });
    });
}

#[test]
fn examples_read_as_snapshotted() {
    snapshot_settings!({
        insta::glob!("..", "examples/*.*", |path| {
            insta::assert_yaml_snapshot!(view(&read_relative(path)));
        });
    });
}

#[test]
fn shared_transcripts_read_as_snapshotted() {
    let dirs = [
        "corpus/transcripts",
        "reference/postfix-dovecot/transcripts",
        "reference/postfix-dovecot/tshark",
        "seed",
    ];
    for dir in dirs {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(Path::new(SHARED).join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        assert!(!entries.is_empty(), "{dir} is empty");
        for path in entries {
            let name = format!(
                "shared-{}-{}",
                dir.replace('/', "-"),
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            let result = read_bytes(
                Path::new(&path.to_string_lossy().replace(SHARED, "../shared")),
                &std::fs::read(&path).expect("shared file is readable"),
            );
            snapshot_settings!({
                insta::assert_yaml_snapshot!(name, view(&result));
            });
        }
    }
}

mod seed_support;

#[test]
fn seed_report_gives_two_smtp_sessions_and_never_shows_the_password() {
    let read = read_file(&Path::new(SHARED).join("seed/email-lab-report.md")).expect("seed reads");
    let expected = |hello: &str| {
        [
            "greeting → 220",
            &format!("{hello} → 250"),
            "AUTH → 334",
            "auth-response → 334",
            "auth-response → 235",
            "MAIL → 250",
            "RCPT → 250",
            "DATA → 354",
            "message → 250",
            "QUIT → 221",
        ]
        .map(String::from)
        .to_vec()
    };
    assert_eq!(skeletons(&read), vec![expected("EHLO"), expected("HELO")]);
    for (index, session) in read.sessions.iter().enumerate() {
        assert_eq!(session.protocol, Protocol::Smtp);
        assert_eq!(session.source.label, format!("code block {}", index + 1));
        let connect = session.connect.as_ref().expect("telnet line gives connect");
        assert_eq!(
            (connect.host.as_str(), connect.port),
            ("imap.qq.com", Some(25))
        );
    }
    let debug = format!("{read:?}");
    let json = serde_json::to_string(&read.sessions).expect("sessions serialise");
    for shown in [&debug, &json] {
        for secret in seed_support::seed_secrets() {
            assert!(!shown.contains(&secret), "a seed credential is shown");
        }
    }
    let message = read.sessions[0]
        .commands()
        .find(|c| c.label() == "message")
        .expect("a message");
    assert!(message.to_string().contains("2429"), "{message:?}");
}

#[test]
fn every_encoding_reads_like_utf8() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts/encodings");
    let reference = read_relative(&dir.join("utf-8.txt")).expect("utf-8 reads");
    let expected = skeletons(&reference);
    assert_eq!(expected.len(), 1);
    assert_eq!(expected[0].len(), 7, "{expected:?}");
    for name in [
        "utf-8-bom-crlf.txt",
        "utf-16le-bom.txt",
        "utf-16be-bom.txt",
        "utf-16le-no-bom.txt",
        "gb18030-crlf.txt",
        "mac-cr-only.txt",
    ] {
        let read = read_relative(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(skeletons(&read), expected, "{name}");
        assert_eq!(
            read.sessions[0].connect.as_ref().map(|c| c.host.as_str()),
            Some("smtp.lab.test"),
            "{name}"
        );
        let guessed = read
            .notes
            .iter()
            .any(|n| n.kind == mailgrade::session::NoteKind::Decoding);
        assert_eq!(
            guessed,
            name.contains("no-bom") || name.contains("gb18030"),
            "{name}"
        );
    }
}

#[test]
fn nothing_gradable_is_a_clear_error() {
    let cases: [(&str, &[u8]); 4] = [
        (
            "prose.md",
            "# 心得\n\n学会了 HELO 和 MAIL FROM 命令。\n".as_bytes(),
        ),
        ("empty.txt", b""),
        ("codes.txt", b"220 ready\n250 ok\n221 bye\n"),
        (
            "garbage.txt",
            &[
                0u8, 159, 146, 150, 1, 2, 3, 255, 254, 0, 0, 7, 8, 9, 10, 200, 201, 0, 17, 18,
            ],
        ),
    ];
    for (name, bytes) in cases {
        let error = read_bytes(Path::new(name), bytes).expect_err(name);
        let text = error.to_string();
        assert!(text.starts_with(name), "{text}");
        assert!(
            error.hint().is_some_and(|h| !h.en.is_empty()),
            "{name}: no hint"
        );
        match name {
            "garbage.txt" => assert!(matches!(error, IngestError::Invalid { .. }), "{text}"),
            _ => assert!(matches!(error, IngestError::NothingFound { .. }), "{text}"),
        }
    }
}

#[test]
fn a_huge_single_line_is_bounded() {
    let mut bytes = vec![b'a'; 100 * 1024 * 1024];
    bytes.extend_from_slice(b"\nS: 220 x\nC: QUIT\nS: 221 bye\n");
    let read = read_bytes(Path::new("huge.txt"), &bytes).expect("the dialogue after the long line");
    assert_eq!(skeletons(&read), vec![vec!["greeting → 220", "QUIT → 221"]]);
    assert!(read
        .notes
        .iter()
        .any(|n| n.kind == mailgrade::session::NoteKind::Truncated));
}

fn fixture(name: &str) -> FileRead {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/transcripts")
        .join(name);
    read_relative(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn message_of(session: &Session) -> &mailgrade::session::Content {
    session
        .commands()
        .find_map(|c| match &c.kind {
            mailgrade::session::CommandKind::Message { content } => Some(content),
            _ => None,
        })
        .expect("a message")
}

#[test]
fn notes_are_stripped_outside_messages_only() {
    let read = fixture("annotated-comments.txt");
    let session = &read.sessions[0];
    let body = message_of(session).bytes.clone().expect("message text");
    let body = String::from_utf8(body).expect("utf-8 body");
    assert!(
        body.contains("Subject: lab 3 # not a comment inside the message"),
        "{body}"
    );
    assert!(
        body.contains("see https://lab.test/a//b and #hashtag"),
        "{body}"
    );
    let mail = session
        .commands()
        .find(|c| c.label() == "MAIL")
        .expect("MAIL");
    assert_eq!(mail.to_string(), "MAIL FROM:<student@lab.test>");
    let ehlo = session
        .commands()
        .find(|c| c.label() == "EHLO")
        .expect("EHLO");
    assert_eq!(ehlo.to_string(), "EHLO student-pc");
}

#[test]
fn wireshark_summaries_become_elided_content() {
    let read = fixture("wireshark-info-report.md");
    let message = message_of(&read.sessions[0]);
    assert_eq!(
        message.size,
        Some(514),
        "two DATA fragments are one message"
    );
    assert!(message.bytes.is_none());
    assert_eq!(
        message.summary.as_deref(),
        Some("from: \"student\" <student@lab.test>, subject: lab report, (text/plain)")
    );
    let retr = read.sessions[1]
        .exchanges
        .iter()
        .find(|e| e.command.as_ref().is_some_and(|c| c.label() == "RETR"))
        .and_then(|e| e.reply.as_ref())
        .expect("RETR answered");
    assert_eq!(retr.body.as_ref().and_then(|b| b.size), Some(2048));
    let ehlo = read.sessions[0].exchanges[1]
        .reply
        .as_ref()
        .expect("EHLO reply");
    assert_eq!(
        ehlo.lines,
        [
            "smtp.lab.test",
            "PIPELINING",
            "AUTH LOGIN PLAIN",
            "AUTH=LOGIN PLAIN",
            "8BITMIME"
        ]
    );
}

#[test]
fn no_fixture_shows_a_password() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts");
    for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            continue;
        }
        let Ok(read) = read_relative(&path) else {
            continue;
        };
        let shown = format!(
            "{:?}{}",
            read,
            serde_json::to_string(&read.sessions).expect("json")
        );
        for secret in ["hunter2", "aHVudGVyMg==", "AHN0dWRlbnQAaHVudGVyMg=="] {
            assert!(
                !shown.contains(secret),
                "{}: {secret} shown",
                path.display()
            );
        }
    }
}

#[test]
fn corpus_transcripts_read_sensibly() {
    let corpus = Path::new(SHARED).join("corpus/transcripts");
    let read = |name: &str| read_file(&corpus.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let first = |name: &str| {
        skeletons(&read(name))
            .into_iter()
            .next()
            .expect("a session")
    };

    let hunter = first("zh_hunterpro_C-S-prefixed_esmtp-126_auth-login_c-comments.txt");
    assert_eq!(hunter.first().map(String::as_str), Some("greeting → 220"));
    assert_eq!(hunter.last().map(String::as_str), Some("QUIT → 221"));
    assert!(hunter.contains(&"message → 250".to_string()), "{hunter:?}");

    let xunyang = first("zh_xunyangit_smtp_auth-login_slash-comments.txt");
    assert_eq!(xunyang[0], "HELO → 250", "no greeting in the transcript");
    assert!(
        xunyang.contains(&"message → 250".to_string()),
        "`. //…` ends the message"
    );
    assert_eq!(xunyang.last().map(String::as_str), Some("QUIT → 221"));

    let midoks =
        read("zh_midoks-imail-wiki_telnet_smtpqq25_ipv6_placeholders_and_local-coremail.txt");
    assert_eq!(midoks.sessions.len(), 2, "qq.com and the local server");
    assert_eq!(
        midoks.sessions[1].connect.as_ref().map(|c| c.host.as_str()),
        Some("127.0.0.1")
    );

    let telnet_mail = read("en_telnet-mail_smtp25_auth-login_and_smtp587_starttls_split-blocks.md");
    let ports: Vec<Option<u16>> = telnet_mail
        .sessions
        .iter()
        .map(|s| s.connect.as_ref().and_then(|c| c.port))
        .collect();
    assert_eq!(ports, [Some(25), Some(587)]);
    assert_eq!(telnet_mail.sessions[0].skeleton().len(), 10);

    let pop = read("zh_glrh111_telnet_pop163-110_list-truncated.md");
    assert_eq!(pop.sessions[0].protocol, Protocol::Pop3);
    assert_eq!(
        pop.sessions[0].skeleton(),
        ["greeting → +OK", "USER → +OK", "PASS → +OK", "LIST → +OK"]
    );

    let memoryhole = first("en_memoryhole_pop3_example_top_dele.txt");
    assert_eq!(memoryhole.len(), 10, "{memoryhole:?}");

    let tamer = first("en_tamer-blog_c-s-prefixed_smtp587_starttls-554-not-supported.txt");
    assert_eq!(
        tamer,
        [
            "greeting → 220",
            "EHLO → 250",
            "STARTTLS → 554",
            "QUIT → 221"
        ]
    );

    let osi = first("en_osi-model_nc-localhost25_postfix_paired-with-pcap.md");
    assert_eq!(osi.len(), 7, "{osi:?}");

    let myrocode = first("en_myrocode_smtp_iis6-microsoft-esmtp_auth-login.txt");
    assert_eq!(myrocode.last().map(String::as_str), Some("message → 250"));
}

#[test]
fn reference_transcripts_read_sensibly() {
    let reference = Path::new(SHARED).join("reference/postfix-dovecot");
    for dir in ["transcripts", "tshark"] {
        for entry in std::fs::read_dir(reference.join(dir)).expect("reference dir") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let result = read_file(&path);
            if dir == "tshark" && name == "smtp-pasted-all-at-once.txt" {
                // tshark showed the whole pasted client side as one IMF line: nothing to grade.
                assert!(
                    matches!(result, Err(IngestError::NothingFound { .. })),
                    "{name}"
                );
                continue;
            }
            let read = result.unwrap_or_else(|e| panic!("{dir}/{name}: {e}"));
            let expected = if name.starts_with("standard-ports-25-110") {
                vec![Protocol::Smtp, Protocol::Pop3]
            } else if name.starts_with("pop3") || name == "standard-ports-pop3.txt" {
                vec![Protocol::Pop3]
            } else {
                vec![Protocol::Smtp]
            };
            let got: Vec<Protocol> = read.sessions.iter().map(|s| s.protocol).collect();
            assert_eq!(got, expected, "{dir}/{name}");
            for session in &read.sessions {
                let skeleton = session.skeleton();
                let greeting = if session.protocol == Protocol::Smtp {
                    "greeting → 220"
                } else {
                    "greeting → +OK"
                };
                assert_eq!(skeleton[0], greeting, "{dir}/{name}");
                assert!(
                    skeleton.iter().all(|line| !line.ends_with("(no reply)")),
                    "{dir}/{name}: {skeleton:?}"
                );
            }
        }
    }
}

#[test]
fn many_lines_are_bounded() {
    // Long runs of blank lines inside a dialogue, and more lines than are read at all.
    let mut text = String::from("S: 220 x\nC: HELO a\n");
    text.push_str(&"\n".repeat(150_000));
    text.push_str("S: 250 ok\n");
    text.push_str(&"C: NOOP\nS: 250 ok\n".repeat(60_000));
    let read = read_bytes(Path::new("long.txt"), text.as_bytes()).expect("reads");
    let skeleton = &skeletons(&read)[0];
    assert_eq!(skeleton[..2], ["greeting → 220", "HELO → 250"]);
    assert!(skeleton.len() > 20_000, "{}", skeleton.len());
    assert!(read
        .notes
        .iter()
        .any(|n| n.kind == mailgrade::session::NoteKind::Truncated));
}

#[test]
fn seed_sessions_as_read_get_full_marks() {
    let scenario = mailgrade::scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    let read = read_file(&Path::new(SHARED).join("seed/email-lab-report.md")).expect("seed reads");
    for (index, session) in read.sessions.iter().enumerate() {
        let grade = mailgrade::grade::grade(session, index, &scenario);
        assert_eq!(
            (grade.score, grade.max_score),
            (100, 100),
            "session {index}: {grade:#?}"
        );
        assert!(grade.passed);
    }
}
