//! Raw TCP clients for the embedded server tests: type a line, read a reply, like telnet.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// No test waits longer than this for one reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn start(config: EmbeddedConfig) -> EmbeddedServer {
    EmbeddedServer::start(config).await.expect("server starts")
}

pub struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    /// How long a read may wait (tests with paused time raise it past the server's timers).
    pub timeout: Duration,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.expect("connect");
        // Typed lines go out at once, as telnet sends them (no Nagle wait on small writes).
        stream.set_nodelay(true).expect("nodelay");
        let (read, writer) = stream.into_split();
        Client {
            reader: BufReader::new(read),
            writer,
            timeout: REPLY_TIMEOUT,
        }
    }

    /// Sends one line with CRLF. A write the server refused (it hung up) is not an error
    /// here: the reply that said so is still to be read.
    pub async fn send(&mut self, line: &str) {
        let _ = self
            .writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(bytes).await
    }

    /// One line without its line end; `None` at end of stream.
    pub async fn line(&mut self) -> Option<String> {
        let mut line = Vec::new();
        let read = tokio::time::timeout(self.timeout, self.reader.read_until(b'\n', &mut line))
            .await
            .expect("reply within the timeout");
        match read {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line).into_owned();
                Some(text.trim_end_matches(['\r', '\n']).to_string())
            }
        }
    }

    /// A whole SMTP reply's lines; empty at end of stream.
    pub async fn smtp_reply(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(line) = self.line().await {
            let last = line.len() < 4 || line.as_bytes()[3] != b'-';
            lines.push(line);
            if last {
                break;
            }
        }
        lines
    }

    /// The code of the next SMTP reply, 0 at end of stream.
    pub async fn smtp_code(&mut self) -> u16 {
        let reply = self.smtp_reply().await;
        reply
            .last()
            .and_then(|l| l.get(..3))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    /// Sends a line and returns the reply's last line.
    pub async fn smtp(&mut self, line: &str) -> String {
        self.send(line).await;
        self.smtp_reply().await.pop().unwrap_or_default()
    }

    /// A POP3 status line and, when `multiline` and positive, the body up to `.`,
    /// unstuffed by the protocol module (CRLF kept).
    pub async fn pop3_response(&mut self, multiline: bool) -> (String, Vec<u8>) {
        let status = self.line().await.unwrap_or_default();
        let mut body = Vec::new();
        if multiline && status.starts_with("+OK") {
            loop {
                let mut line = Vec::new();
                let read =
                    tokio::time::timeout(self.timeout, self.reader.read_until(b'\n', &mut line))
                        .await
                        .expect("body within the timeout")
                        .expect("body read");
                body.extend_from_slice(&line);
                if read == 0 || line == b".\r\n" {
                    break;
                }
            }
            body = mailgrade::protocol::unstuff(&body)
                .map(|(body, _)| body)
                .expect("body ends with a dot line");
        }
        (status, body)
    }

    pub async fn pop3(&mut self, line: &str) -> String {
        self.send(line).await;
        self.pop3_response(false).await.0
    }

    /// Whether the server has closed the connection (reads end of stream).
    pub async fn is_closed(&mut self) -> bool {
        self.line().await.is_none()
    }
}

pub mod child;
