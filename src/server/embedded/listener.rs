//! The accept loop, laid out like mini-redis: a semaphore caps sessions, a count per client
//! address caps what one client holds, a broadcast tells them to stop, and an mpsc channel
//! closes when the last one has finished.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc, Semaphore};

use super::connection::Connection;
use super::shared::{Ending, SessionRecord, Shared};
use super::skeleton::Skeleton;
use super::{pop3, smtp};
use crate::protocol::pop3::Pop3Response;
use crate::protocol::smtp::SmtpReply;
use crate::session::{Pop3Status, Protocol, ReplyCode, ReplyLines, SmtpCode};

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
    let limits = &shared.config.limits;
    let limit = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = Arc::new(PerClient::default());
    let (per_client_max, limit_loopback) = (
        limits.max_connections_per_client,
        limits.limit_loopback_clients,
    );
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
            let ip = peer.ip().to_canonical();
            let exempt = ip.is_loopback() && !limit_loopback;
            let slot = if exempt {
                Ok(None)
            } else {
                per_client.take(ip, per_client_max).map(Some).ok_or(())
            };
            let permit = match slot {
                Ok(slot) => Arc::clone(&limit)
                    .try_acquire_owned()
                    .map(|permit| (permit, slot))
                    .map_err(|_| Ending::TooManyConnections),
                Err(()) => Err(Ending::TooManyConnectionsFromClient),
            };
            let shared = Arc::clone(&shared);
            let shutdown = Shutdown::new(notify_shutdown.subscribe());
            let done = done_tx.clone();
            tokio::spawn(async move {
                match permit {
                    Ok(_held) => serve(stream, peer, protocol, shared, shutdown).await,
                    Err(why) => refuse(stream, peer, protocol, &shared, why).await,
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

/// Over a connection cap: say so (RFC 5321 §3.8 allows 421 instead of a greeting) and
/// close, rather than leave the client waiting. `why` is the cap: all sessions, or this
/// client's (Postfix's answer to `smtpd_client_connection_count_limit`).
async fn refuse(
    stream: TcpStream,
    peer: SocketAddr,
    protocol: Protocol,
    shared: &Shared,
    why: Ending,
) {
    let mut conn = Connection::new(stream, std::time::Duration::from_secs(5));
    let from_client = why == Ending::TooManyConnectionsFromClient;
    let smtp = |text: String| {
        let code = SmtpCode::new(421).expect("421 is a reply code");
        let reply = SmtpReply {
            code,
            lines: ReplyLines::one(text),
        };
        (reply.to_wire().into_bytes(), ReplyCode::Smtp(code))
    };
    let pop3 = |text: &str| {
        let response = Pop3Response {
            status: Pop3Status::Err,
            text: text.to_string(),
            body: None,
        };
        (response.to_wire(), ReplyCode::Pop3(Pop3Status::Err))
    };
    let (wire, code) = match (protocol, from_client) {
        (Protocol::Smtp, false) => smtp(format!(
            "4.7.0 {} Error: too many connections, try again later",
            shared.hostname
        )),
        (Protocol::Smtp, true) => smtp(format!(
            "4.7.0 {} Error: too many connections from {}",
            shared.hostname,
            peer.ip()
        )),
        (Protocol::Pop3 | Protocol::Tls, false) => {
            pop3("[SYS/TEMP] Too many connections, try again later.")
        }
        (Protocol::Pop3 | Protocol::Tls, true) => {
            pop3("[SYS/TEMP] Too many connections from your address, try again later.")
        }
    };
    conn.queue(&wire);
    let _ = conn.close().await;
    let mut skeleton = Skeleton::default();
    skeleton.push(format!("greeting → {code}"));
    shared.publish(SessionRecord {
        protocol,
        peer,
        user: None,
        skeleton,
        ending: why,
    });
}

/// Sessions open per client address.
#[derive(Debug, Default)]
struct PerClient {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One session's place in its client's count, given back on drop.
struct ClientSlot {
    counts: Arc<PerClient>,
    ip: IpAddr,
}

impl PerClient {
    /// A slot for `ip` if it holds fewer than `max` sessions.
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<ClientSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            counts: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}
