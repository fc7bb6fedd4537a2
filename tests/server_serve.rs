//! `mailgrade serve` as a library call: banner, per-session log lines, clean stop.

#[path = "server_support/mod.rs"]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use mailgrade::cli::serve::{serve, ServeArgs};
use support::Client;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn wait_for(buffer: &Shared, needle: &str) -> String {
    for _ in 0..500 {
        let text = buffer.text();
        if text.contains(needle) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{needle:?} never appeared in:\n{}", buffer.text());
}

fn port_after(text: &str, label: &str) -> std::net::SocketAddr {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn serve_prints_addresses_logs_sessions_and_stops() {
    let args = Cli::parse_from(["serve", "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0"]).serve;
    let (out, log) = (Shared::default(), Shared::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(args, out.clone(), log.clone(), async {
        let _ = stopped.await;
    }));
    let banner = wait_for(&out, "Ctrl-C").await;
    assert!(
        banner.contains("student@lab.test  password: secret  (demo account)"),
        "{banner}"
    );
    let smtp = port_after(&banner, "SMTP");
    assert_ne!(smtp.port(), 0);

    let mut client = Client::connect(smtp).await;
    client.smtp_reply().await;
    client.smtp("EHLO qq.com").await;
    client
        .smtp("AUTH PLAIN AHN0dWRlbnRAbGFiLnRlc3QAc2VjcmV0")
        .await;
    client.smtp("QUIT").await;
    let logged = wait_for(&log, "(quit)").await;
    assert!(
        logged.contains(
            "student@lab.test: greeting → 220, EHLO → 250, AUTH → 235, QUIT → 221 (quit)"
        ),
        "{logged}"
    );
    assert!(!logged.contains("AHN0dWRlbnRAbGFiLnRlc3QAc2VjcmV0"));

    stop.send(()).unwrap();
    let code = tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code, 0);
    assert!(log.text().ends_with("stopped\n"));
}

#[tokio::test]
async fn given_passwords_are_never_printed_and_bad_addresses_exit_2() {
    let args = Cli::parse_from([
        "serve",
        "--smtp",
        "127.0.0.1:0",
        "--pop3",
        "127.0.0.1:0",
        "--account",
        "alice:hunter2",
        "--domain",
        "Lab.Test",
    ])
    .serve;
    let (out, log) = (Shared::default(), Shared::default());
    let code = serve(args, out.clone(), log.clone(), async {}).await;
    assert_eq!(code, 0);
    let all = format!("{}{}", out.text(), log.text());
    assert!(all.contains("alice@lab.test  (password as given)"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = taken.local_addr().unwrap().to_string();
    let args = Cli::parse_from(["serve", "--smtp", &busy, "--pop3", "127.0.0.1:0"]).serve;
    let log = Shared::default();
    assert_eq!(
        serve(args, Shared::default(), log.clone(), async {}).await,
        2
    );
    assert!(
        log.text()
            .starts_with("error: failed to start the server: could not bind"),
        "{}",
        log.text()
    );
}
