//! The session model: what every input is read into and what every later stage works on.
//!
//! A [`Session`] is one SMTP or POP3 connection as a list of [`Exchange`]s, each a client
//! [`Command`] (none for the greeting) and the server's [`Reply`]. Every command and reply
//! keeps its [`Origin`] so feedback can point at the file line or capture frame it came from.
//! Passwords and SASL payloads are [`Secret`]s from the moment they are read.

mod command;
mod content;
mod exchange;
mod origin;
mod reading;
mod reply;
mod reply_lines;
mod secret;
mod tls;

pub use command::{Args, Command, CommandKind};
pub use content::Content;
pub use exchange::{Connect, Exchange, Note, NoteKind, Protocol, Session, Source};
pub use origin::Origin;
pub use reading::{Doubt, MarkerReading, MarkerRole, Reading, SidesFrom};
pub use reply::{Pop3Status, Reply, ReplyCode, Severity, SmtpCode};
pub use reply_lines::{ReplyLines, ReplyLinesBuf};
pub use secret::Secret;
pub use tls::{TlsCertificate, TlsHandshake, TlsMessage, TlsRecordCounts, TlsSide, TlsVersion};
