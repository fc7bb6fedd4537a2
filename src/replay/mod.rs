//! Replay: re-sending a session's client side to a mail server and recording its replies.
//!
//! [`replay_session`] takes a claimed session (as read from a submission), a
//! [`MailServer`](crate::server::MailServer) and a [`ReplaySetup`], and gives a
//! [`Replayed`] session with the same commands and the server's replies, so the grader can
//! grade what a real server says and the integrity check can compare the two.
//!
//! - `plan`: what to send for each command. Student credentials are checked for form and
//!   swapped for the test account's (`credentials`), envelope addresses mapped to the lab
//!   domain (`addresses`), elided bodies supplied (`body`).
//! - `client`: sends the plan over any `AsyncRead + AsyncWrite` and reads the replies into
//!   a `DialogueBuilder`, with per-command and per-session timeouts.
//! - `record`: the replies put back onto the claimed commands.
//! - `runner`: seeding, connecting, send-then-read (`readback`).

mod addresses;
mod body;
mod client;
mod credentials;
mod error;
mod external;
mod plan;
mod readback;
mod record;
mod runner;
mod setup;

pub use body::{generated_message, messages_needed, DEFAULT_BODY};
pub use error::ReplayError;
pub use external::ExternalServer;
pub use readback::Readback;
pub use runner::{replay_over, replay_session, Replayed};
pub use setup::{ReplayNote, ReplaySetup, Timeouts};

#[cfg(test)]
mod tests;
