//! The embedded SMTP + POP3 server: tokio, in-process, one shared mail store.
//!
//! Laid out like mini-redis: `listener` accepts and caps connections, `connection` is the
//! only code touching a socket, `smtp` and `pop3` are the sessions, `store` the mailboxes.

mod config;
mod connection;
mod listener;
mod pop3;
mod server;
mod shared;
mod skeleton;
mod smtp;
mod store;
mod trace;

pub use config::{EmbeddedConfig, Limits};
pub use server::EmbeddedServer;
pub use shared::{Ending, SessionRecord};
pub use skeleton::Skeleton;
