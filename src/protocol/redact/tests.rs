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
    session.exchanges[1].reply.as_mut().unwrap().lines = ReplyLines::one(format!("hi {PW}"));
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
        let (automaton, _) = automata.get_or_build(&set(n), build).unwrap();
        assert_eq!(automaton.kind(), NoncontiguousNFA);
        assert!(within(&automata));
    }
    assert_eq!((nfas.get(), dfas.get()), (100, 0));
    // The last ENTRIES sets are kept: coming back, each is made a DFA once.
    for _ in 0..3 {
        for n in 100 - cache::ENTRIES..100 {
            let (automaton, _) = automata.get_or_build(&set(n), build).unwrap();
            assert_eq!(automaton.kind(), DFA);
            assert!(automaton.is_match(format!("x VALUE-{n:04} y").as_str()));
            assert!(!automaton.is_match(format!("x VALUE-{:04} y", n + 1).as_str()));
            assert!(within(&automata));
        }
    }
    assert_eq!((nfas.get(), dfas.get()), (100, cache::ENTRIES));
    // The one before them was evicted: built again.
    automata.get_or_build(&set(100 - cache::ENTRIES - 1), build);
    assert_eq!(nfas.get(), 101);
    // A set too big to keep is built every time and pushes nothing out.
    let big: Vec<String> = (0..cache::MAX_SET_BYTES / 16 + 1)
        .map(|n| format!("big-value-{n:06}"))
        .collect();
    assert!(big.iter().map(String::len).sum::<usize>() > cache::MAX_SET_BYTES);
    automata.get_or_build(&big, build);
    automata.get_or_build(&big, build);
    assert_eq!((nfas.get(), dfas.get()), (103, cache::ENTRIES));
    assert_eq!(automata.held().0, cache::ENTRIES);
    assert!(within(&automata));
}

/// The sieve says "a secret is here" exactly when the automaton finds a match, whatever the
/// values and wherever they sit: at a text's edges, cut short by its end, split across two
/// texts, in another case, overlapping one another, in their encoded forms.
#[test]
fn the_sieve_finds_what_the_automaton_finds() {
    let plain = b64(&format!("\0alice\0{PW}"));
    let sets: Vec<Vec<String>> = vec![
        vec![PW.to_string()],
        vec![PW.to_string(), b64(PW)],
        // The synthetic capture's two sets: POP3's PASS, SMTP's AUTH LOGIN.
        vec!["synth-secret-pw".into(), b64("synth-secret-pw")],
        vec![
            b64("student@lab.test"),
            b64("synth-secret-pw"),
            "synth-secret-pw".into(),
        ],
        vec![plain.clone(), PW.to_string(), b64(PW)],
        // Overlapping values: one inside another, one's end another's start.
        // One byte searched for, at three offsets.
        vec!["ab-1cd".into(), "1cd-ef".into(), "d-ef".into()],
        // Letters only: their two cases take the needles.
        vec!["wxyz".into()],
        vec!["quiz".into(), "a-b-c".into()],
        // Non-ASCII and control bytes.
        vec!["pässwörd".into(), "tab\tbed".into()],
    ];
    for mut values in sets {
        values.sort_unstable();
        values.dedup();
        let automaton = KnownSecrets::build(&values, AhoCorasickKind::DFA).unwrap();
        let sieve = Sieve::new(&values).expect("three bytes or fewer");
        let mut texts: Vec<String> = vec![String::new(), "x".into(), "+OK 1 30".into()];
        for value in &values {
            let upper = value.to_ascii_uppercase();
            let lower = value.to_ascii_lowercase();
            let (head, tail) = value.split_at(value.len() / 2);
            texts.extend([
                value.clone(),
                upper.clone(),
                format!("{lower} at the start"),
                format!("at the end {upper}"),
                format!("in the {value} middle"),
                head.to_string(),
                tail.to_string(),
                format!("{head}\r\n{tail}"),
                format!("cut short {}", &value[..value.len() - 1]),
                format!("{}-cut short", &value[1..]),
                format!("twice {value}{lower}"),
            ]);
        }
        // Each text also long enough for `memchr`, its edges kept, among near misses.
        let pad = "x3=-Z 9".repeat(12);
        for text in &texts {
            for text in [
                text.clone(),
                format!("{pad}{text}"),
                format!("{text}{pad}"),
                format!("{pad}{text}{pad}"),
            ] {
                assert_eq!(
                    sieve.finds(text.as_bytes()),
                    automaton.is_match(text.as_str()),
                    "{values:?} in {text:?}"
                );
            }
        }
        // A secret split across two reply lines is found in neither, as before.
        for value in &values {
            let (head, tail) = value.split_at(value.len() / 2);
            assert!(!sieve.finds(format!("+OK {head}").as_bytes()) || automaton.is_match(head));
            assert!(!sieve.finds(format!("{tail} ok").as_bytes()) || automaton.is_match(tail));
        }
    }
}

proptest::proptest! {
    /// The same over random texts made of the values' own bytes, so near misses abound.
    #[test]
    fn the_sieve_agrees_with_the_automaton(
        picks in proptest::collection::vec((0usize..4, 0usize..64, proptest::bool::ANY), 0..24),
        noise in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
    ) {
        let mut values = vec![
            "synth-secret-pw".to_string(),
            b64("synth-secret-pw"),
            "Zz9-".to_string(),
            "pw-9".to_string(),
        ];
        values.sort_unstable();
        let automaton = KnownSecrets::build(&values, AhoCorasickKind::DFA).unwrap();
        let sieve = Sieve::new(&values).unwrap();
        let mut text = Vec::new();
        for (which, cut, upper) in picks {
            let value = values[which].as_bytes();
            let piece = &value[cut % value.len()..];
            if upper {
                text.extend(piece.to_ascii_uppercase());
            } else {
                text.extend_from_slice(piece);
            }
            text.extend(noise.iter().take(cut % 5));
        }
        proptest::prop_assert_eq!(sieve.finds(&text), automaton.is_match(&text));
    }
}

/// A sieve searches for three bytes at most; more secrets than that fit are left to the
/// automaton alone, and the redaction is the same either way.
#[test]
fn many_secrets_go_to_the_automaton_alone() {
    let values: Vec<String> = ["xq-1", "jz=2", "QX;3", "kk@4"]
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert!(Sieve::new(&values).is_none());
    let mut text = "S: +OK ready\nC: USER alice\nS: +OK\n".to_string();
    for value in &values {
        text.push_str(&format!("C: PASS {value}\nS: -ERR\n"));
    }
    text.push_str("C: NOOP\nS: +OK xq-1 JZ=2 qx;3 kk@4 kk@5\n");
    let dialogue = dialogue(Protocol::Pop3, &lines(&text));
    let reply = dialogue.exchanges.last().unwrap().reply.as_ref().unwrap();
    assert_eq!(
        reply.text(),
        "<redacted> <redacted> <redacted> <redacted> kk@5"
    );
}

/// Bodies through the sieve: a secret on a body's first or last bytes, in a header, in its
/// base64, or only half of it at the end, as the automaton finds them.
#[test]
fn bodies_are_redacted_at_their_edges() {
    let text = format!(
        "S: +OK ready\nC: USER alice\nS: +OK\nC: PASS {PW}\nS: +OK\nC: RETR 1\nS: +OK\n\
         S: {PW} first\nS: Subject: {}\nS: \nS: last {}\nS: half {}\nS: .",
        PW.to_ascii_lowercase(),
        b64(PW),
        &PW[..PW.len() - 1],
    );
    let dialogue = dialogue(Protocol::Pop3, &lines(&text));
    let body = dialogue.exchanges.last().unwrap().reply.as_ref().unwrap();
    let bytes = String::from_utf8(body.body.as_ref().unwrap().bytes.clone().unwrap()).unwrap();
    assert_eq!(
        bytes,
        format!(
            "<redacted> first\r\nSubject: <redacted>\r\n\r\nlast <redacted>\r\nhalf {}\r\n",
            &PW[..PW.len() - 1]
        )
    );
}

/// Sessions one after another whose credential slots differ only a little (the same value
/// typed in another slot, under another mechanism, at another step, cut in two) each get
/// the values their own sources give, never those kept from the session before.
#[test]
fn values_are_reused_only_for_the_same_sources() {
    let plain = b64(&format!("\0alice\0{PW}"));
    let sessions: Vec<(Protocol, String)> = vec![
        // Typed, a PLAIN payload is hunted for as it is and in base64 only.
        (
            Protocol::Pop3,
            format!("S: +OK\nC: PASS {plain}\nS: -ERR {plain}"),
        ),
        (
            Protocol::Pop3,
            format!("S: +OK\nC: USER alice\nS: +OK\nC: {plain}\nS: -ERR {PW}"),
        ),
        (
            Protocol::Smtp,
            format!(
                "S: 220 hi\nC: AUTH LOGIN\nS: 334 x\nC: {}\nS: 334 y\nC: {}\nS: 235 {PW}",
                b64("alice"),
                b64(PW)
            ),
        ),
        (
            Protocol::Smtp,
            format!(
                "S: 220 hi\nC: AUTH PLAIN\nS: 334 x\nC: {}\nS: 334 y\nC: {}\nS: 235 {PW}",
                b64("alice"),
                b64(PW)
            ),
        ),
        (
            Protocol::Smtp,
            // LOGIN's first response is the user name: only its base64 is hunted for.
            format!(
                "S: 220 hi\nC: AUTH LOGIN\nS: 334 y\nC: {0}\nS: 235 {0}",
                b64(PW)
            ),
        ),
        (
            Protocol::Pop3,
            "S: +OK\nC: PASS abcd\nS: -ERR\nC: PASS efgh\nS: -ERR abcdefgh".to_string(),
        ),
        (
            Protocol::Pop3,
            "S: +OK\nC: PASS abcdefgh\nS: -ERR abcdefgh".to_string(),
        ),
        (
            Protocol::Pop3,
            "S: +OK\nC: PASS abc\nS: -ERR abc".to_string(),
        ),
    ];
    let fresh: Vec<Vec<String>> = sessions
        .iter()
        .map(|(protocol, text)| {
            KnownSecrets::of(&dialogue(*protocol, &lines(text)).exchanges).sorted()
        })
        .collect();
    for (n, values) in fresh.iter().enumerate() {
        assert!(
            !fresh[..n].contains(values),
            "session {n} must differ from the others"
        );
    }
    let order: Vec<usize> = (0..sessions.len())
        .flat_map(|n| [n, n])
        .chain((0..sessions.len()).rev())
        .collect();
    for n in order {
        let (protocol, text) = &sessions[n];
        let dialogue = dialogue(*protocol, &lines(text));
        let sources = Source::all(&dialogue.exchanges);
        let kept = cache::values_of(
            |key| Source::key(&sources, key),
            || KnownSecrets::from_sources(&sources).sorted(),
            <[String]>::to_vec,
        );
        assert_eq!(kept, fresh[n], "session {n}");
        // And redacted by its own values: no password echoed, the short one left alone.
        let last = dialogue.exchanges.last().unwrap().reply.as_ref().unwrap();
        let shown = last.text();
        assert!(
            [PW, &b64(PW), &plain, "abcdefgh"]
                .iter()
                .all(|value| !shown.contains(value)),
            "session {n}: {shown}"
        );
        assert_eq!(last.text() == "abc", n == sessions.len() - 1);
    }
}
