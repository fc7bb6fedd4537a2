//! The embedded server over real sockets: delivery byte for byte, POP3 semantics, limits,
//! abuse, concurrency, shutdown.

#[path = "server_support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::time::Duration;

use mailgrade::server::embedded::{EmbeddedConfig, Ending, Limits};
use mailgrade::server::{Account, MailServer};
use support::{start, Client};

const BODY_SENT: &str = "Subject: byte for byte\r\nFrom: a@lab.test\r\n\r\nfirst line\r\n..a line that begins with a dot\r\n.. \r\ntrailing spaces   \r\n\tand a tab\r\n";
const BODY_STORED: &str = "Subject: byte for byte\r\nFrom: a@lab.test\r\n\r\nfirst line\r\n.a line that begins with a dot\r\n. \r\ntrailing spaces   \r\n\tand a tab\r\n";

async fn send_message(client: &mut Client, from: &str, to: &[&str], body: &str) -> String {
    assert!(client
        .smtp(&format!("MAIL FROM:<{from}>"))
        .await
        .starts_with("250"));
    for rcpt in to {
        assert!(client
            .smtp(&format!("RCPT TO:<{rcpt}>"))
            .await
            .starts_with("250"));
    }
    assert!(client.smtp("DATA").await.starts_with("354"));
    client.send_raw(body.as_bytes()).await.unwrap();
    client.smtp(".").await
}

async fn smtp_session(addr: std::net::SocketAddr) -> Client {
    let mut client = Client::connect(addr).await;
    assert!(client.smtp_reply().await[0].starts_with("220 mail.lab.test"));
    client
}

async fn pop3_login(addr: std::net::SocketAddr, user: &str, password: &str) -> Client {
    let mut client = Client::connect(addr).await;
    assert!(client.line().await.unwrap().starts_with("+OK"));
    assert_eq!(client.pop3(&format!("USER {user}")).await, "+OK");
    assert_eq!(
        client.pop3(&format!("PASS {password}")).await,
        "+OK Logged in."
    );
    client
}

#[tokio::test]
async fn a_message_answered_250_is_retrieved_byte_for_byte() {
    let server = start(EmbeddedConfig::default()).await;
    let mut smtp = smtp_session(server.endpoints().smtp).await;
    assert_eq!(smtp.smtp("helo qq.com").await, "250 mail.lab.test");
    let queued = send_message(&mut smtp, "a@lab.test", &["b@lab.test"], BODY_SENT).await;
    assert!(queued.starts_with("250 2.0.0 Ok: queued as "), "{queued}");
    assert_eq!(smtp.smtp("QUIT").await, "221 2.0.0 Bye");

    let mut pop3 = pop3_login(server.endpoints().pop3, "student", "secret").await;
    let stat = pop3.pop3("STAT").await;
    pop3.send("RETR 1").await;
    let (status, message) = pop3.pop3_response(true).await;
    let size = message.len();
    assert_eq!(stat, format!("+OK 1 {size}"));
    assert_eq!(status, format!("+OK {size} octets"));
    let message = String::from_utf8(message).unwrap();
    let lines: Vec<&str> = message.split("\r\n").collect();
    assert_eq!(lines[0], "Return-Path: <a@lab.test>");
    assert_eq!(lines[1], "Delivered-To: b@lab.test");
    assert_eq!(lines[2], "Received: from qq.com (unknown [127.0.0.1])");
    assert!(lines[3].starts_with("\tby mail.lab.test (mailgrade) with SMTP id "));
    assert!(lines[4].starts_with("\tfor <b@lab.test>; "));
    let trace_end = lines[..5].iter().map(|l| l.len() + 2).sum::<usize>();
    assert_eq!(&message[trace_end..], BODY_STORED);
    assert_eq!(pop3.pop3("QUIT").await, "+OK Logging out.");

    let stored = server.mailbox("student@lab.test").await.unwrap();
    assert_eq!(stored, vec![message.into_bytes()]);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn bare_lf_and_a_pasted_dialogue_are_accepted() {
    let server = start(EmbeddedConfig::default()).await;
    let mut smtp = smtp_session(server.endpoints().smtp).await;
    let pasted = "EHLO qq.com\nAUTH PLAIN AHN0dWRlbnRAbGFiLnRlc3QAc2VjcmV0\nMAIL FROM:<a@lab.test>\nRCPT TO:<b@lab.test>\nRCPT TO:<c@lab.test>\nDATA\nSubject: lf\n\nbody\n.\nQUIT\n";
    smtp.send_raw(pasted.as_bytes()).await.unwrap();
    let mut codes = Vec::new();
    for _ in 0..8 {
        codes.push(smtp.smtp_code().await);
    }
    assert_eq!(codes, [250, 235, 250, 250, 250, 354, 250, 221]);
    assert!(smtp.is_closed().await);
    let stored = server.mailbox("student").await.unwrap();
    assert_eq!(stored.len(), 2, "one copy per recipient");
    for (message, rcpt) in stored.iter().zip(["b@lab.test", "c@lab.test"]) {
        let text = message.text();
        assert!(
            text.contains(&format!("Delivered-To: {rcpt}\r\n")),
            "{text}"
        );
        assert!(text.contains(" with ESMTPA id "), "{text}");
        assert!(text.ends_with("Subject: lf\r\n\r\nbody\r\n"), "{text}");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn pop3_deletes_only_at_quit_and_locks_the_mailbox() {
    let config = EmbeddedConfig {
        mailboxes: vec![(
            "student".to_string(),
            vec![
                b"Subject: 1\n\none\n".to_vec(),
                b"Subject: 2\n\ntwo\n".to_vec(),
            ],
        )],
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    let pop3_addr = server.endpoints().pop3;

    let mut first = pop3_login(pop3_addr, "student@lab.test", "secret").await;
    assert_eq!(first.pop3("DELE 1").await, "+OK Marked to be deleted.");
    assert_eq!(first.pop3("RETR 1").await, "-ERR Message is deleted.");
    let mut second = Client::connect(pop3_addr).await;
    second.line().await;
    second.pop3("USER student").await;
    let locked = second.pop3("PASS secret").await;
    assert_eq!(
        locked,
        "-ERR [IN-USE] Mailbox is locked by another POP3 session."
    );
    assert!(second.is_closed().await);
    drop(first); // no QUIT: nothing is deleted
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.mailbox("student").await.unwrap().len(), 2);

    let mut third = pop3_login(pop3_addr, "student", "secret").await;
    assert_eq!(third.pop3("DELE 2").await, "+OK Marked to be deleted.");
    assert_eq!(
        third.pop3("QUIT").await,
        "+OK Logging out, messages deleted."
    );
    assert!(third.is_closed().await);
    let left = server.mailbox("student").await.unwrap();
    assert_eq!(left, vec![b"Subject: 1\r\n\r\none\r\n".to_vec()]);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn pop3_top_uidl_apop_and_auth() {
    let config = EmbeddedConfig {
        mailboxes: vec![(
            "student".to_string(),
            vec![b"A: 1\r\n\r\nx\r\n.y\r\nz\r\n".to_vec()],
        )],
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    let mut client = Client::connect(server.endpoints().pop3).await;
    let greeting = client.line().await.unwrap();
    let timestamp = &greeting[greeting.find('<').unwrap()..];
    let digest = md5_hex(&format!("{timestamp}secret"));
    assert_eq!(
        client.pop3(&format!("APOP student {digest}")).await,
        "+OK Logged in."
    );
    client.send("TOP 1 2").await;
    let (_, top) = client.pop3_response(true).await;
    assert_eq!(top, b"A: 1\r\n\r\nx\r\n.y\r\n");
    client.send("UIDL").await;
    let (_, uidl) = client.pop3_response(true).await;
    let uid_line = String::from_utf8(uidl).unwrap();
    assert!(
        uid_line.starts_with("1 ") && uid_line.len() > 4,
        "{uid_line}"
    );
    assert_eq!(client.pop3("QUIT").await, "+OK Logging out.");

    let mut client = Client::connect(server.endpoints().pop3).await;
    client.line().await;
    assert_eq!(client.pop3("AUTH LOGIN").await, "+ VXNlcm5hbWU6");
    assert_eq!(client.pop3("c3R1ZGVudA==").await, "+ UGFzc3dvcmQ6");
    assert_eq!(client.pop3("c2VjcmV0").await, "+OK Logged in.");
    server.stop().await.unwrap();
}

fn md5_hex(text: &str) -> String {
    use md5::{Digest, Md5};
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn hundreds_of_parallel_sessions_deliver_each_message_exactly_once() {
    const SESSIONS: usize = 300;
    let server = start(EmbeddedConfig::default()).await;
    let addr = server.endpoints().smtp;
    let mut tasks = Vec::new();
    for i in 0..SESSIONS {
        tasks.push(tokio::spawn(async move {
            let mut client = smtp_session(addr).await;
            client.smtp("EHLO load.test").await;
            let body = format!("Subject: load {i}\r\n\r\ntoken-{i}-end\r\n");
            let reply = send_message(&mut client, "a@lab.test", &["student@lab.test"], &body).await;
            assert!(reply.starts_with("250 "), "{reply}");
            assert_eq!(client.smtp("QUIT").await, "221 2.0.0 Bye");
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut pop3 = pop3_login(server.endpoints().pop3, "student", "secret").await;
    for n in 1..=SESSIONS {
        pop3.send(&format!("RETR {n}")).await;
        let (status, message) = pop3.pop3_response(true).await;
        assert!(status.starts_with("+OK"), "RETR {n}: {status}");
        let text = String::from_utf8(message).unwrap();
        let token = text
            .split("token-")
            .nth(1)
            .unwrap()
            .split("-end")
            .next()
            .unwrap();
        *seen.entry(token.to_string()).or_default() += 1;
    }
    assert_eq!(
        pop3.pop3(&format!("RETR {}", SESSIONS + 1)).await,
        format!("-ERR There's no message {}.", SESSIONS + 1)
    );
    assert_eq!(seen.len(), SESSIONS);
    assert!(seen.values().all(|&n| n == 1));
    server.stop().await.unwrap();
}

fn small_limits() -> Limits {
    Limits {
        max_line: 512,
        max_message: 4096,
        max_recipients: 3,
        max_connections: 2,
        ..Limits::default()
    }
}

#[tokio::test]
async fn each_limit_is_answered_with_its_code() {
    let config = EmbeddedConfig {
        limits: small_limits(),
        catch_all_enabled: false,
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    let mut c = smtp_session(server.endpoints().smtp).await;
    let long = format!("NOOP {}", "x".repeat(600));
    assert_eq!(c.smtp(&long).await, "500 5.5.0 Error: line too long");
    assert_eq!(c.smtp("NOOP").await, "250 2.0.0 Ok", "the session goes on");
    assert_eq!(
        c.smtp("MAIL FROM:<a@lab.test> SIZE=5000").await,
        "552 5.3.4 Message size exceeds fixed limit"
    );
    assert_eq!(c.smtp("MAIL FROM:<a@lab.test>").await, "250 2.1.0 Ok");
    assert_eq!(
        c.smtp("RCPT TO:<x@other.com>").await,
        "554 5.7.1 <x@other.com>: Relay access denied"
    );
    assert_eq!(
        c.smtp("RCPT TO:<nobody@lab.test>").await,
        "550 5.1.1 <nobody@lab.test>: Recipient address rejected: User unknown in virtual mailbox table"
    );
    assert_eq!(c.smtp("RCPT TO:<student@lab.test>").await, "250 2.1.5 Ok");
    assert_eq!(c.smtp("DATA").await.get(..3), Some("354"));
    let big = format!("Subject: big\r\n\r\n{}\r\n", "y".repeat(5000));
    c.send_raw(big.as_bytes()).await.unwrap();
    assert_eq!(c.smtp(".").await, "552 5.3.4 Error: message file too big");
    assert_eq!(c.smtp("RSET").await, "250 2.0.0 Ok");
    assert!(server.mailbox("student").await.unwrap().is_empty());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn recipients_are_capped() {
    let config = EmbeddedConfig {
        limits: small_limits(),
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    let mut c = smtp_session(server.endpoints().smtp).await;
    c.smtp("MAIL FROM:<a@lab.test>").await;
    for i in 0..3 {
        assert_eq!(
            c.smtp(&format!("RCPT TO:<r{i}@lab.test>")).await,
            "250 2.1.5 Ok"
        );
    }
    assert_eq!(
        c.smtp("RCPT TO:<r9@lab.test>").await,
        "452 4.5.3 Error: too many recipients"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn connections_over_the_cap_get_421_not_silence() {
    let config = EmbeddedConfig {
        limits: small_limits(),
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    let _a = smtp_session(server.endpoints().smtp).await;
    let _b = smtp_session(server.endpoints().smtp).await;
    let mut c = Client::connect(server.endpoints().smtp).await;
    let refused = c.smtp_reply().await;
    assert!(
        refused[0].starts_with("421 4.7.0 mail.lab.test Error: too many connections"),
        "{refused:?}"
    );
    assert!(c.is_closed().await);
    let mut p = Client::connect(server.endpoints().pop3).await;
    assert!(
        p.line().await.unwrap().starts_with("+OK"),
        "POP3 has its own cap"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn an_endless_line_is_cut_off_with_421() {
    let server = start(EmbeddedConfig::default()).await;
    let mut c = smtp_session(server.endpoints().smtp).await;
    let flood = vec![b'x'; 4 << 20];
    let send = c.send_raw(&flood);
    let _ = tokio::time::timeout(Duration::from_secs(10), send).await;
    let reply = c.smtp_reply().await;
    assert!(
        reply[0].starts_with("421 4.7.0 mail.lab.test Error: line too long"),
        "{reply:?}"
    );
    assert!(c.is_closed().await);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_message_far_over_the_limit_is_cut_off() {
    let config = EmbeddedConfig {
        limits: small_limits(),
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    let mut c = smtp_session(server.endpoints().smtp).await;
    c.smtp("MAIL FROM:<a@lab.test>").await;
    c.smtp("RCPT TO:<student@lab.test>").await;
    c.smtp("DATA").await;
    let line = format!("{}\r\n", "z".repeat(100));
    let _ = tokio::time::timeout(
        Duration::from_secs(10),
        c.send_raw(line.repeat(200).as_bytes()),
    )
    .await;
    assert_eq!(
        c.smtp_reply().await,
        ["552 5.3.4 Error: message file too big"]
    );
    assert!(c.is_closed().await);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn nul_bytes_neither_crash_nor_vanish() {
    let server = start(EmbeddedConfig::default()).await;
    let mut c = smtp_session(server.endpoints().smtp).await;
    c.send_raw(b"\0\0\0\r\n").await.unwrap();
    assert_eq!(c.smtp_code().await, 500);
    c.send_raw(b"HELO a\0b\r\n").await.unwrap();
    assert_eq!(c.smtp_code().await, 250);
    c.smtp("MAIL FROM:<a@lab.test>").await;
    c.smtp("RCPT TO:<student@lab.test>").await;
    c.smtp("DATA").await;
    c.send_raw(b"Subject: nul\r\n\r\na\0b\r\n").await.unwrap();
    assert!(c.smtp(".").await.starts_with("250"));
    let stored = server.mailbox("student").await.unwrap();
    assert!(stored[0].ends_with(b"\r\n\r\na\0b\r\n"));
    server.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_idle_client_gets_421_after_the_idle_time() {
    let server = start(EmbeddedConfig::default()).await;
    let mut c = Client::connect(server.endpoints().smtp).await;
    c.timeout = Duration::from_secs(3600);
    let started = tokio::time::Instant::now();
    c.line().await.unwrap(); // greeting
    let reply = c.line().await.unwrap();
    assert_eq!(reply, "421 4.4.2 mail.lab.test Error: timeout exceeded");
    assert!(started.elapsed() >= Duration::from_secs(300));
    assert!(c.is_closed().await);

    let mut p = Client::connect(server.endpoints().pop3).await;
    p.timeout = Duration::from_secs(3600);
    p.line().await.unwrap();
    assert_eq!(p.line().await.unwrap(), "-ERR Disconnected for inactivity.");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn stop_ends_open_sessions_with_421_and_waits_for_them() {
    let server = start(EmbeddedConfig::default()).await;
    let mut smtp = smtp_session(server.endpoints().smtp).await;
    let mut pop3 = pop3_login(server.endpoints().pop3, "student", "secret").await;
    tokio::time::timeout(Duration::from_secs(10), server.stop())
        .await
        .expect("stop returns")
        .unwrap();
    let reply = smtp.smtp_reply().await;
    assert_eq!(
        reply,
        ["421 4.3.2 mail.lab.test Error: server shutting down"]
    );
    assert_eq!(pop3.line().await.unwrap(), "-ERR Server shutting down.");
    assert!(tokio::net::TcpStream::connect(server.endpoints().smtp)
        .await
        .is_err());
    server.stop().await.unwrap(); // idempotent
}

#[tokio::test]
async fn too_many_errors_end_the_session_like_postfix() {
    let server = start(EmbeddedConfig::default()).await;
    let mut c = smtp_session(server.endpoints().smtp).await;
    for n in 1..=20 {
        let reply = c.smtp(&format!("FOO {n}")).await;
        assert_eq!(reply, "500 5.5.2 Error: command not recognized");
    }
    assert_eq!(
        c.smtp_reply().await,
        ["421 4.7.0 mail.lab.test Error: too many errors"]
    );
    assert!(c.is_closed().await);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn session_records_carry_the_skeleton_and_no_secret() {
    let server = start(EmbeddedConfig::default()).await;
    let mut records = server.sessions();
    let mut c = smtp_session(server.endpoints().smtp).await;
    c.smtp("helo qq.com").await;
    c.smtp("auth login").await;
    c.smtp("c3R1ZGVudEBsYWIudGVzdA==").await;
    c.smtp("c2VjcmV0").await;
    c.smtp("AUTH PLAIN AHN0dWRlbnRAbGFiLnRlc3QAc2VjcmV0").await;
    c.smtp("QUIT").await;
    let record = tokio::time::timeout(Duration::from_secs(10), records.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        record.skeleton.lines().collect::<Vec<_>>(),
        [
            "greeting → 220",
            "HELO → 250",
            "AUTH → 334",
            "auth-response → 334",
            "auth-response → 235",
            "AUTH → 503",
            "QUIT → 221",
        ]
    );
    assert_eq!(record.ending, Ending::Quit);
    assert_eq!(record.user.as_deref(), Some("student@lab.test"));
    let debug = format!("{record:?}");
    for secret in ["c2VjcmV0", "secret", "AHN0dWRlbnRAbGFiLnRlc3QAc2VjcmV0"] {
        assert!(!debug.contains(secret), "{debug}");
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn require_auth_and_extra_accounts() {
    let config = EmbeddedConfig {
        require_auth: true,
        accounts: vec![
            Account::new("student", "secret"),
            Account::new("teacher@lab.test", "pw"),
        ],
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    assert_eq!(server.accounts()[0].address, "student@lab.test");
    let mut c = smtp_session(server.endpoints().smtp).await;
    c.smtp("EHLO x").await;
    c.smtp("MAIL FROM:<a@lab.test>").await;
    assert_eq!(
        c.smtp("RCPT TO:<teacher@lab.test>").await,
        "554 5.7.1 <teacher@lab.test>: Recipient address rejected: Access denied"
    );
    c.smtp("RSET").await;
    assert_eq!(
        c.smtp("AUTH PLAIN AHRlYWNoZXIAcHc=").await,
        "235 2.7.0 Authentication successful"
    );
    c.smtp("MAIL FROM:<teacher@lab.test>").await;
    assert_eq!(c.smtp("RCPT TO:<teacher@lab.test>").await, "250 2.1.5 Ok");
    assert_eq!(
        c.smtp("RCPT TO:<someone@lab.test>").await,
        "250 2.1.5 Ok",
        "catch-all"
    );
    server.stop().await.unwrap();
    assert!(server.mailbox("nobody").await.is_err());
}

/// Sends `line` `n` times in one write, as a pipelining client does.
async fn pipeline(c: &mut Client, line: &str, n: usize) {
    c.send_raw(format!("{line}\r\n").repeat(n).as_bytes())
        .await
        .unwrap();
}

#[tokio::test]
async fn junk_commands_past_the_limit_count_as_errors_like_postfix() {
    let server = start(EmbeddedConfig::default()).await;
    let mut c = smtp_session(server.endpoints().smtp).await;
    pipeline(&mut c, "NOOP", 100).await;
    for n in 1..=100 {
        assert_eq!(c.smtp_code().await, 250, "NOOP {n}");
    }
    // A delivered message starts the count again (smtpd_junk_command_limit).
    let queued = send_message(
        &mut c,
        "a@lab.test",
        &["b@lab.test"],
        "Subject: x\r\n\r\nx\r\n",
    )
    .await;
    assert!(queued.starts_with("250"), "{queued}");
    pipeline(&mut c, "VRFY b@lab.test\r\nRSET\r\nNOOP", 40).await;
    let mut codes = Vec::new();
    loop {
        let code = c.smtp_code().await;
        if code == 0 {
            break;
        }
        codes.push(code);
    }
    // 100 free, then 20 that each count as an error (still answered), then the hard limit.
    assert_eq!(codes.len(), 121, "{codes:?}");
    assert!(codes[..120].iter().all(|&code| code == 250 || code == 252));
    assert_eq!(codes[120], 421);

    // POP3: commands that do not log in are junk too.
    let mut p = Client::connect(server.endpoints().pop3).await;
    p.line().await.unwrap();
    pipeline(&mut p, "USER x", 101).await;
    for n in 1..=101 {
        assert_eq!(p.line().await.unwrap(), "+OK", "USER {n}");
    }
    assert_eq!(p.line().await.unwrap(), "-ERR Too many junk commands.");
    assert!(p.is_closed().await);
    server.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn errors_past_the_soft_limit_are_answered_late() {
    let config = EmbeddedConfig {
        limits: Limits {
            error_sleep: Duration::from_secs(1),
            ..Limits::default()
        },
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    let mut c = Client::connect(server.endpoints().smtp).await;
    c.timeout = Duration::from_secs(3600);
    c.smtp_reply().await;
    let started = tokio::time::Instant::now();
    for n in 1..=20 {
        assert!(c.smtp("FOO").await.starts_with("500"), "FOO {n}");
        if n == 10 {
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "the first ten at once"
            );
        }
    }
    assert!(
        started.elapsed() >= Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        c.smtp_reply().await,
        ["421 4.7.0 mail.lab.test Error: too many errors"]
    );
    server.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn failed_logins_are_slowed_and_limited_per_connection() {
    let config = EmbeddedConfig {
        limits: Limits {
            auth_failure_delay: Duration::from_secs(2),
            ..Limits::default()
        },
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    let pop3 = server.endpoints().pop3;
    let failed = "-ERR [AUTH] Authentication failed.";

    // Four failures, then the right password still logs in (Dovecot allowed as many in
    // the reference transcript).
    let mut p = Client::connect(pop3).await;
    p.timeout = Duration::from_secs(3600);
    p.line().await.unwrap();
    let started = tokio::time::Instant::now();
    for n in 1..=4 {
        assert_eq!(p.pop3("USER student").await, "+OK");
        assert_eq!(p.pop3(&format!("PASS guess{n}")).await, failed);
    }
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    p.pop3("USER student").await;
    assert_eq!(p.pop3("PASS secret").await, "+OK Logged in.");
    p.pop3("QUIT").await;

    // USER does not reset the count: the fifth failure closes the connection.
    let mut p = Client::connect(pop3).await;
    p.timeout = Duration::from_secs(3600);
    p.line().await.unwrap();
    for _ in 1..=5 {
        assert_eq!(p.pop3("USER student").await, "+OK");
        assert_eq!(p.pop3("PASS wrong").await, failed);
    }
    assert_eq!(
        p.line().await.unwrap(),
        "-ERR Too many authentication failures."
    );
    assert!(p.is_closed().await);

    // SMTP: the 535 waits as long.
    let mut c = Client::connect(server.endpoints().smtp).await;
    c.timeout = Duration::from_secs(3600);
    c.smtp_reply().await;
    let started = tokio::time::Instant::now();
    let reply = c.smtp("AUTH PLAIN AHN0dWRlbnQAd3Jvbmc=").await;
    assert!(reply.starts_with("535 5.7.8"), "{reply}");
    assert!(started.elapsed() >= Duration::from_secs(2));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_full_store_refuses_mail_with_452_and_keeps_what_it_has() {
    let config = EmbeddedConfig {
        limits: Limits {
            max_message: 1000,
            max_store: 2000,
            ..Limits::default()
        },
        ..EmbeddedConfig::default()
    };
    let server = start(config).await;
    let mut c = smtp_session(server.endpoints().smtp).await;
    let body = format!("Subject: x\r\n\r\n{}\r\n", "y".repeat(880));
    let full = "452 4.3.1 Insufficient system storage";
    // Eight recipients' trace headers do not fit beside the body: nothing is stored.
    let many: Vec<String> = (0..8).map(|i| format!("r{i}@lab.test")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(send_message(&mut c, "a@lab.test", &many, &body).await, full);
    assert!(server.mailbox("student").await.unwrap().is_empty());
    // One recipient fits; then less than a message's room is left, so MAIL is refused.
    let one = send_message(&mut c, "a@lab.test", &["b@lab.test"], &body).await;
    assert!(one.starts_with("250"), "{one}");
    assert_eq!(c.smtp("MAIL FROM:<a@lab.test>").await, full);
    // Deleting the message gives the room back.
    let mut p = pop3_login(server.endpoints().pop3, "student", "secret").await;
    assert_eq!(p.pop3("DELE 1").await, "+OK Marked to be deleted.");
    p.pop3("QUIT").await;
    assert_eq!(c.smtp("MAIL FROM:<a@lab.test>").await, "250 2.1.0 Ok");
    server.stop().await.unwrap();
}
