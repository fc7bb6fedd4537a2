use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::*;
use crate::protocol::{Dialogue, DialogueBuilder};
use crate::session::{NoteKind, Origin};

/// The password of every case; mixed case, so an upper-cased echo is caught too.
const PW: &str = "Hunter2pw";

/// `C:` / `S:` lines fed to a builder, as a transcript reader does.
fn dialogue(protocol: Protocol, lines: &[String]) -> Dialogue {
    let mut builder = DialogueBuilder::new(protocol);
    for (n, line) in lines.iter().enumerate() {
        let origin = Origin::line(n as u32 + 1);
        let split = line
            .split_once(':')
            .map(|(mark, text)| (mark, text.strip_prefix(' ').unwrap_or(text)));
        match split {
            Some(("C", text)) => builder.client_line(text, origin),
            Some(("S", text)) => builder.server_line(text, origin),
            Some(("N", text)) => builder.note(Note {
                kind: NoteKind::Unrecognised,
                origin,
                detail: crate::i18n::Text::new(text, text),
            }),
            Some(("I", text)) => builder.message_summary(text),
            _ => panic!("bad test line {line}"),
        }
    }
    builder.finish()
}

/// Everything a report could show of a dialogue: its JSON, each command as displayed, and
/// the bytes of every message and body.
fn shown(dialogue: &Dialogue) -> String {
    let mut all = serde_json::to_string(&dialogue.exchanges).unwrap();
    all.push_str(&serde_json::to_string(&dialogue.notes).unwrap());
    for exchange in &dialogue.exchanges {
        if let Some(command) = &exchange.command {
            all.push_str(&format!("\n{command}"));
            if let CommandKind::Message { content } = &command.kind {
                all.push_str(&String::from_utf8_lossy(
                    content.bytes.as_deref().unwrap_or(b""),
                ));
            }
        }
        if let Some(body) = exchange.reply.as_ref().and_then(|r| r.body.as_ref()) {
            all.push_str(&String::from_utf8_lossy(
                body.bytes.as_deref().unwrap_or(b""),
            ));
        }
    }
    all
}

fn b64(text: &str) -> String {
    STANDARD.encode(text)
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim().to_string()).collect()
}

/// Every form a password slipped through before, as a dialogue: after the pass, neither the
/// password (in any ASCII case) nor its base64 is anywhere in what reports show.
#[test]
fn no_known_secret_is_left_in_any_text() {
    use Protocol::{Pop3, Smtp};
    let upper = PW.to_ascii_uppercase();
    let plain = b64(&format!("\0alice\0{PW}"));
    let cases: Vec<(&str, Protocol, String)> = vec![
        (
            "APOP with one argument, echoed",
            Pop3,
            format!("S: +OK ready\nC: APOP {PW}\nS: -ERR Unknown command: {PW}"),
        ),
        (
            "USER with a second word",
            Pop3,
            format!("S: +OK ready\nC: USER alice {PW}\nS: +OK"),
        ),
        (
            "USER user:pass",
            Pop3,
            format!("S: +OK ready\nC: USER alice:{PW}\nS: +OK"),
        ),
        (
            "IMAP LOGIN at POP3",
            Pop3,
            format!("S: +OK ready\nC: LOGIN alice {PW}\nS: -ERR Unknown command."),
        ),
        (
            "tagged IMAP LOGIN",
            Pop3,
            format!("S: +OK ready\nC: a1 LOGIN alice {PW}\nS: -ERR Unknown command: A1"),
        ),
        (
            "IMAP LOGIN at SMTP",
            Smtp,
            format!("S: 220 hi\nC: a1 LOGIN alice {PW}\nS: 502 5.5.2 Error: command not recognized"),
        ),
        (
            "the server echoes the password of PASS",
            Pop3,
            format!("S: +OK ready\nC: USER alice\nS: +OK\nC: PASS {PW}\nS: +OK {PW} logged in"),
        ),
        (
            "alone after USER, echoed upper-cased",
            Pop3,
            format!("S: +OK ready\nC: USER alice\nS: +OK\nC: {PW}\nS: -ERR Unknown command: {upper}"),
        ),
        (
            "alone after a failed PASS",
            Pop3,
            format!(
                "S: +OK ready\nC: USER alice\nS: +OK\nC: PASS wrong-one\nS: -ERR [AUTH] failed\n\
                 C: {PW}\nS: -ERR Unknown command: {PW}"
            ),
        ),
        (
            "alone at the start, known from a later PASS",
            Pop3,
            format!(
                "S: +OK ready\nC: {PW}\nS: -ERR Unknown command: {PW}\nC: USER alice\nS: +OK\n\
                 C: PASS {PW}\nS: +OK"
            ),
        ),
        (
            "alone at the start, known from a later AUTH LOGIN",
            Smtp,
            format!(
                "S: 220 hi\nC: {PW}\nS: 500 5.5.2 Error: command {PW} not recognized\nC: AUTH LOGIN\n\
                 S: 334 VXNlcm5hbWU6\nC: {}\nS: 334 UGFzc3dvcmQ6\nC: {}\nS: 235 ok",
                b64("alice"),
                b64(PW)
            ),
        ),
        (
            "alone after AUTH LOGIN whose second 334 was not recorded",
            Smtp,
            format!(
                "S: 220 hi\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: {}\nC: {PW}\nS: 535 5.7.8 {PW} rejected",
                b64("alice")
            ),
        ),
        (
            "alone after USER at an SMTP server",
            Smtp,
            format!("S: 220 hi\nC: USER alice\nS: 502 no\nC: {PW}\nS: 502 5.5.2 no {PW}"),
        ),
        (
            "PASS at an SMTP server",
            Smtp,
            format!("S: 220 hi\nC: PASS {PW}\nS: 502 5.5.2 Error: command not recognized"),
        ),
        (
            "typed as the user name, shown by a later PASS",
            Pop3,
            format!("S: +OK ready\nC: USER {PW}\nS: +OK\nC: PASS {PW}\nS: -ERR"),
        ),
        (
            "AUTH PLAIN's password in a Subject and a note",
            Smtp,
            format!(
                "S: 220 hi\nC: AUTH PLAIN {plain}\nS: 235 ok\nC: MAIL FROM:<a@b>\nS: 250 ok\n\
                 C: RCPT TO:<c@d>\nS: 250 ok\nC: DATA\nS: 354 go\nC: Subject: pw {PW}\nC: \n\
                 C: base64 {}\nC: .\nS: 250 ok\nN: a note quoting {PW}",
                b64(PW)
            ),
        ),
        (
            "AUTH LOGIN's password in the message summary",
            Smtp,
            format!(
                "S: 220 hi\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: {}\nS: 334 UGFzc3dvcmQ6\nC: {}\n\
                 S: 235 ok\nC: DATA\nS: 354 go\nC: .\nI: subject: {PW}\nS: 250 ok",
                b64("alice"),
                b64(PW)
            ),
        ),
        (
            "a POP3 body holding the password",
            Pop3,
            format!(
                "S: +OK ready\nC: USER alice\nS: +OK\nC: PASS {PW}\nS: +OK\nC: RETR 1\nS: +OK 30 octets\n\
                 S: Subject: my password is {PW}\nS: \nS: {PW}\nS: ."
            ),
        ),
    ];
    for (name, protocol, text) in cases {
        let dialogue = dialogue(protocol, &lines(&text));
        let all = shown(&dialogue);
        let lower = all.to_ascii_lowercase();
        assert!(
            !lower.contains(&PW.to_ascii_lowercase()),
            "{name}: the password is shown:\n{all}"
        );
        assert!(
            !all.contains(&b64(PW)),
            "{name}: its base64 is shown:\n{all}"
        );
        assert!(!all.contains(&plain), "{name}: the PLAIN payload is shown");
        assert!(
            all.contains(Secret::REDACTED),
            "{name}: nothing redacted:\n{all}"
        );
    }
}

/// What is not a secret stays: the user name, the verbs, the text around a secret.
#[test]
fn only_the_secret_goes() {
    let text = format!(
        "S: +OK ready\nC: USER alice:{PW}\nS: +OK alice\nC: PASS {PW}\nS: +OK {PW} logged in\nC: STAT\nS: +OK 1 30"
    );
    let dialogue = dialogue(Protocol::Pop3, &lines(&text));
    let commands: Vec<String> = dialogue
        .exchanges
        .iter()
        .filter_map(|e| e.command.as_ref().map(|c| c.to_string()))
        .collect();
    assert_eq!(
        commands,
        ["USER alice <redacted>", "PASS <redacted>", "STAT"]
    );
    let replies: Vec<String> = dialogue
        .exchanges
        .iter()
        .filter_map(|e| e.reply.as_ref().map(|r| r.text().to_string()))
        .collect();
    assert_eq!(replies, ["ready", "alice", "<redacted> logged in", "1 30"]);
}

/// A password typed at the start (a command's place) and shown to be one by a later PASS is
/// read the way a bare password after USER is: a secret, not a verb.
#[test]
fn a_known_secret_typed_as_a_command_becomes_a_secret() {
    let text = format!("S: +OK ready\nC: {PW} now\nS: -ERR\nC: PASS {PW}\nS: +OK\nC: QUIT\nS: +OK");
    let dialogue = dialogue(Protocol::Pop3, &lines(&text));
    let labels: Vec<String> = dialogue
        .exchanges
        .iter()
        .map(Exchange::skeleton_line)
        .collect();
    assert_eq!(
        labels,
        [
            "greeting → +OK",
            "auth-response → -ERR",
            "PASS → +OK",
            "QUIT → +OK"
        ]
    );
    match &dialogue.exchanges[1].command.as_ref().unwrap().kind {
        CommandKind::AuthResponse { payload } => assert_eq!(payload.expose(), format!("{PW} now")),
        other => panic!("not a secret: {other:?}"),
    }
}

/// Which values are hunted for: short ones are left to their slot (they would erase every
/// `+OK 1 30`), the LOGIN user name is no secret, PLAIN's and LOGIN's passwords are found
/// inside their payloads.
#[test]
fn which_values_are_known() {
    let known = |protocol, text: &str| {
        let dialogue = dialogue(protocol, &lines(text));
        let mut values = KnownSecrets::of(&dialogue.exchanges).values;
        values.sort();
        values
    };
    assert_eq!(
        known(Protocol::Pop3, "S: +OK\nC: PASS abc\nS: +OK abc"),
        Vec::<String>::new()
    );
    let short = dialogue(Protocol::Pop3, &lines("S: +OK\nC: PASS abc\nS: +OK 1 abc"));
    assert_eq!(short.exchanges[1].reply.as_ref().unwrap().text(), "1 abc");
    assert_eq!(
        known(Protocol::Pop3, "S: +OK\nC: PASS \"pa ss\"\nS: +OK"),
        {
            let mut v = vec![
                "\"pa ss\"".to_string(),
                b64("\"pa ss\""),
                "pa ss".to_string(),
                b64("pa ss"),
            ];
            v.sort();
            v
        }
    );
    let login = format!(
        "S: 220 hi\nC: AUTH LOGIN\nS: 334 x\nC: {}\nS: 334 y\nC: {}\nS: 235 ok",
        b64("alice@lab.test"),
        b64(PW)
    );
    let values = known(Protocol::Smtp, &login);
    assert!(values.contains(&PW.to_string()));
    assert!(values.contains(&b64("alice@lab.test")));
    assert!(!values.contains(&"alice@lab.test".to_string()));
    let plain = format!(
        "S: 220 hi\nC: AUTH PLAIN\nS: 334 \nC: {}\nS: 235 ok",
        b64(&format!("\0alice\0{PW}"))
    );
    let values = known(Protocol::Smtp, &plain);
    assert!(values.contains(&PW.to_string()));
    assert!(values.contains(&b64(PW)));
    assert!(!values.contains(&"alice".to_string()));
}

/// A session read back from `extract --format transcript` holds `<redacted>` where the
/// secrets were: that is no value to hunt for.
#[test]
fn a_redacted_transcript_reads_back_unchanged() {
    let text = "S: +OK ready\nC: PASS <redacted>\nS: +OK <redacted> logged in";
    let dialogue = dialogue(Protocol::Pop3, &lines(text));
    assert!(KnownSecrets::of(&dialogue.exchanges).redactor().is_none());
    assert_eq!(
        dialogue.exchanges[1].reply.as_ref().unwrap().text(),
        "<redacted> logged in"
    );
}

/// `redact_session` does the same for a session built by hand.
#[test]
fn redacts_a_whole_session() {
    let dialogue = dialogue(
        Protocol::Pop3,
        &lines(&format!("S: +OK ready\nC: PASS {PW}\nS: +OK")),
    );
    let mut session = Session::new(Protocol::Pop3, Default::default());
    session.exchanges = dialogue.exchanges;
    session.exchanges[1].reply.as_mut().unwrap().lines = vec![format!("hi {PW}")];
    session.notes.push(Note {
        kind: NoteKind::Gap,
        origin: Origin::Synthetic,
        detail: crate::i18n::Text::new(format!("near {PW}"), format!("靠近 {PW}")),
    });
    redact_session(&mut session);
    let json = serde_json::to_string(&session).unwrap();
    assert!(!json.contains(PW), "{json}");
    assert!(json.contains("hi <redacted>") && json.contains("near <redacted>"));
    assert!(json.contains("靠近 <redacted>"), "{json}");
}

/// A hostile file of long or countless bare "passwords" hunts for a bounded set: the
/// automaton's memory depends on the cap, not on the file.
#[test]
fn what_is_hunted_is_bounded() {
    let long = "x".repeat(MAX_SECRET_LEN + 1);
    let mut text = format!("S: +OK ready\nC: USER alice\nS: +OK\nC: {long}\nS: -ERR {long}");
    let long_one = dialogue(Protocol::Pop3, &lines(&text));
    assert!(KnownSecrets::of(&long_one.exchanges).is_empty());
    // Left to its slot: shown nowhere as a command, though the echo stays.
    assert_eq!(
        long_one.exchanges[2].command.as_ref().unwrap().to_string(),
        "<redacted>"
    );
    text = "S: +OK ready\nC: USER alice\nS: +OK\n".to_string();
    for n in 0..20_000 {
        text.push_str(&format!("C: bare-password-{n:06}\nS: -ERR\n"));
    }
    let many = dialogue(Protocol::Pop3, &lines(&text));
    let known = KnownSecrets::of(&many.exchanges);
    assert!(known.bytes <= MAX_KNOWN_BYTES && known.bytes > MAX_KNOWN_BYTES / 2);
    assert!(known.values.len() < 20_000 * 2);
}

/// Sessions one after another on one thread, logging in with passwords that come back, change
/// and combine (more sets than the cache keeps): each session loses exactly its own secrets,
/// never those of a session before it, whatever automaton the cache gives it.
#[test]
fn each_session_is_redacted_with_its_own_secrets_only() {
    let password = |n: usize| format!("cycle-pw-{n:02}-Secret");
    let sets = 3 * cache::ENTRIES;
    for round in 0..4 * sets {
        // Walks the sets out of order, so some come back while kept and some after eviction;
        // every third session adds the next password: a superset of another session's set.
        let own = (round * 7) % sets;
        let mut typed = vec![own];
        if round % 3 == 0 {
            typed.push((own + 1) % sets);
        }
        let other = (own + sets / 2) % sets;
        let mut text = "S: +OK ready\nC: USER alice\nS: +OK\n".to_string();
        for n in &typed {
            text.push_str(&format!("C: PASS {}\nS: -ERR\n", password(*n)));
        }
        text.push_str(&format!(
            "C: NOOP\nS: +OK {} then {} but not {}\n",
            password(own).to_ascii_uppercase(),
            b64(&password(*typed.last().unwrap())),
            password(other),
        ));
        let dialogue = dialogue(Protocol::Pop3, &lines(&text));
        let reply = dialogue.exchanges.last().unwrap().reply.as_ref().unwrap();
        assert_eq!(
            reply.text(),
            format!("<redacted> then <redacted> but not {}", password(other)),
            "round {round}, passwords {typed:?}"
        );
        let (kept, bytes) = cache::held();
        assert!(kept <= cache::ENTRIES && bytes <= cache::ENTRIES * cache::MAX_ENTRY_BYTES);
    }
    assert_eq!(cache::held().0, cache::ENTRIES);
}

/// The cache builds a set's NFA once while it is kept, its DFA when it comes back, again
/// once evicted, and never keeps more than its entries or a set too big for it.
#[test]
fn the_cache_is_bounded() {
    use aho_corasick::AhoCorasickKind::{NoncontiguousNFA, DFA};
    use std::cell::Cell;
    let set = |n: usize| -> Vec<String> {
        let mut values = vec![format!("value-{n:04}"), b64(&format!("value-{n:04}"))];
        values.sort();
        values
    };
    let (nfas, dfas) = (Cell::new(0), Cell::new(0));
    let build = |values: &[String], kind| {
        let count = if kind == DFA { &dfas } else { &nfas };
        count.set(count.get() + 1);
        KnownSecrets::build(values, kind)
    };
    let mut automata = cache::Automata::default();
    let within = |automata: &cache::Automata| {
        let (kept, bytes) = automata.held();
        kept <= cache::ENTRIES && bytes <= cache::ENTRIES * cache::MAX_ENTRY_BYTES
    };
    for n in 0..100 {
        let automaton = automata.get_or_build(set(n), build).unwrap();
        assert_eq!(automaton.kind(), NoncontiguousNFA);
        assert!(within(&automata));
    }
    assert_eq!((nfas.get(), dfas.get()), (100, 0));
    // The last ENTRIES sets are kept: coming back, each is made a DFA once.
    for _ in 0..3 {
        for n in 100 - cache::ENTRIES..100 {
            let automaton = automata.get_or_build(set(n), build).unwrap();
            assert_eq!(automaton.kind(), DFA);
            assert!(automaton.is_match(format!("x VALUE-{n:04} y").as_str()));
            assert!(!automaton.is_match(format!("x VALUE-{:04} y", n + 1).as_str()));
            assert!(within(&automata));
        }
    }
    assert_eq!((nfas.get(), dfas.get()), (100, cache::ENTRIES));
    // The one before them was evicted: built again.
    automata.get_or_build(set(100 - cache::ENTRIES - 1), build);
    assert_eq!(nfas.get(), 101);
    // A set too big to keep is built every time and pushes nothing out.
    let big: Vec<String> = (0..cache::MAX_SET_BYTES / 16 + 1)
        .map(|n| format!("big-value-{n:06}"))
        .collect();
    assert!(big.iter().map(String::len).sum::<usize>() > cache::MAX_SET_BYTES);
    automata.get_or_build(big.clone(), build);
    automata.get_or_build(big, build);
    assert_eq!((nfas.get(), dfas.get()), (103, cache::ENTRIES));
    assert_eq!(automata.held().0, cache::ENTRIES);
    assert!(within(&automata));
}
