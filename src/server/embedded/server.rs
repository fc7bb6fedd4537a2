use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::config::EmbeddedConfig;
use super::listener;
use super::shared::{SessionRecord, Shared};
use super::store::MailStore;
use crate::server::{Account, Endpoints, MailServer, MailboxMessage, ServerError};
use crate::session::Protocol;

/// The in-process SMTP + POP3 server: the default replay target and `mailgrade serve`.
///
/// ```no_run
/// # async fn demo() -> Result<(), mailgrade::server::ServerError> {
/// use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer};
/// use mailgrade::server::MailServer;
/// let server = EmbeddedServer::start(EmbeddedConfig::default()).await?;
/// let smtp = server.endpoints().smtp; // 127.0.0.1:<free port>
/// server.stop().await?;
/// # Ok(()) }
/// ```
pub struct EmbeddedServer {
    shared: Arc<Shared>,
    endpoints: Endpoints,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl EmbeddedServer {
    /// Binds both ports, fills the mailboxes and starts serving. Must be called inside a
    /// tokio runtime.
    pub async fn start(config: EmbeddedConfig) -> Result<EmbeddedServer, ServerError> {
        let accounts = config.validated_accounts()?;
        let store = Arc::new(MailStore::new(
            accounts.iter().map(|a| a.address.clone()),
            config.limits.max_store,
        ));
        for (user, messages) in &config.mailboxes {
            store.seed(&config.qualify(user), messages.clone())?;
        }
        if let Some(user) = &config.catch_all {
            if !store.has_mailbox(&config.qualify(user)) {
                return Err(ServerError::Config(format!(
                    "catch-all {user} is not an account"
                )));
            }
        }
        let smtp = bind(config.smtp_addr).await?;
        let pop3 = bind(config.pop3_addr).await?;
        let endpoints = Endpoints {
            smtp: local_addr(&smtp, config.smtp_addr)?,
            pop3: local_addr(&pop3, config.pop3_addr)?,
        };
        let shared = Arc::new(Shared::new(config, accounts, store));
        let (stop, stopped) = watch::channel(false);
        let tasks = [(smtp, Protocol::Smtp), (pop3, Protocol::Pop3)]
            .into_iter()
            .map(|(listener, protocol)| {
                let mut stopped = stopped.clone();
                let shutdown = async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                };
                tokio::spawn(listener::run(
                    listener,
                    protocol,
                    Arc::clone(&shared),
                    shutdown,
                ))
            })
            .collect();
        Ok(EmbeddedServer {
            shared,
            endpoints,
            stop,
            tasks: Mutex::new(tasks),
        })
    }

    /// Every finished session's record, from now on (sessions ending while nobody reads
    /// are dropped after 1024).
    pub fn sessions(&self) -> broadcast::Receiver<SessionRecord> {
        self.shared.records.subscribe()
    }

    pub fn config(&self) -> &EmbeddedConfig {
        &self.shared.config
    }
}

impl Drop for EmbeddedServer {
    /// Without `stop`, the server still stops; it just is not waited for.
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

#[async_trait]
impl MailServer for EmbeddedServer {
    fn name(&self) -> String {
        "embedded".to_string()
    }

    fn endpoints(&self) -> Endpoints {
        self.endpoints
    }

    fn domain(&self) -> String {
        self.shared.config.domain.clone()
    }

    fn accounts(&self) -> Vec<Account> {
        self.shared.accounts.clone()
    }

    async fn seed(&self, user: &str, messages: Vec<Vec<u8>>) -> Result<(), ServerError> {
        let user = self.shared.config.qualify(user);
        self.shared.store.seed(&user, messages)
    }

    async fn mailbox(&self, user: &str) -> Result<Vec<MailboxMessage>, ServerError> {
        let user = self.shared.config.qualify(user);
        self.shared.store.messages(&user)
    }

    async fn stop(&self) -> Result<(), ServerError> {
        let _ = self.stop.send(true);
        let tasks: Vec<JoinHandle<()>> = {
            let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *tasks)
        };
        for task in tasks {
            let _ = task.await;
        }
        Ok(())
    }
}

/// Connections the kernel queues before they are accepted. std's default (128) overflows
/// when a class connects at once: dropped SYNs leave clients waiting for a greeting forever.
const BACKLOG: u32 = 1024;

async fn bind(addr: SocketAddr) -> Result<TcpListener, ServerError> {
    let bind = |addr: SocketAddr| {
        let socket = match addr {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(BACKLOG)
    };
    if addr.port() == 0 {
        // Asking the kernel for any port (port 0) makes it search the ephemeral range,
        // which takes milliseconds once a class's replays have left thousands of
        // connections in TIME_WAIT there (3.7 ms a bind, measured): more than the replay
        // itself. A random port below that range is tried first; a taken one, a few times.
        for attempt in 0..PORT_ATTEMPTS {
            let mut chosen = addr;
            chosen.set_port(random_port(attempt));
            match bind(chosen) {
                Ok(listener) => return Ok(listener),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
                Err(_) => break,
            }
        }
    }
    bind(addr).map_err(|source| ServerError::Bind { addr, source })
}

/// Random ports tried before falling back to port 0.
const PORT_ATTEMPTS: u32 = 8;
/// Below Linux's default ephemeral range (32768–60999), where outgoing connections, and
/// so their TIME_WAIT leftovers, do not go.
const PORTS: std::ops::Range<u16> = 10_000..32_768;

fn random_port(attempt: u32) -> u16 {
    use std::hash::BuildHasher;
    // A fresh RandomState is freshly keyed: enough randomness for picking a port.
    let hash = std::collections::hash_map::RandomState::new().hash_one(attempt);
    PORTS.start + (hash % u64::from(PORTS.end - PORTS.start)) as u16
}

fn local_addr(listener: &TcpListener, addr: SocketAddr) -> Result<SocketAddr, ServerError> {
    listener
        .local_addr()
        .map_err(|source| ServerError::Bind { addr, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn any_port_means_one_below_the_ephemeral_range() {
        let listeners = [
            bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap(),
            bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap(),
        ];
        let ports: Vec<u16> = listeners
            .iter()
            .map(|l| l.local_addr().unwrap().port())
            .collect();
        assert!(ports.iter().all(|p| PORTS.contains(p)), "{ports:?}");
        assert_ne!(ports[0], ports[1]);
        // A port asked for by number is that port.
        let taken = SocketAddr::from(([127, 0, 0, 1], ports[0]));
        assert!(bind(taken).await.is_err(), "a port in use is refused");
    }
}
