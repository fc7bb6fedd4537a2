//! Full sessions per second: SMTP send (greeting, EHLO, AUTH PLAIN, MAIL, RCPT, DATA, message,
//! QUIT) and POP3 retrieve (greeting, USER, PASS, STAT, RETR 1, QUIT), against the embedded
//! server and, when given, another server (the Postfix + Dovecot reference):
//!
//! ```text
//! cargo bench --bench server -- [--sessions N]
//!     [--compare-smtp HOST:PORT --compare-pop3 HOST:PORT [--user U] [--password P]]
//! ```
//!
//! Not a timed test: it prints a table and never fails on speed.

#[path = "../tests/server_support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer};
use mailgrade::server::{Account, MailServer};
use support::Client;

struct Target {
    name: String,
    smtp: SocketAddr,
    pop3: SocketAddr,
    /// The POP3 login of each worker (the embedded server locks a mailbox per session).
    pop3_users: Vec<(String, String)>,
    smtp_user: (String, String),
}

#[derive(Clone, Copy)]
enum Kind {
    Send,
    Retrieve,
}

fn plain(user: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"))
}

async fn send_session(addr: SocketAddr, user: &str, password: &str, n: usize) {
    let mut c = Client::connect(addr).await;
    expect(&c.smtp_reply().await.join(" "), "220");
    expect(&c.smtp("EHLO bench.lab.test").await, "250");
    expect(
        &c.smtp(&format!("AUTH PLAIN {}", plain(user, password)))
            .await,
        "235",
    );
    expect(&c.smtp(&format!("MAIL FROM:<{user}>")).await, "250");
    expect(&c.smtp("RCPT TO:<student@lab.test>").await, "250");
    expect(&c.smtp("DATA").await, "354");
    let body = format!(
        "Subject: bench {n}\r\nFrom: {user}\r\nTo: student@lab.test\r\n\r\nmessage number {n}\r\n..dot\r\n"
    );
    c.send_raw(body.as_bytes()).await.expect("body sent");
    expect(&c.smtp(".").await, "250");
    expect(&c.smtp("QUIT").await, "221");
}

async fn retrieve_session(addr: SocketAddr, user: &str, password: &str) {
    let mut c = Client::connect(addr).await;
    expect(&c.line().await.unwrap_or_default(), "+OK");
    expect(&c.pop3(&format!("USER {user}")).await, "+OK");
    expect(&c.pop3(&format!("PASS {password}")).await, "+OK");
    expect(&c.pop3("STAT").await, "+OK");
    c.send("RETR 1").await;
    let (status, body) = c.pop3_response(true).await;
    expect(&status, "+OK");
    assert!(!body.is_empty(), "RETR 1 gave an empty message");
    expect(&c.pop3("QUIT").await, "+OK");
}

fn expect(reply: &str, start: &str) {
    assert!(reply.starts_with(start), "expected {start}, got {reply:?}");
}

/// Runs `sessions` sessions over `workers` connections at a time; (seconds, latencies).
async fn run(target: &Target, kind: Kind, workers: usize, sessions: usize) -> (f64, Vec<Duration>) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (smtp, pop3) = (target.smtp, target.pop3);
        let smtp_user = target.smtp_user.clone();
        let pop3_user = target.pop3_users[w % target.pop3_users.len()].clone();
        let share = sessions / workers + usize::from(w < sessions % workers);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(share);
            for i in 0..share {
                let t = Instant::now();
                match kind {
                    Kind::Send => {
                        send_session(smtp, &smtp_user.0, &smtp_user.1, w * 1_000_000 + i).await
                    }
                    Kind::Retrieve => retrieve_session(pop3, &pop3_user.0, &pop3_user.1).await,
                }
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("worker finished"));
    }
    (started.elapsed().as_secs_f64(), latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

async fn measure(target: &Target, sessions: usize) {
    for kind in [Kind::Send, Kind::Retrieve] {
        for workers in [1, 4] {
            let (seconds, mut latencies) = run(target, kind, workers, sessions).await;
            latencies.sort();
            println!(
                "{:<34} {:<9} {:>7} {:>8} {:>8.2} {:>11.0} {:>7.2} {:>7.2}",
                target.name,
                match kind {
                    Kind::Send => "send",
                    Kind::Retrieve => "retrieve",
                },
                workers,
                sessions,
                seconds,
                sessions as f64 / seconds,
                percentile(&latencies, 0.5),
                percentile(&latencies, 0.95),
            );
        }
    }
}

struct Options {
    sessions: usize,
    compare: Option<(SocketAddr, SocketAddr)>,
    user: String,
    password: String,
}

fn options() -> Options {
    let mut options = Options {
        sessions: 1000,
        compare: None,
        user: "student@lab.test".to_string(),
        password: "secret".to_string(),
    };
    let (mut smtp, mut pop3) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--sessions" => options.sessions = value().parse().expect("--sessions N"),
            "--compare-smtp" => smtp = Some(value().parse().expect("--compare-smtp HOST:PORT")),
            "--compare-pop3" => pop3 = Some(value().parse().expect("--compare-pop3 HOST:PORT")),
            "--user" => options.user = value(),
            "--password" => options.password = value(),
            _ => {} // cargo bench passes --bench and filters
        }
    }
    options.compare = smtp.zip(pop3);
    options
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let mut accounts = vec![Account::new("student", "secret")];
        accounts.extend((0..4).map(|w| Account::new(format!("w{w}"), "secret")));
        let seeded = vec![b"Subject: seeded\r\n\r\nhello\r\n".to_vec()];
        let config = EmbeddedConfig {
            accounts,
            mailboxes: (0..4).map(|w| (format!("w{w}"), seeded.clone())).collect(),
            ..EmbeddedConfig::default()
        };
        let server = EmbeddedServer::start(config)
            .await
            .expect("embedded server starts");
        println!(
            "{:<34} {:<9} {:>7} {:>8} {:>8} {:>11} {:>7} {:>7}",
            "server", "session", "workers", "sessions", "seconds", "sessions/s", "p50 ms", "p95 ms"
        );
        let embedded = Target {
            name: "embedded (in-process)".to_string(),
            smtp: server.endpoints().smtp,
            pop3: server.endpoints().pop3,
            pop3_users: (0..4)
                .map(|w| (format!("w{w}"), "secret".to_string()))
                .collect(),
            smtp_user: ("student@lab.test".to_string(), "secret".to_string()),
        };
        measure(&embedded, options.sessions).await;
        server.stop().await.expect("server stops");
        if let Some((smtp, pop3)) = options.compare {
            let login = (options.user.clone(), options.password.clone());
            let other = Target {
                name: format!("compare {smtp} / {pop3}"),
                smtp,
                pop3,
                pop3_users: vec![login.clone()],
                smtp_user: login,
            };
            measure(&other, options.sessions).await;
        }
    });
}
