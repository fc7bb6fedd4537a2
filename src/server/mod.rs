//! Mail servers to replay against: the [`MailServer`] trait, the embedded server, a container
//! and an external host.

pub mod container;
pub mod embedded;
mod mail_server;

#[cfg(test)]
pub use mail_server::MockMailServer;
pub use mail_server::{Account, Endpoints, MailServer, MailboxMessage, ServerError};
