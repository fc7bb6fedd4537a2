use std::net::SocketAddr;

use async_trait::async_trait;
use bytes::Bytes;

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

/// One message of a mailbox, exactly as POP3 RETR serves it (CRLF line ends, not
/// dot-stuffed), shared rather than copied: a clone costs two reference counts.
///
/// The embedded server keeps a delivered body once however many recipients it had, and
/// each recipient's trace header block (`Return-Path:`, `Delivered-To:`, `Received:`) apart;
/// [`head`](Self::head) and [`body`](Self::body) are those two parts, [`to_vec`](Self::to_vec)
/// joins them. A message from elsewhere (the container) is all body.
#[derive(Clone, Default)]
pub struct MailboxMessage {
    head: Bytes,
    body: Bytes,
}

impl MailboxMessage {
    pub fn new(head: Bytes, body: Bytes) -> Self {
        MailboxMessage { head, body }
    }

    /// The trace header block the server put in front of the body (may be empty).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The message as it came in, shared by every recipient of one delivery.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Size in bytes, head and body together (what POP3 `LIST` reports).
    pub fn len(&self) -> usize {
        self.head.len() + self.body.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole message in one buffer (a copy).
    pub fn to_vec(&self) -> Vec<u8> {
        [self.head.as_ref(), self.body.as_ref()].concat()
    }

    /// The whole message as text, invalid UTF-8 replaced (a copy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.to_vec()).into_owned()
    }

    fn bytes(&self) -> impl Iterator<Item = &u8> {
        self.head.iter().chain(self.body.iter())
    }

    pub fn starts_with(&self, prefix: &[u8]) -> bool {
        prefix.len() <= self.len() && self.bytes().zip(prefix).all(|(a, b)| a == b)
    }

    pub fn ends_with(&self, suffix: &[u8]) -> bool {
        match suffix.len().checked_sub(self.body.len()) {
            None => self.body.ends_with(suffix),
            Some(in_head) => {
                self.body.as_ref() == &suffix[in_head..] && self.head.ends_with(&suffix[..in_head])
            }
        }
    }
}

impl From<Vec<u8>> for MailboxMessage {
    fn from(bytes: Vec<u8>) -> Self {
        MailboxMessage::new(Bytes::new(), Bytes::from(bytes))
    }
}

/// Equal when the bytes are, however they are split into head and body.
impl PartialEq for MailboxMessage {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.bytes().eq(other.bytes())
    }
}

impl Eq for MailboxMessage {}

impl PartialEq<[u8]> for MailboxMessage {
    fn eq(&self, other: &[u8]) -> bool {
        self.len() == other.len() && self.bytes().eq(other.iter())
    }
}

impl PartialEq<Vec<u8>> for MailboxMessage {
    fn eq(&self, other: &Vec<u8>) -> bool {
        *self == *other.as_slice()
    }
}

impl PartialEq<&[u8]> for MailboxMessage {
    fn eq(&self, other: &&[u8]) -> bool {
        *self == **other
    }
}

/// The start of the text and the size: a mailbox can hold megabytes.
impl std::fmt::Debug for MailboxMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SHOWN: usize = 1024;
        let start: Vec<u8> = self.bytes().take(SHOWN).copied().collect();
        let mut text = String::from_utf8_lossy(&start).into_owned();
        if self.len() > SHOWN {
            text.push('…');
        }
        write!(f, "MailboxMessage({} bytes: {text:?})", self.len())
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
    /// The embedded server's store is at its size limit (`Limits::max_store`).
    #[error("the mail store is full: {needed} bytes needed, {free} free")]
    StoreFull { needed: usize, free: usize },
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
    /// (CRLF line ends, not dot-stuffed). Shared views, not copies: a thousand recipients of
    /// one 10 MB message cost 10 MB here too.
    async fn mailbox(&self, user: &str) -> Result<Vec<MailboxMessage>, ServerError>;

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
            .returning(|_| Ok(vec![b"Subject: x\r\n\r\n".to_vec().into()]));
        mock.expect_stop().times(1).returning(|| Ok(()));
        let server: Box<dyn MailServer> = Box::new(mock);
        assert_eq!(server.name(), "mock");
        let messages = server.mailbox("student@lab.test").await.unwrap();
        assert_eq!(messages, vec![b"Subject: x\r\n\r\n".to_vec()]);
        server.stop().await.unwrap();
    }

    #[test]
    fn a_message_in_two_parts_compares_as_its_bytes() {
        let split = MailboxMessage::new(
            Bytes::from_static(b"Head: 1\r\n"),
            Bytes::from_static(b"\r\nbody\r\n"),
        );
        let whole = MailboxMessage::from(b"Head: 1\r\n\r\nbody\r\n".to_vec());
        assert_eq!(split, whole);
        assert_eq!(split, b"Head: 1\r\n\r\nbody\r\n".to_vec());
        assert_eq!(split.len(), 17);
        assert_eq!(split.to_vec(), whole.to_vec());
        for n in 0..=split.len() {
            let bytes = whole.to_vec();
            assert!(split.ends_with(&bytes[n..]), "suffix from {n}");
            assert!(split.starts_with(&bytes[..n]), "prefix to {n}");
        }
        assert!(!split.ends_with(b"x\r\n"));
        assert!(!split.ends_with(b"XHead: 1\r\n\r\nbody\r\n"));
        assert_ne!(
            split,
            MailboxMessage::from(b"Head: 2\r\n\r\nbody\r\n".to_vec())
        );
    }

    #[test]
    fn accounts_never_show_their_password() {
        let account = Account::new("student@lab.test", "hunter2");
        assert!(!format!("{account:?}").contains("hunter2"));
    }
}
