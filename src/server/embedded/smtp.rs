//! One SMTP session (RFC 5321 with AUTH, PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES),
//! answering like the reference Postfix 3.7 wherever the lab looks. Input is framed and
//! parsed by `protocol::smtp::ServerReceiver`, command order is `protocol::smtp::SmtpState`'s
//! call, credentials are decoded by `protocol::sasl`; this file picks the replies and
//! delivers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::io::{AsyncRead, AsyncWrite};

use super::connection::{Connection, Read};
use super::listener::Shutdown;
use super::shared::{unknown_label, Ending, SessionRecord, Shared};
use super::skeleton::Skeleton;
use super::store::{crlf_lines, Delivery};
use super::trace::{trace_headers, Envelope, Via};
use crate::protocol::sasl::{self, Mechanism};
use crate::protocol::smtp::{
    self, parse_mail_param, parse_rcpt_param, ClientInput, Hello, MailParam, ParamError, RcptParam,
    Request, ServerReceiver, SmtpReply, SmtpState, SyntaxError,
};
use crate::protocol::Verb;
use crate::server::ServerError;
use crate::session::ReplyLines;
use crate::session::{Protocol, Secret, SmtpCode};

/// How far past the line limit a client may keep sending before the session is cut off.
const MAX_PENDING_COMMAND: usize = 1 << 20;

pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    conn: Connection<S>,
    peer: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Shutdown,
) -> SessionRecord {
    let limits = smtp::Limits {
        max_line_len: shared.config.limits.max_line,
        max_message_size: shared.config.limits.max_message as u64,
    };
    let mut session = Session {
        conn,
        receiver: ServerReceiver::new(limits),
        peer,
        shared,
        shutdown,
        state: SmtpState::new(),
        helo: None,
        user: None,
        from: None,
        rcpts: Vec::new(),
        errors: 0,
        junk: 0,
        skeleton: Skeleton::default(),
    };
    let ending = match session.run().await {
        Ok(ending) => ending,
        Err(_) => Ending::Io,
    };
    let _ = session.conn.close().await;
    SessionRecord {
        protocol: Protocol::Smtp,
        peer,
        user: session.user,
        skeleton: session.skeleton,
        ending,
    }
}

struct Session<S> {
    conn: Connection<S>,
    receiver: ServerReceiver,
    peer: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Shutdown,
    state: SmtpState,
    helo: Option<String>,
    /// The authenticated account.
    user: Option<String>,
    /// The envelope: reverse path (`""` for `<>`) and accepted recipients with the mailbox
    /// each goes to. Whether a transaction is open is the state machine's to say.
    from: Option<String>,
    rcpts: Vec<(String, String)>,
    errors: u32,
    /// NOOP, VRFY, RSET since the last delivery (Postfix's junk commands).
    junk: u32,
    skeleton: Skeleton,
}

enum Next {
    Read(Read<ClientInput>),
    Shutdown,
}

type Flow = Option<Ending>;

impl<S: AsyncRead + AsyncWrite + Unpin> Session<S> {
    async fn run(&mut self) -> std::io::Result<Ending> {
        let greeting = format!("{} ESMTP mailgrade (lab)", self.shared.hostname);
        self.reply("greeting", 220, &greeting);
        loop {
            if self.errors >= self.shared.config.limits.max_errors {
                let text = format!("4.7.0 {} Error: too many errors", self.shared.hostname);
                self.reply("(error limit)", 421, &text);
                return Ok(Ending::TooManyErrors);
            }
            let errors_before = self.errors;
            let flow = match self.next(MAX_PENDING_COMMAND).await? {
                Next::Read(Read::Input(ClientInput::Request { request })) => {
                    self.command(request).await?
                }
                other => self.interrupted(other),
            };
            if let Some(ending) = flow {
                return Ok(ending);
            }
            let limits = &self.shared.config.limits;
            if self.errors > errors_before && self.errors > limits.soft_error_limit {
                // Postfix's tarpit: past the soft limit each error is answered late.
                tokio::time::sleep(limits.error_sleep).await;
            }
        }
    }

    /// A junk command was answered: past the limit it counts as an error, as in Postfix.
    fn junk(&mut self) {
        self.junk += 1;
        if self.junk > self.shared.config.limits.max_junk_commands {
            self.errors += 1;
        }
    }

    /// Reads the next input unless the server is shutting down.
    async fn next(&mut self, max_pending: usize) -> std::io::Result<Next> {
        let (conn, receiver, shutdown) = (&mut self.conn, &mut self.receiver, &mut self.shutdown);
        let ingest = |input: &mut &[u8]| match receiver.ingest(input) {
            ClientInput::NeedsMoreData => None,
            other => Some(other),
        };
        tokio::select! {
            biased;
            _ = shutdown.recv() => Ok(Next::Shutdown),
            read = conn.next(max_pending, ingest) => read.map(Next::Read),
        }
    }

    /// Answers what is not the input expected now: a line too long, an endless line, a
    /// timeout, a close, a shutdown. `None`: the session goes on.
    fn interrupted(&mut self, next: Next) -> Flow {
        let host = self.shared.hostname.clone();
        match next {
            Next::Read(Read::Input(ClientInput::LineTooLong { .. })) => {
                self.reply("(line too long)", 500, "5.5.0 Error: line too long");
                None
            }
            Next::Read(Read::Input(_)) => {
                // The receiver only yields what the phase expects; anything else would be
                // a bug, answered rather than ignored.
                self.reply("(unexpected)", 451, "4.3.0 Error: internal error");
                None
            }
            Next::Read(Read::Flood) => {
                let text = format!("4.7.0 {host} Error: line too long, closing connection");
                self.reply("(endless line)", 421, &text);
                Some(Ending::LineTooLong)
            }
            Next::Read(Read::TimedOut) => {
                let text = format!("4.4.2 {host} Error: timeout exceeded");
                self.reply("(idle)", 421, &text);
                Some(Ending::IdleTimeout)
            }
            Next::Read(Read::Closed) => Some(Ending::ClientClosed),
            Next::Shutdown => {
                let text = format!("4.3.2 {host} Error: server shutting down");
                self.reply("(shutdown)", 421, &text);
                Some(Ending::ServerShutdown)
            }
        }
    }

    /// Queues a one-line reply and notes it in the skeleton. 4xx/5xx count towards the
    /// error limit, as Postfix counts them.
    fn reply(&mut self, label: &str, code: u16, text: &str) {
        self.reply_lines(label, code, ReplyLines::one(text.to_string()));
    }

    fn reply_lines(&mut self, label: &str, code: u16, lines: ReplyLines) {
        let Some(code) = SmtpCode::new(code) else {
            return;
        };
        self.conn
            .queue(SmtpReply { code, lines }.to_wire().as_bytes());
        self.skeleton.push(format!("{label} → {code}"));
        if code.value() >= 400 {
            self.errors += 1;
        }
    }

    /// Replies to `request` and tells the state machine how it was answered.
    fn answer(&mut self, request: &Request, code: u16, text: &str) {
        self.reply(request.verb().name(), code, text);
        self.note(request, code);
    }

    fn note(&mut self, request: &Request, code: u16) {
        if let Some(code) = SmtpCode::new(code) {
            self.state.apply(request, code);
        }
    }

    async fn command(&mut self, request: Result<Request, SyntaxError>) -> std::io::Result<Flow> {
        let request = match request {
            Ok(request) => request,
            Err(error) => return Ok(self.syntax_error(error)),
        };
        if let Err(rule) = self.state.check(&request) {
            let text = format!("5.5.1 Error: {}", rule.message());
            self.answer(&request, rule.reply().value(), &text);
            return Ok(None);
        }
        match &request {
            Request::Helo { domain } | Request::Ehlo { domain } => {
                self.reset_envelope();
                self.helo = Some(domain.clone());
                if matches!(request, Request::Helo { .. }) {
                    let host = self.shared.hostname.clone();
                    self.answer(&request, 250, &host);
                } else {
                    let lines = self.ehlo_lines();
                    self.reply_lines(request.verb().name(), 250, lines);
                    self.note(&request, 250);
                }
            }
            Request::Mail { from, params } => {
                let (code, text) = self.mail(from, params);
                self.answer(&request, code, &text);
            }
            Request::Rcpt { to, params } => {
                let (code, text) = self.rcpt(to, params);
                self.answer(&request, code, &text);
            }
            Request::Data => return self.data(&request).await,
            Request::Rset => {
                self.reset_envelope();
                self.answer(&request, 250, "2.0.0 Ok");
                self.junk();
            }
            Request::Noop => {
                self.answer(&request, 250, "2.0.0 Ok");
                self.junk();
            }
            Request::Vrfy { arg } => {
                // Postfix with VRFY on and no verification: 252, the argument echoed.
                self.answer(&request, 252, &format!("2.0.0 {arg}"));
                self.junk();
            }
            Request::Expn { .. } | Request::Help { .. } => {
                // Postfix knows neither; the reference answers HELP with 500.
                self.answer(&request, 500, "5.5.2 Error: command not recognized");
            }
            Request::StartTls | Request::Bdat { .. } => {
                self.answer(&request, 502, "5.5.1 Error: command not implemented");
            }
            Request::Quit => {
                self.answer(&request, 221, "2.0.0 Bye");
                return Ok(Some(Ending::Quit));
            }
            Request::Auth { mechanism, initial } => {
                let (mechanism, initial) = (mechanism.clone(), initial.clone());
                return self.auth(&request, mechanism, initial).await;
            }
        }
        Ok(None)
    }

    /// Postfix's answers to lines that are not commands.
    fn syntax_error(&mut self, error: SyntaxError) -> Flow {
        match error {
            SyntaxError::Empty => self.reply("(empty line)", 500, "5.5.2 Error: bad syntax"),
            SyntaxError::UnknownCommand { verb } if is_forbidden(&verb) => {
                // A header or an HTTP request typed as a command: Postfix hangs up.
                let text = "2.7.0 Error: I can break rules, too. Goodbye.";
                self.reply(&unknown_label(&verb, false), 221, text);
                return Some(Ending::ForbiddenCommand);
            }
            SyntaxError::UnknownCommand { verb } => self.reply(
                &unknown_label(&verb, false),
                500,
                "5.5.2 Error: command not recognized",
            ),
            SyntaxError::Syntax { verb, .. } => self.reply(verb.name(), 501, &syntax_reply(verb)),
            SyntaxError::Address { verb, .. } => {
                let text = if verb == Verb::Mail {
                    "5.1.7 Bad sender address syntax"
                } else {
                    "5.1.3 Bad recipient address syntax"
                };
                self.reply(verb.name(), 501, text);
            }
        }
        None
    }

    fn ehlo_lines(&self) -> ReplyLines {
        [
            self.shared.hostname.clone(),
            "PIPELINING".to_string(),
            format!("SIZE {}", self.shared.config.limits.max_message),
            Verb::Vrfy.to_string(),
            "AUTH PLAIN LOGIN".to_string(),
            "AUTH=PLAIN LOGIN".to_string(),
            "ENHANCEDSTATUSCODES".to_string(),
            "8BITMIME".to_string(),
            "DSN".to_string(),
        ]
        .into_iter()
        .collect()
    }

    fn reset_envelope(&mut self) {
        self.from = None;
        self.rcpts.clear();
    }

    fn mail(&mut self, from: &str, params: &[String]) -> (u16, String) {
        let mut declared = 0;
        for param in params {
            match parse_mail_param(param) {
                Ok(MailParam::Size(size))
                    if size > self.shared.config.limits.max_message as u64 =>
                {
                    return (552, "5.3.4 Message size exceeds fixed limit".to_string());
                }
                Ok(MailParam::Size(size)) => declared = size as usize,
                // DSN (RFC 3461) and AUTH= are accepted like Postfix does.
                Ok(
                    MailParam::Body(_)
                    | MailParam::Ret(_)
                    | MailParam::EnvId(_)
                    | MailParam::Auth(_)
                    | MailParam::SmtpUtf8,
                ) => {}
                Ok(MailParam::Unknown(_)) => {
                    return (555, format!("5.5.4 Unsupported option: {param}"));
                }
                Err(ParamError { keyword }) => {
                    let text = match keyword.as_str() {
                        "SIZE" => "5.5.4 Bad message size syntax",
                        "BODY" => "5.5.4 Unsupported BODY parameter",
                        "RET" => "5.5.4 Bad RET parameter syntax",
                        _ => "5.5.4 Bad ENVID parameter syntax",
                    };
                    return (501, text.to_string());
                }
            }
        }
        // Postfix refuses MAIL while its queue has less room than a message may need
        // (`queue_minfree`); here the room is the store's.
        let free = self.shared.store.free();
        if free < self.shared.config.limits.max_message.max(declared) {
            return (452, INSUFFICIENT_STORAGE.to_string());
        }
        let from = if from.is_empty() {
            String::new()
        } else {
            self.shared.config.qualify(from)
        };
        self.from = Some(from);
        self.rcpts.clear();
        (250, "2.1.0 Ok".to_string())
    }

    fn rcpt(&mut self, to: &str, params: &[String]) -> (u16, String) {
        if to.is_empty() {
            return (501, "5.1.3 Bad recipient address syntax".to_string());
        }
        let address = self.shared.config.qualify(to);
        for param in params {
            if let Some(reply) = rcpt_param_error(param) {
                return reply;
            }
        }
        if self.rcpts.len() >= self.shared.config.limits.max_recipients {
            return (452, "4.5.3 Error: too many recipients".to_string());
        }
        let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
        if !self.shared.is_local_domain(domain) {
            return (554, format!("5.7.1 <{address}>: Relay access denied"));
        }
        if self.shared.config.require_auth && !self.state.is_authenticated() {
            let text = format!("5.7.1 <{address}>: Recipient address rejected: Access denied");
            return (554, text);
        }
        let Some(mailbox) = self.shared.mailbox_for(&address) else {
            let text = format!(
                "5.1.1 <{address}>: Recipient address rejected: \
                 User unknown in virtual mailbox table"
            );
            return (550, text);
        };
        if !self.rcpts.iter().any(|(a, _)| *a == address) {
            self.rcpts.push((address, mailbox));
        }
        (250, "2.1.5 Ok".to_string())
    }

    async fn data(&mut self, request: &Request) -> std::io::Result<Flow> {
        self.answer(request, 354, "End data with <CR><LF>.<CR><LF>");
        self.receiver.expect_message();
        // Past the size limit the body is skipped, not kept; a client that goes on for as
        // much again is cut off.
        let max_pending = self.shared.config.limits.max_message.saturating_mul(2);
        let input = self.next(max_pending).await?;
        let rcpts = std::mem::take(&mut self.rcpts);
        let from = self.from.take().unwrap_or_default();
        let body = match input {
            Next::Read(Read::Input(ClientInput::Message(body))) => body,
            Next::Read(Read::Input(ClientInput::MessageTooBig { .. })) => {
                self.reply("message", 552, "5.3.4 Error: message file too big");
                self.state.apply_message(code(552));
                return Ok(None);
            }
            Next::Read(Read::Flood) => {
                self.reply("message", 552, "5.3.4 Error: message file too big");
                return Ok(Some(Ending::MessageTooLarge));
            }
            other => return Ok(self.interrupted(other)),
        };
        let queue_id = self.shared.next_queue_id();
        let via = match (self.state.hello(), self.state.is_authenticated()) {
            (Some(Hello::Ehlo), true) => Via::Esmtpa,
            (Some(Hello::Ehlo), false) => Via::Esmtp,
            _ => Via::Smtp,
        };
        let envelope = Envelope {
            from: &from,
            helo: self.helo.as_deref(),
            peer: self.peer.ip(),
            hostname: &self.shared.hostname,
            via,
            queue_id: &queue_id,
        };
        let now = SystemTime::now();
        // The body is stored once; each recipient gets only its own trace headers.
        let heads = rcpts
            .iter()
            .map(|(address, mailbox)| {
                let head = trace_headers(&envelope, address, now).into_bytes();
                (mailbox.clone(), head)
            })
            .collect();
        let delivery = Delivery {
            body: crlf_lines(&body),
            heads,
        };
        drop(body);
        let (code_value, text) = match self.shared.store.deliver(vec![delivery]) {
            Ok(()) => {
                self.junk = 0;
                (250, format!("2.0.0 Ok: queued as {queue_id}"))
            }
            Err(ServerError::StoreFull { .. }) => (452, INSUFFICIENT_STORAGE.to_string()),
            Err(_) => (451, "4.3.0 Error: queue file write error".to_string()),
        };
        self.reply("message", code_value, &text);
        self.state.apply_message(code(code_value));
        Ok(None)
    }

    async fn auth(
        &mut self,
        request: &Request,
        mechanism: Mechanism,
        initial: Option<Secret>,
    ) -> std::io::Result<Flow> {
        if !matches!(mechanism, Mechanism::Plain | Mechanism::Login) {
            let text = "5.7.8 Error: authentication failed: Invalid authentication mechanism";
            self.answer(request, 535, text);
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
            sasl::decode_plain(&first).map(|c| Some((c.authcid, c.password)))
        } else {
            match sasl::decode_login_username(&first) {
                Ok(user) => {
                    let prompt = sasl::LOGIN_PASSWORD_CHALLENGE;
                    let password = match self.challenge(request, &mut label, prompt).await? {
                        Ok(payload) => payload,
                        Err(flow) => return Ok(flow),
                    };
                    sasl::decode(&password).map(|password| Some((user, password)))
                }
                Err(error) => Err(error),
            }
        };
        let account = match credentials {
            Ok(credentials) => {
                credentials.and_then(|(user, password)| self.shared.check_login(&user, &password))
            }
            Err(sasl::SaslError::InvalidBase64) => {
                let text =
                    "5.7.8 Error: authentication failed: Invalid base64 data in continued response";
                self.reply(&label, 535, text);
                self.note(request, 535);
                return Ok(None);
            }
            Err(_) => None,
        };
        match account {
            Some(user) => {
                self.user = Some(user);
                self.reply(&label, 235, "2.7.0 Authentication successful");
                self.note(request, 235);
            }
            None => {
                tokio::time::sleep(self.shared.config.limits.auth_failure_delay).await;
                let text = "5.7.8 Error: authentication failed: (reason unavailable)";
                self.reply(&label, 535, text);
                self.note(request, 535);
            }
        }
        Ok(None)
    }

    /// Sends a `334` challenge and reads the client's response. `Err` when the client
    /// cancelled (already answered) or the session is ending.
    async fn challenge(
        &mut self,
        request: &Request,
        label: &mut String,
        prompt: &str,
    ) -> std::io::Result<Result<Secret, Flow>> {
        self.reply(label, 334, prompt);
        self.receiver.expect_auth_response();
        match self.next(MAX_PENDING_COMMAND).await? {
            Next::Read(Read::Input(ClientInput::AuthResponse(payload))) => {
                *label = "auth-response".to_string();
                Ok(Ok(payload))
            }
            Next::Read(Read::Input(ClientInput::AuthCancel)) => {
                self.reply("auth-cancel", 501, "5.7.0 Authentication aborted");
                self.note(request, 501);
                Ok(Err(None))
            }
            other => {
                let flow = self.interrupted(other);
                self.note(request, 501);
                Ok(Err(flow))
            }
        }
    }
}

/// Postfix's answer when its queue file system is short of space.
const INSUFFICIENT_STORAGE: &str = "4.3.1 Insufficient system storage";

fn code(value: u16) -> SmtpCode {
    SmtpCode::new(value).unwrap_or_else(|| unreachable!("{value} is a valid reply code"))
}

/// A mail header (`Subject:`), an HTTP request line or anything not starting with a letter
/// (a stray `.`, binary junk) sent as a command: Postfix hangs up. Postfix 3.7's default
/// `smtpd_forbidden_commands` is `CONNECT GET POST regexp:{{/^[^A-Z]/ Bogus}}`.
fn is_forbidden(verb: &str) -> bool {
    // Postfix reads a command line only up to its first NUL: `\0\0` is an empty line (500).
    let verb = verb.split('\0').next().unwrap_or("");
    let header_name = verb.strip_suffix(':').is_some_and(|name| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
    });
    let not_a_word = verb
        .chars()
        .next()
        .is_some_and(|c| !c.is_ascii_alphabetic());
    header_name
        || not_a_word
        || ["CONNECT", "GET", "POST"]
            .iter()
            .any(|v| v.eq_ignore_ascii_case(verb))
}

/// Postfix's answer to a RCPT parameter it refuses: the DSN ones (RFC 3461) are accepted.
fn rcpt_param_error(param: &str) -> Option<(u16, String)> {
    match parse_rcpt_param(param) {
        Ok(RcptParam::Notify(_) | RcptParam::Orcpt { .. }) => None,
        Ok(RcptParam::Unknown(_)) => Some((555, format!("5.5.4 Unsupported option: {param}"))),
        Err(ParamError { keyword }) => {
            Some((501, format!("5.5.4 Error: Bad {keyword} parameter syntax")))
        }
    }
}

/// Postfix's 501 text for a command whose arguments do not parse.
fn syntax_reply(verb: Verb) -> String {
    match verb {
        Verb::Helo | Verb::Ehlo => format!("Syntax: {verb} hostname"),
        Verb::Mail => format!("5.5.4 Syntax: {verb} FROM:<address>"),
        Verb::Rcpt => format!("5.5.4 Syntax: {verb} TO:<address>"),
        Verb::Auth => format!("5.5.4 Syntax: {verb} mechanism"),
        Verb::Vrfy => format!("5.5.4 Syntax: {verb} address"),
        other => format!("5.5.4 Syntax: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::shared::label_of;
    use super::*;

    #[test]
    fn headers_and_http_are_forbidden_commands() {
        let cases = [
            ("Subject:", true),
            ("X-Mailer:", true),
            ("GET", true),
            ("post", true),
            (":", true),
            (".", true),
            ("1234", true),
            ("\u{e9}t\u{e9}", true),
            ("\u{fffd}Zfp", true),
            ("\0\0\0", false),
            ("GET\0x", true),
            ("FOO", false),
            ("MAIL", false),
        ];
        for (verb, expected) in cases {
            assert_eq!(is_forbidden(verb), expected, "{verb}");
        }
    }

    #[test]
    fn dsn_rcpt_parameters_are_accepted_others_refused() {
        let cases = [
            ("NOTIFY=NEVER", None),
            ("notify=success,failure,delay", None),
            ("ORCPT=rfc822;b@lab.test", None),
            ("NOTIFY=NEVER,DELAY", Some(501)),
            ("NOTIFY=", Some(501)),
            ("ORCPT=b@lab.test", Some(501)),
            ("ORCPT=;b@lab.test", Some(501)),
            ("XFOO=1", Some(555)),
            ("SIZE=10", Some(555)),
        ];
        for (param, code) in cases {
            assert_eq!(rcpt_param_error(param).map(|(c, _)| c), code, "{param}");
        }
    }

    #[test]
    fn labels_of_known_verbs_never_carry_arguments() {
        let cases = [
            ("auth plain AHN0dWRlbnQAc2VjcmV0", "AUTH"),
            ("", "(empty line)"),
            ("   ", "(empty line)"),
            ("Subject: hi", "SUBJECT:"),
        ];
        for (line, expected) in cases {
            assert_eq!(label_of(line), expected);
        }
    }
}
