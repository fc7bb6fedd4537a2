//! Mail servers to replay against: the `MailServer` trait, the embedded server, a container
//! and an external host.

pub mod container;
mod mail_server;

pub use mail_server::{Account, Endpoints, MailServer, ServerError};
#[cfg(test)]
pub use mail_server::MockMailServer;
