use std::net::SocketAddr;

use async_trait::async_trait;

use crate::session::Secret;

/// Where a running server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoints {
    pub smtp: SocketAddr,
    pub pop3: SocketAddr,
}

/// A login the server accepts for SMTP AUTH and POP3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The full address, `student@lab.test`; POP3 and AUTH also accept the local part alone.
    pub address: String,
    pub password: Secret,
}

impl Account {
    pub fn new(address: impl Into<String>, password: impl Into<String>) -> Self {
        Account {
            address: address.into(),
            password: Secret::new(password),
        }
    }
}

/// What went wrong talking to a mail server. Messages are lowercase fragments.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("could not bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("no mailbox for {user}")]
    UnknownMailbox { user: String },
    #[error("invalid server configuration: {0}")]
    Config(String),
    #[error("the server has stopped")]
    Stopped,
    /// The Postfix + Dovecot container (engine, image, `docker exec`).
    #[error(transparent)]
    Container(#[from] super::container::ContainerError),
}

/// A mail server that replay talks to: the embedded one, a Postfix + Dovecot container or an
/// external host.
///
/// Object-safe (boxed futures through `async_trait`) so replay can hold a
/// `Box<dyn MailServer>` chosen at run time. Starting a server is each implementation's own
/// constructor, because each needs a different configuration.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait MailServer: Send + Sync {
    /// A short name for reports: `embedded`, `container lab-mailserver:…`, `external host:port`.
    fn name(&self) -> String;

    /// The SMTP and POP3 addresses to connect to.
    fn endpoints(&self) -> Endpoints;

    /// The mail domain the server is final destination for (`lab.test`).
    fn domain(&self) -> String;

    /// The logins the server accepts.
    fn accounts(&self) -> Vec<Account>;

    /// Puts whole messages (header and body, any line ending) into `user`'s mailbox, as if
    /// they had been delivered before the session starts.
    async fn seed(&self, user: &str, messages: Vec<Vec<u8>>) -> Result<(), ServerError>;

    /// The messages now in `user`'s mailbox, in order, each exactly as POP3 RETR serves it
    /// (CRLF line ends, not dot-stuffed).
    async fn mailbox(&self, user: &str) -> Result<Vec<Vec<u8>>, ServerError>;

    /// Stops accepting, ends open sessions and waits until they are gone. Idempotent.
    async fn stop(&self) -> Result<(), ServerError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_mock_stands_in_for_any_server() {
        let mut mock = MockMailServer::new();
        mock.expect_name().return_const("mock".to_string());
        mock.expect_mailbox()
            .withf(|user| user == "student@lab.test")
            .returning(|_| Ok(vec![b"Subject: x\r\n\r\n".to_vec()]));
        mock.expect_stop().times(1).returning(|| Ok(()));
        let server: Box<dyn MailServer> = Box::new(mock);
        assert_eq!(server.name(), "mock");
        let messages = server.mailbox("student@lab.test").await.unwrap();
        assert_eq!(messages, vec![b"Subject: x\r\n\r\n".to_vec()]);
        server.stop().await.unwrap();
    }

    #[test]
    fn accounts_never_show_their_password() {
        let account = Account::new("student@lab.test", "hunter2");
        assert!(!format!("{account:?}").contains("hunter2"));
    }
}
