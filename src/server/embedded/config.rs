use std::net::SocketAddr;
use std::time::Duration;

use crate::server::{Account, ServerError};

/// What the embedded server serves: its domain, logins, initial mailboxes and limits.
///
/// Plain data so a scenario (or `mailgrade serve`) can fill it in.
#[derive(Clone, Debug)]
pub struct EmbeddedConfig {
    /// The one domain the server is final destination for; nothing else is relayed.
    pub domain: String,
    /// Logins; a user without `@` gets `@domain`.
    pub accounts: Vec<Account>,
    /// Messages present before any session: `(user, whole messages)`.
    pub mailboxes: Vec<(String, Vec<Vec<u8>>)>,
    /// Where mail to an unknown address at `domain` goes, like Postfix's `@lab.test`
    /// catch-all in the reference setup. `None`: the first account. Unknown users are
    /// refused only when `catch_all_enabled` is false.
    pub catch_all: Option<String>,
    pub catch_all_enabled: bool,
    /// RCPT is refused until the client has authenticated (Postfix's
    /// `permit_sasl_authenticated, reject`).
    pub require_auth: bool,
    pub limits: Limits,
    /// `127.0.0.1:0` picks a free port on loopback.
    pub smtp_addr: SocketAddr,
    pub pop3_addr: SocketAddr,
}

/// Bounds on what one client can make the server do. Each is answered with a reply code
/// when crossed, never by a silent drop. The defaults are Postfix's and Dovecot's where they
/// have one; `docs/server.md` lists each difference and why.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Longest command line in bytes, without the line end (Postfix: 2048).
    pub max_line: usize,
    /// Largest message after DATA, dot-unstuffed (Postfix: `message_size_limit` 10240000).
    pub max_message: usize,
    /// Recipients per transaction (Postfix: `smtpd_recipient_limit` 1000).
    pub max_recipients: usize,
    /// Simultaneous sessions over SMTP and POP3 each.
    pub max_connections: usize,
    /// Simultaneous sessions one client address may hold, per protocol (Postfix:
    /// `smtpd_client_connection_count_limit` 50). Loopback clients are exempt unless
    /// `limit_loopback_clients`, as Postfix exempts `$mynetworks`: on loopback every client
    /// has the same address, so the cap would only be a second, smaller `max_connections`.
    pub max_connections_per_client: usize,
    pub limit_loopback_clients: bool,
    /// Bytes all stored messages may take together; a body counts once however many
    /// recipients it has. MAIL is refused with 452 while less than `max_message` is free.
    pub max_store: usize,
    /// How long the server waits for a line (Postfix: `smtpd_timeout` 300 s).
    pub idle_timeout: Duration,
    /// Errors after which the session is closed with 421 (Postfix: `smtpd_hard_error_limit` 20).
    pub max_errors: u32,
    /// SMTP errors after which each error reply waits `error_sleep` (Postfix:
    /// `smtpd_soft_error_limit` 10, `smtpd_error_sleep_time` 1 s).
    pub soft_error_limit: u32,
    pub error_sleep: Duration,
    /// Junk commands a session may send before each further one counts as an error:
    /// SMTP NOOP, VRFY, ETRN and RSET, until a message is delivered (Postfix:
    /// `smtpd_junk_command_limit` 100). POP3: commands before login and NOOPs; past the
    /// limit the session is closed.
    pub max_junk_commands: u32,
    /// Delay before answering a failed login (Dovecot: `auth_failure_delay` 2 s; 0 in the lab).
    pub auth_failure_delay: Duration,
    /// Failed POP3 logins after which the connection is closed (USER does not reset it).
    pub max_auth_failures: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 2048,
            max_message: 10_240_000,
            max_recipients: 1000,
            max_connections: 512,
            max_connections_per_client: 50,
            limit_loopback_clients: false,
            max_store: 128 << 20,
            idle_timeout: Duration::from_secs(300),
            max_errors: 20,
            soft_error_limit: 10,
            // Replay of a class must stay fast, and the lab's reference has no failure delay.
            error_sleep: Duration::ZERO,
            max_junk_commands: 100,
            auth_failure_delay: Duration::ZERO,
            max_auth_failures: 5,
        }
    }
}

impl Default for EmbeddedConfig {
    /// The lab's setup: `lab.test`, one account `student@lab.test` / `secret`, loopback on
    /// free ports.
    fn default() -> Self {
        EmbeddedConfig {
            domain: "lab.test".to_string(),
            accounts: vec![Account::new("student@lab.test", "secret")],
            mailboxes: Vec::new(),
            catch_all: None,
            catch_all_enabled: true,
            require_auth: false,
            limits: Limits::default(),
            smtp_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            pop3_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

impl EmbeddedConfig {
    /// The server's own name in greetings and `Received:` lines.
    pub fn hostname(&self) -> String {
        format!("mail.{}", self.domain)
    }

    /// `student` → `student@lab.test`; addresses are compared in lower case like Dovecot's
    /// `auth_username_format = %Lu`.
    pub fn qualify(&self, user: &str) -> String {
        let user = user.trim();
        if user.contains('@') {
            user.to_ascii_lowercase()
        } else {
            format!("{}@{}", user, self.domain).to_ascii_lowercase()
        }
    }

    /// Accounts with qualified user names; an error if the configuration cannot work.
    pub(crate) fn validated_accounts(&self) -> Result<Vec<Account>, ServerError> {
        if self.domain.is_empty() || self.domain.contains(['@', ' ', '<', '>']) {
            return Err(ServerError::Config(format!("bad domain {:?}", self.domain)));
        }
        let mut accounts: Vec<Account> = Vec::new();
        for account in &self.accounts {
            let user = self.qualify(&account.address);
            if user.starts_with('@') || user.contains(char::is_whitespace) {
                return Err(ServerError::Config(format!("bad user name {user:?}")));
            }
            if accounts.iter().any(|a| a.address == user) {
                return Err(ServerError::Config(format!("account {user} given twice")));
            }
            accounts.push(Account {
                address: user,
                password: account.password.clone(),
            });
        }
        let limits = &self.limits;
        if limits.max_connections == 0
            || limits.max_connections_per_client == 0
            || limits.max_line < 512
        {
            return Err(ServerError::Config(
                "max_connections (also per client) must be at least 1 and max_line at least 512"
                    .to_string(),
            ));
        }
        if limits.max_store < limits.max_message {
            return Err(ServerError::Config(format!(
                "max_store ({}) must be at least max_message ({})",
                limits.max_store, limits.max_message
            )));
        }
        Ok(accounts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_qualified_and_bad_configurations_refused() {
        let config = EmbeddedConfig {
            accounts: vec![
                Account::new("Student", "a"),
                Account::new("t@Other.Test", "b"),
            ],
            ..EmbeddedConfig::default()
        };
        let users: Vec<String> = config
            .validated_accounts()
            .unwrap()
            .into_iter()
            .map(|a| a.address)
            .collect();
        assert_eq!(users, ["student@lab.test", "t@other.test"]);

        let bad: [(&str, Vec<Account>); 3] = [
            ("", vec![]),
            (
                "lab.test",
                vec![
                    Account::new("a", "pw-1"),
                    Account::new("A@lab.test", "pw-2"),
                ],
            ),
            ("lab.test", vec![Account::new("@lab.test", "pw-1")]),
        ];
        for (domain, accounts) in bad {
            let config = EmbeddedConfig {
                domain: domain.to_string(),
                accounts,
                ..EmbeddedConfig::default()
            };
            let error = config.validated_accounts().unwrap_err().to_string();
            assert!(
                error.starts_with("invalid server configuration: "),
                "{error}"
            );
            assert!(!error.contains("pw-"), "a password leaked: {error}");
        }
    }
}
