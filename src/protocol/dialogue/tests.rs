use super::*;
use crate::protocol::Verb;
use crate::session::{CommandKind, ReplyCode};

/// A stand-in for the seed's password, typed the way the seed types it.
const SECRET: &str = "c3RhbmQtaW4tcGFzcw==";

/// `LABEL → code` per exchange, with `*` after pipelined commands.
fn skeleton(dialogue: &Dialogue) -> Vec<String> {
    dialogue
        .exchanges
        .iter()
        .map(|e| {
            let mark = if e.command.as_ref().is_some_and(|c| c.pipelined) {
                "*"
            } else {
                ""
            };
            format!("{}{mark}", e.skeleton_line())
        })
        .collect()
}

fn lines(protocol: Protocol, script: &[&str]) -> DialogueBuilder {
    let mut builder = DialogueBuilder::new(protocol);
    for (index, line) in script.iter().enumerate() {
        let origin = Origin::line(index as u32 + 1);
        match line.split_at(3) {
            ("C: ", text) => builder.client_line(text, origin),
            ("S: ", text) => builder.server_line(text, origin),
            _ => panic!("bad script line {line}"),
        }
    }
    builder
}

/// The seed report's dialogue, as a telnet transcript would show it.
const SEED: &[&str] = &[
    "S: 220 smtp.qq.com Esmtp QQ Mail Server",
    "C: EHLO DREAIFEDESKTOP",
    "S: 250-smtp.qq.com",
    "S: 250-PIPELINING",
    "S: 250-AUTH LOGIN PLAIN",
    "S: 250 8BITMIME",
    "C: AUTH LOGIN",
    "S: 334 VXNlcm5hbWU6",
    "C: ODc3MjYxNzkzQHFxLmNvbQ==",
    "S: 334 UGFzc3dvcmQ6",
    "C: c3RhbmQtaW4tcGFzcw==",
    "S: 235 Authentication successful",
    "C: MAIL FROM: <877261793@qq.com>",
    "S: 250 OK",
    "C: RCPT TO: <877261793@qq.com>",
    "S: 250 OK",
    "C: DATA",
    "S: 354 End data with <CR><LF>.<CR><LF>.",
    "C: Subject: hello",
    "C: ",
    "C: ..dotted",
    "C: .",
    "S: 250 OK: queued as.",
    "C: QUIT",
    "S: 221 Bye",
];

const SEED_SKELETON: &[&str] = &[
    "greeting → 220",
    "EHLO → 250",
    "AUTH → 334",
    "auth-response → 334",
    "auth-response → 235",
    "MAIL → 250",
    "RCPT → 250",
    "DATA → 354",
    "message → 250",
    "QUIT → 221",
];

#[test]
fn seed_dialogue_line_by_line() {
    let mut builder = lines(Protocol::Smtp, &SEED[..1]);
    assert_eq!(builder.expect(), Expect::Command);
    builder = lines(Protocol::Smtp, SEED);
    let dialogue = builder.finish();
    assert_eq!(skeleton(&dialogue), SEED_SKELETON);
    assert!(dialogue.notes.is_empty(), "{:?}", dialogue.notes);
    let ehlo = &dialogue.exchanges[1];
    let reply = ehlo.reply.as_ref().unwrap();
    assert_eq!(
        reply.lines,
        ["smtp.qq.com", "PIPELINING", "AUTH LOGIN PLAIN", "8BITMIME"]
    );
    assert_eq!(
        reply.origin,
        Origin::line(3),
        "a transcript line origin is its first line"
    );
    let Some(CommandKind::Line {
        request,
        written,
        args,
    }) = dialogue.exchanges[5].command.as_ref().map(|c| &c.kind)
    else {
        panic!("MAIL is a line")
    };
    assert_eq!(
        (request.verb(), written.as_ref(), args.text.as_str()),
        (Some(Verb::Mail), "MAIL", "FROM: <877261793@qq.com>")
    );
    let Some(CommandKind::AuthResponse { payload }) =
        dialogue.exchanges[4].command.as_ref().map(|c| &c.kind)
    else {
        panic!("password is an auth response")
    };
    assert_eq!(payload.expose(), SECRET);
    let Some(CommandKind::Message { content }) =
        dialogue.exchanges[8].command.as_ref().map(|c| &c.kind)
    else {
        panic!("message")
    };
    assert_eq!(
        content.bytes.as_deref(),
        Some(&b"Subject: hello\r\n\r\n.dotted\r\n"[..])
    );
    assert_eq!(
        dialogue.exchanges[8].command.as_ref().unwrap().origin,
        Origin::line(19)
    );
    assert!(!format!("{dialogue:?}").contains(SECRET));
    assert!(!format!("{dialogue:?}").contains("ODc3MjYx"));
}

#[test]
fn expectations_follow_the_dialogue() {
    let mut builder = DialogueBuilder::new(Protocol::Smtp);
    assert!(builder.is_empty());
    assert_eq!(builder.expect(), Expect::Greeting);
    let steps: &[(&str, Expect)] = &[
        ("S: 220 hi", Expect::Command),
        ("C: EHLO x", Expect::Reply),
        ("S: 250-hi", Expect::ServerContinuation),
        ("S: 250 AUTH LOGIN", Expect::Command),
        ("C: AUTH LOGIN", Expect::Reply),
        ("S: 334 VXNlcm5hbWU6", Expect::AuthResponse),
        ("C: dXNlcg==", Expect::Reply),
        ("S: 235 ok", Expect::Command),
        ("C: DATA", Expect::Reply),
        ("S: 354 go", Expect::MessageContent),
        ("C: body", Expect::MessageContent),
        ("C: .", Expect::Reply),
        ("S: 250 ok", Expect::Command),
        ("C: STARTTLS", Expect::Reply),
        ("S: 220 go ahead", Expect::Encrypted),
    ];
    for (index, (line, expect)) in steps.iter().enumerate() {
        let origin = Origin::line(index as u32 + 1);
        match line.split_at(3) {
            ("C: ", text) => builder.client_line(text, origin),
            (_, text) => builder.server_line(text, origin),
        }
        assert_eq!(builder.expect(), *expect, "after {line}");
    }
    assert!(!builder.is_empty());
}

/// The same conversation as bytes, whole or re-chunked into pieces of every small size, gives
/// the same exchanges.
fn run_bytes(protocol: Protocol, script: &[(Direction, &[u8])], piece: usize) -> Dialogue {
    let mut builder = DialogueBuilder::new(protocol);
    let mut frame = 0;
    for (direction, bytes) in script {
        for chunk in bytes.chunks(piece.max(1)) {
            frame += 1;
            let origin = Origin::frame(frame, 0);
            match direction {
                Direction::Client => builder.client_bytes(chunk, origin),
                Direction::Server => builder.server_bytes(chunk, origin),
            }
        }
    }
    builder.finish()
}

fn without_origins(dialogue: &Dialogue) -> Vec<Exchange> {
    let mut exchanges = dialogue.exchanges.clone();
    for exchange in &mut exchanges {
        if let Some(command) = &mut exchange.command {
            command.origin = Origin::Synthetic;
        }
        if let Some(reply) = &mut exchange.reply {
            reply.origin = Origin::Synthetic;
        }
    }
    exchanges
}

fn assert_chunking_invariant(protocol: Protocol, script: &[(Direction, &[u8])]) -> Dialogue {
    let whole = run_bytes(protocol, script, usize::MAX);
    for piece in 1..=9 {
        let chunked = run_bytes(protocol, script, piece);
        assert_eq!(
            without_origins(&chunked),
            without_origins(&whole),
            "pieces of {piece}"
        );
        assert_eq!(chunked.notes.len(), whole.notes.len(), "pieces of {piece}");
    }
    whole
}

#[test]
fn seed_dialogue_as_bytes_in_any_chunking() {
    use Direction::{Client as C, Server as S};
    let script: &[(Direction, &[u8])] = &[
        (S, b"220 smtp.qq.com Esmtp\r\n"),
        (C, b"EHLO DREAIFEDESKTOP\r\n"),
        (
            S,
            b"250-smtp.qq.com\r\n250-PIPELINING\r\n250 AUTH LOGIN PLAIN\r\n",
        ),
        (C, b"AUTH LOGIN\r\n"),
        (S, b"334 VXNlcm5hbWU6\r\n"),
        (C, b"ODc3MjYxNzkzQHFxLmNvbQ==\r\n"),
        (S, b"334 UGFzc3dvcmQ6\r\n"),
        (C, b"c3RhbmQtaW4tcGFzcw==\r\n"),
        (S, b"235 Authentication successful\r\n"),
        (C, b"MAIL FROM: <877261793@qq.com>\r\n"),
        (S, b"250 OK\r\n"),
        (C, b"RCPT TO: <877261793@qq.com>\r\n"),
        (S, b"250 OK\r\n"),
        (C, b"DATA\r\n"),
        (S, b"354 End data with <CR><LF>.<CR><LF>\r\n"),
        (C, b"Subject: hello\r\n\r\n..dotted\nbare lf\n.\r\n"),
        (S, b"250 OK: queued as.\r\n"),
        (C, b"QUIT\r\n"),
        (S, b"221 Bye\r\n"),
    ];
    let dialogue = assert_chunking_invariant(Protocol::Smtp, script);
    assert_eq!(skeleton(&dialogue), SEED_SKELETON);
    let Some(CommandKind::Message { content }) =
        dialogue.exchanges[8].command.as_ref().map(|c| &c.kind)
    else {
        panic!("message")
    };
    assert_eq!(
        content.bytes.as_deref(),
        Some(&b"Subject: hello\r\n\r\n.dotted\nbare lf\n"[..])
    );
    let chunked = run_bytes(Protocol::Smtp, script, 4);
    let ehlo = chunked.exchanges[1].reply.as_ref().unwrap();
    let Origin::Frame {
        frame, last_frame, ..
    } = ehlo.origin
    else {
        panic!("frame origin")
    };
    assert!(
        last_frame > frame,
        "a reply over several frames covers them all"
    );
}

#[test]
fn pipelined_commands_pair_in_order() {
    use Direction::{Client as C, Server as S};
    let script: &[(Direction, &[u8])] = &[
        (S, b"220 mail.lab.test ESMTP\r\n"),
        (C, b"EHLO x\r\n"),
        (S, b"250-mail.lab.test\r\n250 PIPELINING\r\n"),
        (
            C,
            b"MAIL FROM:<a@lab.test>\r\nRCPT TO:<b@lab.test>\r\nRCPT TO:<c@qq.com>\r\nDATA\r\n",
        ),
        (
            S,
            b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n554 5.7.1 Relay access denied\r\n354 End data\r\n",
        ),
        (C, b"Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n"),
        (S, b"250 2.0.0 Ok: queued\r\n221 2.0.0 Bye\r\n"),
    ];
    let dialogue = assert_chunking_invariant(Protocol::Smtp, script);
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → 220",
            "EHLO → 250",
            "MAIL → 250",
            "RCPT → 250*",
            "RCPT → 554*",
            "DATA → 354*",
            "message → 250",
            "QUIT → 221*",
        ]
    );
}

#[test]
fn a_pasted_session_is_read_once_the_replies_arrive() {
    // The reference's smtp-pasted-all-at-once transcript.
    let dialogue = lines(
        Protocol::Smtp,
        &[
            "S: 220 mail.lab.test ESMTP Postfix (lab)",
            "C: helo qq.com",
            "C: auth login",
            "C: c3R1ZGVudEBsYWIudGVzdA==",
            "C: c2VjcmV0",
            "C: MAIL FROM: <a@lab.test>",
            "C: RCPT TO: <b@lab.test>",
            "C: DATA",
            "C: Subject: pasted in one go",
            "C: ",
            "C: pasted body",
            "C: .",
            "C: QUIT",
            "S: 250 mail.lab.test",
            "S: 334 VXNlcm5hbWU6",
            "S: 334 UGFzc3dvcmQ6",
            "S: 235 2.7.0 Authentication successful",
            "S: 250 2.1.0 Ok",
            "S: 250 2.1.5 Ok",
            "S: 354 End data with <CR><LF>.<CR><LF>",
            "S: 250 2.0.0 Ok: queued as BC34451E3D5",
            "S: 221 2.0.0 Bye",
        ],
    )
    .finish();
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → 220",
            "HELO → 250",
            "AUTH → 334*",
            "auth-response → 334*",
            "auth-response → 235*",
            "MAIL → 250*",
            "RCPT → 250*",
            "DATA → 354*",
            "message → 250*",
            "QUIT → 221*",
        ]
    );
    assert_eq!(
        dialogue.exchanges[8].command.as_ref().unwrap().origin,
        Origin::line(9)
    );
}

#[test]
fn a_refused_data_leaves_the_lines_commands() {
    let dialogue = lines(
        Protocol::Smtp,
        &[
            "S: 220 mail.lab.test ESMTP",
            "C: HELO qq.com",
            "C: DATA",
            "C: Subject: x",
            "S: 250 mail.lab.test",
            "S: 503 5.5.1 Error: need RCPT command",
            "S: 221 2.7.0 Error: I can break rules, too. Goodbye.",
        ],
    )
    .finish();
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → 220",
            "HELO → 250",
            "DATA → 503*",
            "SUBJECT: → 221*"
        ]
    );
}

#[test]
fn auth_cancel_plain_initial_and_unanswered() {
    let dialogue = lines(
        Protocol::Smtp,
        &[
            "S: 220 hi",
            "C: AUTH LOGIN",
            "S: 334 VXNlcm5hbWU6",
            "C: *",
            "S: 501 5.7.0 Authentication aborted",
            "C: AUTH PLAIN AHN0dWRlbnQAc2VjcmV0",
            "S: 235 2.7.0 Authentication successful",
            "C: AUTH LOGIN",
            "C: dXNlcg==",
        ],
    )
    .finish();
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → 220",
            "AUTH → 334",
            "auth-cancel → 501",
            "AUTH → 235",
            "AUTH → (no reply)",
            "auth-response → (no reply)*",
        ]
    );
    let auth = dialogue.exchanges[3].command.as_ref().unwrap();
    assert_eq!(auth.args().unwrap().text, "PLAIN");
    assert_eq!(
        auth.args().unwrap().secret.as_ref().unwrap().expose(),
        "AHN0dWRlbnQAc2VjcmV0"
    );
    assert!(!format!("{dialogue:?}").contains("AHN0dWRlbnQAc2VjcmV0"));
    assert!(!format!("{dialogue:?}").contains("dXNlcg=="));
}

#[test]
fn starttls_makes_the_rest_unreadable() {
    use Direction::{Client as C, Server as S};
    let script: &[(Direction, &[u8])] = &[
        (S, b"220 mail ESMTP\r\n"),
        (C, b"EHLO x\r\n"),
        (S, b"250-mail\r\n250 STARTTLS\r\n"),
        (C, b"STARTTLS\r\n"),
        (S, b"220 2.0.0 Ready to start TLS\r\n\x16\x03\x01\x02\x00"),
        (
            C,
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 EHLO\r\nQUIT\r\n",
        ),
        (S, b"\x17\x03\x03\x00\x20garbage\r\n250 not really\r\n"),
    ];
    let dialogue = assert_chunking_invariant(Protocol::Smtp, script);
    assert_eq!(
        skeleton(&dialogue),
        ["greeting → 220", "EHLO → 250", "STARTTLS → 220"]
    );
    assert_eq!(dialogue.encrypted_after, Some(2));
    assert_eq!(dialogue.notes.len(), 1);
    assert_eq!(dialogue.notes[0].kind, NoteKind::Encrypted);
}

#[test]
fn starttls_refused_reads_on() {
    let dialogue = lines(
        Protocol::Smtp,
        &[
            "S: 220 hi",
            "C: STARTTLS",
            "S: 502 5.5.1 Error: command not implemented",
            "C: QUIT",
            "S: 221 Bye",
        ],
    )
    .finish();
    assert_eq!(
        skeleton(&dialogue),
        ["greeting → 220", "STARTTLS → 502", "QUIT → 221"]
    );
    assert_eq!(dialogue.encrypted_after, None);
}

#[test]
fn starttls_without_reply_but_a_handshake_is_encrypted() {
    let mut builder = DialogueBuilder::new(Protocol::Smtp);
    builder.server_bytes(b"220 hi\r\n", Origin::frame(1, 0));
    builder.client_bytes(b"STARTTLS\r\n", Origin::frame(2, 0));
    builder.client_bytes(b"\x16\x03\x01\x00\x05hello", Origin::frame(3, 0));
    let dialogue = builder.finish();
    assert_eq!(
        skeleton(&dialogue),
        ["greeting → 220", "STARTTLS → (no reply)"]
    );
    assert_eq!(dialogue.encrypted_after, Some(1));
}

#[test]
fn pop3_session_with_bodies() {
    use Direction::{Client as C, Server as S};
    let script: &[(Direction, &[u8])] = &[
        (S, b"+OK Dovecot (lab) ready.\r\n"),
        (C, b"USER student\r\n"),
        (S, b"+OK\r\n"),
        (C, b"PASS secret-password\r\n"),
        (S, b"+OK Logged in.\r\n"),
        (C, b"STAT\r\n"),
        (S, b"+OK 2 900\r\n"),
        (C, b"LIST\r\n"),
        (S, b"+OK 2 messages:\r\n1 438\r\n2 462\r\n.\r\n"),
        (C, b"list 99\r\n"),
        (S, b"-ERR There's no message 99.\r\n"),
        (C, b"RETR 1\r\n"),
        (S, b"+OK 438 octets\r\nSubject: hi\r\n\r\n..dot\r\n.\r\n"),
        (C, b"DELE 1\r\n"),
        (S, b"+OK Marked to be deleted.\r\n"),
        (C, b"QUIT\r\n"),
        (S, b"+OK Logging out, messages deleted.\r\n"),
    ];
    let dialogue = assert_chunking_invariant(Protocol::Pop3, script);
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → +OK",
            "USER → +OK",
            "PASS → +OK",
            "STAT → +OK",
            "LIST → +OK",
            "LIST → -ERR",
            "RETR → +OK",
            "DELE → +OK",
            "QUIT → +OK",
        ]
    );
    let list = dialogue.exchanges[4].reply.as_ref().unwrap();
    assert_eq!(
        list.body.as_ref().unwrap().bytes.as_deref(),
        Some(&b"1 438\r\n2 462\r\n"[..])
    );
    let retr = dialogue.exchanges[6].reply.as_ref().unwrap();
    assert_eq!(
        retr.body.as_ref().unwrap().bytes.as_deref(),
        Some(&b"Subject: hi\r\n\r\n.dot\r\n"[..])
    );
    assert!(dialogue.exchanges[5].reply.as_ref().unwrap().body.is_none());
    let pass = dialogue.exchanges[2].command.as_ref().unwrap();
    assert_eq!(
        pass.args().unwrap().secret.as_ref().unwrap().expose(),
        "secret-password"
    );
    assert!(!format!("{dialogue:?}").contains("password"));
    let user = dialogue.exchanges[1].command.as_ref().unwrap();
    assert_eq!(user.args().unwrap().text, "student");
}

#[test]
fn pop3_pipelined_and_sloppy_transcript() {
    let dialogue = lines(
        Protocol::Pop3,
        &[
            "S: +OK Dovecot (lab) ready.",
            "C: user student",
            "C: pass secret",
            "C: list",
            "S: +OK",
            "S: +OK Logged in.",
            "S: +OK 1 messages:",
            "S: 1 438",
            "S: .",
            "C: top 1 0",
            "S: +OK",
            "S: Return-Path: <a@lab.test>",
            "S: ... (8 more lines)",
            "C: quit",
            "S: +OK Logging out.",
        ],
    )
    .finish();
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → +OK",
            "USER → +OK",
            "PASS → +OK*",
            "LIST → +OK*",
            "TOP → +OK",
            "QUIT → +OK"
        ]
    );
    assert_eq!(dialogue.notes.len(), 1, "the TOP body has no `.` line");
    assert_eq!(dialogue.notes[0].kind, NoteKind::Truncated);
}

#[test]
fn pop3_auth_plain_with_continuation() {
    let dialogue = lines(
        Protocol::Pop3,
        &[
            "S: +OK ready",
            "C: CAPA",
            "S: +OK",
            "S: SASL PLAIN LOGIN",
            "S: .",
            "C: AUTH PLAIN",
            "S: + ",
            "C: AHN0dWRlbnQAc2VjcmV0",
            "S: +OK Logged in.",
            "C: STLS",
            "S: +OK Begin TLS negotiation now.",
            "C: STAT",
        ],
    )
    .finish();
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → +OK",
            "CAPA → +OK",
            "AUTH → +",
            "auth-response → +OK",
            "STLS → +OK"
        ]
    );
    assert_eq!(dialogue.encrypted_after, Some(4));
    let capa = dialogue.exchanges[1].reply.as_ref().unwrap();
    assert_eq!(
        capa.body.as_ref().unwrap().bytes.as_deref(),
        Some(&b"SASL PLAIN LOGIN\r\n"[..])
    );
}

#[test]
fn wireshark_style_summaries() {
    // The seed report's Info-column form: folded EHLO reply, User:/Pass:, DATA fragment.
    let mut builder = DialogueBuilder::new(Protocol::Smtp);
    builder.server_line(
        "220 newxmesmtplogicsvrszc10.qq.com XMail Esmtp QQ Mail Server.",
        Origin::line(1),
    );
    builder.client_line("EHLO DREAIFEDESKTOP", Origin::line(2));
    builder.server_line(
        "250-newxmesmtplogicsvrszc10.qq.com | PIPELINING | SIZE 73400320 | STARTTLS",
        Origin::line(3),
    );
    builder.client_line("AUTH LOGIN", Origin::line(4));
    builder.server_line("334 VXNlcm5hbWU6", Origin::line(5));
    builder.client_auth_response(Secret::new("ODc3MjYxNzkzQHFxLmNvbQ=="), Origin::line(6));
    builder.server_line("334 UGFzc3dvcmQ6", Origin::line(7));
    builder.client_auth_response(Secret::new(SECRET), Origin::line(8));
    builder.server_line("235 Authentication successful", Origin::line(9));
    builder.client_line("DATA", Origin::line(10));
    builder.server_line("354 End data with <CR><LF>.<CR><LF>.", Origin::line(11));
    builder.client_message_elided(Some(2429), Origin::line(12));
    builder.message_summary("from: <877261793@qq.com>, subject:  ,  (text/plain) (text/html)");
    builder.server_line("250 OK: queued as.", Origin::line(14));
    builder.client_line("QUIT", Origin::line(15));
    let dialogue = builder.finish();
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → 220",
            "EHLO → 250",
            "AUTH → 334",
            "auth-response → 334",
            "auth-response → 235",
            "DATA → 354",
            "message → 250",
            "QUIT → (no reply)",
        ]
    );
    assert!(
        dialogue.notes.is_empty(),
        "a folded reply is not a loss: {:?}",
        dialogue.notes
    );
    let Some(CommandKind::Message { content }) =
        dialogue.exchanges[6].command.as_ref().map(|c| &c.kind)
    else {
        panic!("message")
    };
    assert_eq!(content.size, Some(2429));
    assert!(content
        .summary
        .as_deref()
        .unwrap()
        .starts_with("from: <877261793@qq.com>"));
    assert!(!format!("{dialogue:?}").contains(SECRET));
}

#[test]
fn transcript_without_the_dot_line() {
    let dialogue = lines(
        Protocol::Smtp,
        &[
            "S: 220 hi",
            "C: DATA",
            "S: 354 go",
            "C: Subject: x",
            "S: 250 queued",
            "C: QUIT",
            "S: 221 bye",
        ],
    )
    .finish();
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → 220",
            "DATA → 354",
            "message → 250",
            "QUIT → 221"
        ]
    );
    assert_eq!(dialogue.notes[0].kind, NoteKind::Truncated);
}

#[test]
fn missing_greeting_and_truncated_ends() {
    let mut builder = DialogueBuilder::new(Protocol::Smtp);
    builder.client_bytes(b"EHLO x\r\n", Origin::frame(1, 0));
    builder.server_bytes(b"250-a\r\n250 b\r\n", Origin::frame(2, 0));
    builder.client_bytes(b"MAIL FROM:<a@b>\r\nRCPT TO:<c", Origin::frame(3, 0));
    builder.server_bytes(b"250 ok\r\n421 4.4.2 timeout", Origin::frame(4, 0));
    let dialogue = builder.finish();
    assert_eq!(
        skeleton(&dialogue),
        ["EHLO → 250", "MAIL → 250", "greeting → 421"]
    );
    let kinds: Vec<NoteKind> = dialogue.notes.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        [NoteKind::Gap, NoteKind::Truncated, NoteKind::Truncated]
    );
    assert!(
        dialogue.notes.iter().all(|n| !n.detail.en.contains("RCPT")),
        "client bytes stay out of notes"
    );
}

#[test]
fn a_gap_resynchronises_at_the_next_line() {
    let mut builder = DialogueBuilder::new(Protocol::Smtp);
    builder.server_bytes(b"220 hi\r\n", Origin::frame(1, 0));
    builder.client_bytes(b"MAIL FR", Origin::frame(2, 0));
    builder.gap(
        Direction::Client,
        Origin::frame(3, 0),
        crate::i18n::Text::new("lost 10 bytes", "丢失 10 字节"),
    );
    builder.client_bytes(b"OM:<a@b>\r\nQUIT\r\n", Origin::frame(4, 0));
    builder.server_bytes(b"221 bye\r\n", Origin::frame(5, 0));
    let dialogue = builder.finish();
    assert_eq!(skeleton(&dialogue), ["greeting → 220", "QUIT → 221"]);
    assert_eq!(dialogue.notes[0].kind, NoteKind::Gap);
}

#[test]
fn bdat_chunks_follow_their_command() {
    use Direction::{Client as C, Server as S};
    let script: &[(Direction, &[u8])] = &[
        (S, b"220 hi\r\n"),
        (
            C,
            b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 5\r\nab\r\ncBDAT 0 LAST\r\n",
        ),
        (S, b"250 ok\r\n250 ok\r\n250 5 bytes\r\n250 queued\r\n"),
    ];
    let dialogue = assert_chunking_invariant(Protocol::Smtp, script);
    assert_eq!(
        skeleton(&dialogue),
        [
            "greeting → 220",
            "MAIL → 250",
            "RCPT → 250*",
            "BDAT → 250*",
            "message → (no reply)",
            "BDAT → 250*",
            "message → (no reply)",
        ]
    );
}

#[test]
fn unknown_verbs_and_base64_out_of_turn() {
    let dialogue = lines(
        Protocol::Smtp,
        &[
            "S: 220 hi",
            "C: FOO bar",
            "S: 500 5.5.2 Error: command not recognized",
            "C: c2VjcmV0cGFzcw==",
            "S: 500 5.5.2 Error",
        ],
    )
    .finish();
    assert_eq!(
        skeleton(&dialogue),
        ["greeting → 220", "FOO → 500", "auth-response → 500"]
    );
    assert!(!format!("{dialogue:?}").contains("c2VjcmV0cGFzcw=="));
}

#[test]
fn server_summary_body_for_pop3() {
    let mut builder = DialogueBuilder::new(Protocol::Pop3);
    builder.server_line("+OK ready", Origin::line(1));
    builder.client_line("RETR 1", Origin::line(2));
    builder.server_line("+OK 438 octets", Origin::line(3));
    builder.server_body_elided(Some(438), Origin::line(4));
    let dialogue = builder.finish();
    assert_eq!(skeleton(&dialogue), ["greeting → +OK", "RETR → +OK"]);
    let body = dialogue.exchanges[1]
        .reply
        .as_ref()
        .unwrap()
        .body
        .as_ref()
        .unwrap();
    assert_eq!(body.size, Some(438));
    assert_eq!(
        dialogue.exchanges[1].reply.as_ref().unwrap().code,
        ReplyCode::Pop3(crate::session::Pop3Status::Ok)
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_in_arbitrary_chunks_never_panic(
            pop3 in any::<bool>(),
            chunks in proptest::collection::vec((any::<bool>(), proptest::collection::vec(any::<u8>(), 0..64)), 0..24),
        ) {
            let protocol = if pop3 { Protocol::Pop3 } else { Protocol::Smtp };
            let mut builder = DialogueBuilder::new(protocol);
            for (index, (client, bytes)) in chunks.iter().enumerate() {
                let origin = Origin::frame(index as u64 + 1, 0);
                if *client { builder.client_bytes(bytes, origin) } else { builder.server_bytes(bytes, origin) }
                let _ = builder.expect();
            }
            let _ = builder.finish();
        }

        #[test]
        fn protocol_shaped_lines_never_panic(
            pop3 in any::<bool>(),
            script in proptest::collection::vec((any::<bool>(), "(EHLO|AUTH|DATA|STARTTLS|STLS|RETR 1|LIST|\\.|\\*|250-x|250 x|334 x|354 x|220 x|\\+OK|\\+ |-ERR|[ -~]{0,12})"), 0..40),
        ) {
            let protocol = if pop3 { Protocol::Pop3 } else { Protocol::Smtp };
            let mut builder = DialogueBuilder::new(protocol);
            for (index, (client, line)) in script.iter().enumerate() {
                let origin = Origin::line(index as u32 + 1);
                let _ = guess_direction(protocol, line, builder.expect());
                if *client { builder.client_line(line, origin) } else { builder.server_line(line, origin) }
            }
            let _ = builder.finish();
        }
    }
}

#[test]
fn an_over_long_line_still_pairs_with_its_reply() {
    let mut builder = DialogueBuilder::new(Protocol::Smtp);
    builder.server_bytes(b"220 hi\r\n", Origin::frame(1, 0));
    let mut long = vec![b'x'; MAX_LINE + 10];
    long.extend_from_slice(b"\r\nQUIT\r\n");
    builder.client_bytes(&long, Origin::frame(2, 0));
    builder.server_bytes(
        b"500 5.5.2 Error: line too long\r\n221 Bye\r\n",
        Origin::frame(3, 0),
    );
    let dialogue = builder.finish();
    assert_eq!(
        skeleton(&dialogue),
        ["greeting → 220", " → 500", "QUIT → 221*"]
    );
    assert_eq!(dialogue.notes[0].kind, NoteKind::Unrecognised);
    assert!(!dialogue.notes[0].detail.en.contains("xxx"));
}

#[test]
fn a_reply_line_without_its_line_end_ends_when_the_client_speaks() {
    use Direction::{Client, Server};
    let script: &[(Direction, &[u8])] = &[
        (Server, b"220 mail.lab.test ESMTP"),
        (Client, b"EHLO pc\r\n"),
        (Server, b"250 mail.lab.test\r\n"),
        (Client, b"QUIT\r\n"),
        (Server, b"221 bye\r\n"),
    ];
    let dialogue = assert_chunking_invariant(Protocol::Smtp, script);
    assert_eq!(
        skeleton(&dialogue),
        ["greeting → 220", "EHLO → 250", "QUIT → 221"]
    );
    assert!(dialogue
        .notes
        .iter()
        .any(|n| n.detail.en.contains("no line end") && n.detail.en.contains("220 mail.lab.test")));

    let pop3: &[(Direction, &[u8])] = &[
        (Server, b"+OK POP3 ready"),
        (Client, b"USER student\r\n"),
        (Server, b"+OK\r\n"),
    ];
    let dialogue = assert_chunking_invariant(Protocol::Pop3, pop3);
    assert_eq!(skeleton(&dialogue), ["greeting → +OK", "USER → +OK"]);
}

#[test]
fn an_ehlo_reply_without_its_last_line_ends_when_the_client_speaks() {
    use Direction::{Client, Server};
    let script: &[(Direction, &[u8])] = &[
        (Server, b"220 mail.lab.test ESMTP\r\n"),
        (Client, b"EHLO pc\r\n"),
        (Server, b"250-mail.lab.test\r\n250-PIPELINING\r\n"),
        (Client, b"MAIL FROM:<a@lab.test>\r\n"),
        (Server, b"250 ok\r\n"),
        (Client, b"QUIT\r\n"),
        (Server, b"221 bye\r\n"),
    ];
    let dialogue = assert_chunking_invariant(Protocol::Smtp, script);
    assert_eq!(
        skeleton(&dialogue),
        ["greeting → 220", "EHLO → 250", "MAIL → 250", "QUIT → 221"]
    );
    assert_eq!(dialogue.exchanges[1].reply.as_ref().unwrap().lines.len(), 2);
    assert!(dialogue
        .notes
        .iter()
        .any(|n| n.detail.en.contains("no last line")));
}

#[test]
fn a_reply_still_owed_to_pasted_commands_stays_open() {
    use Direction::{Client, Server};
    // EHLO and MAIL pasted in one go: the client did not wait, so its next line says
    // nothing about where the EHLO reply ends. A line cut mid-way is not taken as whole.
    let script: &[(Direction, &[u8])] = &[
        (Server, b"220 mail.lab.test ESMTP\r\n"),
        (Client, b"EHLO pc\r\nMAIL FROM:<a@lab.test>\r\n"),
        (Server, b"250-mail.lab.test\r\n250-PIPELI"),
        (Client, b"RCPT TO:<b@lab.test>\r\n"),
        (Server, b"NING\r\n250 SIZE 1000\r\n250 ok\r\n250 ok\r\n"),
    ];
    let dialogue = assert_chunking_invariant(Protocol::Smtp, script);
    assert_eq!(
        skeleton(&dialogue),
        ["greeting → 220", "EHLO → 250", "MAIL → 250*", "RCPT → 250*"]
    );
    let ehlo = dialogue.exchanges[1].reply.as_ref().unwrap();
    assert_eq!(ehlo.lines.len(), 3, "{ehlo:?}");
    assert!(dialogue.notes.is_empty(), "{:?}", dialogue.notes);
}

fn transcript(protocol: Protocol, script: &[&str]) -> Dialogue {
    let mut builder = DialogueBuilder::for_transcript(protocol);
    for (index, line) in script.iter().enumerate() {
        let origin = Origin::line(index as u32 + 1);
        match line.split_at(3) {
            ("C: ", text) => builder.client_line(text, origin),
            ("S: ", text) => builder.server_line(text, origin),
            _ => panic!("bad script line {line}"),
        }
    }
    builder.finish()
}

#[test]
fn a_transcript_pairs_replies_by_the_protocol_not_the_line_order() {
    let cases: &[(&str, &[&str], &[&str], usize)] = &[
        (
            "a 354 printed before the replies to MAIL and RCPT",
            &[
                "S: 220 a",
                "C: MAIL FROM:<a@b>",
                "C: RCPT TO:<c@d>",
                "C: DATA",
                "S: 354 go",
                "S: 250 sender ok",
                "S: 250 rcpt ok",
                "C: Subject: x",
                "C: .",
                "S: 250 queued",
            ],
            &[
                "greeting → 220",
                "MAIL → 250",
                "RCPT → 250*",
                "DATA → 354*",
                "message → 250",
            ],
            1,
        ),
        (
            "a 354 printed before DATA",
            &[
                "S: 220 a",
                "C: RCPT TO:<c@d>",
                "S: 250 ok",
                "S: 354 go",
                "C: DATA",
                "C: Subject: x",
                "C: .",
                "S: 250 queued",
            ],
            &[
                "greeting → 220",
                "RCPT → 250",
                "DATA → 354",
                "message → 250",
            ],
            1,
        ),
        (
            "a 334 printed before AUTH, the user typed before its challenge",
            &[
                "S: 220 a",
                "S: 334 VXNlcm5hbWU6",
                "C: AUTH LOGIN",
                "C: dXNlcg==",
                "S: 334 UGFzc3dvcmQ6",
                "C: cGFzcw==",
                "S: 235 ok",
            ],
            &[
                "greeting → 220",
                "AUTH → 334",
                "auth-response → 334",
                "auth-response → 235",
            ],
            1,
        ),
        (
            "a reply shown twice answers nothing; the next command gets its own",
            &[
                "S: 220 a",
                "C: MAIL FROM:<a@b>",
                "S: 250 ok",
                "S: 250 ok",
                "C: RCPT TO:<c@d>",
                "S: 250 ok",
                "C: QUIT",
                "S: 221 bye",
            ],
            &[
                "greeting → 220",
                "MAIL → 250",
                "greeting → 250",
                "RCPT → 250",
                "QUIT → 221",
            ],
            0,
        ),
        (
            "a reply before the last command, and none after it",
            &[
                "S: 220 a",
                "C: HELO x",
                "S: 250 ok",
                "S: 221 bye",
                "C: QUIT",
            ],
            &["greeting → 220", "HELO → 250", "QUIT → 221"],
            1,
        ),
        (
            "a log that prints every reply before its command (echo order)",
            &[
                "S: 220 a",
                "S: 250 hello",
                "C: HELO x",
                "S: 250 sender ok",
                "C: MAIL FROM:<a@b>",
                "S: 354 go",
                "C: DATA",
                "S: 250 queued",
                "C: Subject: x",
                "C: .",
                "S: 221 bye",
                "C: QUIT",
            ],
            &[
                "greeting → 220",
                "HELO → 250",
                "MAIL → 250",
                "DATA → 354",
                "message → 250",
                "QUIT → 221",
            ],
            5,
        ),
        (
            "one stray reply in a transcript in line order changes nothing",
            &[
                "S: 220 a",
                "C: HELO x",
                "S: 250 hello",
                "C: MAIL FROM:<a@b>",
                "S: 250 ok",
                "S: 250 ok",
                "C: RCPT TO:<c@d>",
                "S: 250 ok",
                "C: QUIT",
                "S: 221 bye",
            ],
            &[
                "greeting → 220",
                "HELO → 250",
                "MAIL → 250",
                "greeting → 250",
                "RCPT → 250",
                "QUIT → 221",
            ],
            0,
        ),
        (
            "SASL responses typed ahead of their challenges",
            &[
                "S: 220 a",
                "C: AUTH LOGIN",
                "C: dXNlcg==",
                "C: cGFzcw==",
                "S: 334 VXNlcm5hbWU6",
                "S: 334 UGFzc3dvcmQ6",
                "S: 235 ok",
                "C: QUIT",
                "S: 221 bye",
            ],
            &[
                "greeting → 220",
                "AUTH → 334",
                // Sent before the challenge it answers: pipelined, in the wire's terms.
                "auth-response → 334*",
                "auth-response → 235*",
                "QUIT → 221",
            ],
            0,
        ),
        (
            "a 421 is the server's own: never held for the next command",
            &["S: 220 a", "S: 421 closing", "C: QUIT"],
            &["greeting → 220", "greeting → 421", "QUIT → (no reply)"],
            0,
        ),
    ];
    for (name, script, expected, paired) in cases {
        let dialogue = transcript(Protocol::Smtp, script);
        assert_eq!(skeleton(&dialogue), *expected, "{name}");
        let notes: Vec<&Note> = dialogue
            .notes
            .iter()
            .filter(|n| n.kind == NoteKind::Paired)
            .collect();
        assert_eq!(notes.len(), *paired, "{name}: {notes:?}");
        for note in notes {
            assert!(
                !note.detail.en.contains("go") && !note.detail.en.contains("VXNl"),
                "{name}"
            );
        }
    }
    // Typed-ahead SASL responses are secrets by their position, whatever they look like.
    let (_, script, _, _) = cases
        .iter()
        .find(|c| c.0.starts_with("SASL responses typed ahead"))
        .expect("the case");
    let ahead = transcript(Protocol::Smtp, script);
    for exchange in &ahead.exchanges[2..4] {
        let command = exchange.command.as_ref().expect("a response");
        assert!(
            matches!(command.kind, CommandKind::AuthResponse { .. }),
            "{command:?}"
        );
    }
    // A capture's order is the wire's: the plain builder pairs in order.
    let dialogue = lines(Protocol::Smtp, cases[0].1).finish();
    assert_eq!(skeleton(&dialogue)[1], "MAIL → 354");
}
