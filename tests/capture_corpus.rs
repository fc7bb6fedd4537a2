//! Every capture in `../shared/corpus/pcap` (and `extra/`) read end to end: the skeleton of
//! each session (and the notes) as an insta snapshot in `snapshots/`, and no captured
//! password anywhere in a session's Debug or JSON form.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use mailgrade::ingest::read_file;
use mailgrade::session::{CommandKind, Secret, Session};

fn corpus_captures() -> Vec<(String, PathBuf)> {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/pcap"
    ));
    let mut files = Vec::new();
    for dir in ["", "extra"] {
        for entry in std::fs::read_dir(root.join(dir))
            .expect("corpus folder")
            .filter_map(Result::ok)
        {
            if entry.path().is_file() {
                let file = entry.file_name().to_string_lossy().into_owned();
                let name = if dir.is_empty() {
                    file
                } else {
                    format!("extra/{file}")
                };
                files.push((name, entry.path()));
            }
        }
    }
    files.sort();
    files
}

/// The skeleton of every session with its notes, and the file's own notes.
fn render(path: &Path) -> String {
    let mut out = String::new();
    let read = match read_file(path) {
        Ok(read) => read,
        Err(error) => {
            let _ = writeln!(
                out,
                "error: {}",
                error
                    .to_string()
                    .replace(&path.display().to_string(), "FILE")
            );
            if let Some(hint) = error.hint() {
                let _ = writeln!(out, "hint: {}", hint.en);
            }
            return out;
        }
    };
    for note in &read.notes {
        let _ = writeln!(
            out,
            "file note [{:?}] {}: {}",
            note.kind, note.origin, note.detail.en
        );
    }
    for (i, session) in read.sessions.iter().enumerate() {
        let _ = writeln!(
            out,
            "session {} {} ({})",
            i + 1,
            session.protocol,
            session.source.label
        );
        if session.exchanges.is_empty() && session.encrypted_after.is_some() {
            let _ = writeln!(out, "  -- encrypted from the start --");
        }
        for (n, line) in session.skeleton().iter().enumerate() {
            let _ = writeln!(out, "  {line}");
            if session.encrypted_after == Some(n) {
                let _ = writeln!(out, "  -- encrypted from here --");
            }
        }
        for note in &session.notes {
            let _ = writeln!(
                out,
                "  note [{:?}] {}: {}",
                note.kind, note.origin, note.detail.en
            );
        }
    }
    out
}

#[test]
fn skeletons_of_every_corpus_capture() {
    let captures = corpus_captures();
    assert!(captures.len() >= 50, "only {} captures", captures.len());
    for (name, path) in captures {
        let rendered = render(&path);
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"),
            prepend_module_to_snapshot => false,
            description => name.clone(),
        }, {
            insta::assert_snapshot!(format!("capture__{}", name.replace('/', "__")), rendered);
        });
    }
}

/// The sessions with every secret replaced by another value, and how many there were.
fn with_other_secrets(sessions: &[Session]) -> (Vec<Session>, usize) {
    let mut changed = sessions.to_vec();
    let mut count = 0;
    for session in &mut changed {
        for exchange in &mut session.exchanges {
            let Some(command) = exchange.command.as_mut() else {
                continue;
            };
            match &mut command.kind {
                CommandKind::AuthResponse { payload } => {
                    *payload = Secret::new(format!("{}-other", payload.expose()));
                    count += 1;
                }
                CommandKind::Line { args, .. } => {
                    if let Some(secret) = args.secret.as_mut() {
                        *secret = Secret::new(format!("{}-other", secret.expose()));
                        count += 1;
                    }
                }
                _ => {}
            }
        }
    }
    (changed, count)
}

/// If a secret showed anywhere, changing it would change the output.
#[test]
fn captured_passwords_never_show() {
    let mut with_secrets = Vec::new();
    for (name, path) in corpus_captures() {
        let Ok(read) = read_file(&path) else {
            continue;
        };
        let (other, count) = with_other_secrets(&read.sessions);
        if count > 0 {
            with_secrets.push(name.clone());
        }
        assert_eq!(
            format!("{:?}", read.sessions),
            format!("{other:?}"),
            "{name}: a secret shows in Debug"
        );
        let json = |s: &[Session]| serde_json::to_string(s).expect("serialises");
        assert_eq!(
            json(&read.sessions),
            json(&other),
            "{name}: a secret shows in JSON"
        );
    }
    for must in [
        "zoey_pop3_163com_coremail_user-pass-stat-list-retr.pcap",
        "wswiki_smtp_auth-login_dotstuff_classic.pcap",
    ] {
        assert!(
            with_secrets.iter().any(|n| n == must),
            "{must} should hold secrets: {with_secrets:?}"
        );
    }
}
