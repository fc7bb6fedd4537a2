use std::net::SocketAddr;

use async_trait::async_trait;

use crate::server::{Account, Endpoints, MailServer, ServerError};

/// Any SMTP/POP3 host the TA names (`--server external`). It cannot be seeded or read
/// behind the protocol's back: replay says so where that matters.
#[derive(Clone, Debug)]
pub struct ExternalServer {
    endpoints: Endpoints,
    domain: String,
    accounts: Vec<Account>,
}

impl ExternalServer {
    pub fn new(
        smtp: SocketAddr,
        pop3: SocketAddr,
        domain: impl Into<String>,
        accounts: Vec<Account>,
    ) -> Self {
        ExternalServer {
            endpoints: Endpoints { smtp, pop3 },
            domain: domain.into(),
            accounts,
        }
    }
}

#[async_trait]
impl MailServer for ExternalServer {
    fn name(&self) -> String {
        format!(
            "external smtp {} pop3 {}",
            self.endpoints.smtp, self.endpoints.pop3
        )
    }

    fn endpoints(&self) -> Endpoints {
        self.endpoints
    }

    fn domain(&self) -> String {
        self.domain.clone()
    }

    fn accounts(&self) -> Vec<Account> {
        self.accounts.clone()
    }

    async fn seed(&self, _user: &str, _messages: Vec<Vec<u8>>) -> Result<(), ServerError> {
        Err(ServerError::Config(
            "an external server cannot be seeded".into(),
        ))
    }

    async fn mailbox(
        &self,
        _user: &str,
    ) -> Result<Vec<crate::server::MailboxMessage>, ServerError> {
        Err(ServerError::Config(
            "an external server's mailboxes cannot be read directly".into(),
        ))
    }

    async fn stop(&self) -> Result<(), ServerError> {
        Ok(())
    }
}
