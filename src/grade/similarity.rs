//! Submissions that look shared: the same capture or file, the same server queue id or
//! Message-ID, or the same transcript. Findings for the TA to look at, never a grade change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use crate::i18n::messages::similarity::SharedThing;
use crate::session::{CommandKind, Origin, Session};

/// What a submission offers for comparison.
pub struct Candidate<'a> {
    pub id: &'a str,
    pub sessions: &'a [Session],
    /// `(file, sha256)` of every input file.
    pub hashes: Vec<(&'a Path, &'a str)>,
}

/// What two or more submissions share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shared {
    /// A byte-identical file (the same capture, the same report).
    File,
    /// A `250 … queued as ABC123` id: the same message was sent once and handed in twice.
    QueueId,
    /// The same `Message-ID:` header.
    MessageId,
    /// The same dialogue: commands, arguments, replies, message, and capture times.
    Transcript,
}

impl Shared {
    /// What is shared, in words.
    pub fn describe(self) -> SharedThing {
        match self {
            Shared::File => SharedThing::File,
            Shared::QueueId => SharedThing::QueueId,
            Shared::MessageId => SharedThing::MessageId,
            Shared::Transcript => SharedThing::Transcript,
        }
    }
}

/// One thing several students' submissions share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimilarGroup {
    pub shared: Shared,
    /// The shared value (a hash, an id), for the TA to search for.
    pub key: String,
    /// Sorted by student id.
    pub members: Vec<Member>,
}

/// A student in a group, and the file the shared thing was found in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: String,
    pub file: PathBuf,
}

/// Every group of two or more students that share something, sorted by kind and key.
pub fn find(candidates: &[Candidate<'_>]) -> Vec<SimilarGroup> {
    let mut seen: BTreeMap<(Shared, String), BTreeMap<String, PathBuf>> = BTreeMap::new();
    let mut note = |shared: Shared, key: String, id: &str, file: &Path| {
        seen.entry((shared, key))
            .or_default()
            .entry(id.to_string())
            .or_insert_with(|| file.to_path_buf());
    };
    for candidate in candidates {
        for (file, sha256) in &candidate.hashes {
            if *sha256 != EMPTY_SHA256 {
                note(Shared::File, sha256.to_string(), candidate.id, file);
            }
        }
        for session in candidate.sessions {
            let file = session.source.path.as_path();
            for id in queue_ids(session) {
                note(Shared::QueueId, id, candidate.id, file);
            }
            for id in message_ids(session) {
                note(Shared::MessageId, id, candidate.id, file);
            }
            if let Some(fingerprint) = fingerprint(session) {
                note(Shared::Transcript, fingerprint, candidate.id, file);
            }
        }
    }
    seen.into_iter()
        .filter(|(_, members)| members.len() > 1)
        .map(|((shared, key), members)| SimilarGroup {
            shared,
            key,
            members: members
                .into_iter()
                .map(|(id, file)| Member { id, file })
                .collect(),
        })
        .collect()
}

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Queue ids the server gave in the replies the student handed in (not replayed ones).
fn queue_ids(session: &Session) -> BTreeSet<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?i)\bqueued as\s+<?([A-Za-z0-9][A-Za-z0-9.@-]{3,})").expect("valid")
    });
    session
        .exchanges
        .iter()
        .filter_map(|e| e.reply.as_ref())
        .filter(|r| !matches!(r.origin, Origin::Replay { .. } | Origin::Synthetic))
        .flat_map(|r| r.lines.iter())
        .filter_map(|line| re.captures(line).map(|c| c[1].to_string()))
        .collect()
}

fn message_ids(session: &Session) -> BTreeSet<String> {
    session
        .commands()
        .filter_map(|c| match &c.kind {
            CommandKind::Message { content } => content.headers(),
            _ => None,
        })
        .flatten()
        .filter(|(name, value)| name.eq_ignore_ascii_case("message-id") && value.len() > 4)
        .map(|(_, value)| value.trim().to_string())
        .collect()
}

/// A hash of everything a session says, normalised for case and spacing: two sessions with
/// the same fingerprint are the same dialogue. Short sessions (a bare greeting) have none.
fn fingerprint(session: &Session) -> Option<String> {
    use sha2::{Digest, Sha256};
    if session.exchanges.len() < 4 {
        return None;
    }
    let mut hasher = Sha256::new();
    for exchange in &session.exchanges {
        hasher.update(exchange.skeleton_line().as_bytes());
        if let Some(command) = &exchange.command {
            match &command.kind {
                CommandKind::Line { args, .. } => hasher.update(normalise(&args.text)),
                CommandKind::Message { content } => {
                    if let Some(bytes) = &content.bytes {
                        hasher.update(normalise(&String::from_utf8_lossy(bytes)));
                    }
                    hasher.update(content.summary.as_deref().unwrap_or("").as_bytes());
                }
                CommandKind::AuthResponse { .. } | CommandKind::AuthCancel => {}
            }
            if let Origin::Frame { micros, .. } = command.origin {
                hasher.update(micros.to_be_bytes());
            }
        }
        if let Some(reply) = &exchange.reply {
            for line in &reply.lines {
                hasher.update(normalise(line));
            }
        }
        hasher.update(b"\n");
    }
    Some(format!("{:x}", hasher.finalize()))
}

fn normalise(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(text: &str) -> Vec<Session> {
        crate::ingest::read_bytes(Path::new("t.txt"), text.as_bytes())
            .map(|read| read.sessions)
            .unwrap_or_default()
    }

    fn dialogue(from: &str, queue: &str, message_id: &str) -> String {
        format!(
            "S: 220 lab.test ESMTP\nC: HELO pc\nS: 250 lab.test\nC: MAIL FROM:<{from}>\n\
             S: 250 Ok\nC: RCPT TO:<t@lab.test>\nS: 250 Ok\nC: DATA\nS: 354 go\n\
             C: Message-ID: <{message_id}>\nC: Subject: hi\nC:\nC: hello\nC: .\n\
             S: 250 2.0.0 Ok: queued as {queue}\nC: QUIT\nS: 221 Bye\n"
        )
    }

    #[test]
    fn finds_what_students_share() {
        let cases: &[(&str, [String; 2], &[Shared])] = &[
            (
                "nothing shared",
                [
                    dialogue("a@x", "AAAA1", "1@a"),
                    dialogue("b@x", "BBBB2", "2@b"),
                ],
                &[],
            ),
            (
                "queue id",
                [
                    dialogue("a@x", "SAME9", "1@a"),
                    dialogue("b@x", "SAME9", "2@b"),
                ],
                &[Shared::QueueId],
            ),
            (
                "message id",
                [
                    dialogue("a@x", "AAAA1", "same@id"),
                    dialogue("b@x", "BBBB2", "same@id"),
                ],
                &[Shared::MessageId],
            ),
            (
                "whole dialogue, spacing and case aside",
                [
                    dialogue("a@x", "AAAA1", "1@a"),
                    dialogue("A@X", "AAAA1", "1@a").replace("HELO pc", "HELO   PC"),
                ],
                &[Shared::QueueId, Shared::MessageId, Shared::Transcript],
            ),
        ];
        for (name, texts, expected) in cases {
            let parsed: Vec<Vec<Session>> = texts.iter().map(|t| sessions(t)).collect();
            assert!(
                parsed.iter().all(|s| s.len() == 1),
                "{name}: one session each"
            );
            let candidates: Vec<Candidate<'_>> = ["s1", "s2"]
                .iter()
                .zip(&parsed)
                .map(|(id, sessions)| Candidate {
                    id,
                    sessions,
                    hashes: Vec::new(),
                })
                .collect();
            let found: Vec<Shared> = find(&candidates).iter().map(|g| g.shared).collect();
            assert_eq!(found, *expected, "{name}");
        }
    }

    #[test]
    fn one_student_alone_and_empty_files_share_nothing() {
        let empty = [(Path::new("a"), EMPTY_SHA256)];
        let candidates = [
            Candidate {
                id: "s1",
                sessions: &[],
                hashes: empty.to_vec(),
            },
            Candidate {
                id: "s2",
                sessions: &[],
                hashes: empty.to_vec(),
            },
            Candidate {
                id: "s3",
                sessions: &[],
                hashes: vec![(Path::new("x"), "ab"), (Path::new("y"), "ab")],
            },
        ];
        assert!(find(&candidates).is_empty());
    }
}
