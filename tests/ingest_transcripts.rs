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
            .map(|n| format!("{} {:?}: {}", place(n.origin), n.kind, n.detail))
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
                .map(|n| format!("{} {:?}: {}", place(n.origin), n.kind, n.detail))
                .collect(),
            error: None,
            hint: None,
        },
        Err(error) => FileView {
            sessions: Vec::new(),
            notes: Vec::new(),
            // The path differs between machines; the message after it does not.
            error: Some(error.to_string().replace(SHARED, "../shared")),
            hint: error.hint().map(str::to_string),
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
        insta::glob!("../examples/*.*", |path| {
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

const SEED_PASSWORD: &str = "enVqbnVobWFhcnB5YmJiYg==";
const SEED_PASSWORD_DECODED: &str = "zujnuhmaarpybbbb";

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
    let yaml = serde_yaml::to_string(&read.sessions).expect("sessions serialise");
    for shown in [&debug, &json, &yaml] {
        assert!(!shown.contains(SEED_PASSWORD), "password shown");
        assert!(
            !shown.contains(SEED_PASSWORD_DECODED),
            "decoded password shown"
        );
    }
    let message = read.sessions[0]
        .commands()
        .find(|c| c.label() == "message")
        .expect("a message");
    assert!(message.to_string().contains("2429"), "{message}");
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
            error.hint().is_some_and(|h| !h.is_empty()),
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
