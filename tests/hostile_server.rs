//! The embedded server under abuse, over real loopback sockets: a thousand connections at
//! once, slowloris clients, pipelined floods, a 50 MB message, a thousand recipients of a
//! 10 MB message, replies never read, SMTP smuggling, NUL bytes and invalid UTF-8. Through
//! all of it the server keeps serving other clients, loses no message it accepted and keeps
//! its memory (measured on a `mailgrade serve` child process) within a budget. (Limits one
//! at a time, idle time and shutdown are in `server_embedded.rs`.)

#[path = "hostile_support/mod.rs"]
mod hostile_support;
mod server_support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer, Limits, Skeleton};
use mailgrade::server::MailServer;
use server_support::child::ServeChild;
use server_support::{start, Client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Connections opened at once.
const CONNECTIONS: usize = 1000;

/// No abuse test may take longer than this.
const TEST_LIMIT: Duration = Duration::from_secs(120);

/// Peak resident memory a `mailgrade serve` child may reach in the memory tests (a debug
/// build; the messages they store take 31 MB at most).
const SERVER_RSS_MB: u64 = 256;

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
            message
                .text()
                .lines()
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
        let mut records = server.sessions();
        let addr = server.endpoints().smtp;
        let flood = tokio::spawn(async move {
            let mut client = Client::connect(addr).await;
            assert_eq!(client.smtp_code().await, 220);
            // HELO, unlike NOOP, is no junk command to Postfix: this flood runs to its end.
            let mut burst = String::from("EHLO pc\r\n");
            for _ in 0..10_000 {
                burst.push_str("HELO pc\r\n");
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
            "HELO → 250 throughout"
        );
        // The flood's record keeps its start and end, not ten thousand lines.
        let record = loop {
            let record = records.recv().await.expect("a session record");
            if record.skeleton.total() > 10_000 {
                break record;
            }
        };
        let kept = record.skeleton.lines().count();
        assert_eq!(kept, Skeleton::HEAD + Skeleton::TAIL);
        assert_eq!(record.skeleton.total(), 10_002, "greeting, EHLO, the HELOs");
        let line = record.skeleton.to_string();
        assert!(
            line.contains("… (9882 more exchanges not shown) …"),
            "{line}"
        );
        assert!(line.len() < 4096, "a {} byte log line", line.len());
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

/// `count` recipients of one message of `size` bytes (998-byte lines), pipelined as a
/// client in a hurry sends them; the reply to the message.
async fn send_to_many(client: &mut Client, count: usize, size: usize) -> String {
    let mut envelope = String::from("MAIL FROM:<a@lab.test>\r\n");
    for i in 0..count {
        envelope.push_str(&format!("RCPT TO:<u{i}@lab.test>\r\n"));
    }
    client.send_raw(envelope.as_bytes()).await.expect("send");
    for i in 0..=count {
        let reply = client.smtp_reply().await.pop().unwrap_or_default();
        assert!(reply.starts_with("250"), "envelope line {i}: {reply}");
    }
    assert!(client.smtp("DATA").await.starts_with("354"));
    let line = format!("{}\r\n", "x".repeat(998));
    let chunk = line.repeat(1000);
    let mut sent = 0;
    while sent + chunk.len() <= size {
        client.send_raw(chunk.as_bytes()).await.expect("send");
        sent += chunk.len();
    }
    client.send_raw(b".\r\n").await.expect("send");
    client.smtp_reply().await.pop().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_recipients_of_a_10_mb_message_cost_one_body() {
    // 40 MB of store: three such deliveries fit, a fourth MAIL is refused.
    let mut serve = ServeChild::start(&["--max-store", "40000000"], &[]);
    tokio::time::timeout(TEST_LIMIT, async {
        let mut client = Client::connect(serve.smtp).await;
        assert_eq!(client.smtp_code().await, 220);
        client.smtp("EHLO pc").await;
        for round in 0..3 {
            let reply = send_to_many(&mut client, 1000, 10_000_000).await;
            assert!(
                reply.starts_with("250 2.0.0 Ok: queued as"),
                "round {round}: {reply}"
            );
        }
        // Like Postfix with its queue file system short of space.
        assert_eq!(
            client.smtp("MAIL FROM:<a@lab.test>").await,
            "452 4.3.1 Insufficient system storage"
        );
        client.send("QUIT").await;

        // Every recipient's copy is there, each with its own trace headers.
        let mut pop3 = Client::connect(serve.pop3).await;
        pop3.line().await;
        pop3.pop3("USER student").await;
        assert_eq!(pop3.pop3("PASS secret").await, "+OK Logged in.");
        assert!(pop3.pop3("STAT").await.starts_with("+OK 3000 "));
        pop3.send("RETR 3000").await;
        let (status, message) = pop3.pop3_response(true).await;
        assert!(status.starts_with("+OK"), "{status}");
        let text = String::from_utf8_lossy(&message);
        assert!(
            text.contains("Delivered-To: u999@lab.test\r\n"),
            "{}",
            &text[..300]
        );
        assert!(text.ends_with(&format!("{}\r\n", "x".repeat(998))));
        pop3.pop3("QUIT").await;
    })
    .await
    .expect("within the test limit");
    assert!(serve.is_running(), "the server died:\n{}", serve.log());
    let peak = serve.peak_rss_mb();
    let (code, log) = serve.stop();
    assert!(peak <= SERVER_RSS_MB, "the server peaked at {peak} MB");
    assert_eq!(code, Some(0), "{log}");
    let longest = log.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 8192, "a {longest} byte log line");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrs_pipelined_and_never_read_do_not_pile_up_in_the_server() {
    let mut serve = ServeChild::start(&[], &[]);
    tokio::time::timeout(TEST_LIMIT, async {
        let mut client = Client::connect(serve.smtp).await;
        assert_eq!(client.smtp_code().await, 220);
        client.smtp("HELO pc").await;
        let reply = send_to_many(&mut client, 1, 1_000_000).await;
        assert!(reply.starts_with("250"), "{reply}");
        client.send("QUIT").await;

        let mut pop3 = Client::connect(serve.pop3).await;
        pop3.line().await;
        pop3.pop3("USER student").await;
        assert_eq!(pop3.pop3("PASS secret").await, "+OK Logged in.");
        // 2,000 copies of a 1 MB message asked for at once, and none read.
        pop3.send_raw("RETR 1\r\n".repeat(2000).as_bytes())
            .await
            .expect("send");
        tokio::time::sleep(Duration::from_secs(3)).await;
        drop(pop3);
    })
    .await
    .expect("within the test limit");
    assert!(serve.is_running(), "the server died:\n{}", serve.log());
    let peak = serve.peak_rss_mb();
    serve.stop();
    assert!(peak <= SERVER_RSS_MB, "the server peaked at {peak} MB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_lf_dot_cannot_smuggle_a_second_message() {
    tokio::time::timeout(TEST_LIMIT, async {
        // The three end-of-data forms Postfix, Exim and Sendmail disagreed on (CVE-2023-51764
        // and kin), each followed by a whole second transaction.
        for variant in ["\n.\n", "\n.\r\n", "\r\n.\n"] {
            let server = start(EmbeddedConfig::default()).await;
            let mut client = Client::connect(server.endpoints().smtp).await;
            assert_eq!(client.smtp_code().await, 220);
            let payload = format!(
                "HELO pc\r\nMAIL FROM:<a@lab.test>\r\nRCPT TO:<student@lab.test>\r\nDATA\r\n\
                 Subject: first\r\n\r\nhello{variant}\
                 MAIL FROM:<admin@lab.test>\r\nRCPT TO:<student@lab.test>\r\nDATA\r\n\
                 Subject: smuggled\r\n\r\nnot a second message\r\n.\r\nQUIT\r\n"
            );
            client.send_raw(payload.as_bytes()).await.expect("send");
            let mut codes = Vec::new();
            loop {
                let code = client.smtp_code().await;
                if code == 0 {
                    break;
                }
                codes.push(code);
            }
            assert_eq!(codes, [250, 250, 250, 354, 250, 221], "{variant:?}");
            let mailbox = server.mailbox("student@lab.test").await.expect("mailbox");
            assert_eq!(mailbox.len(), 1, "{variant:?}: exactly one message queued");
            let text = mailbox[0].text();
            assert!(text.contains("Subject: first\r\n"), "{text}");
            assert!(
                text.contains("MAIL FROM:<admin@lab.test>\r\n"),
                "the second transaction is message text: {text}"
            );
            server.stop().await.expect("stop");
        }
    })
    .await
    .expect("within the test limit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_address_cannot_take_every_slot() {
    tokio::time::timeout(TEST_LIMIT, async {
        let limits = Limits {
            max_connections_per_client: 3,
            // Loopback is exempt by default (every local client shares its address); the
            // test stands in for a remote client.
            limit_loopback_clients: true,
            ..Limits::default()
        };
        let config = EmbeddedConfig {
            limits,
            ..EmbeddedConfig::default()
        };
        let server = start(config).await;
        let endpoints = server.endpoints();
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut smtp = Client::connect(endpoints.smtp).await;
            assert_eq!(smtp.smtp_code().await, 220);
            let mut pop3 = Client::connect(endpoints.pop3).await;
            assert!(pop3.line().await.unwrap().starts_with("+OK"));
            held.push((smtp, pop3));
        }
        let mut fourth = Client::connect(endpoints.smtp).await;
        assert_eq!(
            fourth.smtp_reply().await,
            ["421 4.7.0 mail.lab.test Error: too many connections from 127.0.0.1"]
        );
        assert!(fourth.is_closed().await);
        let mut fourth = Client::connect(endpoints.pop3).await;
        assert_eq!(
            fourth.line().await.unwrap(),
            "-ERR [SYS/TEMP] Too many connections from your address, try again later."
        );
        // A slot given back is a slot free again.
        let (mut smtp, _pop3) = held.pop().unwrap();
        smtp.smtp("QUIT").await;
        assert!(smtp.is_closed().await);
        let mut greeted = false;
        for _ in 0..100 {
            let mut again = Client::connect(endpoints.smtp).await;
            if again.smtp_code().await == 220 {
                greeted = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(greeted, "the freed slot was not given back");
        server.stop().await.expect("stop");

        // By default loopback clients are not capped per address.
        let config = EmbeddedConfig {
            limits: Limits {
                max_connections_per_client: 3,
                ..Limits::default()
            },
            ..EmbeddedConfig::default()
        };
        let server = start(config).await;
        let mut clients = Vec::new();
        for _ in 0..5 {
            let mut client = Client::connect(server.endpoints().smtp).await;
            assert_eq!(client.smtp_code().await, 220);
            clients.push(client);
        }
        server.stop().await.expect("stop");
    })
    .await
    .expect("within the test limit");
}

#[test]
fn replaying_a_thousand_recipients_of_a_10_mb_message_stays_small() {
    // What a class run does with such a transcript: a fresh embedded server replays it.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from(
        "S: 220 mail.lab.test ESMTP\nC: EHLO pc\nS: 250 mail.lab.test\n\
         C: MAIL FROM:<a@lab.test>\nS: 250 2.1.0 Ok\n",
    );
    for i in 0..1000 {
        text.push_str(&format!("C: RCPT TO:<u{i}@lab.test>\nS: 250 2.1.5 Ok\n"));
    }
    text.push_str("C: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\nC: Subject: big\nC: \n");
    let line = format!("C: {}\n", "x".repeat(998));
    text.push_str(&line.repeat(10_000));
    text.push_str("C: .\nS: 250 2.0.0 Ok: queued as 1\nC: QUIT\nS: 221 2.0.0 Bye\n");
    std::fs::write(dir.path().join("amplify.txt"), text).expect("write transcript");
    let budget = hostile_support::Budget {
        seconds: 120,
        rss_mb: SERVER_RSS_MB,
    };
    let outcome = hostile_support::run(
        &[
            "grade",
            "amplify.txt",
            "--server",
            "embedded",
            "--format",
            "json",
        ],
        dir.path(),
        budget,
    );
    assert!(
        matches!(outcome.code, Some(0 | 1)),
        "graded: {}",
        hostile_support::tail(&outcome.shown())
    );
    let report: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("JSON report");
    let replayed = &report["submissions"][0]["sessions"][0]["replayed"]["skeleton"];
    let delivered = replayed
        .as_array()
        .is_some_and(|lines| lines.iter().any(|l| l == "message → 250"));
    assert!(
        delivered,
        "the replayed message was not accepted: {replayed}"
    );
}
