//! `mailgrade notify --send` over real TLS on loopback: a self-signed certificate made here
//! (rcgen), a TLS server (tokio-rustls) in front of the embedded server, once with implicit
//! TLS and once with STARTTLS. Each student's message is read back from their mailbox, the
//! subject in the language the roster gives them; the password only ever crosses TLS, and a
//! server that cannot protect it gets nothing.

#[path = "class_support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer};
use mailgrade::server::{Account, MailServer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

const PASSWORD: &str = "ta-Secret-7";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Implicit,
    StartTls,
}

/// What the TLS front saw: handshakes done, and every byte the client sent in clear.
#[derive(Default)]
struct Seen {
    handshakes: usize,
    clear: Vec<u8>,
}

/// A certificate for 127.0.0.1 and the acceptor that serves it; the PEM goes to `--smtp-ca`.
fn certificate() -> (TlsAcceptor, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let der = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![der], key)
            .unwrap();
    (TlsAcceptor::from(Arc::new(config)), certified.cert.pem())
}

/// Listens on 127.0.0.1:0; each client is put through TLS (from the first byte, or after the
/// server's STARTTLS) to the embedded server's plain SMTP port.
async fn tls_front(
    acceptor: TlsAcceptor,
    upstream: SocketAddr,
    mode: Mode,
) -> (u16, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (acceptor, seen) = (acceptor.clone(), record.clone());
            tokio::spawn(async move {
                let _ = relay(client, acceptor, upstream, mode, seen).await;
            });
        }
    });
    (port, seen)
}

async fn relay(
    client: TcpStream,
    acceptor: TlsAcceptor,
    upstream: SocketAddr,
    mode: Mode,
    seen: Arc<Mutex<Seen>>,
) -> std::io::Result<()> {
    let mut server = BufReader::new(TcpStream::connect(upstream).await?);
    let client = match mode {
        Mode::Implicit => client,
        Mode::StartTls => {
            // The greeting and EHLO in clear, STARTTLS added to the server's extensions.
            let mut client = BufReader::new(client);
            let greeting = read_reply(&mut server).await?;
            client.get_mut().write_all(&greeting).await?;
            let mut line = Vec::new();
            client.read_until(b'\n', &mut line).await?;
            seen.lock().unwrap().clear.extend_from_slice(&line);
            server.get_mut().write_all(&line).await?;
            let ehlo = String::from_utf8(read_reply(&mut server).await?).unwrap();
            let (head, last) = ehlo
                .trim_end()
                .rsplit_once('\n')
                .unwrap_or(("", ehlo.trim_end()));
            let mut offer = String::new();
            if !head.is_empty() {
                offer.push_str(head);
                offer.push('\n');
            }
            offer.push_str(&format!("250-{}\r\n250 STARTTLS\r\n", &last[4..]));
            client.get_mut().write_all(offer.as_bytes()).await?;
            line.clear();
            client.read_until(b'\n', &mut line).await?;
            seen.lock().unwrap().clear.extend_from_slice(&line);
            assert!(line.eq_ignore_ascii_case(b"STARTTLS\r\n"), "{line:?}");
            client
                .get_mut()
                .write_all(b"220 2.0.0 Ready to start TLS\r\n")
                .await?;
            client.into_inner()
        }
    };
    let mut tls = acceptor.accept(client).await?;
    seen.lock().unwrap().handshakes += 1;
    tokio::io::copy_bidirectional(&mut tls, server.get_mut()).await?;
    Ok(())
}

/// One SMTP reply, all its lines.
async fn read_reply(server: &mut BufReader<TcpStream>) -> std::io::Result<Vec<u8>> {
    let mut reply = Vec::new();
    loop {
        let mut line = Vec::new();
        if server.read_until(b'\n', &mut line).await? == 0 {
            return Ok(reply);
        }
        reply.extend_from_slice(&line);
        if line.get(3) != Some(&b'-') {
            return Ok(reply);
        }
    }
}

fn class(dir: &Path) {
    support::write(
        dir,
        "roster.csv",
        "id,name,email,lang\n1,Anna Smith,anna@lab.test,\n2,李伟,li@lab.test,zh-CN\n".as_bytes(),
    );
    support::write(
        dir,
        "results.json",
        br#"{"schema":"mailgrade/v1","tool":{},"server":"none","submissions":[
            {"id":"1","passed":false,"grades":[],"problems":[]},
            {"id":"2","passed":false,"grades":[],"problems":[]}]}"#,
    );
}

async fn server() -> EmbeddedServer {
    EmbeddedServer::start(EmbeddedConfig {
        accounts: vec![
            Account::new("anna@lab.test", "pw"),
            Account::new("li@lab.test", "pw"),
            Account::new("ta@lab.test", PASSWORD),
        ],
        catch_all_enabled: false,
        require_auth: true,
        ..EmbeddedConfig::default()
    })
    .await
    .expect("server starts")
}

async fn notify(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = [
        "notify",
        "results.json",
        "--roster",
        "roster.csv",
        "--send",
        "--from",
        "Networks TA <ta@lab.test>",
        "--user",
        "ta@lab.test",
        "--password-file",
        "pw.txt",
        "--smtp-host",
        "127.0.0.1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    support::write(dir, "pw.txt", format!("{PASSWORD}\n").as_bytes());
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_mailgrade"))
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn no_password(output: &std::process::Output) {
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(PASSWORD), "{text}");
    }
}

async fn sends_over(mode: Mode) {
    let dir = tempfile::tempdir().unwrap();
    class(dir.path());
    let server = server().await;
    let (acceptor, pem) = certificate();
    support::write(dir.path(), "ca.pem", pem.as_bytes());
    let (port, seen) = tls_front(acceptor, server.endpoints().smtp, mode).await;
    let port = port.to_string();
    let tls = if mode == Mode::Implicit {
        "implicit"
    } else {
        "starttls"
    };

    // Without --smtp-ca the self-signed certificate is not trusted: nothing is sent.
    let untrusted = notify(dir.path(), &["--tls", tls, "--smtp-port", &port]).await;
    assert_eq!(untrusted.status.code(), Some(2), "{untrusted:?}");
    let stderr = String::from_utf8_lossy(&untrusted.stderr);
    assert!(stderr.contains("not sent to anna@lab.test"), "{stderr}");
    assert!(stderr.to_lowercase().contains("certificate"), "{stderr}");
    assert!(stderr.contains("help: "), "{stderr}");
    // The certificate would stop every letter: said once, the rest counted, not tried.
    assert_eq!(stderr.matches("not sent to").count(), 1, "{stderr}");
    assert!(
        stderr.contains("1 more of the 2 message(s) not sent (li@lab.test)"),
        "{stderr}"
    );
    no_password(&untrusted);
    assert!(server.mailbox("anna@lab.test").await.unwrap().is_empty());

    let sent = notify(
        dir.path(),
        &["--tls", tls, "--smtp-port", &port, "--smtp-ca", "ca.pem"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&sent.stderr);
    assert_eq!(sent.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("sent 2 message(s)"), "{stderr}");
    no_password(&sent);
    let anna = server.mailbox("anna@lab.test").await.unwrap();
    assert_eq!(anna.len(), 1);
    let text = anna[0].text();
    assert!(
        text.contains("Subject: Email lab: your feedback\r\n"),
        "{text}"
    );
    assert!(text.contains("Dear Anna Smith,"), "{text}");
    let li = server.mailbox("li@lab.test").await.unwrap();
    assert_eq!(li.len(), 1);
    let text = li[0].text();
    // 电子邮件实验：你的反馈, as an RFC 2047 encoded word; the body in 8bit as written.
    let subject = text
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .expect("a subject");
    assert_eq!(decode_subject(subject), "电子邮件实验：你的反馈", "{text}");
    assert!(
        text.contains("李伟，你好：") && text.contains("尚未通过"),
        "{text}"
    );

    let (handshakes, clear) = {
        let seen = seen.lock().unwrap();
        (
            seen.handshakes,
            String::from_utf8_lossy(&seen.clear).into_owned(),
        )
    };
    assert!(handshakes >= 2, "every connection went through TLS");
    assert!(
        !clear.to_uppercase().contains("AUTH"),
        "no login in clear: {clear}"
    );
    server.stop().await.unwrap();
}

/// `=?utf-8?b?…?=` words, joined.
fn decode_subject(subject: &str) -> String {
    use base64::Engine;
    let mut bytes = Vec::new();
    for word in subject.split_whitespace() {
        let inner = word
            .strip_prefix("=?utf-8?b?")
            .and_then(|w| w.strip_suffix("?="))
            .expect("a base64 encoded word");
        bytes.extend(
            base64::engine::general_purpose::STANDARD
                .decode(inner)
                .unwrap(),
        );
    }
    String::from_utf8(bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_over_implicit_tls() {
    sends_over(Mode::Implicit).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_over_starttls() {
    sends_over(Mode::StartTls).await;
}

/// The embedded server offers no STARTTLS: with the default `--tls starttls` lettre stops
/// after EHLO, and the server never sees a login or a message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_starttls_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    class(dir.path());
    let server = server().await;
    let port = server.endpoints().smtp.port().to_string();
    let output = notify(dir.path(), &["--smtp-port", &port]).await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not sent to anna@lab.test"), "{stderr}");
    assert_eq!(stderr.matches("not sent to").count(), 1, "{stderr}");
    no_password(&output);
    for mailbox in ["anna@lab.test", "li@lab.test"] {
        assert!(server.mailbox(mailbox).await.unwrap().is_empty());
    }
    server.stop().await.unwrap();
}
