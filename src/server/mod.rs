//! Mail servers to replay against: the `MailServer` trait, the embedded server, a container
//! and an external host.

pub mod container;
