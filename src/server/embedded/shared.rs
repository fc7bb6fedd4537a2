use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::broadcast;

use super::config::EmbeddedConfig;
use super::skeleton::Skeleton;
use super::store::MailStore;
use crate::protocol::{pop3, smtp};
use crate::server::Account;
use crate::session::{Protocol, Secret};

/// What every session of both protocols shares.
#[derive(Debug)]
pub struct Shared {
    pub config: EmbeddedConfig,
    pub accounts: Vec<Account>,
    pub store: Arc<MailStore>,
    pub hostname: String,
    queue_ids: AtomicU64,
    pub records: broadcast::Sender<SessionRecord>,
}

/// How a session ended, for the log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Quit,
    ClientClosed,
    IdleTimeout,
    TooManyErrors,
    TooManyJunkCommands,
    TooManyAuthFailures,
    LineTooLong,
    MessageTooLarge,
    ForbiddenCommand,
    TooManyConnections,
    TooManyConnectionsFromClient,
    MailboxInUse,
    ServerShutdown,
    Io,
}

impl Ending {
    pub fn describe(self) -> &'static str {
        match self {
            Ending::Quit => "quit",
            Ending::ClientClosed => "client closed the connection",
            Ending::IdleTimeout => "idle timeout",
            Ending::TooManyErrors => "too many errors",
            Ending::TooManyJunkCommands => "too many junk commands",
            Ending::TooManyAuthFailures => "too many failed logins",
            Ending::LineTooLong => "endless line",
            Ending::MessageTooLarge => "message far over the size limit",
            Ending::ForbiddenCommand => "header or HTTP line as a command",
            Ending::TooManyConnections => "too many connections",
            Ending::TooManyConnectionsFromClient => "too many connections from this address",
            Ending::MailboxInUse => "mailbox locked by another session",
            Ending::ServerShutdown => "server shutdown",
            Ending::Io => "i/o error",
        }
    }
}

/// One finished session: who, and its skeleton (`EHLO → 250`, …), bounded in size. No
/// secrets: AUTH responses appear only as `auth-response`, arguments never, and a line that
/// is no command shows only as `(unknown command)`, or `<redacted>` where a password was due.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub protocol: Protocol,
    pub peer: SocketAddr,
    pub user: Option<String>,
    pub skeleton: Skeleton,
    pub ending: Ending,
}

impl Shared {
    pub fn new(config: EmbeddedConfig, accounts: Vec<Account>, store: Arc<MailStore>) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as u64)
            .unwrap_or(0);
        Shared {
            hostname: config.hostname(),
            config,
            accounts,
            store,
            queue_ids: AtomicU64::new(seed << 20),
            records: broadcast::channel(1024).0,
        }
    }

    /// A Postfix-looking queue id: 11 upper-case hex digits, unique in this run.
    pub fn next_queue_id(&self) -> String {
        let n = self.queue_ids.fetch_add(1, Ordering::Relaxed);
        format!("{:011X}", n & 0xFFF_FFFF_FFFF)
    }

    /// The qualified user if `user` / `password` is a login; passwords are compared whole.
    pub fn check_login(&self, user: &str, password: &Secret) -> Option<String> {
        let user = self.config.qualify(user);
        self.accounts
            .iter()
            .find(|a| a.address == user && a.password.expose() == password.expose())
            .map(|a| a.address.clone())
    }

    pub fn account(&self, user: &str) -> Option<&Account> {
        let user = self.config.qualify(user);
        self.accounts.iter().find(|a| a.address == user)
    }

    /// The mailbox that mail for `address` (already qualified) lands in, if any.
    pub fn mailbox_for(&self, address: &str) -> Option<String> {
        if self.store.has_mailbox(address) {
            return Some(address.to_string());
        }
        if !self.config.catch_all_enabled {
            return None;
        }
        match &self.config.catch_all {
            Some(user) => Some(self.config.qualify(user)),
            None => self.accounts.first().map(|a| a.address.clone()),
        }
    }

    pub fn is_local_domain(&self, domain: &str) -> bool {
        domain.eq_ignore_ascii_case(&self.config.domain)
    }

    pub fn publish(&self, record: SessionRecord) {
        // No subscriber is the normal case in tests and replay.
        let _ = self.records.send(record);
    }
}

/// The skeleton label of a line the protocol does not know as a command. Only a verb of
/// SMTP or POP3 is shown (a POP3 verb typed at SMTP and the like): anything else may be a
/// password typed alone, so it is `(unknown command)`, and `<redacted>` (a [`Secret`]) in a
/// slot where the session expects a password.
pub fn unknown_label(text: &str, credential_slot: bool) -> String {
    let word = text.split_whitespace().next().unwrap_or("");
    if credential_slot && !word.is_empty() {
        return Secret::new(word).to_string();
    }
    if word.is_empty() || is_mail_verb(word) {
        label_of(word)
    } else {
        "(unknown command)".to_string()
    }
}

/// Whether `word` is a command SMTP or POP3 knows, as their parsers say.
fn is_mail_verb(word: &str) -> bool {
    let unknown_to_smtp = matches!(
        smtp::parse_request(word),
        Err(smtp::SyntaxError::UnknownCommand { .. } | smtp::SyntaxError::Empty)
    );
    let unknown_to_pop3 = matches!(
        pop3::parse_request(word),
        Err(pop3::SyntaxError::UnknownCommand { .. } | pop3::SyntaxError::Empty)
    );
    !(unknown_to_smtp && unknown_to_pop3)
}

/// The skeleton label of a command line: its first word in upper case, never an argument
/// (so never a secret). For a verb the protocol knows; others go through [`unknown_label`].
pub fn label_of(text: &str) -> String {
    let verb: String = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .take(24)
        .map(|c| {
            if c.is_control() {
                '?'
            } else {
                c.to_ascii_uppercase()
            }
        })
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
    fn unknown_lines_never_show_what_may_be_a_password() {
        let cases = [
            ("hunter2", false, "(unknown command)"),
            ("Hunter2 extra words", false, "(unknown command)"),
            ("1234", false, "(unknown command)"),
            ("Subject:", false, "(unknown command)"),
            ("hunter2", true, "<redacted>"),
            ("STAT", true, "<redacted>"),
            ("", false, "(empty line)"),
            ("   ", true, "(empty line)"),
            ("foo", false, "(unknown command)"),
            ("retr", false, "RETR"),
            ("ehlo", false, "EHLO"),
            ("HELP me", false, "HELP"),
        ];
        for (line, slot, expected) in cases {
            assert_eq!(unknown_label(line, slot), expected, "{line:?} {slot}");
        }
    }
}
