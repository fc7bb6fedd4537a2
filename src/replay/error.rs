use std::time::Duration;

use crate::server::ServerError;

/// Why a replay could not be finished. Messages are lowercase fragments and never hold a
/// credential.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("could not connect to {what} at {addr}: {source}")]
    Connect {
        what: &'static str,
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the server sent nothing for {after:?} while replay waited for {waiting_for}")]
    Timeout {
        waiting_for: String,
        after: Duration,
    },
    #[error("the replayed session took longer than {0:?}")]
    SessionTimeout(Duration),
    #[error("connection failed while {doing}: {source}")]
    Io {
        doing: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the server sent no greeting before it closed the connection")]
    NoGreeting,
    #[error("the replay server failed: {0}")]
    Server(#[from] ServerError),
    #[error("the replay server has no test account to log in with")]
    NoAccount,
}
