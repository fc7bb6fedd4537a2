//! The accept loop, laid out like mini-redis: a semaphore caps sessions, a broadcast tells
//! them to stop, and an mpsc channel closes when the last one has finished.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc, Semaphore};

use super::connection::Connection;
use super::shared::{Ending, SessionRecord, Shared};
use super::{pop3, smtp};
use crate::session::Protocol;

/// A session's view of the server shutting down.
pub struct Shutdown {
    is_shutdown: bool,
    notify: broadcast::Receiver<()>,
}

impl Shutdown {
    pub fn new(notify: broadcast::Receiver<()>) -> Self {
        Shutdown {
            is_shutdown: false,
            notify,
        }
    }

    /// Waits for the shutdown notice; returns at once after it came.
    pub async fn recv(&mut self) {
        if self.is_shutdown {
            return;
        }
        let _ = self.notify.recv().await;
        self.is_shutdown = true;
    }
}

/// Serves `protocol` on `listener` until `shutdown` completes, then tells every session to
/// end and waits until they have.
pub async fn run(
    listener: TcpListener,
    protocol: Protocol,
    shared: Arc<Shared>,
    shutdown: impl Future,
) {
    let limit = Arc::new(Semaphore::new(shared.config.limits.max_connections));
    let (notify_shutdown, _) = broadcast::channel::<()>(1);
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);

    let accept_loop = async {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let permit = Arc::clone(&limit).try_acquire_owned().ok();
            let shared = Arc::clone(&shared);
            let shutdown = Shutdown::new(notify_shutdown.subscribe());
            let done = done_tx.clone();
            tokio::spawn(async move {
                match permit {
                    Some(_permit) => serve(stream, peer, protocol, shared, shutdown).await,
                    None => refuse(stream, peer, protocol, &shared).await,
                }
                drop(done);
            });
        }
    };
    tokio::select! {
        _ = accept_loop => {}
        _ = shutdown => {}
    }
    drop(listener);
    drop(notify_shutdown);
    drop(done_tx);
    let _ = done_rx.recv().await;
}

async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    protocol: Protocol,
    shared: Arc<Shared>,
    shutdown: Shutdown,
) {
    let conn = Connection::new(stream, shared.config.limits.idle_timeout);
    let record = match protocol {
        Protocol::Smtp => smtp::serve(conn, peer, Arc::clone(&shared), shutdown).await,
        Protocol::Pop3 | Protocol::Tls => {
            pop3::serve(conn, peer, Arc::clone(&shared), shutdown).await
        }
    };
    shared.publish(record);
}

/// Over the connection cap: say so (RFC 5321 §3.8 allows 421 instead of a greeting) and
/// close, rather than leave the client waiting.
async fn refuse(stream: TcpStream, peer: SocketAddr, protocol: Protocol, shared: &Shared) {
    let mut conn = Connection::new(stream, std::time::Duration::from_secs(5));
    let line = match protocol {
        Protocol::Smtp => format!(
            "421 4.7.0 {} Error: too many connections, try again later",
            shared.hostname
        ),
        Protocol::Pop3 | Protocol::Tls => {
            "-ERR [SYS/TEMP] Too many connections, try again later.".to_string()
        }
    };
    conn.queue(format!("{line}\r\n").as_bytes());
    let _ = conn.close().await;
    let code = if protocol == Protocol::Smtp {
        "421"
    } else {
        "-ERR"
    };
    shared.publish(SessionRecord {
        protocol,
        peer,
        user: None,
        skeleton: vec![format!("greeting → {code}")],
        ending: Ending::TooManyConnections,
    });
}
