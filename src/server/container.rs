//! Postfix + Dovecot in a Docker container through testcontainers: the reference server.
//!
//! The image is built from `ci/mailserver/` (see docs/container.md); it is never pulled. One
//! [`ContainerServer`] serves a whole batch. It is removed when dropped (inside a tokio
//! runtime), when the process gets Ctrl-C / SIGTERM (testcontainers' watchdog), and otherwise
//! by the next start on the same host, which sweeps labelled containers whose owner is gone.

mod as_mail_server;
mod engine;
mod error;
mod maildir;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, GenericImage, ImageExt};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::RwLock;

use crate::protocol::{pop3, smtp};
use crate::session::Pop3Status;

pub use crate::server::Account;

pub use engine::{OWNER_HOST_LABEL, OWNER_PID_LABEL, ROLE_LABEL, ROLE_VALUE};
pub use error::ContainerError;
pub use maildir::StoredMessage;

/// The image tag, shared with the build scripts through `ci/mailserver/image-tag`.
pub const IMAGE: &str = include_str!("../../ci/mailserver/image-tag").trim_ascii();
/// What to run when the image is missing (as root, no registry needed).
pub const BUILD_COMMAND: &str = "bash ci/mailserver/build-offline.sh";
/// The line the container's start script prints once SMTP and POP3 both greet.
pub const READY_LINE: &str = "MAILSERVER READY";
/// Ports inside the container.
pub const SMTP_PORT: u16 = 25;
pub const POP3_PORT: u16 = 110;

/// Dovecot's `auth_default_realm` (ci/mailserver/rootfs/etc/dovecot/dovecot.conf): the domain
/// of a login given without one.
pub const DEFAULT_REALM: &str = "lab.test";

const GREETING_TIMEOUT: Duration = Duration::from_secs(10);

/// How to start the container.
#[derive(Debug, Clone)]
pub struct ContainerConfig {
    /// Image tag; [`IMAGE`] unless testing another build.
    pub image: String,
    /// Accounts, at least one. The first account of each domain also receives mail for every
    /// other address of that domain (catch-all).
    pub accounts: Vec<Account>,
    /// Refuse RCPT unless the client authenticated (Postfix `permit_sasl_authenticated`).
    pub require_auth: bool,
    /// From creating the container to the ready line.
    pub startup_timeout: Duration,
}

impl Default for ContainerConfig {
    /// The lab's account: `student@lab.test` / `secret`.
    fn default() -> Self {
        ContainerConfig {
            image: IMAGE.to_owned(),
            accounts: vec![Account::new("student@lab.test", "secret")],
            require_auth: false,
            startup_timeout: Duration::from_secs(60),
        }
    }
}

/// A running Postfix + Dovecot container with its SMTP and POP3 ports mapped to the host.
pub struct ContainerServer {
    /// `None` once stopped; dropping the container removes it.
    container: RwLock<Option<ContainerAsync<GenericImage>>>,
    id: String,
    image: String,
    /// testcontainers' engine client, for `docker exec`.
    engine: engine::Engine,
    smtp: SocketAddr,
    pop3: SocketAddr,
    accounts: Vec<Account>,
}

impl std::fmt::Debug for ContainerServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerServer")
            .field("id", &self.id)
            .field("smtp", &self.smtp)
            .field("pop3", &self.pop3)
            .field("accounts", &self.accounts)
            .finish()
    }
}

impl ContainerServer {
    /// Starts a container and returns once its ready line was printed and both mapped ports
    /// greet (`220 ` and `+OK`).
    pub async fn start(config: ContainerConfig) -> Result<Self, ContainerError> {
        let accounts_env = accounts_env(&config.accounts)?;
        let (name, tag) = config
            .image
            .rsplit_once(':')
            .unwrap_or((config.image.as_str(), "latest"));

        let engine = engine::Engine::connect().await?;
        engine.require_image(&config.image).await?;
        // Leftovers of runs that were killed before they could clean up; best effort.
        let _ = engine.sweep_stale().await;

        let mut request = GenericImage::new(name, tag)
            .with_exposed_port(SMTP_PORT.tcp())
            .with_exposed_port(POP3_PORT.tcp())
            .with_wait_for(WaitFor::message_on_stdout(READY_LINE))
            .with_env_var("MAIL_ACCOUNTS", accounts_env)
            .with_env_var(
                "MAIL_REQUIRE_AUTH",
                if config.require_auth { "1" } else { "0" },
            )
            .with_startup_timeout(config.startup_timeout);
        for (key, value) in engine::owner_labels() {
            request = request.with_label(key, value);
        }
        let container = request.start().await.map_err(|e| ContainerError::Start {
            detail: e.to_string(),
        })?;

        let smtp = mapped(&container, SMTP_PORT).await?;
        let pop3 = mapped(&container, POP3_PORT).await?;
        wait_for_greeting(Greeting::Smtp, smtp).await?;
        wait_for_greeting(Greeting::Pop3, pop3).await?;
        Ok(ContainerServer {
            id: container.id().to_owned(),
            image: config.image.clone(),
            engine,
            container: RwLock::new(Some(container)),
            smtp,
            pop3,
            accounts: config.accounts,
        })
    }

    /// The SMTP port on the host (127.0.0.1).
    pub fn smtp_addr(&self) -> SocketAddr {
        self.smtp
    }

    /// The POP3 port on the host (127.0.0.1).
    pub fn pop3_addr(&self) -> SocketAddr {
        self.pop3
    }

    /// The Docker container id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Puts `message` into `address`'s mailbox as a new, unread message, exactly as given
    /// (CRLF line ends stored as LF, as a delivery would). [`MailServer::seed`] takes several.
    ///
    /// [`MailServer::seed`]: crate::server::MailServer::seed
    pub async fn seed_message(&self, address: &str, message: &[u8]) -> Result<(), ContainerError> {
        if message.len() > maildir::SEED_LIMIT {
            return Err(ContainerError::SeedTooLarge {
                size: message.len(),
                limit: maildir::SEED_LIMIT,
            });
        }
        let maildir = self.maildir(address)?;
        let command = maildir::seed_command(&maildir, &unique_file_name(), message);
        self.exec(command).await.map(drop)
    }

    /// The messages now in `address`'s mailbox as stored (LF line ends), oldest first, with
    /// their Maildir file names. Delivery over SMTP is asynchronous: a message just accepted
    /// with `250` may take a moment to appear. [`MailServer::mailbox`] gives them as RETR does.
    ///
    /// [`MailServer::mailbox`]: crate::server::MailServer::mailbox
    pub async fn stored_messages(
        &self,
        address: &str,
    ) -> Result<Vec<StoredMessage>, ContainerError> {
        let maildir = self.maildir(address)?;
        let output = self.exec(maildir::list_command(&maildir)).await?;
        maildir::parse_listing(&output).map_err(|detail| ContainerError::Exec { detail })
    }

    /// Waits until Postfix has delivered what it accepted, then empties every mailbox: a
    /// batch that shares the container starts each submission from empty mailboxes, as a
    /// fresh embedded server would.
    pub async fn empty_mailboxes(&self) -> Result<(), ContainerError> {
        self.exec(maildir::empty_all_command()).await.map(drop)
    }

    /// Stops and removes the container now (dropping the server does the same). Stopping
    /// twice is fine; afterwards seeding and reading mailboxes fail with
    /// [`ContainerError::Stopped`].
    pub async fn remove(&self) -> Result<(), ContainerError> {
        let Some(container) = self.container.write().await.take() else {
            return Ok(());
        };
        container.rm().await.map_err(|e| ContainerError::Exec {
            detail: format!("removing the container: {e}"),
        })
    }

    /// The Maildir of an account, by address or, as Dovecot allows, by local part alone
    /// (taken in the default realm).
    fn maildir(&self, address: &str) -> Result<String, ContainerError> {
        let mut address = address.to_ascii_lowercase();
        if !address.contains('@') {
            address = format!("{address}@{DEFAULT_REALM}");
        }
        self.accounts
            .iter()
            .find(|account| account.address == address)
            .and_then(|account| maildir::maildir_of(&account.address))
            .ok_or(ContainerError::UnknownMailbox { address })
    }

    /// Runs a command in the container (unless it was removed) and returns its stdout.
    async fn exec(&self, command: Vec<String>) -> Result<Vec<u8>, ContainerError> {
        let guard = self.container.read().await;
        if guard.is_none() {
            return Err(ContainerError::Stopped);
        }
        self.engine.exec(&self.id, command).await
    }
}

/// Removes the labelled containers (label `mailgrade.role=replay-server`) whose owning process
/// on this host has ended, e.g. after a `kill -9`; returns how many. [`ContainerServer::start`]
/// does this too.
pub async fn sweep_stale_containers() -> Result<usize, ContainerError> {
    engine::Engine::connect().await?.sweep_stale().await
}

/// `MAIL_ACCOUNTS` for the start script: `address:password` pairs separated by spaces.
fn accounts_env(accounts: &[Account]) -> Result<String, ContainerError> {
    if accounts.is_empty() {
        return Err(ContainerError::BadAccount {
            number: 0,
            reason: "there is no account",
        });
    }
    let mut pairs = Vec::with_capacity(accounts.len());
    for (index, account) in accounts.iter().enumerate() {
        let bad = |reason| ContainerError::BadAccount {
            number: index + 1,
            reason,
        };
        let (local, domain) = account
            .address
            .split_once('@')
            .ok_or(bad("address has no @"))?;
        let plain_local =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._+-".contains(c);
        let plain_domain =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-".contains(c);
        if local.is_empty() || !local.chars().all(plain_local) {
            return Err(bad(
                "local part must be lowercase letters, digits and . _ + -",
            ));
        }
        if domain.is_empty() || !domain.chars().all(plain_domain) {
            return Err(bad(
                "domain must be lowercase letters, digits, dots and hyphens",
            ));
        }
        let password = account.password.expose();
        if password.is_empty()
            || password
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad(
                "password must be non-empty, without spaces or control characters",
            ));
        }
        pairs.push(format!("{}:{password}", account.address));
    }
    Ok(pairs.join(" "))
}

async fn mapped(
    container: &ContainerAsync<GenericImage>,
    port: u16,
) -> Result<SocketAddr, ContainerError> {
    let host_port = container
        .get_host_port_ipv4(port.tcp())
        .await
        .map_err(|e| ContainerError::Start {
            detail: format!("port {port} is not mapped: {e}"),
        })?;
    Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, host_port)))
}

/// The greeting a ready service sends.
#[derive(Clone, Copy)]
enum Greeting {
    Smtp,
    Pop3,
}

impl Greeting {
    fn service(self) -> &'static str {
        match self {
            Greeting::Smtp => "smtp",
            Greeting::Pop3 => "pop3",
        }
    }

    fn expected(self) -> String {
        match self {
            Greeting::Smtp => smtp::GREETING.to_string(),
            Greeting::Pop3 => pop3::indicator(Pop3Status::Ok).to_string(),
        }
    }

    fn accepts(self, line: &str) -> bool {
        match self {
            Greeting::Smtp => {
                smtp::parse_reply_line(line).is_ok_and(|reply| reply.code.value() == smtp::GREETING)
            }
            Greeting::Pop3 => {
                pop3::parse_status_line(line).is_ok_and(|status| status.status == Pop3Status::Ok)
            }
        }
    }
}

/// Connects until the first line is the service's positive greeting.
async fn wait_for_greeting(greeting: Greeting, addr: SocketAddr) -> Result<(), ContainerError> {
    let deadline = tokio::time::Instant::now() + GREETING_TIMEOUT;
    let detail = loop {
        let last = match tokio::time::timeout_at(deadline, read_greeting(addr)).await {
            Err(_) => break "timed out".to_owned(),
            Ok(Ok(line)) if greeting.accepts(&line) => return Ok(()),
            Ok(Ok(line)) => format!("greeted with {:?}", line.trim_end()),
            Ok(Err(e)) => e.to_string(),
        };
        if tokio::time::Instant::now() >= deadline {
            break last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    Err(ContainerError::NoGreeting {
        service: greeting.service(),
        addr,
        expected: greeting.expected(),
        seconds: GREETING_TIMEOUT.as_secs(),
        detail,
    })
}

async fn read_greeting(addr: SocketAddr) -> std::io::Result<String> {
    let stream = TcpStream::connect(addr).await?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(2), reader.read_line(&mut line))
        .await
        .map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::TimedOut, "no greeting within 2 s")
        })??;
    // Leave politely so the server logs a normal disconnect.
    let _ = reader.get_mut().write_all(b"QUIT\r\n").await;
    Ok(line)
}

/// A Maildir file name no other writer uses: time, pid, a counter and our name.
fn unique_file_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}.M{}P{}Q{}.mailgrade",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tag_comes_from_the_build_recipe() {
        assert_eq!(IMAGE, "mailgrade/mailserver:bookworm-1");
    }

    #[test]
    fn accounts_become_the_start_script_variable() {
        let accounts = [
            Account::new("student@lab.test", "secret"),
            Account::new("b@x.org", "p:w"),
        ];
        assert_eq!(
            accounts_env(&accounts).ok().as_deref(),
            Some("student@lab.test:secret b@x.org:p:w")
        );
    }

    #[test]
    fn bad_accounts_are_refused_without_echoing_the_password() {
        let cases = [
            (vec![], 0),
            (vec![Account::new("nodomain", "pw")], 1),
            (vec![Account::new("Upper@lab.test", "pw")], 1),
            (
                vec![
                    Account::new("a@lab.test", "pw"),
                    Account::new("b@lab.test", "two words"),
                ],
                2,
            ),
            (vec![Account::new("a@lab.test", "")], 1),
            (vec![Account::new("a;rm@lab.test", "pw")], 1),
            (vec![Account::new("a@lab test", "pw")], 1),
        ];
        for (accounts, number) in cases {
            match accounts_env(&accounts) {
                Err(error @ ContainerError::BadAccount { number: got, .. }) => {
                    assert_eq!(got, number, "{error}");
                    assert!(!error.to_string().contains("two words"), "{error}");
                }
                other => panic!("{accounts:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn config_debug_hides_the_password() {
        let text = format!("{:?}", ContainerConfig::default());
        assert!(!text.contains("secret"), "{text}");
    }

    #[test]
    fn greetings() {
        let cases = [
            (
                Greeting::Smtp,
                "220 mail.lab.test ESMTP Postfix (lab)\r\n",
                true,
            ),
            (Greeting::Smtp, "220-first line of a long banner", true),
            (Greeting::Smtp, "421 4.3.2 Service not available", false),
            (Greeting::Pop3, "+OK Dovecot (lab) ready.\r\n", true),
            (Greeting::Pop3, "-ERR go away", false),
            (Greeting::Pop3, "", false),
        ];
        for (greeting, line, accepted) in cases {
            assert_eq!(greeting.accepts(line), accepted, "{line:?}");
        }
    }

    #[test]
    fn file_names_are_unique() {
        assert_ne!(unique_file_name(), unique_file_name());
    }
}
