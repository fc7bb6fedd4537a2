//! Whatever text arrives, reading it never panics, and a password given as Wireshark's
//! `Pass:` summary never shows up in what the sessions print.

use std::path::Path;

use mailgrade::ingest::read_bytes;
use proptest::prelude::*;

const VOCABULARY: &[&str] = &[
    "S: 220 mail.lab.test ESMTP",
    "S: +OK ready",
    "C: EHLO pc",
    "C: HELO pc",
    "S: 250-mail.lab.test | PIPELINING | SIZE 10",
    "S: 250 ok",
    "S: 250-SIZE",
    "C: AUTH LOGIN",
    "S: 334 VXNlcm5hbWU6",
    "C: User: c3R1ZGVudA==",
    "C: Pass: SECRETPW",
    "C: MAIL FROM:<a@b> | RCPT TO:<c@d> | DATA",
    "C: DATA",
    "S: 354 go ahead",
    "C: DATA fragment, 12 bytes",
    "S: DATA fragment, 40 bytes",
    "from: <a@b>, subject: hi, (text/plain)",
    "C: .",
    ".",
    "",
    "C: QUIT",
    "S: 221 bye",
    "S：221 Bye",
    "telnet mail.lab.test 25",
    "Trying 192.0.2.1...",
    "Connection closed by foreign host.",
    "```",
    "~~~",
    "    indented",
    "USER a",
    "RETR 1",
    "+OK 2 messages",
    "-ERR no",
    "220 hi",
    "EHLO x",
    "250 ok",
    "354 go",
    "random prose line",
    "C: // only a note",
    "S: 250 ok /* note */",
    "\t42",
    "Follow: tcp,ascii",
    "Node 1: 192.0.2.1:25",
    "No.     Time           Source                Destination           Protocol Length Info",
    "      4 0.1 192.0.2.1 192.0.2.2 SMTP 80 S: 220 hi",
    "\"No.\",\"Info\",\"Protocol\"",
    "\"1\",\"C: EHLO x\",\"SMTP\"",
    "peers:",
    "packets:",
    "  - packet: 4",
    "    peer: 1",
    "    data: !!binary |",
    "      MjIwIGhpDQo=",
    "openssl s_client -starttls smtp -connect a:587",
    " ~> EHLO x",
    "<~  250 ok",
];

fn text_of(picks: &[usize], line_end: &str) -> String {
    picks
        .iter()
        .map(|&i| VOCABULARY[i % VOCABULARY.len()])
        .collect::<Vec<_>>()
        .join(line_end)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dialogue_like_text_never_panics_or_leaks(
        picks in prop::collection::vec(0usize..1000, 0..80),
        line_end in prop::sample::select(vec!["\n", "\r\n", "\r"]),
        markdown in any::<bool>(),
    ) {
        let text = text_of(&picks, line_end);
        let name = if markdown { "report.md" } else { "log.txt" };
        if let Ok(read) = read_bytes(Path::new(name), text.as_bytes()) {
            prop_assert!(!read.sessions.is_empty());
            let shown = format!(
                "{read:?}{}",
                serde_json::to_string(&read.sessions).expect("sessions serialise")
            );
            prop_assert!(!shown.contains("SECRETPW"));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_bytes(Path::new("anything.txt"), &bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,2000}") {
        let _ = read_bytes(Path::new("anything.md"), text.as_bytes());
    }
}
