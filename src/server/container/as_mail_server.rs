//! [`ContainerServer`] as a [`MailServer`], the face replay sees.

use async_trait::async_trait;

use super::{maildir, ContainerError, ContainerServer, DEFAULT_REALM};
use crate::server::{Account, Endpoints, MailServer, MailboxMessage, ServerError};

#[async_trait]
impl MailServer for ContainerServer {
    /// `container mailgrade/mailserver:bookworm-1`.
    fn name(&self) -> String {
        format!("container {}", self.image)
    }

    fn endpoints(&self) -> Endpoints {
        Endpoints {
            smtp: self.smtp,
            pop3: self.pop3,
        }
    }

    /// The first account's domain (every account's domain is accepted).
    fn domain(&self) -> String {
        self.accounts
            .first()
            .and_then(|account| account.address.rsplit_once('@'))
            .map_or(DEFAULT_REALM, |(_, domain)| domain)
            .to_owned()
    }

    fn accounts(&self) -> Vec<Account> {
        self.accounts.clone()
    }

    async fn seed(&self, user: &str, messages: Vec<Vec<u8>>) -> Result<(), ServerError> {
        for message in messages {
            self.seed_message(user, &message)
                .await
                .map_err(server_error)?;
        }
        Ok(())
    }

    async fn mailbox(&self, user: &str) -> Result<Vec<MailboxMessage>, ServerError> {
        let stored = self.stored_messages(user).await.map_err(server_error)?;
        Ok(stored
            .into_iter()
            .map(|message| maildir::as_retrieved(&message.bytes).into())
            .collect())
    }

    async fn stop(&self) -> Result<(), ServerError> {
        self.remove().await.map_err(server_error)
    }
}

fn server_error(error: ContainerError) -> ServerError {
    match error {
        ContainerError::UnknownMailbox { address } => ServerError::UnknownMailbox { user: address },
        ContainerError::Stopped => ServerError::Stopped,
        other => ServerError::Container(other),
    }
}
