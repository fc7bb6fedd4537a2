//! One SMTP session (RFC 5321 with AUTH, PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES),
//! answering like the reference Postfix 3.7 wherever the lab looks. Commands are parsed and
//! ordered by `protocol::smtp`; this file decides the replies and delivers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use tokio::io::{AsyncRead, AsyncWrite};

use super::connection::{Connection, Input};
use super::listener::Shutdown;
use super::sasl::{self, Mechanism};
use super::shared::{Ending, SessionRecord, Shared};
use super::trace::{trace_headers, Envelope, Via};
use crate::protocol::smtp::{parse_request, Request, Rule, SmtpState, SyntaxError};
use crate::session::{Protocol, Secret, SmtpCode};

/// How far past a limit a client may keep sending before the session is cut off.
const MAX_SKIP_COMMAND: usize = 1 << 20;

pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    conn: Connection<S>,
    peer: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Shutdown,
) -> SessionRecord {
    let mut session = Session {
        conn,
        peer,
        shared,
        shutdown,
        state: SmtpState::default(),
        helo: None,
        esmtp: false,
        user: None,
        from: None,
        rcpts: Vec::new(),
        errors: 0,
        skeleton: Vec::new(),
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
    peer: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Shutdown,
    state: SmtpState,
    helo: Option<String>,
    esmtp: bool,
    /// The authenticated account.
    user: Option<String>,
    /// The transaction: reverse path (`""` for `<>`) and accepted recipients with the
    /// mailbox each goes to.
    from: Option<String>,
    rcpts: Vec<(String, String)>,
    errors: u32,
    skeleton: Vec<String>,
}

enum Next {
    Input(Input),
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
                self.reply("error-limit", 421, &text);
                return Ok(Ending::TooManyErrors);
            }
            let max = self.shared.config.limits.max_line;
            let line = match self.next(max, MAX_SKIP_COMMAND).await? {
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

    /// Reads the next line unless the server is shutting down.
    async fn next(&mut self, max: usize, max_skip: usize) -> std::io::Result<Next> {
        let (conn, shutdown) = (&mut self.conn, &mut self.shutdown);
        tokio::select! {
            biased;
            _ = shutdown.recv() => Ok(Next::Shutdown),
            input = conn.read_line(max, max_skip) => input.map(Next::Input),
        }
    }

    /// Answers anything but a line: too long, flood, timeout, close, shutdown. `None`: go on.
    fn interrupted(&mut self, next: Next) -> Flow {
        let host = self.shared.hostname.clone();
        match next {
            Next::Input(Input::Line(_)) => None,
            Next::Input(Input::TooLong) => {
                self.reply("(line too long)", 500, "5.5.0 Error: line too long");
                None
            }
            Next::Input(Input::Flood) => {
                let text = format!("4.7.0 {host} Error: line too long, closing connection");
                self.reply("(endless line)", 421, &text);
                Some(Ending::LineTooLong)
            }
            Next::Input(Input::TimedOut) => {
                let text = format!("4.4.2 {host} Error: timeout exceeded");
                self.reply("(idle)", 421, &text);
                Some(Ending::IdleTimeout)
            }
            Next::Input(Input::Closed) => Some(Ending::ClientClosed),
            Next::Shutdown => {
                let text = format!("4.3.2 {host} Error: server shutting down");
                self.reply("(shutdown)", 421, &text);
                Some(Ending::ServerShutdown)
            }
        }
    }

    /// Queues a one-line reply and notes it in the skeleton. 4xx/5xx count as errors
    /// towards the error limit, as Postfix counts them.
    fn reply(&mut self, label: &str, code: u16, text: &str) {
        self.reply_lines(label, code, &[text.to_string()]);
    }

    fn reply_lines(&mut self, label: &str, code: u16, lines: &[String]) {
        for (i, line) in lines.iter().enumerate() {
            let sep = if i + 1 == lines.len() { ' ' } else { '-' };
            self.conn.queue_line(&format!("{code}{sep}{line}"));
        }
        self.skeleton.push(format!("{label} → {code}"));
        if code >= 400 {
            self.errors += 1;
        }
    }

    /// Replies to `request` and tells the state machine how it was answered.
    fn answer(&mut self, request: &Request, label: &str, code: u16, text: &str) {
        self.reply(label, code, text);
        self.note(request, code);
    }

    fn note(&mut self, request: &Request, code: u16) {
        if let Some(code) = SmtpCode::new(code) {
            self.state.apply(request, code);
        }
    }

    async fn command(&mut self, line: &[u8]) -> std::io::Result<Flow> {
        let text = String::from_utf8_lossy(line);
        let label = label_of(&text);
        if text.trim().is_empty() {
            self.reply(&label, 500, "5.5.2 Error: bad syntax");
            return Ok(None);
        }
        match parse_request(&text) {
            Ok(request) => self.request(request, &label).await,
            Err(SyntaxError::UnknownCommand { verb }) if is_forbidden(&verb) => {
                // Postfix's answer to a header or an HTTP request typed as a command.
                self.reply(&label, 221, "2.7.0 Error: I can break rules, too. Goodbye.");
                Ok(Some(Ending::ForbiddenCommand))
            }
            Err(SyntaxError::UnknownCommand { .. }) => {
                self.reply(&label, 500, "5.5.2 Error: command not recognized");
                Ok(None)
            }
            Err(SyntaxError::Syntax { verb, .. }) => {
                let text = syntax_reply(verb);
                self.reply(&label, 501, &text);
                Ok(None)
            }
        }
    }

    async fn request(&mut self, request: Request, label: &str) -> std::io::Result<Flow> {
        if let Err(rule) = self.state.check(&request) {
            // Postfix does not require HELO (`smtpd_helo_required = no`); neither do we.
            if rule != Rule::HelloFirst {
                let (code, text) = self.rule_reply(rule);
                self.answer(&request, label, code, text);
                return Ok(None);
            }
        }
        match &request {
            Request::Helo { domain } | Request::Ehlo { domain } if domain.trim().is_empty() => {
                let verb = if matches!(request, Request::Helo { .. }) { "HELO" } else { "EHLO" };
                self.answer(&request, label, 501, &format!("Syntax: {verb} hostname"));
            }
            Request::Helo { domain } => {
                self.reset_transaction();
                self.helo = Some(domain.trim().to_string());
                self.esmtp = false;
                let host = self.shared.hostname.clone();
                self.answer(&request, label, 250, &host);
            }
            Request::Ehlo { domain } => {
                self.reset_transaction();
                self.helo = Some(domain.trim().to_string());
                self.esmtp = true;
                let lines = self.ehlo_lines();
                self.reply_lines(label, 250, &lines);
                self.note(&request, 250);
            }
            Request::Mail { from, params } => {
                let (code, text) = self.mail(from, params);
                self.answer(&request, label, code, &text);
            }
            Request::Rcpt { to, params } => {
                let (code, text) = self.rcpt(to, params);
                self.answer(&request, label, code, &text);
            }
            Request::Data => return self.data(&request, label).await,
            Request::Rset => {
                self.reset_transaction();
                self.answer(&request, label, 250, "2.0.0 Ok");
            }
            Request::Noop => self.answer(&request, label, 250, "2.0.0 Ok"),
            Request::Vrfy { arg } => {
                // Postfix with `disable_vrfy_command = no` and no verification: 252, echoed.
                let text = format!("2.0.0 {}", arg.trim());
                self.answer(&request, label, 252, &text);
            }
            Request::Expn { .. } | Request::Help { .. } => {
                // Postfix knows neither; the reference answers HELP with 500.
                self.answer(&request, label, 500, "5.5.2 Error: command not recognized");
            }
            Request::StartTls | Request::Bdat { .. } => {
                self.answer(&request, label, 502, "5.5.1 Error: command not implemented");
            }
            Request::Quit => {
                self.answer(&request, label, 221, "2.0.0 Bye");
                return Ok(Some(Ending::Quit));
            }
            Request::Auth { mechanism, initial } => {
                let (mechanism, initial) = (mechanism.clone(), initial.clone());
                return self.auth(&request, label, &mechanism, initial).await;
            }
        }
        Ok(None)
    }

    fn rule_reply(&self, rule: Rule) -> (u16, &'static str) {
        match rule {
            Rule::MailBeforeRcpt => (503, "5.5.1 Error: need MAIL command"),
            Rule::RcptBeforeData if self.from.is_some() => {
                (554, "5.5.1 Error: no valid recipients")
            }
            Rule::RcptBeforeData => (503, "5.5.1 Error: need RCPT command"),
            Rule::NestedMail => (503, "5.5.1 Error: nested MAIL command"),
            Rule::AuthNotNow if self.user.is_some() => {
                (503, "5.5.1 Error: already authenticated")
            }
            Rule::AuthNotNow => (503, "5.5.1 Error: MAIL transaction in progress"),
            Rule::HelloFirst => (503, "5.5.1 Error: send HELO/EHLO first"),
        }
    }

    fn ehlo_lines(&self) -> Vec<String> {
        vec![
            self.shared.hostname.clone(),
            "PIPELINING".to_string(),
            format!("SIZE {}", self.shared.config.limits.max_message),
            "VRFY".to_string(),
            "AUTH PLAIN LOGIN".to_string(),
            "AUTH=PLAIN LOGIN".to_string(),
            "ENHANCEDSTATUSCODES".to_string(),
            "8BITMIME".to_string(),
        ]
    }

    fn reset_transaction(&mut self) {
        self.from = None;
        self.rcpts.clear();
    }

    fn mail(&mut self, from: &str, params: &[String]) -> (u16, String) {
        if self.from.is_some() {
            return (503, "5.5.1 Error: nested MAIL command".to_string());
        }
        let Some(address) = bare_address(from) else {
            return (501, "5.1.7 Bad sender address syntax".to_string());
        };
        for param in params {
            let (key, value) = param.split_once('=').unwrap_or((param.as_str(), ""));
            if key.eq_ignore_ascii_case("SIZE") {
                match value.parse::<u64>() {
                    Ok(size) if size > self.shared.config.limits.max_message as u64 => {
                        return (552, "5.3.4 Message size exceeds fixed limit".to_string());
                    }
                    Ok(_) => {}
                    Err(_) => return (501, "5.5.4 Bad message size syntax".to_string()),
                }
            } else if key.eq_ignore_ascii_case("BODY") {
                if !value.eq_ignore_ascii_case("7BIT") && !value.eq_ignore_ascii_case("8BITMIME") {
                    return (501, "5.5.4 Unsupported BODY parameter".to_string());
                }
            } else if !key.eq_ignore_ascii_case("AUTH") {
                return (555, format!("5.5.4 Unsupported option: {param}"));
            }
        }
        let address = if address.is_empty() {
            address
        } else {
            self.shared.config.qualify(&address)
        };
        self.from = Some(address);
        (250, "2.1.0 Ok".to_string())
    }

    fn rcpt(&mut self, to: &str, params: &[String]) -> (u16, String) {
        if self.from.is_none() {
            return (503, "5.5.1 Error: need MAIL command".to_string());
        }
        let address = match bare_address(to) {
            Some(address) if !address.is_empty() => self.shared.config.qualify(&address),
            _ => return (501, "5.1.3 Bad recipient address syntax".to_string()),
        };
        if let Some(param) = params.first() {
            return (555, format!("5.5.4 Unsupported option: {param}"));
        }
        if self.rcpts.len() >= self.shared.config.limits.max_recipients {
            return (452, "4.5.3 Error: too many recipients".to_string());
        }
        let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
        if !self.shared.is_local_domain(domain) {
            return (554, format!("5.7.1 <{address}>: Relay access denied"));
        }
        if self.shared.config.require_auth && self.user.is_none() {
            return (554, format!("5.7.1 <{address}>: Recipient address rejected: Access denied"));
        }
        let Some(mailbox) = self.shared.mailbox_for(&address) else {
            return (
                550,
                format!("5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"),
            );
        };
        if !self.rcpts.iter().any(|(a, _)| *a == address) {
            self.rcpts.push((address, mailbox));
        }
        (250, "2.1.5 Ok".to_string())
    }

    async fn data(&mut self, request: &Request, label: &str) -> std::io::Result<Flow> {
        if self.from.is_none() {
            self.answer(request, label, 503, "5.5.1 Error: need RCPT command");
            return Ok(None);
        }
        if self.rcpts.is_empty() {
            self.answer(request, label, 554, "5.5.1 Error: no valid recipients");
            return Ok(None);
        }
        self.answer(request, label, 354, "End data with <CR><LF>.<CR><LF>");
        let max = self.shared.config.limits.max_message;
        let mut body: Vec<u8> = Vec::new();
        let mut size = 0usize;
        let mut too_big = false;
        loop {
            match self.next(max, max).await? {
                Next::Input(Input::Line(line)) if line == b"." => break,
                Next::Input(Input::Line(line)) => {
                    let line = unstuffed(&line);
                    size += line.len() + 2;
                    if size > max {
                        too_big = true;
                        body = Vec::new();
                    }
                    if !too_big {
                        body.extend_from_slice(line);
                        body.extend_from_slice(b"\r\n");
                    } else if size > max.saturating_mul(2) {
                        return Ok(Some(self.far_too_big()));
                    }
                }
                Next::Input(Input::TooLong) => {
                    too_big = true;
                    size = size.saturating_add(max);
                    body = Vec::new();
                }
                Next::Input(Input::Flood) => return Ok(Some(self.far_too_big())),
                other => return Ok(self.interrupted(other)),
            }
        }
        let rcpts = std::mem::take(&mut self.rcpts);
        let from = self.from.take().unwrap_or_default();
        if too_big {
            self.reply("message", 552, "5.3.4 Error: message file too big");
            self.note(request, 552);
            return Ok(None);
        }
        let queue_id = self.shared.next_queue_id();
        let via = match (self.esmtp, self.user.is_some()) {
            (false, _) => Via::Smtp,
            (true, false) => Via::Esmtp,
            (true, true) => Via::Esmtpa,
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
        let deliveries = rcpts
            .iter()
            .map(|(address, mailbox)| {
                let mut message = trace_headers(&envelope, address, now).into_bytes();
                message.extend_from_slice(&body);
                (mailbox.clone(), message)
            })
            .collect();
        match self.shared.store.deliver(deliveries) {
            Ok(()) => {
                let text = format!("2.0.0 Ok: queued as {queue_id}");
                self.reply("message", 250, &text);
                self.note(request, 250);
            }
            Err(_) => {
                self.reply("message", 451, "4.3.0 Error: queue file write error");
                self.note(request, 451);
            }
        }
        Ok(None)
    }

    fn far_too_big(&mut self) -> Ending {
        self.reply("message", 552, "5.3.4 Error: message file too big");
        Ending::MessageTooLarge
    }

    async fn auth(
        &mut self,
        request: &Request,
        label: &str,
        mechanism: &str,
        initial: Option<Secret>,
    ) -> std::io::Result<Flow> {
        if self.user.is_some() {
            self.answer(request, label, 503, "5.5.1 Error: already authenticated");
            return Ok(None);
        }
        if self.from.is_some() {
            self.answer(request, label, 503, "5.5.1 Error: MAIL transaction in progress");
            return Ok(None);
        }
        let Some(mechanism) = Mechanism::from_name(mechanism.trim()) else {
            self.answer(
                request,
                label,
                535,
                "5.7.8 Error: authentication failed: Invalid authentication mechanism",
            );
            return Ok(None);
        };
        let mut last_label = label.to_string();
        let credentials = match mechanism {
            Mechanism::Plain => {
                let payload = match initial {
                    Some(payload) => payload,
                    None => match self.challenge(&mut last_label, "").await? {
                        Challenge::Response(payload) => payload,
                        Challenge::Stop(flow) => return Ok(self.auth_stopped(request, flow)),
                    },
                };
                match sasl::decode(&payload) {
                    Ok(decoded) => sasl::plain_credentials(&decoded),
                    Err(_) => return Ok(self.bad_base64(request, &last_label)),
                }
            }
            Mechanism::Login => {
                let user = match initial {
                    Some(payload) => payload,
                    None => match self.challenge(&mut last_label, sasl::LOGIN_USER_PROMPT).await? {
                        Challenge::Response(payload) => payload,
                        Challenge::Stop(flow) => return Ok(self.auth_stopped(request, flow)),
                    },
                };
                let Ok(user) = sasl::decode(&user) else {
                    return Ok(self.bad_base64(request, &last_label));
                };
                let password =
                    match self.challenge(&mut last_label, sasl::LOGIN_PASSWORD_PROMPT).await? {
                        Challenge::Response(payload) => payload,
                        Challenge::Stop(flow) => return Ok(self.auth_stopped(request, flow)),
                    };
                let Ok(password) = sasl::decode(&password) else {
                    return Ok(self.bad_base64(request, &last_label));
                };
                Some((user.expose().to_string(), password))
            }
        };
        let account = credentials
            .and_then(|(user, password)| self.shared.check_login(&user, &password));
        match account {
            Some(user) => {
                self.user = Some(user);
                self.reply(&last_label, 235, "2.7.0 Authentication successful");
                self.note(request, 235);
            }
            None => {
                tokio::time::sleep(self.shared.config.limits.auth_failure_delay).await;
                self.reply(
                    &last_label,
                    535,
                    "5.7.8 Error: authentication failed: (reason unavailable)",
                );
                self.note(request, 535);
            }
        }
        Ok(None)
    }

    /// Sends a `334` challenge and reads the client's response line.
    async fn challenge(&mut self, label: &mut String, prompt: &str) -> std::io::Result<Challenge> {
        self.reply(label, 334, prompt);
        let max = self.shared.config.limits.max_line;
        let line = match self.next(max, MAX_SKIP_COMMAND).await? {
            Next::Input(Input::Line(line)) => line,
            other => return Ok(Challenge::Stop(self.interrupted(other))),
        };
        let text = String::from_utf8_lossy(&line);
        if text.trim() == "*" {
            self.reply("auth-cancel", 501, "5.7.0 Authentication aborted");
            return Ok(Challenge::Stop(None));
        }
        *label = "auth-response".to_string();
        Ok(Challenge::Response(Secret::new(text.trim().to_string())))
    }

    fn auth_stopped(&mut self, request: &Request, flow: Flow) -> Flow {
        self.note(request, 501);
        flow
    }

    fn bad_base64(&mut self, request: &Request, label: &str) -> Flow {
        self.reply(
            label,
            535,
            "5.7.8 Error: authentication failed: Invalid base64 data in continued response",
        );
        self.note(request, 535);
        None
    }
}

enum Challenge {
    Response(Secret),
    /// Cancelled with `*` (already answered), or the connection is ending.
    Stop(Flow),
}

/// The skeleton label of a command line: its first word in upper case, never an argument
/// (so never a secret).
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

/// A mail header (`Subject:`) or an HTTP request line sent as a command: Postfix hangs up.
fn is_forbidden(verb: &str) -> bool {
    let header_name = verb
        .strip_suffix(':')
        .is_some_and(|name| !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':'));
    header_name || ["CONNECT", "GET", "POST"].iter().any(|v| v.eq_ignore_ascii_case(verb))
}

/// Postfix's 501 text for a command whose arguments do not parse.
fn syntax_reply(verb: &str) -> String {
    match verb.to_ascii_uppercase().as_str() {
        "HELO" => "Syntax: HELO hostname".to_string(),
        "EHLO" => "Syntax: EHLO hostname".to_string(),
        "MAIL" => "5.5.4 Syntax: MAIL FROM:<address>".to_string(),
        "RCPT" => "5.5.4 Syntax: RCPT TO:<address>".to_string(),
        "AUTH" => "5.5.4 Syntax: AUTH mechanism".to_string(),
        "VRFY" => "5.5.4 Syntax: VRFY address".to_string(),
        other => format!("5.5.4 Syntax: {other}"),
    }
}

/// The address inside optional angle brackets; `None` if brackets are unbalanced or the
/// address has spaces. `<>` gives `""`.
fn bare_address(path: &str) -> Option<String> {
    let path = path.trim();
    let inner = match (path.strip_prefix('<'), path.ends_with('>')) {
        (Some(rest), true) => &rest[..rest.len() - 1],
        (None, false) => path,
        _ => return None,
    };
    if inner.contains(['<', '>']) || inner.contains(char::is_whitespace) {
        return None;
    }
    // A source route `@a,@b:user@c` (RFC 5321 §4.1.2) is accepted and ignored.
    let inner = inner.rsplit_once(':').map_or(inner, |(_, addr)| addr);
    Some(inner.to_string())
}

/// RFC 5321 §4.5.2: a leading dot of a data line was added by the client; drop it.
// TODO(protocol): use protocol's DATA receiver / unstuffer once it lands.
fn unstuffed(line: &[u8]) -> &[u8] {
    line.strip_prefix(b".").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_lose_their_brackets() {
        let cases = [
            ("<a@lab.test>", Some("a@lab.test")),
            ("a@lab.test", Some("a@lab.test")),
            ("  <a@lab.test> ", Some("a@lab.test")),
            ("<>", Some("")),
            ("<a@lab.test", None),
            ("a@lab.test>", None),
            ("<a b@lab.test>", None),
            ("<@relay.example:a@lab.test>", Some("a@lab.test")),
        ];
        for (path, expected) in cases {
            assert_eq!(bare_address(path).as_deref(), expected, "{path}");
        }
    }

    #[test]
    fn headers_and_http_are_forbidden_commands() {
        let cases = [
            ("Subject:", true),
            ("X-Mailer:", true),
            ("GET", true),
            ("post", true),
            (":", false),
            ("FOO", false),
            ("MAIL", false),
        ];
        for (verb, expected) in cases {
            assert_eq!(is_forbidden(verb), expected, "{verb}");
        }
    }

    #[test]
    fn labels_never_carry_arguments() {
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
