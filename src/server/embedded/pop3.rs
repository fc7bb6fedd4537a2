//! One POP3 session (RFC 1939, CAPA and RESP-CODES from RFC 2449, AUTH from RFC 5034),
//! answering like the reference Dovecot 2.3. Commands are parsed by `protocol::pop3`.

use std::net::SocketAddr;
use std::sync::Arc;

use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncWrite};

use super::connection::{Connection, Input};
use super::listener::Shutdown;
use super::sasl::{self, Mechanism};
use super::shared::{Ending, SessionRecord, Shared};
use super::store::{LockError, Maildrop, StoredMessage};
use crate::protocol::pop3::{parse_request, Request, SyntaxError};
use crate::session::{Protocol, Secret};

const MAX_SKIP_COMMAND: usize = 1 << 20;

pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    conn: Connection<S>,
    peer: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Shutdown,
) -> SessionRecord {
    let timestamp = format!(
        "<{}.{}@{}>",
        std::process::id(),
        shared.next_queue_id(),
        shared.hostname
    );
    let mut session = Session {
        conn,
        shared,
        shutdown,
        timestamp,
        state: State::Authorization { user: None },
        logged_in: None,
        bad: 0,
        skeleton: Vec::new(),
    };
    let ending = match session.run().await {
        Ok(ending) => ending,
        Err(_) => Ending::Io,
    };
    let _ = session.conn.close().await;
    SessionRecord {
        protocol: Protocol::Pop3,
        peer,
        user: session.logged_in,
        skeleton: session.skeleton,
        ending,
    }
}

/// RFC 1939's states; UPDATE is the QUIT handler committing the maildrop.
enum State {
    Authorization { user: Option<String> },
    Transaction { maildrop: Maildrop, deleted: Vec<bool> },
}

struct Session<S> {
    conn: Connection<S>,
    shared: Arc<Shared>,
    shutdown: Shutdown,
    /// The APOP timestamp from the greeting.
    timestamp: String,
    state: State,
    logged_in: Option<String>,
    /// Failed commands in a row (Dovecot disconnects after too many).
    bad: u32,
    skeleton: Vec<String>,
}

enum Next {
    Input(Input),
    Shutdown,
}

type Flow = Option<Ending>;

/// A message number that names no message, or a deleted one.
enum Missing {
    NoSuch(u32),
    Deleted,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Session<S> {
    async fn run(&mut self) -> std::io::Result<Ending> {
        let greeting = format!("mailgrade POP3 (lab) ready. {}", self.timestamp);
        self.ok("greeting", &greeting);
        loop {
            if self.bad > self.shared.config.limits.max_errors {
                self.err("error-limit", "Too many bad commands.");
                return Ok(Ending::TooManyErrors);
            }
            let line = match self.next().await? {
                Next::Input(Input::Line(line)) => line,
                other => match self.interrupted(other) {
                    Some(ending) => return Ok(ending),
                    None => continue,
                },
            };
            if let Some(ending) = self.command(&line).await? {
                return Ok(ending);
            }
        }
    }

    async fn next(&mut self) -> std::io::Result<Next> {
        let max = self.shared.config.limits.max_line;
        let (conn, shutdown) = (&mut self.conn, &mut self.shutdown);
        tokio::select! {
            biased;
            _ = shutdown.recv() => Ok(Next::Shutdown),
            input = conn.read_line(max, MAX_SKIP_COMMAND) => input.map(Next::Input),
        }
    }

    fn interrupted(&mut self, next: Next) -> Flow {
        match next {
            Next::Input(Input::Line(_)) => None,
            Next::Input(Input::TooLong) => {
                self.err("(line too long)", "Line too long.");
                None
            }
            Next::Input(Input::Flood) => {
                self.err("(endless line)", "Line too long, closing connection.");
                Some(Ending::LineTooLong)
            }
            Next::Input(Input::TimedOut) => {
                self.err("(idle)", "Disconnected for inactivity.");
                Some(Ending::IdleTimeout)
            }
            Next::Input(Input::Closed) => Some(Ending::ClientClosed),
            Next::Shutdown => {
                self.err("(shutdown)", "Server shutting down.");
                Some(Ending::ServerShutdown)
            }
        }
    }

    fn ok(&mut self, label: &str, text: &str) {
        if text.is_empty() {
            self.conn.queue_line("+OK");
        } else {
            self.conn.queue_line(&format!("+OK {text}"));
        }
        self.skeleton.push(format!("{label} → +OK"));
        self.bad = 0;
    }

    fn err(&mut self, label: &str, text: &str) {
        self.conn.queue_line(&format!("-ERR {text}"));
        self.skeleton.push(format!("{label} → -ERR"));
        self.bad += 1;
    }

    /// `+OK` and a multi-line body of text lines, dot-stuffed, ending in `.`.
    fn ok_lines(&mut self, label: &str, text: &str, lines: &[String]) {
        self.ok(label, text);
        for line in lines {
            self.conn.queue_line(line);
        }
        self.conn.queue_line(".");
    }

    async fn command(&mut self, line: &[u8]) -> std::io::Result<Flow> {
        let text = String::from_utf8_lossy(line);
        let label = label_of(&text);
        let request = match parse_request(&text) {
            Ok(request) => request,
            Err(SyntaxError::UnknownCommand { verb }) => {
                self.unknown(&label, &verb);
                return Ok(None);
            }
            Err(SyntaxError::Syntax { verb, expected }) => {
                self.err(&label, &format!("Invalid arguments for {verb}: expected {expected}"));
                return Ok(None);
            }
        };
        match &request {
            Request::Quit => {
                self.quit(&label);
                return Ok(Some(Ending::Quit));
            }
            Request::Capa => {
                let lines = [
                    "CAPA",
                    "TOP",
                    "UIDL",
                    "RESP-CODES",
                    "PIPELINING",
                    "AUTH-RESP-CODE",
                    "USER",
                    "SASL PLAIN LOGIN",
                ]
                .map(String::from);
                self.ok_lines(&label, "", &lines);
                return Ok(None);
            }
            Request::Noop => {
                self.ok(&label, "");
                return Ok(None);
            }
            Request::Stls => {
                self.err(&label, "TLS support isn't enabled.");
                return Ok(None);
            }
            _ => {}
        }
        if matches!(self.state, State::Authorization { .. }) {
            self.authorization(request, &label).await
        } else {
            self.transaction(request, &label);
            Ok(None)
        }
    }

    fn unknown(&mut self, label: &str, verb: &str) {
        match self.state {
            State::Authorization { .. } => self.err(label, "Unknown command."),
            State::Transaction { .. } => {
                self.err(label, &format!("Unknown command: {}", verb.to_ascii_uppercase()))
            }
        }
    }

    async fn authorization(&mut self, request: Request, label: &str) -> std::io::Result<Flow> {
        match request {
            Request::User { name } => {
                self.state = State::Authorization {
                    user: Some(name.trim().to_string()),
                };
                self.ok(label, "");
                Ok(None)
            }
            Request::Pass { password } => {
                let user = match &mut self.state {
                    State::Authorization { user } => user.take(),
                    State::Transaction { .. } => None,
                };
                let Some(user) = user else {
                    self.err(label, "No username given.");
                    return Ok(None);
                };
                let account = self.shared.check_login(&user, &password);
                Ok(self.login(label, account).await)
            }
            Request::Apop { name, digest } => {
                let account = self.shared.account(&name).and_then(|account| {
                    let expected = apop_digest(&self.timestamp, &account.password);
                    expected
                        .eq_ignore_ascii_case(digest.expose().trim())
                        .then(|| account.user.clone())
                });
                Ok(self.login(label, account).await)
            }
            Request::Auth { mechanism, initial } => self.auth(label, mechanism, initial).await,
            _ => {
                self.unknown(label, label);
                Ok(None)
            }
        }
    }

    /// Takes the mailbox after a good login, or answers the failed one.
    async fn login(&mut self, label: &str, account: Option<String>) -> Flow {
        let Some(user) = account else {
            tokio::time::sleep(self.shared.config.limits.auth_failure_delay).await;
            self.err(label, "[AUTH] Authentication failed.");
            return None;
        };
        match self.shared.store.lock(&user) {
            Ok(maildrop) => {
                let deleted = vec![false; maildrop.messages.len()];
                self.state = State::Transaction { maildrop, deleted };
                self.logged_in = Some(user);
                self.ok(label, "Logged in.");
                None
            }
            Err(LockError::InUse) => {
                self.err(label, "[IN-USE] Mailbox is locked by another POP3 session.");
                Some(Ending::Quit)
            }
            Err(LockError::NoMailbox) => {
                self.err(label, "[SYS/PERM] No mailbox for this user.");
                None
            }
        }
    }

    async fn auth(
        &mut self,
        label: &str,
        mechanism: Option<String>,
        initial: Option<Secret>,
    ) -> std::io::Result<Flow> {
        let Some(mechanism) = mechanism else {
            self.ok_lines(label, "", &["PLAIN".to_string(), "LOGIN".to_string()]);
            return Ok(None);
        };
        let Some(mechanism) = Mechanism::from_name(&mechanism) else {
            self.err(label, "Unsupported authentication mechanism.");
            return Ok(None);
        };
        let mut last = label.to_string();
        let account = match mechanism {
            Mechanism::Plain => {
                let payload = match initial {
                    Some(payload) => payload,
                    None => match self.challenge(&mut last, "").await? {
                        Ok(payload) => payload,
                        Err(flow) => return Ok(flow),
                    },
                };
                let Ok(decoded) = sasl::decode(&payload) else {
                    self.err(&last, "Invalid base64 data in continued response.");
                    return Ok(None);
                };
                sasl::plain_credentials(&decoded)
                    .and_then(|(user, password)| self.shared.check_login(&user, &password))
            }
            Mechanism::Login => {
                let user = match initial {
                    Some(payload) => payload,
                    None => match self.challenge(&mut last, sasl::LOGIN_USER_PROMPT).await? {
                        Ok(payload) => payload,
                        Err(flow) => return Ok(flow),
                    },
                };
                let password = match self.challenge(&mut last, sasl::LOGIN_PASSWORD_PROMPT).await? {
                    Ok(payload) => payload,
                    Err(flow) => return Ok(flow),
                };
                match (sasl::decode(&user), sasl::decode(&password)) {
                    (Ok(user), Ok(password)) => self.shared.check_login(user.expose(), &password),
                    _ => {
                        self.err(&last, "Invalid base64 data in continued response.");
                        return Ok(None);
                    }
                }
            }
        };
        Ok(self.login(&last, account).await)
    }

    /// Sends a `+ ` continuation and reads the response; `Err` when cancelled or ending.
    async fn challenge(
        &mut self,
        label: &mut String,
        prompt: &str,
    ) -> std::io::Result<Result<Secret, Flow>> {
        self.conn.queue_line(&format!("+ {prompt}"));
        self.skeleton.push(format!("{label} → +"));
        let line = match self.next().await? {
            Next::Input(Input::Line(line)) => line,
            other => return Ok(Err(self.interrupted(other))),
        };
        let text = String::from_utf8_lossy(&line);
        if text.trim() == "*" {
            self.err("auth-cancel", "Authentication aborted.");
            return Ok(Err(None));
        }
        *label = "auth-response".to_string();
        Ok(Ok(Secret::new(text.trim().to_string())))
    }

    fn transaction(&mut self, request: Request, label: &str) {
        let State::Transaction { maildrop, deleted } = &mut self.state else {
            return;
        };
        let live = |n: u32| -> Result<usize, Missing> {
            let index = (n as usize).checked_sub(1).ok_or(Missing::NoSuch(n))?;
            match deleted.get(index) {
                None => Err(Missing::NoSuch(n)),
                Some(true) => Err(Missing::Deleted),
                Some(false) => Ok(index),
            }
        };
        let reply: Result<Reply, Missing> = match request {
            Request::Stat => {
                let (count, size) = totals(&maildrop.messages, deleted);
                Ok(Reply::Ok(format!("{count} {size}")))
            }
            Request::List { msg: None } => {
                let (count, _) = totals(&maildrop.messages, deleted);
                let lines = listing(&maildrop.messages, deleted, |m| m.bytes.len().to_string());
                Ok(Reply::Lines(format!("{count} messages:"), lines))
            }
            Request::List { msg: Some(n) } => live(n).map(|i| {
                Reply::Ok(format!("{n} {}", maildrop.messages[i].bytes.len()))
            }),
            Request::Uidl { msg: None } => {
                let lines = listing(&maildrop.messages, deleted, |m| m.uid.clone());
                Ok(Reply::Lines(String::new(), lines))
            }
            Request::Uidl { msg: Some(n) } => {
                live(n).map(|i| Reply::Ok(format!("{n} {}", maildrop.messages[i].uid)))
            }
            Request::Retr { msg } => live(msg).map(|i| {
                let bytes = &maildrop.messages[i].bytes;
                Reply::Body(format!("{} octets", bytes.len()), dot_stuffed(bytes))
            }),
            Request::Top { msg, lines } => live(msg).map(|i| {
                let top = top_of(&maildrop.messages[i].bytes, lines as usize);
                Reply::Body(String::new(), dot_stuffed(top))
            }),
            Request::Dele { msg } => live(msg).map(|i| {
                deleted[i] = true;
                Reply::Ok("Marked to be deleted.".to_string())
            }),
            Request::Rset => {
                deleted.iter_mut().for_each(|d| *d = false);
                Ok(Reply::Ok(String::new()))
            }
            _ => {
                self.unknown(label, label);
                return;
            }
        };
        match reply {
            Ok(Reply::Ok(text)) => self.ok(label, &text),
            Ok(Reply::Lines(text, lines)) => self.ok_lines(label, &text, &lines),
            Ok(Reply::Body(text, body)) => {
                self.ok(label, &text);
                self.conn.queue_bytes(&body);
                self.conn.queue_line(".");
            }
            Err(Missing::NoSuch(n)) => self.err(label, &format!("There's no message {n}.")),
            Err(Missing::Deleted) => self.err(label, "Message is deleted."),
        }
    }

    /// QUIT: in TRANSACTION, the UPDATE state removes what was marked.
    fn quit(&mut self, label: &str) {
        let state = std::mem::replace(&mut self.state, State::Authorization { user: None });
        match state {
            State::Transaction { maildrop, deleted } if deleted.contains(&true) => {
                maildrop.commit(&deleted);
                self.ok(label, "Logging out, messages deleted.");
            }
            _ => self.ok(label, "Logging out."),
        }
    }
}

enum Reply {
    Ok(String),
    Lines(String, Vec<String>),
    Body(String, Vec<u8>),
}

fn totals(messages: &[Arc<StoredMessage>], deleted: &[bool]) -> (usize, usize) {
    messages
        .iter()
        .zip(deleted)
        .filter(|(_, d)| !**d)
        .fold((0, 0), |(n, size), (m, _)| (n + 1, size + m.bytes.len()))
}

fn listing(
    messages: &[Arc<StoredMessage>],
    deleted: &[bool],
    value: impl Fn(&StoredMessage) -> String,
) -> Vec<String> {
    messages
        .iter()
        .zip(deleted)
        .enumerate()
        .filter(|(_, (_, d))| !**d)
        .map(|(i, (m, _))| format!("{} {}", i + 1, value(m)))
        .collect()
}

/// The header section, the blank line, and the first `lines` lines of the body (RFC 1939 TOP).
fn top_of(message: &[u8], lines: usize) -> &[u8] {
    let Some(split) = message.windows(4).position(|w| w == b"\r\n\r\n") else {
        return message;
    };
    let body_start = split + 4;
    let mut end = body_start;
    for _ in 0..lines {
        match message[end..].windows(2).position(|w| w == b"\r\n") {
            Some(pos) => end += pos + 2,
            None => return message,
        }
    }
    &message[..end]
}

/// RFC 1939 §3 byte-stuffing of a CRLF-ended body.
// TODO(protocol): use protocol's dot-stuffing once it lands.
fn dot_stuffed(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 16);
    for line in body.split_inclusive(|&b| b == b'\n') {
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
    }
    out
}

/// RFC 1939 §7: hex MD5 of the greeting's timestamp followed by the password.
fn apop_digest(timestamp: &str, password: &Secret) -> String {
    let digest = Md5::new()
        .chain_update(timestamp.as_bytes())
        .chain_update(password.expose().as_bytes())
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn label_of(text: &str) -> String {
    let verb: String = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .take(24)
        .map(|c| if c.is_control() { '?' } else { c.to_ascii_uppercase() })
        .collect();
    if verb.is_empty() {
        "(empty line)".to_string()
    } else {
        verb
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_keeps_headers_and_n_body_lines() {
        let message = b"A: 1\r\nB: 2\r\n\r\nx\r\ny\r\n";
        let cases: [(usize, &[u8]); 3] = [
            (0, b"A: 1\r\nB: 2\r\n\r\n"),
            (1, b"A: 1\r\nB: 2\r\n\r\nx\r\n"),
            (5, message),
        ];
        for (lines, expected) in cases {
            assert_eq!(top_of(message, lines), expected, "{lines}");
        }
    }

    #[test]
    fn bodies_are_dot_stuffed() {
        assert_eq!(dot_stuffed(b".a\r\nb\r\n..\r\n"), b"..a\r\nb\r\n...\r\n");
    }

    #[test]
    fn apop_digest_matches_rfc_1939() {
        let digest = apop_digest("<1896.697170952@dbc.mtview.ca.us>", &Secret::new("tanstaaf"));
        assert_eq!(digest, "c4c9334bac560ecc979e58001b3e22fb");
    }
}
