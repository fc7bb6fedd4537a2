//! Property tests the other suites do not cover: the capture reader on generated and mutated
//! pcaps, and `DialogueBuilder` fed arbitrary bytes all the way through grading and every
//! report renderer. Bounded case counts: the suite runs in seconds.

mod hostile_support;

use std::path::Path;

use mailgrade::grade;
use mailgrade::ingest::read_bytes;
use mailgrade::protocol::DialogueBuilder;
use mailgrade::report::{
    autolab, canvas_csv, github, github_classroom, gradescope, html, json, junit, markdown,
    moodle_csv, prairielearn, sessions_text, text, transcript,
};
use mailgrade::report::{Outcome, SubmissionOutcome};
use mailgrade::scenario;
use mailgrade::session::{CommandKind, Origin, Protocol, Session, Source};
use proptest::prelude::*;

/// A secret that must never come out of any renderer.
const SECRET: &str = "Zm9vYmFyU2VjcmV0";
const PASSWORD: &str = "pr0pPassw0rd";

/// Client and server pieces shaped like the protocols, with credentials among them.
fn piece() -> impl Strategy<Value = (bool, Vec<u8>)> {
    let client = prop_oneof![
        Just(b"EHLO pc\r\n".to_vec()),
        Just(b"AUTH LOGIN\r\n".to_vec()),
        Just(format!("AUTH PLAIN {SECRET}\r\n").into_bytes()),
        Just(format!("{SECRET}\r\n").into_bytes()),
        Just(b"MAIL FROM:<a@lab.test>\r\n".to_vec()),
        Just(b"RCPT TO:<b@lab.test>\r\n".to_vec()),
        Just(b"DATA\r\n".to_vec()),
        Just(b"Subject: x\r\n\r\nbody\r\n.\r\n".to_vec()),
        Just(b"USER student\r\n".to_vec()),
        Just(format!("PASS {PASSWORD}\r\n").into_bytes()),
        // A password typed alone where PASS was due.
        Just(format!("USER student\r\n{PASSWORD}\r\n").into_bytes()),
        Just(b"RETR 1\r\n".to_vec()),
        Just(b"STARTTLS\r\n".to_vec()),
        Just(b"QUIT\r\n".to_vec()),
        // Junk, ended so it does not run into the next line: a password glued to junk is
        // no longer recognisable as one.
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|mut junk| {
            junk.extend_from_slice(b"\r\n");
            junk
        }),
    ];
    let server = prop_oneof![
        Just(b"220 mail.lab.test ESMTP\r\n".to_vec()),
        Just(b"250-mail.lab.test\r\n250 AUTH LOGIN\r\n".to_vec()),
        Just(b"334 VXNlcm5hbWU6\r\n".to_vec()),
        Just(b"235 ok\r\n".to_vec()),
        Just(b"354 go\r\n".to_vec()),
        Just(b"250 ok\r\n".to_vec()),
        Just(b"535 no\r\n".to_vec()),
        Just(b"+OK\r\n".to_vec()),
        Just(b"-ERR no\r\n".to_vec()),
        Just(b"+OK 5 octets\r\nhello\r\n.\r\n".to_vec()),
        Just(b"221 bye\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..40),
    ];
    prop_oneof![
        client.prop_map(|b| (true, b)),
        server.prop_map(|b| (false, b))
    ]
}

fn dialogue_session(protocol: Protocol, pieces: &[(bool, Vec<u8>)], split: usize) -> Session {
    let mut dialogue = DialogueBuilder::new(protocol);
    for (frame, (client, bytes)) in pieces.iter().enumerate() {
        // Split each piece once, so lines also arrive cut in two.
        let (head, tail) = bytes.split_at(split.min(bytes.len()));
        for chunk in [head, tail] {
            let origin = Origin::frame(frame as u64 + 1, 0);
            if *client {
                dialogue.client_bytes(chunk, origin);
            } else {
                dialogue.server_bytes(chunk, origin);
            }
        }
    }
    let finished = dialogue.finish();
    let mut session = Session::new(
        protocol,
        Source {
            path: "generated.pcap".into(),
            ..Source::default()
        },
    );
    session.exchanges = finished.exchanges;
    session.notes = finished.notes;
    session.encrypted_after = finished.encrypted_after;
    session
}

/// Whether `text` is part of a message or a POP3 body in the session.
fn in_content(session: &Session, text: &str) -> bool {
    let contents = session.exchanges.iter().flat_map(|exchange| {
        let message = exchange.command.as_ref().and_then(|c| match &c.kind {
            CommandKind::Message { content } => Some(content),
            _ => None,
        });
        let body = exchange.reply.as_ref().and_then(|r| r.body.as_deref());
        message.into_iter().chain(body)
    });
    contents
        .filter_map(|content| content.bytes.as_deref())
        .any(|bytes| String::from_utf8_lossy(bytes).contains(text))
}

/// Every renderer's output for one graded submission.
fn rendered(sessions: Vec<Session>) -> Vec<String> {
    let scenarios = scenario::builtins();
    let grades = grade::grade_submission(&sessions, &scenarios);
    let mut out: Vec<String> = sessions.iter().map(transcript::render).collect();
    let outcome = Outcome {
        server: "none".to_string(),
        submissions: vec![SubmissionOutcome {
            id: "student".to_string(),
            files: vec!["generated.pcap".into()],
            sessions,
            grade: mailgrade::pipeline::SubmissionGrade::of(&grades),
            grades,
            ..SubmissionOutcome::default()
        }],
    };
    let submission = &outcome.submissions[0];
    out.push(json::render(&outcome));
    out.push(sessions_text::render(&outcome, mailgrade::i18n::Lang::En));
    out.push(canvas_csv::render(
        &outcome,
        canvas_csv::Assignment {
            title: "lab",
            id: None,
        },
    ));
    for lang in mailgrade::i18n::Lang::ALL {
        for color in [false, true] {
            out.push(text::render(&outcome, text::TextStyle { lang, color }));
        }
        out.push(autolab::render(submission, "none", lang));
        out.push(github::render(&outcome, lang));
        out.push(github_classroom::render(submission, lang));
        out.push(gradescope::render(submission, "none", lang));
        out.push(html::render(&outcome, lang));
        out.push(junit::render(&outcome, lang));
        out.push(markdown::render(&outcome, lang));
        out.push(moodle_csv::render(&outcome, lang));
        out.push(prairielearn::render(submission, lang));
    }
    // GitHub Classroom's result is base64: look inside that too.
    let decoded: Vec<String> = out.iter().flat_map(|text| base64_runs(text)).collect();
    out.extend(decoded);
    out
}

fn base64_runs(text: &str) -> Vec<String> {
    use base64::Engine;
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c)))
        .filter(|run| run.len() >= 24)
        .filter_map(|run| base64::engine::general_purpose::STANDARD.decode(run).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Bytes in any order and chunking → exchanges → grades → every format, with no secret.
    #[test]
    fn dialogue_bytes_grade_and_render_without_secrets(
        pop3 in any::<bool>(),
        pieces in proptest::collection::vec(piece(), 0..30),
        split in 0usize..12,
    ) {
        let protocol = if pop3 { Protocol::Pop3 } else { Protocol::Smtp };
        let session = dialogue_session(protocol, &pieces, split);
        // Text inside a message or POP3 body is the student's mail, shown as such.
        let secrets: Vec<&str> = [SECRET, PASSWORD]
            .into_iter()
            .filter(|secret| !in_content(&session, secret))
            .collect();
        for output in rendered(vec![session.clone()]) {
            for secret in &secrets {
                prop_assert!(!output.contains(secret), "{} shown", secret);
            }
        }
        // The transcript format reads back without panicking.
        let text = transcript::render(&session);
        let _ = read_bytes(Path::new("round-trip.txt"), text.as_bytes());
    }

    /// A well-formed capture of protocol-shaped traffic is read into sessions; the same
    /// capture cut short or with bytes changed is read or refused, never a panic.
    #[test]
    fn captures_whole_cut_or_mutated_never_panic(
        pop3 in any::<bool>(),
        pieces in proptest::collection::vec(piece(), 1..20),
        cut in any::<proptest::sample::Index>(),
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 0..8),
    ) {
        let (port, greeting) = if pop3 {
            (110, b"+OK ready\r\n".to_vec())
        } else {
            (25, b"220 mail.lab.test ESMTP\r\n".to_vec())
        };
        let mut pieces = pieces;
        pieces.insert(0, (false, greeting));
        let pcap = hostile_support::pcap::capture(&[(port, 40000, pieces)]);
        let whole = read_bytes(Path::new("whole.pcap"), &pcap).map_err(|e| e.to_string());
        prop_assert!(whole.is_ok(), "a whole capture is read: {:?}", whole.err());
        let cut = &pcap[..cut.index(pcap.len() + 1)];
        if let Ok(read) = read_bytes(Path::new("cut.pcap"), cut) {
            let shown = read.sessions.iter().any(|session| in_content(session, PASSWORD));
            for output in rendered(read.sessions) {
                prop_assert!(shown || !output.contains(PASSWORD), "password shown");
            }
        }
        let mut mutated = pcap.clone();
        for (at, byte) in flips {
            let i = at.index(mutated.len());
            mutated[i] = byte;
        }
        let _ = read_bytes(Path::new("mutated.pcap"), &mutated);
    }
}
