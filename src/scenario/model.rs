use std::fmt;

use regex::Regex;
use serde::{Deserialize, Serialize};

pub use crate::i18n::Text;
use crate::protocol::replies::Turn;
use crate::protocol::Verb;
use crate::session::{Command, CommandKind, Exchange, Pop3Status, Protocol, ReplyCode, SmtpCode};

/// An expected dialogue: the steps a session should go through, with points and feedback.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: String,
    pub title: Text,
    pub description: Option<Text>,
    pub protocol: Protocol,
    /// Points needed to pass, out of [`Scenario::max_score`].
    pub pass_mark: u32,
    /// When set, any exchange no step accounts for (even NOOP, RSET, HELP) fails the grade.
    pub strict: bool,
    /// Commands that may appear anywhere without costing anything (unless `strict`).
    pub harmless: Vec<String>,
    pub server: ServerSpec,
    pub steps: Vec<Step>,
    pub forbidden: Vec<Forbidden>,
    pub order: Vec<OrderRule>,
    /// `protocol: tls`: what the handshake must show.
    pub tls: Option<TlsSpec>,
    /// Where the scenario was loaded from: a path, or `builtin:NAME`.
    pub origin: String,
}

impl Scenario {
    /// The points of all steps, content checks, forbidden and order rules together.
    pub fn max_score(&self) -> u32 {
        let steps = self.steps.iter().flat_map(|step| {
            std::iter::once(step.points)
                .chain(step.checks.iter().map(|c| c.points))
                .chain(step.tls.iter().map(|c| c.points))
        });
        let tls = self
            .tls
            .iter()
            .flat_map(|t| t.checks.iter().map(|c| c.points));
        let forbidden = self.forbidden.iter().map(|f| f.points);
        let order = self.order.iter().map(|o| o.points);
        // Loading caps the total; saturate anyway so no scenario can overflow a sum.
        steps
            .chain(tls)
            .chain(forbidden)
            .chain(order)
            .fold(0u32, u32::saturating_add)
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|step| step.id == id)
    }

    /// Whether `command` may appear anywhere without a step for it.
    pub fn is_harmless(&self, command: &Command) -> bool {
        !self.strict
            && command
                .word()
                .is_some_and(|verb| self.harmless.iter().any(|h| h.eq_ignore_ascii_case(verb)))
    }
}

/// What a step matches on the client side.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Label {
    /// The server's greeting: no command.
    Greeting,
    /// A SASL response after a `334` / `+` challenge.
    AuthResponse,
    /// `*`, cancelling an AUTH exchange.
    AuthCancel,
    /// The message after DATA (or a BDAT chunk).
    Message,
    /// A command line, by its upper-case verb.
    Verb(String),
}

impl Label {
    /// The label of what an exchange sent.
    pub fn of(exchange: &Exchange) -> Label {
        match exchange.command.as_ref().map(|c| &c.kind) {
            None => Label::Greeting,
            Some(CommandKind::Line { request, .. }) => Label::Verb(request.word().to_string()),
            Some(CommandKind::AuthResponse { .. }) => Label::AuthResponse,
            Some(CommandKind::AuthCancel) => Label::AuthCancel,
            Some(CommandKind::Message { .. }) => Label::Message,
        }
    }

    /// The YAML spelling of a special, `None` for a verb.
    pub fn special_name(&self) -> Option<&'static str> {
        match self {
            Label::Greeting => Some("greeting"),
            Label::AuthResponse => Some("auth-response"),
            Label::AuthCancel => Some("auth-cancel"),
            Label::Message => Some("message"),
            Label::Verb(_) => None,
        }
    }

    /// The label of a command line with this verb.
    pub fn verb(verb: Verb) -> Label {
        Label::Verb(verb.name().to_string())
    }

    /// The verb a command label names, `None` for a special or a word that is no verb.
    pub fn as_verb(&self) -> Option<Verb> {
        match self {
            Label::Verb(word) => Verb::parse(word),
            _ => None,
        }
    }

    /// What the protocol's reply tables know this label as.
    pub fn turn(&self) -> Turn {
        match self {
            Label::Greeting => Turn::Greeting,
            Label::AuthResponse => Turn::AuthResponse,
            Label::AuthCancel => Turn::AuthCancel,
            Label::Message => Turn::Message,
            Label::Verb(_) => Turn::Command(self.as_verb()),
        }
    }

    pub const SPECIALS: [&'static str; 4] = ["greeting", "auth-response", "auth-cancel", "message"];

    pub fn from_special(name: &str) -> Option<Label> {
        match name {
            "greeting" => Some(Label::Greeting),
            "auth-response" => Some(Label::AuthResponse),
            "auth-cancel" => Some(Label::AuthCancel),
            "message" => Some(Label::Message),
            _ => None,
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Verb(verb) => f.write_str(verb),
            special => f.write_str(special.special_name().unwrap_or_default()),
        }
    }
}

/// One expected reply: an exact SMTP code, a class (`2xx`), or a POP3 status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodePattern {
    Exact(SmtpCode),
    /// The first digit: `2` for `2xx`.
    Class(u8),
    Pop3(Pop3Status),
}

impl CodePattern {
    pub fn matches(self, code: ReplyCode) -> bool {
        match (self, code) {
            (CodePattern::Exact(want), ReplyCode::Smtp(got)) => want == got,
            (CodePattern::Class(class), ReplyCode::Smtp(got)) => got.class() == class,
            (CodePattern::Pop3(want), ReplyCode::Pop3(got)) => want == got,
            _ => false,
        }
    }
}

impl fmt::Display for CodePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodePattern::Exact(code) => code.fmt(f),
            CodePattern::Class(class) => write!(f, "{class}xx"),
            CodePattern::Pop3(status) => ReplyCode::Pop3(*status).fmt(f),
        }
    }
}

/// The replies a step accepts: any of the patterns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expect(pub Vec<CodePattern>);

impl Expect {
    pub fn matches(&self, code: ReplyCode) -> bool {
        self.0.iter().any(|pattern| pattern.matches(code))
    }

    /// Whether some reply could satisfy both.
    pub fn overlaps(&self, other: &Expect) -> bool {
        self.0.iter().any(|a| {
            other.0.iter().any(|b| match (a, b) {
                (CodePattern::Exact(x), CodePattern::Exact(y)) => x == y,
                (CodePattern::Exact(x), CodePattern::Class(c))
                | (CodePattern::Class(c), CodePattern::Exact(x)) => x.class() == *c,
                (CodePattern::Class(x), CodePattern::Class(y)) => x == y,
                (CodePattern::Pop3(x), CodePattern::Pop3(y)) => x == y,
                _ => false,
            })
        })
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, pattern) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("|")?;
            }
            pattern.fmt(f)?;
        }
        Ok(())
    }
}

/// One expected exchange (or a run of them, with `repeat`).
#[derive(Clone, Debug)]
pub struct Step {
    pub id: String,
    /// Alternatives: any of these labels matches.
    pub send: Vec<Label>,
    /// Matched against the command's argument text (secrets are never matched).
    pub args: Option<Regex>,
    pub expect: Expect,
    pub points: u32,
    /// How many exchanges this step takes: `optional` is `0..=1`, `repeat: 1..` is `1..`.
    pub min: u32,
    pub max: Option<u32>,
    pub feedback: Option<Text>,
    /// Checks on the message content (only on `message` steps).
    pub checks: Vec<MessageCheck>,
    /// On a STARTTLS / STLS step: what the handshake after it must show.
    pub tls: Option<TlsCheck>,
}

impl Step {
    /// Whether the step's command matches what the exchange sent (reply not considered).
    pub fn sends(&self, exchange: &Exchange) -> bool {
        self.send.contains(&Label::of(exchange))
    }

    /// Whether the arguments fit; a step without `args` takes any.
    pub fn args_fit(&self, exchange: &Exchange) -> bool {
        match (
            &self.args,
            exchange.command.as_ref().and_then(Command::args),
        ) {
            (None, _) => true,
            (Some(pattern), Some(args)) => pattern.is_match(&args.text),
            (Some(pattern), None) => pattern.is_match(""),
        }
    }

    pub fn is_optional(&self) -> bool {
        self.min == 0
    }

    /// The highest count grading tells apart for this step: its `max`, or for an open range
    /// enough to know its `min` is met.
    pub fn counted(&self) -> u32 {
        self.max.unwrap_or(self.min.max(1))
    }

    /// `EHLO|HELO → 250`: the line a skeleton diff shows for this step.
    pub fn skeleton_line(&self) -> String {
        let labels: Vec<String> = self.send.iter().map(Label::to_string).collect();
        format!("{} → {}", labels.join("|"), self.expect)
    }
}

/// Which envelope address a header must equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Envelope {
    MailFrom,
    RcptTo,
}

/// A check on the message sent after DATA: a header is there, and maybe equals an envelope
/// address or matches a pattern.
#[derive(Clone, Debug)]
pub struct MessageCheck {
    pub id: String,
    pub header: String,
    pub required: bool,
    pub equals: Option<Envelope>,
    pub matches: Option<Regex>,
    pub points: u32,
    pub feedback: Option<Text>,
}

/// A command that must not be used at all.
#[derive(Clone, Debug)]
pub struct Forbidden {
    pub send: Label,
    pub points: u32,
    pub feedback: Option<Text>,
}

/// `after` may only be sent once `before` has been answered positively.
#[derive(Clone, Debug)]
pub struct OrderRule {
    pub id: String,
    pub before: Label,
    pub after: Label,
    pub points: u32,
    pub feedback: Option<Text>,
}

/// What replay needs from the server: domain, test accounts, mailbox contents.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping of server fields (domain, accounts, mailboxes …)"
)]
pub struct ServerSpec {
    #[serde(default = "default_domain")]
    pub domain: String,
    #[serde(default)]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub mailboxes: Vec<Mailbox>,
    /// The message replay sends when the submission only shows its size.
    #[serde(default)]
    pub replay_body: Option<String>,
    /// Keep the student's envelope addresses on replay instead of the test account's.
    #[serde(default)]
    pub keep_addresses: bool,
    /// The message sent over SMTP must come back unchanged over POP3 on the replay server.
    #[serde(default)]
    pub send_then_read: bool,
}

fn default_domain() -> String {
    "lab.test".to_string()
}

/// A test account on the replay server (never a student's credentials).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an account: `{ user: …, password: … }`"
)]
pub struct Account {
    pub user: String,
    pub password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mailbox: a mapping with user and messages"
)]
pub struct Mailbox {
    pub user: String,
    #[serde(default)]
    pub messages: Vec<StoredMessage>,
}

/// A message waiting in a mailbox before a POP3 scenario starts.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a message: a mapping with from, to, subject, body"
)]
pub struct StoredMessage {
    pub from: String,
    pub to: String,
    pub subject: String,
    #[serde(default)]
    pub body: String,
}

/// What a `protocol: tls` scenario requires: the server the handshake is with, and checks.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with host and checks")]
pub struct TlsSpec {
    /// The server name (SNI) to look for: equal, or a subdomain (`wx.mail.qq.com` for
    /// `mail.qq.com`), case-insensitive.
    #[serde(default)]
    pub host: Option<String>,
    pub checks: Vec<TlsCheck>,
}

impl TlsSpec {
    /// Whether a server name the client sent is the scenario's host or under it.
    pub fn host_matches(&self, sni: &str) -> bool {
        let Some(host) = &self.host else {
            return true;
        };
        let (sni, host) = (sni.to_ascii_lowercase(), host.to_ascii_lowercase());
        let host = host.trim_end_matches('.');
        let sni = sni.trim_end_matches('.');
        sni == host || sni.ends_with(&format!(".{host}"))
    }
}

/// One graded property of a TLS handshake.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a TLS check: a mapping with require, points …"
)]
pub struct TlsCheck {
    /// Unique within the scenario; defaults to the requirement's name.
    #[serde(default)]
    pub id: Option<String>,
    pub require: TlsRequirement,
    #[serde(default)]
    pub points: u32,
    #[serde(default)]
    pub feedback: Option<Text>,
}

impl TlsCheck {
    pub fn id(&self) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| format!("tls-{}", self.require.name()))
    }
}

/// What a handshake must show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsRequirement {
    /// The client's hello was captured.
    ClientHello,
    /// The client named the scenario's host (SNI).
    Sni,
    /// The server answered with its hello: version and suite chosen.
    ServerHello,
    /// The key exchange is visible: ServerKeyExchange / ClientKeyExchange (TLS ≤ 1.2), or
    /// the key shares in the hellos (TLS 1.3).
    KeyExchange,
    /// The server's certificate (in clear up to TLS 1.2; encrypted in 1.3, which is fine).
    Certificate,
    /// The messages came in an order the negotiated version allows.
    Order,
    /// Both sides finished the handshake.
    Completed,
    /// Encrypted application data flowed both ways after it.
    ApplicationData,
}

impl TlsRequirement {
    pub fn name(self) -> &'static str {
        match self {
            TlsRequirement::ClientHello => "client-hello",
            TlsRequirement::Sni => "sni",
            TlsRequirement::ServerHello => "server-hello",
            TlsRequirement::KeyExchange => "key-exchange",
            TlsRequirement::Certificate => "certificate",
            TlsRequirement::Order => "order",
            TlsRequirement::Completed => "completed",
            TlsRequirement::ApplicationData => "application-data",
        }
    }
}
