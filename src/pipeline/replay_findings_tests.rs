//! What replay did, as findings: bounded however many notes a session makes.

use super::*;
use crate::protocol::Verb;
use crate::session::{Args, Command, CommandKind, Exchange, Protocol, Source};

fn claimed(commands: usize) -> Session {
    let mut session = Session::new(Protocol::Smtp, Source::default());
    for i in 0..commands {
        session.exchanges.push(Exchange {
            command: Some(Command::new(
                CommandKind::line(
                    Protocol::Smtp,
                    Verb::Rcpt.name(),
                    Args::plain(format!("TO:<u{i}@qq.com>")),
                ),
                Origin::line(i as u32 + 1),
            )),
            reply: None,
        });
    }
    session
}

#[test]
fn many_notes_give_a_bounded_number_of_findings() {
    let n = 20_000;
    let session = claimed(n);
    let mut notes = Vec::new();
    for i in 0..n {
        notes.push(ReplayNote::AddressMapped {
            from: format!("u{i}@qq.com"),
            to: format!("u{i}@lab.test"),
        });
        notes.push(ReplayNote::CredentialSwapped {
            what: "PASS".into(),
            origin: Origin::line(i as u32 + 1),
        });
        notes.push(ReplayNote::Skipped {
            label: "RCPT".into(),
            origin: Origin::line(i as u32 + 1),
        });
    }
    let replayed = Replayed {
        session: session.clone(),
        server: "embedded".into(),
        notes,
        readback: None,
    };
    let findings = replay_findings(&session, &replayed);
    assert!(
        findings.len() <= MAX_NOTE_FINDINGS + 3,
        "{} findings",
        findings.len()
    );
    let mapped = &findings[0].message;
    assert!(
        mapped.en.contains("u0@qq.com → u0@lab.test"),
        "{}",
        mapped.en
    );
    assert!(mapped
        .en
        .ends_with(&format!("and {} more.", n - MAX_LISTED)));
    assert!(mapped
        .zh_cn
        .contains(&format!("另有 {} 项", n - MAX_LISTED)));
    let skipped = findings.last().expect("skipped");
    assert!(skipped
        .message
        .en
        .contains(&format!("and {} more", n - MAX_LISTED)));
    let unshown = &findings[findings.len() - 2].message.en;
    assert!(
        unshown.contains(&format!("{} more thing(s)", n - MAX_NOTE_FINDINGS)),
        "{unshown}"
    );
    // Evidence still names the command each note is about.
    let swapped = &findings[1];
    let evidence = swapped.evidence.as_ref().expect("evidence");
    assert_eq!(evidence.origin, Origin::line(1));
    assert!(
        evidence.exchange.starts_with("RCPT"),
        "{}",
        evidence.exchange
    );
}

#[test]
fn a_short_list_is_named_whole() {
    let session = claimed(2);
    let replayed = Replayed {
        session: session.clone(),
        server: "embedded".into(),
        notes: vec![
            ReplayNote::AddressMapped {
                from: "a@qq.com".into(),
                to: "a@lab.test".into(),
            },
            ReplayNote::AddressMapped {
                from: "a@qq.com".into(),
                to: "a@lab.test".into(),
            },
            ReplayNote::Skipped {
                label: "message".into(),
                origin: Origin::line(2),
            },
            ReplayNote::Skipped {
                label: "message".into(),
                origin: Origin::line(2),
            },
        ],
        readback: None,
    };
    let findings = replay_findings(&session, &replayed);
    assert_eq!(findings.len(), 2);
    assert_eq!(
        findings[0].message.en,
        "Replay mapped envelope addresses to the lab domain: a@qq.com → a@lab.test."
    );
    assert_eq!(
        findings[1].message.en,
        "Not sent on replay, because the server refused what came before: message, message."
    );
}
