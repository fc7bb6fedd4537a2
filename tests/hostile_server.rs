//! The embedded server under abuse, over real loopback sockets: a thousand connections at
//! once, slowloris clients, pipelined floods, a 50 MB message, NUL bytes and invalid UTF-8.
//! Through all of it the server keeps serving other clients and loses no message it
//! accepted. (Limits one at a time, idle time and shutdown are in `server_embedded.rs`.)

mod server_support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer, Limits};
use mailgrade::server::MailServer;
use server_support::{start, Client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Connections opened at once.
const CONNECTIONS: usize = 1000;

/// No abuse test may take longer than this.
const TEST_LIMIT: Duration = Duration::from_secs(120);

/// Client and server sockets live in this one process: a thousand connections need two
/// thousand descriptors, more than the usual soft limit of 1,024.
fn raise_open_file_limit(needed: u64) {
    // SAFETY: plain getrlimit/setrlimit on our own process with valid pointers.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur < needed {
            assert!(
                limit.rlim_max >= needed,
                "the test needs {needed} open files; the hard limit is {}",
                limit.rlim_max
            );
            limit.rlim_cur = needed;
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
    }
}

/// Sends one message with `tag` in its subject; true when the server answered 250 to it.
async fn send_tagged(client: &mut Client, tag: &str) -> bool {
    if client.smtp("HELO pc").await.get(..3) != Some("250") {
        return false;
    }
    client.smtp("MAIL FROM:<a@lab.test>").await;
    client.smtp("RCPT TO:<student@lab.test>").await;
    if client.smtp("DATA").await.get(..3) != Some("354") {
        return false;
    }
    client
        .send_raw(format!("Subject: {tag}\r\n\r\nhello\r\n.\r\n").as_bytes())
        .await
        .ok();
    let queued = client.smtp_code().await == 250;
    client.send("QUIT").await;
    queued
}

/// The subjects of every message in the student's mailbox.
async fn tags_delivered(server: &EmbeddedServer) -> Vec<String> {
    server
        .mailbox("student@lab.test")
        .await
        .expect("mailbox")
        .iter()
        .filter_map(|message| {
            let text = message.text();
            text.lines()
                .find_map(|line| line.strip_prefix("Subject: ").map(str::to_string))
        })
        .collect()
}

/// A normal client still gets its message through, quickly.
async fn still_serves(server: &EmbeddedServer, tag: &str) {
    let started = Instant::now();
    let mut client = Client::connect(server.endpoints().smtp).await;
    assert_eq!(client.smtp_code().await, 220, "greeting for {tag}");
    assert!(send_tagged(&mut client, tag).await, "{tag} not accepted");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{tag} took {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_connections_at_once_lose_no_accepted_message() {
    raise_open_file_limit(2 * CONNECTIONS as u64 + 256);
    tokio::time::timeout(TEST_LIMIT, async {
        let server = Arc::new(start(EmbeddedConfig::default()).await);
        let addr = server.endpoints().smtp;
        // All thousand connect and are greeted (or refused) at once and stay connected; then
        // the greeted ones send, 64 at a time, so a slow shared CI machine does not turn
        // the test into a timing lottery.
        let turns = Arc::new(tokio::sync::Semaphore::new(64));
        let clients: Vec<_> = (0..CONNECTIONS)
            .map(|i| {
                let turns = Arc::clone(&turns);
                tokio::spawn(async move {
                    let mut client = Client::connect(addr).await;
                    match client.smtp_code().await {
                        220 => {
                            let _turn = turns.acquire().await.expect("semaphore");
                            let tag = format!("load-{i}");
                            let queued = send_tagged(&mut client, &tag).await;
                            (true, queued.then_some(tag))
                        }
                        // Over the connection cap: refused with 421, not left hanging.
                        code => {
                            assert_eq!(code, 421, "client {i}");
                            (false, None)
                        }
                    }
                })
            })
            .collect();
        let mut accepted = HashSet::new();
        let mut served = 0;
        for client in clients {
            let (greeted, tag) = client.await.expect("client task");
            served += usize::from(greeted);
            accepted.extend(tag);
        }
        assert!(
            served >= CONNECTIONS.min(512) * 9 / 10,
            "only {served} of {CONNECTIONS} were served"
        );
        let delivered: Vec<String> = tags_delivered(&server).await;
        let unique: HashSet<String> = delivered.iter().cloned().collect();
        assert_eq!(delivered.len(), unique.len(), "a message delivered twice");
        assert_eq!(unique, accepted, "every accepted message, and only those");
        still_serves(&server, "after-load").await;
    })
    .await
    .expect("within the test limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_clients_are_cut_off_and_others_served() {
    tokio::time::timeout(TEST_LIMIT, async {
        let config = EmbeddedConfig {
            limits: Limits {
                max_connections: 30,
                idle_timeout: Duration::from_secs(2),
                ..Limits::default()
            },
            ..EmbeddedConfig::default()
        };
        let server = start(config).await;
        let addr = server.endpoints().smtp;
        // Thirty clients take every slot and dribble a byte every 300 ms, never ending a line.
        let slow: Vec<_> = (0..30)
            .map(|_| {
                tokio::spawn(async move {
                    let started = Instant::now();
                    let mut stream = TcpStream::connect(addr).await.expect("connect");
                    let mut buffer = [0u8; 512];
                    let _ = stream.read(&mut buffer).await;
                    for byte in b"HELO ".iter().cycle().take(200) {
                        if stream.write_all(&[*byte]).await.is_err() {
                            break;
                        }
                        let closed = tokio::time::timeout(
                            Duration::from_millis(300),
                            stream.read(&mut buffer),
                        )
                        .await;
                        if matches!(closed, Ok(Ok(0)) | Ok(Err(_))) {
                            break;
                        }
                    }
                    started.elapsed()
                })
            })
            .collect();
        for client in slow {
            let held = client.await.expect("slow client");
            assert!(
                held < Duration::from_secs(10),
                "a slowloris client held its slot for {held:?}"
            );
        }
        still_serves(&server, "after-slowloris").await;
    })
    .await
    .expect("within the test limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipelined_flood_is_answered_in_order_while_others_are_served() {
    tokio::time::timeout(TEST_LIMIT, async {
        let server = start(EmbeddedConfig::default()).await;
        let addr = server.endpoints().smtp;
        let flood = tokio::spawn(async move {
            let mut client = Client::connect(addr).await;
            assert_eq!(client.smtp_code().await, 220);
            let mut burst = String::from("EHLO pc\r\n");
            for _ in 0..10_000 {
                burst.push_str("NOOP\r\n");
            }
            // Replies (10,001 short lines) fit the loopback socket buffers, so writing all
            // before reading cannot deadlock.
            client
                .send_raw(burst.as_bytes())
                .await
                .expect("send the burst");
            let mut codes = Vec::new();
            while codes.len() < 10_001 {
                let code = client.smtp_code().await;
                if code == 0 {
                    break;
                }
                codes.push(code);
            }
            codes
        });
        still_serves(&server, "during-flood").await;
        let codes = flood.await.expect("flood task");
        assert_eq!(codes.len(), 10_001, "one reply per pipelined command");
        assert!(
            codes.iter().all(|&code| code == 250),
            "NOOP → 250 throughout"
        );
    })
    .await
    .expect("within the test limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_message_is_refused_with_552_while_others_are_served() {
    tokio::time::timeout(TEST_LIMIT, async {
        let server = start(EmbeddedConfig::default()).await;
        let addr = server.endpoints().smtp;
        let big = tokio::spawn(async move {
            let mut client = Client::connect(addr).await;
            assert_eq!(client.smtp_code().await, 220);
            client.smtp("HELO pc").await;
            client.smtp("MAIL FROM:<a@lab.test>").await;
            client.smtp("RCPT TO:<student@lab.test>").await;
            assert!(client.smtp("DATA").await.starts_with("354"));
            let line = format!("{}\r\n", "x".repeat(998));
            let chunk = line.repeat(1000);
            let mut sent = 0usize;
            while sent < 50 << 20 {
                if client.send_raw(chunk.as_bytes()).await.is_err() {
                    break;
                }
                sent += chunk.len();
            }
            let _ = client.send_raw(b".\r\n").await;
            client.smtp_code().await
        });
        still_serves(&server, "during-big-message").await;
        let code = big.await.expect("big message task");
        assert!(
            code == 552 || code == 0,
            "a 50 MB message over the 10 MB limit: {code}"
        );
        let delivered = tags_delivered(&server).await;
        assert_eq!(
            delivered,
            ["during-big-message"],
            "only the small message kept"
        );
    })
    .await
    .expect("within the test limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_utf8_and_nul_bytes_are_delivered_byte_for_byte() {
    tokio::time::timeout(TEST_LIMIT, async {
        let server = start(EmbeddedConfig::default()).await;
        let mut client = Client::connect(server.endpoints().smtp).await;
        assert_eq!(client.smtp_code().await, 220);
        // Junk commands first: answered, not fatal.
        client
            .send_raw(b"HE\xffLO \xc3\x28\r\n")
            .await
            .expect("send");
        let junk = client.smtp_code().await;
        assert!((500..600).contains(&junk), "invalid UTF-8 command: {junk}");
        client.send_raw(b"\0\0\0\r\n").await.expect("send");
        let nul = client.smtp_code().await;
        assert!((500..600).contains(&nul), "NUL command: {nul}");
        client.smtp("HELO pc").await;
        client.smtp("MAIL FROM:<a@lab.test>").await;
        client.smtp("RCPT TO:<student@lab.test>").await;
        assert!(client.smtp("DATA").await.starts_with("354"));
        let body: &[u8] = b"Subject: bytes\r\n\r\n\xff\xfe\xc3\x28 \0 gb:\xc4\xe3\xba\xc3\r\n";
        client.send_raw(body).await.expect("send");
        client.send_raw(b".\r\n").await.expect("send");
        assert_eq!(client.smtp_code().await, 250);
        let mailbox = server.mailbox("student@lab.test").await.expect("mailbox");
        assert_eq!(mailbox.len(), 1);
        assert!(
            mailbox[0].ends_with(body),
            "the body as sent, after the trace headers"
        );
        still_serves(&server, "after-bytes").await;
    })
    .await
    .expect("within the test limit");
}
