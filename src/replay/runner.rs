//! One claimed session replayed against a [`MailServer`]: seed the mailbox, connect, send
//! the plan, record the replies, read the message back if the scenario asks.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::body::{generated_message, messages_needed};
use super::client::replay_stream;
use super::error::ReplayError;
use super::plan::plan;
use super::readback::{count_messages, read_back, Readback};
use super::record::replayed_session;
use super::setup::{ReplayNote, ReplaySetup};
use crate::server::MailServer;
use crate::session::{CommandKind, Protocol, Session};

/// A session as the replay server answered it.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The claimed commands with the server's replies (`Origin::Replay`).
    pub session: Session,
    /// Which server answered (`MailServer::name`).
    pub server: String,
    /// What replay did differently from the submission.
    pub notes: Vec<ReplayNote>,
    /// Send-then-read: whether the message came back over POP3 unchanged.
    pub readback: Option<Readback>,
}

impl Replayed {
    /// A replay that sent nothing (a TLS connection has no dialogue to re-send).
    fn nothing(claimed: &Session) -> Self {
        let mut session = Session::new(claimed.protocol, claimed.source.clone());
        session.tls = claimed.tls.clone();
        Replayed {
            session,
            server: String::new(),
            notes: Vec::new(),
            readback: None,
        }
    }
}

/// Replays `claimed` against `server` with the credentials and options in `setup`.
pub async fn replay_session(
    server: &dyn MailServer,
    claimed: &Session,
    setup: &ReplaySetup,
) -> Result<Replayed, ReplayError> {
    let mut notes = Vec::new();
    if claimed.protocol == Protocol::Pop3 {
        seed(server, claimed, setup, &mut notes).await?;
    }
    let endpoints = server.endpoints();
    let (addr, what) = match claimed.protocol {
        Protocol::Smtp => (endpoints.smtp, "smtp"),
        Protocol::Pop3 => (endpoints.pop3, "pop3"),
        // A TLS connection has no cleartext dialogue to re-send: its replay is empty.
        Protocol::Tls => return Ok(Replayed::nothing(claimed)),
    };
    let stream = connect(addr, what, setup).await?;
    let (session, more, last_message) = replay_over(stream, claimed, setup).await?;
    notes.extend(more);
    let delivered = session.exchanges.iter().any(|e| {
        matches!(
            e.command.as_ref().map(|c| &c.kind),
            Some(CommandKind::Message { .. })
        ) && e.reply.as_ref().is_some_and(|r| r.code.is_positive())
    });
    let readback = match (setup.send_then_read, claimed.protocol, last_message) {
        (true, Protocol::Smtp, Some(message)) if delivered => {
            let pop3 = connect(endpoints.pop3, "pop3", setup).await?;
            let pop3_again = connect(endpoints.pop3, "pop3", setup).await;
            Some(read_back(pop3, pop3_again, &message, setup).await?)
        }
        (true, Protocol::Smtp, _) => Some(Readback::not_sent()),
        _ => None,
    };
    Ok(Replayed {
        session,
        server: server.name(),
        notes,
        readback,
    })
}

/// Replays `claimed` over an open stream (no seeding, no read-back): the replayed session,
/// the notes, and the last message sent.
pub async fn replay_over<S>(
    stream: S,
    claimed: &Session,
    setup: &ReplaySetup,
) -> Result<(Session, Vec<ReplayNote>, Option<Vec<u8>>), ReplayError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut plan = plan(claimed, setup);
    let total = claimed.exchanges.len();
    if total > setup.max_exchanges {
        plan.items.retain(|item| item.claimed < setup.max_exchanges);
        plan.notes.push(ReplayNote::Truncated {
            replayed: setup.max_exchanges,
            total,
        });
    }
    let recorded = replay_stream(stream, claimed.protocol, &plan, setup).await?;
    let session = replayed_session(claimed, &recorded, plan.stop_at_tls);
    let mut notes = plan.notes;
    notes.extend(recorded.notes.iter().cloned());
    for event in &recorded.events {
        if let super::client::Event::Skipped { claimed: index } = event {
            if let Some(command) = claimed
                .exchanges
                .get(*index)
                .and_then(|e| e.command.as_ref())
            {
                notes.push(ReplayNote::Skipped {
                    label: command.label().to_string(),
                    origin: command.origin,
                });
            }
        }
    }
    Ok((session, notes, recorded.last_message))
}

pub(crate) async fn connect(
    addr: std::net::SocketAddr,
    what: &'static str,
    setup: &ReplaySetup,
) -> Result<TcpStream, ReplayError> {
    let connecting = timeout(setup.timeouts.command, TcpStream::connect(addr)).await;
    let stream = connecting
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
        .map_err(|source| ReplayError::Connect { what, addr, source })?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Fills the test mailbox up to what the session reads: the scenario's messages first,
/// then generated ones. Only what is missing is added, so a shared server is not
/// flooded; a server that cannot be seeded is noted, not an error.
async fn seed(
    server: &dyn MailServer,
    claimed: &Session,
    setup: &ReplaySetup,
    notes: &mut Vec<ReplayNote>,
) -> Result<(), ReplayError> {
    let needed = messages_needed(claimed).max(setup.mailbox.len());
    if needed == 0 {
        return Ok(());
    }
    let user = setup.account.address.as_str();
    // Counted over POP3: asking the server for the mailbox would copy every message in it
    // (a message to 1,000 recipients the test account catches is 1,000 messages).
    let counted = match connect(server.endpoints().pop3, "pop3", setup).await {
        Ok(stream) => count_messages(stream, setup).await,
        Err(error) => Err(error),
    };
    let present = match counted {
        Ok(Some(count)) => count as usize,
        Ok(None) => {
            notes.push(ReplayNote::SeedFailed {
                detail: "the test account's mailbox could not be counted over POP3".into(),
            });
            return Ok(());
        }
        Err(error) => {
            notes.push(ReplayNote::SeedFailed {
                detail: error.to_string(),
            });
            return Ok(());
        }
    };
    if present >= needed {
        return Ok(());
    }
    let wanted: Vec<Vec<u8>> = (present..needed)
        .map(|i| match setup.mailbox.get(i) {
            Some(message) => super::body::crlf(message),
            None => generated_message(i + 1, user),
        })
        .collect();
    let generated = (present..needed)
        .filter(|&i| i >= setup.mailbox.len())
        .count();
    let count = wanted.len();
    match server.seed(user, wanted).await {
        Ok(()) => notes.push(ReplayNote::MailboxSeeded { count, generated }),
        Err(error) => notes.push(ReplayNote::SeedFailed {
            detail: error.to_string(),
        }),
    }
    Ok(())
}
