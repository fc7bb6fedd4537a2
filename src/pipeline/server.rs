//! Which server the graded replies come from, started and stopped as a run needs it.

//!
//! Without the `native` feature only the choice itself is here (a wasm32 build grades the
//! claimed replies, `ServerChoice::None`); starting servers needs an operating system.

use std::net::SocketAddr;
#[cfg(feature = "native")]
use std::sync::Arc;

#[cfg(feature = "native")]
use super::error::PipelineError;
#[cfg(feature = "native")]
use crate::replay::ExternalServer;
#[cfg(feature = "native")]
use crate::scenario::Scenario;
#[cfg(feature = "native")]
use crate::server::container::{ContainerConfig, ContainerServer};
#[cfg(feature = "native")]
use crate::server::embedded::{EmbeddedConfig, EmbeddedServer};
#[cfg(feature = "native")]
use crate::server::{Account, MailServer};

/// The server the replies come from.
#[derive(Clone, Debug)]
pub enum ServerChoice {
    /// Grade the replies the submission claims.
    None,
    /// A fresh embedded server per submission: isolated mailboxes, results that do not
    /// depend on order or concurrency.
    Embedded,
    External {
        smtp: SocketAddr,
        pop3: SocketAddr,
    },
    /// One Postfix + Dovecot container from `image` for the whole batch, started by
    /// [`ServerChoice::start_batch`].
    Container {
        image: String,
    },
    /// A server started once for the batch: every submission replays on it, one at a time.
    #[cfg(feature = "native")]
    Shared(SharedServer),
}

/// The container a batch shares, and the turn a submission holds while it replays: each
/// submission starts from empty mailboxes and never meets another in one.
#[cfg(feature = "native")]
#[derive(Clone)]
pub struct SharedServer {
    pub(super) server: Arc<ContainerServer>,
    pub(super) turn: Arc<tokio::sync::Mutex<()>>,
}

#[cfg(feature = "native")]
impl std::fmt::Debug for SharedServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SharedServer")
            .field(&self.server.name())
            .finish()
    }
}

impl ServerChoice {
    /// What reports say answered: `none`, `embedded`, `external smtp … pop3 …`.
    pub fn name(&self) -> String {
        match self {
            ServerChoice::None => "none".into(),
            ServerChoice::Embedded => "embedded".into(),
            ServerChoice::External { smtp, pop3 } => format!("external smtp {smtp} pop3 {pop3}"),
            ServerChoice::Container { image } => format!("container {image}"),
            #[cfg(feature = "native")]
            ServerChoice::Shared(shared) => shared.server.name(),
        }
    }
}

#[cfg(feature = "native")]
impl ServerChoice {
    /// Starts what a whole batch shares (the container, with every account the scenarios
    /// name); other choices are returned as they are. Without Docker or the image, the
    /// message says what to install or build.
    pub async fn start_batch(&self, scenarios: &[Scenario]) -> Result<ServerChoice, PipelineError> {
        let ServerChoice::Container { image } = self else {
            return Ok(self.clone());
        };
        let (domain, mut accounts) = lab(scenarios);
        if accounts.is_empty() {
            accounts.push(Account::new(format!("student@{domain}"), "secret"));
        }
        let config = ContainerConfig {
            image: image.clone(),
            accounts,
            ..ContainerConfig::default()
        };
        let server = ContainerServer::start(config)
            .await
            .map_err(|e| PipelineError::Container(e.to_string()))?;
        Ok(ServerChoice::Shared(SharedServer {
            server: Arc::new(server),
            turn: Arc::default(),
        }))
    }

    /// Stops what [`ServerChoice::start_batch`] started.
    pub async fn stop_batch(&self) {
        if let ServerChoice::Shared(shared) = self {
            let _ = shared.server.stop().await;
        }
    }
}

#[cfg(feature = "native")]
/// The server one submission replays on: its own embedded one, the external host, or the
/// batch's container.
pub(super) async fn start(
    choice: &ServerChoice,
    scenarios: &[Scenario],
) -> Result<Arc<dyn MailServer>, String> {
    match choice {
        ServerChoice::None => Err("no server chosen".into()),
        ServerChoice::Shared(shared) => Ok(Arc::clone(&shared.server) as Arc<dyn MailServer>),
        ServerChoice::Container { .. } => Err("the container was not started for the batch".into()),
        ServerChoice::External { smtp, pop3 } => {
            let (domain, accounts) = lab(scenarios);
            Ok(Arc::new(ExternalServer::new(
                *smtp, *pop3, domain, accounts,
            )))
        }
        ServerChoice::Embedded => {
            let (domain, accounts) = lab(scenarios);
            let mut config = EmbeddedConfig {
                domain,
                ..EmbeddedConfig::default()
            };
            if !accounts.is_empty() {
                config.accounts = accounts;
            }
            let server = EmbeddedServer::start(config)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Arc::new(server))
        }
    }
}

#[cfg(feature = "native")]
/// The lab domain and every test account the scenarios name (qualified, once each).
pub(super) fn lab(scenarios: &[Scenario]) -> (String, Vec<Account>) {
    let domain = scenarios
        .first()
        .map_or("lab.test".to_string(), |s| s.server.domain.clone());
    let mut accounts: Vec<Account> = Vec::new();
    for scenario in scenarios {
        for account in &scenario.server.accounts {
            let address = qualify(&account.user, &domain);
            if !accounts.iter().any(|a| a.address == address) {
                accounts.push(Account::new(address, account.password.clone()));
            }
        }
    }
    (domain, accounts)
}

#[cfg(feature = "native")]
/// `user` as an address of `domain`, lower-cased.
pub(super) fn qualify(user: &str, domain: &str) -> String {
    if user.contains('@') {
        user.to_ascii_lowercase()
    } else {
        format!("{user}@{domain}").to_ascii_lowercase()
    }
}
