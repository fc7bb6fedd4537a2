//! Shared by the replay integration tests: reading transcripts, starting the embedded
//! server, and a recording proxy that keeps every byte a client sends to the server.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use mailgrade::replay::{ExternalServer, ReplaySetup};
use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer};
use mailgrade::server::{Account, MailServer};
use mailgrade::session::{Protocol, Session};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The student's real login in these tests: it must never reach a server.
pub const STUDENT_USER: &str = "877261793@qq.com";
/// A stand-in, not the seed student's own password.
pub const STUDENT_PASSWORD: &str = "stand-in-pass";

pub fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Every form of the student's credentials that must not be sent.
pub fn student_secrets() -> Vec<String> {
    vec![
        STUDENT_USER.to_string(),
        STUDENT_PASSWORD.to_string(),
        b64(STUDENT_USER),
        b64(STUDENT_PASSWORD),
        b64(&format!("\0{STUDENT_USER}\0{STUDENT_PASSWORD}")),
    ]
}

pub fn session(protocol: Protocol, name: &str, text: &str) -> Session {
    let read = mailgrade::ingest::read_bytes(Path::new(name), text.as_bytes()).expect("reads");
    read.sessions
        .into_iter()
        .find(|s| s.protocol == protocol)
        .expect("a session of the protocol")
}

pub async fn embedded() -> EmbeddedServer {
    let config = EmbeddedConfig {
        accounts: vec![Account::new("student@lab.test", "lab-password")],
        ..EmbeddedConfig::default()
    };
    EmbeddedServer::start(config)
        .await
        .expect("embedded server starts")
}

pub fn setup() -> ReplaySetup {
    ReplaySetup::new(Account::new("student@lab.test", "lab-password"), "lab.test")
}

pub type Log = Arc<Mutex<Vec<u8>>>;

/// A TCP proxy to `target` that records every byte clients send.
pub async fn recording_proxy(target: SocketAddr, log: Log) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(target).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let upstream = async move {
                    let mut buf = vec![0; 8192];
                    while let Ok(n) = client_read.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        log.lock().unwrap().extend_from_slice(&buf[..n]);
                        if server_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = server_write.shutdown().await;
                };
                let downstream = async move {
                    let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                    let _ = client_write.shutdown().await;
                };
                tokio::join!(upstream, downstream);
            });
        }
    });
    addr
}

/// The embedded server seen through recording proxies on both ports.
pub async fn recorded(server: &EmbeddedServer, log: &Log) -> ExternalServer {
    let endpoints = server.endpoints();
    let smtp = recording_proxy(endpoints.smtp, Arc::clone(log)).await;
    let pop3 = recording_proxy(endpoints.pop3, Arc::clone(log)).await;
    ExternalServer::new(smtp, pop3, "lab.test", server.accounts())
}

pub fn telnet_auth_login(password_reply: &str) -> String {
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

pub fn pop3_retrieve() -> String {
    format!(
        "S: +OK QQMail POP3 Server v1.0 Service Ready\n\
         C: USER {STUDENT_USER}\n\
         S: +OK\n\
         C: PASS {STUDENT_PASSWORD}\n\
         S: +OK\n\
         C: STAT\n\
         S: +OK 2 2400\n\
         C: LIST\n\
         S: +OK\n\
         S: 1 1200\n\
         S: 2 1200\n\
         S: .\n\
         C: RETR 2\n\
         S: +OK 1200 octets\n\
         S: Subject: two\n\
         S: \n\
         S: hello\n\
         S: .\n\
         C: DELE 2\n\
         S: +OK\n\
         C: QUIT\n\
         S: +OK bye\n"
    )
}
