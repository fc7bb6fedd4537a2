//! One POP3 session (RFC 1939, CAPA and RESP-CODES from RFC 2449, AUTH from RFC 5034),
//! answering like the reference Dovecot 2.3. Input is framed and parsed by
//! `protocol::pop3::ServerReceiver`, command order is `protocol::pop3::Pop3State`'s call.

use std::net::SocketAddr;
use std::sync::Arc;

use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncWrite};

use super::connection::{Connection, Read};
use super::listener::Shutdown;
use super::shared::{label_of, unknown_label, Ending, SessionRecord, Shared};
use super::skeleton::Skeleton;
use super::store::{LockError, Maildrop, StoredMessage};
use crate::protocol::pop3::{
    ClientInput, Pop3Phase, Pop3Response, Pop3Rule, Pop3State, Request, ServerReceiver, SyntaxError,
};
use crate::protocol::sasl::{self, Mechanism};
use crate::protocol::Verb;
use crate::session::{Pop3Status, Protocol, ReplyCode, Secret};

const MAX_PENDING_COMMAND: usize = 1 << 20;
/// Dovecot's pop3-login `CLIENT_MAX_BAD_COMMANDS`: invalid commands in a row before login.
const MAX_INVALID_BEFORE_LOGIN: u32 = 3;
/// The commands Dovecot's pop3-login knows (before login).
const BEFORE_LOGIN: [Verb; 7] = [
    Verb::Capa,
    Verb::User,
    Verb::Pass,
    Verb::Auth,
    Verb::Apop,
    Verb::Stls,
    Verb::Quit,
];

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
        receiver: ServerReceiver::new(shared.config.limits.max_line),
        shared,
        shutdown,
        timestamp,
        state: Pop3State::new(),
        maildrop: None,
        logged_in: None,
        bad: 0,
        invalid_before_login: 0,
        invalid_now: false,
        junk: 0,
        auth_failures: 0,
        skeleton: Skeleton::default(),
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

/// The mailbox a logged-in session holds, and which of its messages are marked deleted.
struct Held {
    maildrop: Maildrop,
    deleted: Vec<bool>,
}

struct Session<S> {
    conn: Connection<S>,
    receiver: ServerReceiver,
    shared: Arc<Shared>,
    shutdown: Shutdown,
    /// The APOP timestamp from the greeting.
    timestamp: String,
    state: Pop3State,
    maildrop: Option<Held>,
    logged_in: Option<String>,
    /// Failed commands in a row (Dovecot disconnects after too many).
    bad: u32,
    /// Invalid commands in a row before login: Dovecot's pop3-login hangs up at the third.
    invalid_before_login: u32,
    /// Whether the command just answered was one of those.
    invalid_now: bool,
    /// Commands that neither logged in nor touched the mailbox: any before login, NOOP after.
    junk: u32,
    /// Failed logins in this connection; unlike `bad`, a USER in between does not reset it.
    auth_failures: u32,
    skeleton: Skeleton,
}

enum Next {
    Read(Read<ClientInput>),
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
                self.err("(error limit)", "Too many bad commands.");
                return Ok(Ending::TooManyErrors);
            }
            let flow = match self.next().await? {
                Next::Read(Read::Input(ClientInput::Request { request })) => {
                    let logged_in = self.state.is_logged_in();
                    let noop = matches!(request, Ok(Request::Noop));
                    self.invalid_now = false;
                    let flow = self.command(request).await?;
                    if flow.is_none() && !logged_in && self.too_many_invalid() {
                        return Ok(Ending::TooManyErrors);
                    }
                    if flow.is_none() && (noop || !self.state.is_logged_in()) {
                        self.junk += 1;
                        if self.junk > self.shared.config.limits.max_junk_commands {
                            self.err("(junk limit)", "Too many junk commands.");
                            return Ok(Ending::TooManyJunkCommands);
                        }
                    }
                    flow
                }
                other => self.interrupted(other),
            };
            if let Some(ending) = flow {
                return Ok(ending);
            }
        }
    }

    async fn next(&mut self) -> std::io::Result<Next> {
        let (conn, receiver, shutdown) = (&mut self.conn, &mut self.receiver, &mut self.shutdown);
        let ingest = |input: &mut &[u8]| match receiver.ingest(input) {
            ClientInput::NeedsMoreData => None,
            other => Some(other),
        };
        tokio::select! {
            biased;
            _ = shutdown.recv() => Ok(Next::Shutdown),
            read = conn.next(MAX_PENDING_COMMAND, ingest) => read.map(Next::Read),
        }
    }

    fn interrupted(&mut self, next: Next) -> Flow {
        match next {
            Next::Read(Read::Input(ClientInput::LineTooLong { .. })) => {
                self.err("(line too long)", "Line too long.");
                None
            }
            Next::Read(Read::Input(_)) => {
                self.err("(unexpected)", "[SYS/TEMP] Internal error.");
                None
            }
            Next::Read(Read::Flood) => {
                self.err("(endless line)", "Line too long, closing connection.");
                Some(Ending::LineTooLong)
            }
            Next::Read(Read::TimedOut) => {
                self.err("(idle)", "Disconnected for inactivity.");
                Some(Ending::IdleTimeout)
            }
            Next::Read(Read::Closed) => Some(Ending::ClientClosed),
            Next::Shutdown => {
                self.err("(shutdown)", "Server shutting down.");
                Some(Ending::ServerShutdown)
            }
        }
    }

    fn respond(&mut self, label: &str, status: Pop3Status, text: &str, body: Option<Vec<u8>>) {
        let response = Pop3Response {
            status,
            text: text.to_string(),
            body,
        };
        self.conn.queue(&response.to_wire());
        let code = ReplyCode::Pop3(status);
        self.skeleton.push(format!("{label} → {code}"));
        match status {
            Pop3Status::Err => self.bad += 1,
            _ => self.bad = 0,
        }
    }

    fn ok(&mut self, label: &str, text: &str) {
        self.respond(label, Pop3Status::Ok, text, None);
    }

    fn err(&mut self, label: &str, text: &str) {
        self.respond(label, Pop3Status::Err, text, None);
    }

    /// Answers `request` and tells the state machine.
    fn answer(&mut self, request: &Request, status: Pop3Status, text: &str, body: Option<Vec<u8>>) {
        self.respond(request.verb().name(), status, text, body);
        self.state.apply(request, status);
    }

    async fn command(&mut self, request: Result<Request, SyntaxError>) -> std::io::Result<Flow> {
        let request = match request {
            Ok(request) => request,
            Err(SyntaxError::Empty) => {
                self.unknown("(empty line)", "");
                return Ok(None);
            }
            Err(SyntaxError::UnknownCommand { verb }) => {
                // A line typed where PASS was due is most likely the password itself.
                let awaiting_password = matches!(
                    self.state.phase(),
                    Pop3Phase::Authorization { user: Some(_) }
                );
                self.unknown(&unknown_label(&verb, awaiting_password), &verb);
                return Ok(None);
            }
            Err(SyntaxError::Syntax {
                verb: Verb::User, ..
            }) if !self.state.is_logged_in() => {
                // pop3-login takes `USER` with no name as an empty one; PASS then fails.
                let request = Request::User {
                    name: String::new(),
                };
                self.answer(&request, Pop3Status::Ok, "", None);
                return Ok(None);
            }
            Err(SyntaxError::Syntax { verb, .. })
                if !self.state.is_logged_in() && !BEFORE_LOGIN.contains(&verb) =>
            {
                // pop3-login knows only the login commands: `RETR x` is just unknown there.
                self.unknown(verb.name(), verb.name());
                return Ok(None);
            }
            Err(SyntaxError::Syntax { verb, expected }) => {
                self.err(
                    verb.name(),
                    &format!("Invalid arguments. Usage: {expected}"),
                );
                return Ok(None);
            }
        };
        if let Err(rule) = self.state.check(&request) {
            let verb = request.verb();
            match rule {
                Pop3Rule::UserBeforePass => {
                    self.invalid_now = true;
                    self.answer(&request, Pop3Status::Err, "No username given.", None)
                }
                Pop3Rule::LoginFirst | Pop3Rule::AlreadyLoggedIn => {
                    self.unknown(verb.name(), verb.name())
                }
                Pop3Rule::SessionOver => return Ok(Some(Ending::Quit)),
            }
            return Ok(None);
        }
        let ok = Pop3Status::Ok;
        match &request {
            Request::Quit => {
                let text = self.quit();
                self.answer(&request, ok, text, None);
                return Ok(Some(Ending::Quit));
            }
            Request::Capa => {
                let body = lines_body(
                    [
                        Verb::Capa.name(),
                        Verb::Top.name(),
                        Verb::Uidl.name(),
                        "RESP-CODES",
                        "PIPELINING",
                        "AUTH-RESP-CODE",
                        Verb::User.name(),
                        "SASL PLAIN LOGIN",
                    ]
                    .map(String::from)
                    .to_vec(),
                );
                self.answer(&request, ok, "", Some(body));
            }
            Request::Noop => self.answer(&request, ok, "", None),
            Request::Stls => self.answer(
                &request,
                Pop3Status::Err,
                "TLS support isn't enabled.",
                None,
            ),
            Request::User { .. } => self.answer(&request, ok, "", None),
            Request::Pass { password } => {
                let user = match self.state.phase() {
                    Pop3Phase::Authorization { user: Some(user) } => user.clone(),
                    _ => String::new(),
                };
                let account = self.shared.check_login(&user, password);
                return Ok(self.login(&request, request.verb().name(), account).await);
            }
            Request::Apop { name, digest } => {
                let account = self.shared.account(name).and_then(|account| {
                    let expected = apop_digest(&self.timestamp, &account.password);
                    expected
                        .eq_ignore_ascii_case(digest.expose().trim())
                        .then(|| account.address.clone())
                });
                return Ok(self.login(&request, request.verb().name(), account).await);
            }
            Request::Auth {
                mechanism: None, ..
            } => {
                let body = lines_body(vec!["PLAIN".to_string(), "LOGIN".to_string()]);
                self.answer(&request, ok, "", Some(body));
            }
            Request::Auth {
                mechanism: Some(mechanism),
                initial,
            } => {
                let (mechanism, initial) = (mechanism.clone(), initial.clone());
                return self.auth(&request, mechanism, initial).await;
            }
            _ => self.transaction(&request),
        }
        Ok(None)
    }

    /// Dovecot's answer to a command it does not know in this state.
    fn unknown(&mut self, label: &str, verb: &str) {
        if self.state.is_logged_in() {
            self.err(label, &format!("Unknown command: {}", label_of(verb)));
        } else {
            self.invalid_now = true;
            self.err(label, "Unknown command.");
        }
    }

    /// Counts the invalid commands in a row before login (an unknown command, PASS without
    /// USER); at the third, says so, as Dovecot's pop3-login does before it hangs up.
    fn too_many_invalid(&mut self) -> bool {
        if !self.invalid_now {
            self.invalid_before_login = 0;
            return false;
        }
        self.invalid_before_login += 1;
        if self.invalid_before_login < MAX_INVALID_BEFORE_LOGIN {
            return false;
        }
        self.err("(error limit)", "Too many invalid bad commands.");
        true
    }

    /// Takes the mailbox after a good login, or answers the failed one.
    async fn login(&mut self, request: &Request, label: &str, account: Option<String>) -> Flow {
        let Some(user) = account else {
            let limits = &self.shared.config.limits;
            let (delay, most) = (limits.auth_failure_delay, limits.max_auth_failures);
            tokio::time::sleep(delay).await;
            self.respond(
                label,
                Pop3Status::Err,
                "[AUTH] Authentication failed.",
                None,
            );
            self.state.apply(request, Pop3Status::Err);
            self.auth_failures += 1;
            if self.auth_failures >= most {
                self.err("(login limit)", "Too many authentication failures.");
                return Some(Ending::TooManyAuthFailures);
            }
            return None;
        };
        let (status, text, flow) = match self.shared.store.lock(&user) {
            Ok(maildrop) => {
                let deleted = vec![false; maildrop.messages.len()];
                self.maildrop = Some(Held { maildrop, deleted });
                self.logged_in = Some(user);
                (Pop3Status::Ok, "Logged in.", None)
            }
            Err(LockError::InUse) => (
                Pop3Status::Err,
                "[IN-USE] Mailbox is locked by another POP3 session.",
                Some(Ending::MailboxInUse),
            ),
            Err(LockError::NoMailbox) => (
                Pop3Status::Err,
                "[SYS/PERM] No mailbox for this user.",
                None,
            ),
        };
        self.respond(label, status, text, None);
        self.state.apply(request, status);
        flow
    }

    async fn auth(
        &mut self,
        request: &Request,
        mechanism: Mechanism,
        initial: Option<Secret>,
    ) -> std::io::Result<Flow> {
        if !matches!(mechanism, Mechanism::Plain | Mechanism::Login) {
            let text = "Unsupported authentication mechanism.";
            self.answer(request, Pop3Status::Err, text, None);
            return Ok(None);
        }
        let mut label = request.verb().to_string();
        let first = match initial {
            Some(payload) => payload,
            None => {
                let prompt = match mechanism {
                    Mechanism::Login => sasl::LOGIN_USERNAME_CHALLENGE,
                    _ => "",
                };
                match self.challenge(request, &mut label, prompt).await? {
                    Ok(payload) => payload,
                    Err(flow) => return Ok(flow),
                }
            }
        };
        let credentials = if mechanism == Mechanism::Plain {
            sasl::decode_plain(&first).map(|c| (c.authcid, c.password))
        } else {
            match sasl::decode_login_username(&first) {
                Ok(user) => {
                    let prompt = sasl::LOGIN_PASSWORD_CHALLENGE;
                    let password = match self.challenge(request, &mut label, prompt).await? {
                        Ok(payload) => payload,
                        Err(flow) => return Ok(flow),
                    };
                    sasl::decode(&password).map(|password| (user, password))
                }
                Err(error) => Err(error),
            }
        };
        let account = match credentials {
            Ok((user, password)) => self.shared.check_login(&user, &password),
            Err(sasl::SaslError::InvalidBase64) => {
                let text = "Invalid base64 data in continued response.";
                self.respond(&label, Pop3Status::Err, text, None);
                self.state.apply(request, Pop3Status::Err);
                return Ok(None);
            }
            Err(_) => None,
        };
        Ok(self.login(request, &label, account).await)
    }

    /// Sends a `+ ` continuation and reads the response; `Err` when cancelled or ending.
    async fn challenge(
        &mut self,
        request: &Request,
        label: &mut String,
        prompt: &str,
    ) -> std::io::Result<Result<Secret, Flow>> {
        self.respond(label, Pop3Status::Continue, prompt, None);
        self.receiver.expect_auth_response();
        match self.next().await? {
            Next::Read(Read::Input(ClientInput::AuthResponse(payload))) => {
                *label = "auth-response".to_string();
                Ok(Ok(payload))
            }
            Next::Read(Read::Input(ClientInput::AuthCancel)) => {
                self.respond(
                    "auth-cancel",
                    Pop3Status::Err,
                    "Authentication aborted.",
                    None,
                );
                self.state.apply(request, Pop3Status::Err);
                Ok(Err(None))
            }
            other => {
                let flow = self.interrupted(other);
                self.state.apply(request, Pop3Status::Err);
                Ok(Err(flow))
            }
        }
    }

    /// The mailbox commands of the TRANSACTION state.
    fn transaction(&mut self, request: &Request) {
        let Some(Held { maildrop, deleted }) = &mut self.maildrop else {
            self.unknown(request.verb().name(), request.verb().name());
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
        let messages = &maildrop.messages;
        let reply: Result<(String, Option<Vec<u8>>), Missing> = match *request {
            Request::Stat => {
                let (count, size) = totals(messages, deleted);
                Ok((format!("{count} {size}"), None))
            }
            Request::List { msg: None } => {
                let (count, _) = totals(messages, deleted);
                let lines = listing(messages, deleted, |m| m.message.len().to_string());
                Ok((format!("{count} messages:"), Some(lines_body(lines))))
            }
            Request::List { msg: Some(n) } => {
                live(n).map(|i| (format!("{n} {}", messages[i].message.len()), None))
            }
            Request::Uidl { msg: None } => {
                let lines = listing(messages, deleted, |m| m.uid.clone());
                Ok((String::new(), Some(lines_body(lines))))
            }
            Request::Uidl { msg: Some(n) } => {
                live(n).map(|i| (format!("{n} {}", messages[i].uid), None))
            }
            Request::Retr { msg } => live(msg).map(|i| {
                let message = &messages[i].message;
                (format!("{} octets", message.len()), Some(message.to_vec()))
            }),
            Request::Top { msg, lines } => live(msg).map(|i| {
                let whole = messages[i].message.to_vec();
                let top = top_of(&whole, lines as usize);
                (String::new(), Some(top.to_vec()))
            }),
            Request::Dele { msg } => live(msg).map(|i| {
                deleted[i] = true;
                ("Marked to be deleted.".to_string(), None)
            }),
            Request::Rset => {
                deleted.iter_mut().for_each(|d| *d = false);
                Ok((String::new(), None))
            }
            _ => {
                self.unknown(request.verb().name(), request.verb().name());
                return;
            }
        };
        match reply {
            Ok((text, body)) => self.answer(request, Pop3Status::Ok, &text, body),
            Err(Missing::NoSuch(n)) => {
                let text = format!("There's no message {n}.");
                self.answer(request, Pop3Status::Err, &text, None)
            }
            Err(Missing::Deleted) => {
                self.answer(request, Pop3Status::Err, "Message is deleted.", None)
            }
        }
    }

    /// QUIT: in TRANSACTION, the UPDATE state removes what was marked.
    fn quit(&mut self) -> &'static str {
        match self.maildrop.take() {
            Some(Held { maildrop, deleted }) if deleted.contains(&true) => {
                maildrop.commit(&deleted);
                "Logging out, messages deleted."
            }
            _ => "Logging out.",
        }
    }
}

/// Lines as a CRLF-ended multi-line body.
fn lines_body(lines: Vec<String>) -> Vec<u8> {
    let mut body = Vec::new();
    for line in lines {
        body.extend_from_slice(line.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body
}

fn totals(messages: &[Arc<StoredMessage>], deleted: &[bool]) -> (usize, usize) {
    messages
        .iter()
        .zip(deleted)
        .filter(|(_, d)| !**d)
        .fold((0, 0), |(n, size), (m, _)| (n + 1, size + m.message.len()))
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

/// RFC 1939 §7: hex MD5 of the greeting's timestamp followed by the password.
fn apop_digest(timestamp: &str, password: &Secret) -> String {
    let digest = Md5::new()
        .chain_update(timestamp.as_bytes())
        .chain_update(password.expose().as_bytes())
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
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
    fn apop_digest_matches_rfc_1939() {
        let digest = apop_digest(
            "<1896.697170952@dbc.mtview.ca.us>",
            &Secret::new("tanstaaf"),
        );
        assert_eq!(digest, "c4c9334bac560ecc979e58001b3e22fb");
    }
}
