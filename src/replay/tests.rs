//! The replay client over in-memory streams against tiny scripted servers that record every
//! byte they receive, and `replay_session` with the mockall `MockMailServer`.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};

use super::*;
use crate::server::{Account, Endpoints, MockMailServer};
use crate::session::{Protocol, Session};

/// The student's real login in these tests: it must never reach a server.
const STUDENT_USER: &str = "877261793@qq.com";
/// A stand-in, not the seed student's own password.
const STUDENT_PASSWORD: &str = "stand-in-pass";

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn claimed(protocol: Protocol, text: &str) -> Session {
    let read = crate::ingest::read_bytes(Path::new("student/transcript.txt"), text.as_bytes())
        .expect("transcript reads");
    read.sessions
        .into_iter()
        .find(|s| s.protocol == protocol)
        .expect("a session of the protocol")
}

fn setup() -> ReplaySetup {
    let mut setup = ReplaySetup::new(Account::new("student@lab.test", "secret"), "lab.test");
    setup.timeouts = Timeouts {
        command: Duration::from_millis(500),
        session: Duration::from_secs(5),
    };
    setup
}

type Log = Arc<Mutex<Vec<u8>>>;

/// A scripted SMTP server: the lab's behaviour in a few lines. Relays nowhere (RCPT to a
/// domain other than lab.test gets 554), accepts `student@lab.test` / `secret`, never
/// answers `NOOP` (to test timeouts).
async fn fake_smtp(io: DuplexStream, log: Log) {
    let (read, mut write) = tokio::io::split(io);
    let mut lines = BufReader::new(read);
    let _ = write.write_all(b"220 fake.lab.test ESMTP\r\n").await;
    let (mut data, mut auth_step, mut user) = (false, 0, String::new());
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => log.lock().unwrap().extend_from_slice(line.as_bytes()),
        }
        let text = line.trim_end_matches(['\r', '\n']);
        let decode = |s: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(s.trim())
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        };
        let reply: String = if data {
            if text == "." {
                data = false;
                "250 2.0.0 Ok: queued\r\n".into()
            } else {
                continue;
            }
        } else if auth_step == 1 {
            user = decode(text).unwrap_or_default();
            auth_step = 2;
            "334 UGFzc3dvcmQ6\r\n".into()
        } else if auth_step == 2 {
            auth_step = 0;
            match decode(text) {
                None => "501 5.5.2 Invalid base64\r\n".into(),
                Some(p) if p == "secret" && user == "student@lab.test" => {
                    "235 2.7.0 Authentication successful\r\n".into()
                }
                Some(_) => "535 5.7.8 Authentication failed\r\n".into(),
            }
        } else {
            let upper = text.to_ascii_uppercase();
            let verb = upper.split(' ').next().unwrap_or("");
            match verb {
                "EHLO" => "250-fake.lab.test\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n".into(),
                "HELO" => "250 fake.lab.test\r\n".into(),
                "AUTH" if upper.starts_with("AUTH LOGIN") => {
                    let rest = text[10..].trim();
                    if rest.is_empty() {
                        auth_step = 1;
                        "334 VXNlcm5hbWU6\r\n".into()
                    } else {
                        user = decode(rest).unwrap_or_default();
                        auth_step = 2;
                        "334 UGFzc3dvcmQ6\r\n".into()
                    }
                }
                "AUTH" => "504 5.5.4 Unrecognized authentication type\r\n".into(),
                "MAIL" => "250 2.1.0 Ok\r\n".into(),
                "RCPT" if upper.contains("@LAB.TEST>") => "250 2.1.5 Ok\r\n".into(),
                "RCPT" => "554 5.7.1 Relay access denied\r\n".into(),
                "DATA" => {
                    data = true;
                    "354 End data with <CR><LF>.<CR><LF>\r\n".into()
                }
                "NOOP" => continue,
                "STARTTLS" => "220 2.0.0 Ready to start TLS\r\n".into(),
                "QUIT" => {
                    let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                    return;
                }
                _ => "502 5.5.2 Error: command not recognized\r\n".into(),
            }
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A scripted POP3 server with two messages; APOP for `secret` with its greeting stamp.
async fn fake_pop3(io: DuplexStream, log: Log, messages: u32) {
    let (read, mut write) = tokio::io::split(io);
    let mut lines = BufReader::new(read);
    let stamp = "<4711.1@fake.lab.test>";
    let _ = write
        .write_all(format!("+OK POP3 ready {stamp}\r\n").as_bytes())
        .await;
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => log.lock().unwrap().extend_from_slice(line.as_bytes()),
        }
        let text = line.trim_end_matches(['\r', '\n']);
        let mut words = text.split(' ');
        let verb = words.next().unwrap_or("").to_ascii_uppercase();
        let arg = words.next().unwrap_or("");
        let reply: String = match verb.as_str() {
            "USER" => "+OK\r\n".into(),
            "PASS" if arg == "secret" => "+OK logged in\r\n".into(),
            "PASS" => "-ERR authentication failed\r\n".into(),
            "APOP" => {
                let want = credentials::apop_digest(stamp, &crate::session::Secret::new("secret"));
                if words.next() == Some(want.expose()) && arg == "student@lab.test" {
                    "+OK logged in\r\n".into()
                } else {
                    "-ERR authentication failed\r\n".into()
                }
            }
            "STAT" => format!("+OK {messages} {}\r\n", messages * 60),
            "RETR" => "+OK 60 octets\r\nSubject: two\r\n\r\n..leading dot\r\nend\r\n.\r\n".into(),
            "DELE" => "+OK deleted\r\n".into(),
            "QUIT" => {
                let _ = write.write_all(b"+OK bye\r\n").await;
                return;
            }
            _ => "-ERR unknown command\r\n".into(),
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Replays `session` against a fake server; the replayed session, notes and the bytes the
/// server received.
async fn replay_fake(
    session: &Session,
    setup: &ReplaySetup,
) -> (
    Result<(Session, Vec<ReplayNote>, Option<Vec<u8>>), ReplayError>,
    String,
) {
    let (client, server) = tokio::io::duplex(64 << 10);
    let log: Log = Arc::default();
    let task = match session.protocol {
        Protocol::Smtp => tokio::spawn(fake_smtp(server, Arc::clone(&log))),
        Protocol::Pop3 | Protocol::Tls => tokio::spawn(fake_pop3(server, Arc::clone(&log), 2)),
    };
    let result = replay_over(client, session, setup).await;
    task.abort();
    let received = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    (result, received)
}

fn telnet_auth_login(password_reply: &str) -> String {
    format!(
        "S: 220 smtp.qq.com Esmtp QQ Mail Server\n\
         C: EHLO qq.com\n\
         S: 250-smtp.qq.com\n\
         S: 250-PIPELINING\n\
         S: 250 AUTH LOGIN PLAIN\n\
         C: AUTH LOGIN\n\
         S: 334 VXNlcm5hbWU6\n\
         C: {}\n\
         S: 334 UGFzc3dvcmQ6\n\
         C: {}\n\
         S: {password_reply}\n\
         C: MAIL FROM:<{STUDENT_USER}>\n\
         S: 250 OK\n\
         C: RCPT TO:<987654321@qq.com>\n\
         S: 250 OK\n\
         C: DATA\n\
         S: 354 End data with <CR><LF>.<CR><LF>\n\
         C: Subject: hello\n\
         C: \n\
         C: ..a line with a dot\n\
         C: .\n\
         S: 250 OK: queued as.\n\
         C: QUIT\n\
         S: 221 Bye\n",
        b64(STUDENT_USER),
        b64(STUDENT_PASSWORD)
    )
}

fn assert_no_student_secret(received: &str) {
    for secret in [
        STUDENT_USER.to_string(),
        STUDENT_PASSWORD.to_string(),
        b64(STUDENT_USER),
        b64(STUDENT_PASSWORD),
    ] {
        assert!(!received.contains(&secret), "{secret} reached the server");
    }
}

#[tokio::test]
async fn honest_auth_login_session_replays_to_the_same_skeleton_without_student_secrets() {
    let session = claimed(
        Protocol::Smtp,
        &telnet_auth_login("235 Authentication successful"),
    );
    let (result, received) = replay_fake(&session, &setup()).await;
    let (replayed, notes, message) = result.expect("replay works");
    assert_eq!(replayed.skeleton(), session.skeleton());
    assert_no_student_secret(&received);
    assert!(received.contains(&b64("student@lab.test")), "{received}");
    assert!(received.contains(&b64("secret")));
    assert!(
        received.contains("RCPT TO:<987654321@lab.test>"),
        "{received}"
    );
    assert!(received.contains("MAIL FROM:<877261793@lab.test>") || !received.contains("qq.com"));
    // The transcript shows the wire (stuffed); sent unstuffed, stuffed again on the wire.
    assert!(
        received.contains("\r\n..a line with a dot\r\n"),
        "{received:?}"
    );
    assert!(message
        .expect("a message was sent")
        .windows(17)
        .any(|w| w == b".a line with a do"));
    assert!(notes.contains(&ReplayNote::AddressMapped {
        from: "987654321@qq.com".into(),
        to: "987654321@lab.test".into()
    }));
    // Commands stay as the student wrote them; replies come from the replay.
    let rcpt = &replayed.exchanges[6];
    assert_eq!(
        rcpt.command.as_ref().unwrap().to_string(),
        "RCPT TO:<987654321@qq.com>"
    );
    assert_eq!(
        rcpt.reply.as_ref().unwrap().origin,
        crate::session::Origin::Replay { index: 6 }
    );
    let debug = format!("{replayed:?}{notes:?}");
    assert!(!debug.contains("secret\"") && !debug.contains(STUDENT_PASSWORD));
}

#[tokio::test]
async fn keep_addresses_sends_the_student_addresses() {
    let session = claimed(Protocol::Smtp, &telnet_auth_login("235 ok"));
    let mut setup = setup();
    setup.keep_addresses = true;
    let (result, received) = replay_fake(&session, &setup).await;
    let (replayed, notes, _) = result.unwrap();
    assert!(received.contains("RCPT TO:<987654321@qq.com>"));
    assert!(!notes
        .iter()
        .any(|n| matches!(n, ReplayNote::AddressMapped { .. })));
    let codes: Vec<String> = replayed.skeleton();
    assert!(codes.contains(&"RCPT → 554".to_string()), "{codes:?}");
    // No recipient: DATA is refused by a real server; this fake says 354, the message is sent.
}

#[tokio::test]
async fn a_failed_login_is_mirrored_with_a_wrong_password() {
    let session = claimed(
        Protocol::Smtp,
        &telnet_auth_login("535 Error: authentication failed"),
    );
    let (result, received) = replay_fake(&session, &setup()).await;
    let (replayed, notes, _) = result.unwrap();
    assert_no_student_secret(&received);
    assert!(!received.contains(&format!("{}\r\n", b64("secret"))));
    assert!(replayed
        .skeleton()
        .contains(&"auth-response → 535".to_string()));
    assert!(notes
        .iter()
        .any(|n| matches!(n, ReplayNote::FailedLoginMirrored { .. })));
}

#[tokio::test]
async fn malformed_base64_stays_malformed_and_the_server_refuses_it() {
    let text = telnet_auth_login("235 Authentication successful")
        .replace(&b64(STUDENT_PASSWORD), "not*base64");
    let session = claimed(Protocol::Smtp, &text);
    let (result, received) = replay_fake(&session, &setup()).await;
    let (replayed, notes, _) = result.unwrap();
    assert!(!received.contains("not*base64"));
    assert!(replayed
        .skeleton()
        .contains(&"auth-response → 501".to_string()));
    assert!(notes
        .iter()
        .any(|n| matches!(n, ReplayNote::MalformedCredential { .. })));
}

#[tokio::test]
async fn an_elided_body_is_supplied_and_said_so() {
    let text = "S: 220 smtp.qq.com\nC: HELO x\nS: 250 ok\nC: MAIL FROM:<a@lab.test>\nS: 250 ok\n\
                C: RCPT TO:<b@lab.test>\nS: 250 ok\nC: DATA\nS: 354 go ahead\n\
                C: DATA fragment, 2429 bytes\nS: 250 queued\nC: QUIT\nS: 221 bye\n";
    let session = claimed(Protocol::Smtp, text);
    let elided = session.commands().any(|c| {
        matches!(&c.kind, crate::session::CommandKind::Message { content } if content.is_elided())
    });
    assert!(
        elided,
        "the fixture elides the body: {:?}",
        session.skeleton()
    );
    let mut setup = setup();
    setup.replay_body = Some(b"Subject: stand-in\n\nfrom the scenario\n".to_vec());
    let (result, received) = replay_fake(&session, &setup).await;
    let (replayed, notes, _) = result.unwrap();
    assert!(received.contains("Subject: stand-in\r\n\r\nfrom the scenario\r\n.\r\n"));
    assert_eq!(replayed.skeleton(), session.skeleton());
    assert!(notes.iter().any(|n| matches!(
        n,
        ReplayNote::BodySupplied {
            from_scenario: true,
            ..
        }
    )));
}

#[tokio::test]
async fn a_refused_auth_skips_the_responses() {
    let text = format!(
        "S: 220 x\nC: EHLO x\nS: 250 ok\nC: AUTH XOAUTH2\nS: 334 \nC: {}\nS: 235 ok\nC: QUIT\nS: 221 bye\n",
        b64(STUDENT_PASSWORD)
    );
    let session = claimed(Protocol::Smtp, &text);
    let (result, received) = replay_fake(&session, &setup()).await;
    let (replayed, notes, _) = result.unwrap();
    assert_no_student_secret(&received);
    assert_eq!(
        replayed.skeleton(),
        [
            "greeting → 220",
            "EHLO → 250",
            "AUTH → 504",
            "auth-response → (no reply)",
            "QUIT → 221"
        ]
    );
    assert!(notes
        .iter()
        .any(|n| matches!(n, ReplayNote::Skipped { .. })));
    assert!(notes
        .iter()
        .any(|n| matches!(n, ReplayNote::MechanismNotReplayed { .. })));
}

#[tokio::test]
async fn a_silent_server_times_out_with_a_clear_error() {
    let text = "S: 220 x\nC: HELO x\nS: 250 ok\nC: NOOP\nS: 250 ok\nC: QUIT\nS: 221 bye\n";
    let session = claimed(Protocol::Smtp, text);
    let (result, _) = replay_fake(&session, &setup()).await;
    let error = result.unwrap_err();
    assert!(matches!(error, ReplayError::Timeout { .. }), "{error}");
    assert!(error.to_string().contains("NOOP"), "{error}");
}

#[tokio::test]
async fn a_server_that_never_greets_is_an_error_not_a_hang() {
    let session = claimed(Protocol::Smtp, "S: 220 x\nC: QUIT\nS: 221 bye\n");
    let (client, _server) = tokio::io::duplex(1024);
    let error = replay_over(client, &session, &setup()).await.unwrap_err();
    assert!(matches!(error, ReplayError::Timeout { .. }), "{error}");
    assert!(error.to_string().contains("greeting"));
}

#[tokio::test]
async fn starttls_stops_the_replay_there() {
    let text = "S: 220 x\nC: EHLO x\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 ready\n";
    let session = claimed(Protocol::Smtp, text);
    assert!(session.encrypted_after.is_some());
    let (result, _) = replay_fake(&session, &setup()).await;
    let (replayed, notes, _) = result.unwrap();
    assert_eq!(
        replayed.skeleton(),
        ["greeting → 220", "EHLO → 250", "STARTTLS → 220"]
    );
    assert_eq!(replayed.encrypted_after, Some(2));
    assert!(notes
        .iter()
        .any(|n| matches!(n, ReplayNote::StoppedAtTls { .. })));
}

fn pop3_transcript() -> String {
    format!(
        "S: +OK QQMail POP3 Server v1.0 Service Ready\n\
         C: USER {STUDENT_USER}\n\
         S: +OK\n\
         C: PASS {STUDENT_PASSWORD}\n\
         S: +OK\n\
         C: STAT\n\
         S: +OK 2 120\n\
         C: RETR 2\n\
         S: +OK 60 octets\n\
         S: Subject: two\n\
         S: \n\
         S: ..leading dot\n\
         S: end\n\
         S: .\n\
         C: DELE 2\n\
         S: +OK\n\
         C: QUIT\n\
         S: +OK bye\n"
    )
}

#[tokio::test]
async fn pop3_user_pass_is_swapped_and_retr_bodies_are_read_whole() {
    let session = claimed(Protocol::Pop3, &pop3_transcript());
    let (result, received) = replay_fake(&session, &setup()).await;
    let (replayed, notes, _) = result.unwrap();
    assert_no_student_secret(&received);
    assert!(
        received.contains("USER student@lab.test\r\nPASS secret\r\n"),
        "{received}"
    );
    assert_eq!(replayed.skeleton(), session.skeleton());
    let body = replayed.exchanges[4]
        .reply
        .as_ref()
        .unwrap()
        .body
        .as_ref()
        .unwrap();
    assert_eq!(
        body.bytes.as_deref(),
        Some(&b"Subject: two\r\n\r\n.leading dot\r\nend\r\n"[..])
    );
    assert!(notes
        .iter()
        .any(|n| matches!(n, ReplayNote::CredentialSwapped { .. })));
}

#[tokio::test]
async fn apop_is_recomputed_from_the_replay_servers_greeting() {
    let text = format!(
        "S: +OK ready <1896.697170952@dbc.mtview.ca.us>\nC: APOP {STUDENT_USER} c4c9334bac560ecc979e58001b3e22fb\nS: +OK\nC: QUIT\nS: +OK bye\n"
    );
    let session = claimed(Protocol::Pop3, &text);
    let (result, received) = replay_fake(&session, &setup()).await;
    let (replayed, notes, _) = result.unwrap();
    assert!(!received.contains("c4c9334bac560ecc979e58001b3e22fb"));
    assert_no_student_secret(&received);
    assert_eq!(
        replayed.skeleton(),
        ["greeting → +OK", "APOP → +OK", "QUIT → +OK"]
    );
    assert!(notes
        .iter()
        .any(|n| matches!(n, ReplayNote::ApopRecomputed { .. })));
}

/// A TCP fake POP3 server for `replay_session`, which connects by address; its mailbox
/// holds `messages`.
async fn tcp_pop3(messages: u32) -> (std::net::SocketAddr, Log) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log: Log = Arc::default();
    let served = Arc::clone(&log);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (client, server) = tokio::io::duplex(64 << 10);
            let log = Arc::clone(&served);
            tokio::spawn(fake_pop3(server, log, messages));
            tokio::spawn(async move {
                let (mut a, mut b) = (socket, client);
                let _ = tokio::io::copy_bidirectional(&mut a, &mut b).await;
            });
        }
    });
    (addr, log)
}

#[tokio::test]
async fn the_mailbox_is_seeded_up_to_the_highest_message_read() {
    // One message is there already: only the second is added. The mailbox is counted over
    // POP3, never copied out of the server.
    let (addr, log) = tcp_pop3(1).await;
    let mut server = MockMailServer::new();
    server.expect_endpoints().returning(move || Endpoints {
        smtp: addr,
        pop3: addr,
    });
    server.expect_name().returning(|| "mock".into());
    server.expect_mailbox().never();
    server
        .expect_seed()
        .withf(|user, messages| {
            user == "student@lab.test"
                && messages.len() == 1
                && messages[0] == generated_message(2, "student@lab.test")
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let mut setup = setup();
    setup.mailbox = vec![b"From: <scenario@lab.test>\nSubject: one\n\nhi\n".to_vec()];
    let session = claimed(Protocol::Pop3, &pop3_transcript());
    let replayed = replay_session(&server, &session, &setup).await.unwrap();
    assert_eq!(replayed.server, "mock");
    assert_eq!(replayed.session.skeleton(), session.skeleton());
    assert!(replayed.notes.contains(&ReplayNote::MailboxSeeded {
        count: 1,
        generated: 1
    }));
    let sent = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(sent.starts_with("USER student@lab.test\r\nPASS "), "{sent}");
    assert!(sent.contains("STAT\r\n"), "{sent}");
}

#[tokio::test]
async fn a_server_that_cannot_be_seeded_is_noted_not_fatal() {
    let (addr, _log) = tcp_pop3(1).await;
    let server = ExternalServer::new(addr, addr, "lab.test", Vec::new());
    let session = claimed(Protocol::Pop3, &pop3_transcript());
    let replayed = replay_session(&server, &session, &setup()).await.unwrap();
    assert!(replayed.server.starts_with("external"));
    assert!(replayed
        .notes
        .iter()
        .any(|n| matches!(n, ReplayNote::SeedFailed { .. })));
}

#[tokio::test]
async fn an_unreachable_server_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let server = ExternalServer::new(addr, addr, "lab.test", Vec::new());
    let session = claimed(Protocol::Smtp, "S: 220 x\nC: QUIT\nS: 221 bye\n");
    let error = replay_session(&server, &session, &setup())
        .await
        .unwrap_err();
    assert!(matches!(error, ReplayError::Connect { .. }), "{error}");
}

#[tokio::test]
async fn only_the_exchanges_graded_are_replayed() {
    let mut text = String::from("S: 220 x\nC: EHLO pc\nS: 250 ok\n");
    for i in 0..40 {
        text.push_str(&format!("C: VRFY u{i}\nS: 252 maybe\n"));
    }
    let session = claimed(Protocol::Smtp, &text);
    assert_eq!(session.exchanges.len(), 42);
    let mut setup = setup();
    setup.max_exchanges = 10;
    let (result, received) = replay_fake(&session, &setup).await;
    let (replayed, notes, _) = result.expect("replay works");
    // The greeting and nine commands: exchanges 0..10 of the claimed session.
    assert_eq!(received.matches("VRFY").count(), 8, "{received}");
    assert!(!received.contains("VRFY u8\r\n"), "{received}");
    assert!(
        replayed.exchanges.len() <= 11,
        "{}",
        replayed.exchanges.len()
    );
    assert!(notes.contains(&ReplayNote::Truncated {
        replayed: 10,
        total: 42
    }));
}
