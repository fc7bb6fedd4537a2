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

/// `serve` running on free loopback ports with `extra` arguments: its stdout, its log, the
/// switch that stops it, its task and its banner.
struct Running {
    log: Shared,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<i32>,
    banner: String,
}

async fn start_serve(extra: &[&str]) -> Running {
    let mut line = vec!["serve", "--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0"];
    line.extend_from_slice(extra);
    let args = Cli::parse_from(line).serve;
    let (out, log) = (Shared::default(), Shared::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(args, out.clone(), log.clone(), async {
        let _ = stopped.await;
    }));
    let banner = wait_for(&out, "Ctrl-C").await;
    Running {
        log,
        stop,
        task,
        banner,
    }
}

#[tokio::test]
async fn serve_prints_addresses_logs_sessions_and_stops() {
    let Running {
        log,
        stop,
        task,
        banner,
    } = start_serve(&[]).await;
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

/// The password every form below tries to leak.
const PASSWORD: &str = "Hunter2pw";

fn b64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test]
async fn a_password_typed_in_any_slot_never_reaches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.txt");
    std::fs::write(&accounts, format!("# practice logins\nalice:{PASSWORD}\n")).unwrap();
    let Running {
        log,
        stop,
        task,
        banner,
    } = start_serve(&["--accounts-file", accounts.to_str().unwrap()]).await;
    assert!(
        banner.contains("alice@lab.test  (password as given)"),
        "{banner}"
    );
    let (smtp, pop3) = (port_after(&banner, "SMTP"), port_after(&banner, "POP3"));

    // POP3: the forms students type, each in a session of its own.
    let pop3_forms: Vec<Vec<String>> = vec![
        vec![format!("APOP {PASSWORD}")],
        vec![format!("USER alice {PASSWORD}")],
        vec![format!("USER alice:{PASSWORD}")],
        vec![format!("LOGIN alice {PASSWORD}")],
        vec![PASSWORD.to_string()],
        vec!["USER alice".into(), PASSWORD.into()],
        vec![
            "USER alice".into(),
            format!("PASS {PASSWORD}"),
            PASSWORD.into(),
        ],
        vec![format!(
            "AUTH PLAIN {}",
            b64(&format!("\0alice\0{PASSWORD}"))
        )],
    ];
    for lines in &pop3_forms {
        let mut client = Client::connect(pop3).await;
        client.line().await;
        for line in lines {
            client.pop3(line).await;
        }
        client.pop3("QUIT").await;
    }
    // SMTP: alone as a command, echoed by VRFY, in AUTH LOGIN and PLAIN.
    let mut client = Client::connect(smtp).await;
    client.smtp_reply().await;
    client.smtp("EHLO pc").await;
    client.smtp(PASSWORD).await;
    let echoed = client.smtp(&format!("VRFY {PASSWORD}")).await;
    assert_eq!(
        echoed,
        format!("252 2.0.0 {PASSWORD}"),
        "Postfix echoes VRFY"
    );
    client.smtp("AUTH LOGIN").await;
    client.smtp(&b64("alice")).await;
    client.smtp(&b64(PASSWORD)).await;
    client.smtp("QUIT").await;
    let mut client = Client::connect(smtp).await;
    client.smtp_reply().await;
    client
        .smtp(&format!(
            "AUTH PLAIN {}",
            b64(&format!("\0alice\0{PASSWORD}"))
        ))
        .await;
    client.smtp(PASSWORD).await;
    client.smtp("QUIT").await;

    for _ in 0..500 {
        if log.text().matches("(quit)").count() == pop3_forms.len() + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(()).unwrap();
    let code = tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(code, 0);
    let logged = log.text();
    assert_eq!(
        logged.matches("(quit)").count(),
        pop3_forms.len() + 2,
        "every session logged:\n{logged}"
    );
    let lower = logged.to_lowercase();
    let plain = format!("\0alice\0{PASSWORD}");
    for secret in [PASSWORD.to_string(), b64(PASSWORD), b64(&plain)] {
        assert!(
            !lower.contains(&secret.to_lowercase()),
            "{secret} in:\n{logged}"
        );
    }
    // Where PASS was due, the line is a secret by its position; elsewhere it is unknown.
    assert!(logged.contains("USER → +OK, <redacted> → -ERR"), "{logged}");
    assert!(
        logged.contains("greeting → +OK, (unknown command) → -ERR"),
        "{logged}"
    );
    assert!(
        logged.contains(
            "alice@lab.test: greeting → 220, EHLO → 250, (unknown command) → 500, VRFY → 252"
        ),
        "{logged}"
    );
}

#[test]
fn accounts_come_from_the_environment_and_account_warns_about_ps() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let serve =
        support::child::ServeChild::start(&[], &[("MAILGRADE_ACCOUNTS", "erin:env-pass\n")]);
    assert!(
        serve.banner.contains("erin@lab.test  (password as given)"),
        "{}",
        serve.banner
    );
    let logged_in = runtime.block_on(async {
        let mut client = Client::connect(serve.pop3).await;
        client.line().await;
        client.pop3("USER erin").await;
        let reply = client.pop3("PASS env-pass").await;
        client.pop3("QUIT").await;
        reply
    });
    assert_eq!(logged_in, "+OK Logged in.");
    let (code, log) = serve.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(!log.contains("warning"), "{log}");
    assert!(!log.contains("env-pass"), "{log}");

    let serve = support::child::ServeChild::start(&["--account", "fay:cli-pass"], &[]);
    let (code, log) = serve.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.starts_with("warning: --account puts the password in the process list"),
        "{log}"
    );
    assert!(!log.contains("cli-pass"), "{log}");
}
