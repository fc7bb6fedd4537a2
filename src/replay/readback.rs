//! Send-then-read: after an SMTP session, log in over POP3 as the test account, fetch the
//! newest message and compare it with the one sent, byte for byte (after the trace headers
//! the server puts in front).

use tokio::io::{AsyncRead, AsyncWrite};

use super::body::crlf;
use super::error::ReplayError;
use super::runner::replay_over;
use super::setup::ReplaySetup;
use crate::protocol::Verb;
use crate::session::{
    Args, Command, CommandKind, Exchange, Origin, Protocol, Secret, Session, Source,
};

/// What reading the message back found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readback {
    /// The message came back unchanged.
    pub verified: bool,
    /// English detail for the grade; no secret.
    pub detail: String,
}

impl Readback {
    pub(crate) fn not_sent() -> Self {
        Readback {
            verified: false,
            detail: "no message was accepted on replay, so there was nothing to read back".into(),
        }
    }
}

/// Two POP3 connections: one to count the messages, one to retrieve the newest.
pub(crate) async fn read_back<S, T>(
    count_stream: S,
    retr_stream: Result<T, ReplayError>,
    sent: &[u8],
    setup: &ReplaySetup,
) -> Result<Readback, ReplayError>
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let count = count_messages(count_stream, setup).await?;
    let Some(count) = count.filter(|&n| n > 0) else {
        return Ok(Readback {
            verified: false,
            detail: format!(
                "the message was accepted, but {}'s mailbox is empty over POP3",
                setup.account.address
            ),
        });
    };
    let (retr, _, _) = replay_over(
        retr_stream?,
        &pop3_session(&[(Verb::Retr, &count.to_string())]),
        setup,
    )
    .await?;
    let body = retr
        .exchanges
        .iter()
        .find(|e| e.command.as_ref().and_then(Command::verb) == Some(Verb::Retr))
        .and_then(|e| e.reply.as_ref())
        .and_then(|r| r.body.as_ref())
        .and_then(|c| c.bytes.clone())
        .unwrap_or_default();
    let sent = crlf(sent);
    let verified = !sent.is_empty() && crlf(&body).ends_with(&sent);
    let detail = if verified {
        format!(
            "message {count} read back over POP3 ends with the {} bytes sent, unchanged",
            sent.len()
        )
    } else {
        format!(
            "message {count} read back over POP3 ({} bytes) does not end with the {} bytes sent",
            body.len(),
            sent.len()
        )
    };
    Ok(Readback { verified, detail })
}

/// How many messages the test account's mailbox holds, asked over POP3 (`STAT`), so that
/// counting a mailbox never copies it; `None` when the server would not say.
pub(crate) async fn count_messages<S>(
    stream: S,
    setup: &ReplaySetup,
) -> Result<Option<u32>, ReplayError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (stat, _, _) = replay_over(stream, &pop3_session(&[(Verb::Stat, "")]), setup).await?;
    Ok(stat
        .exchanges
        .iter()
        .find(|e| e.command.as_ref().and_then(Command::verb) == Some(Verb::Stat))
        .and_then(|e| e.reply.as_ref())
        .filter(|r| r.code.is_positive())
        .and_then(|r| r.text().split_whitespace().next()?.parse::<u32>().ok()))
}

/// USER, PASS (swapped for the test account by the plan), the commands, QUIT.
fn pop3_session(commands: &[(Verb, &str)]) -> Session {
    let line = |verb: Verb, args: Args| Exchange {
        command: Some(Command::new(
            CommandKind::line(Protocol::Pop3, verb.name(), args),
            Origin::Synthetic,
        )),
        reply: None,
    };
    let mut session = Session::new(Protocol::Pop3, Source::default());
    session.exchanges.push(Exchange {
        command: None,
        reply: None,
    });
    session
        .exchanges
        .push(line(Verb::User, Args::plain("reader")));
    session.exchanges.push(line(
        Verb::Pass,
        Args {
            text: String::new(),
            secret: Some(Secret::new("placeholder")),
        },
    ));
    for (verb, text) in commands {
        session.exchanges.push(line(*verb, Args::plain(*text)));
    }
    session.exchanges.push(line(Verb::Quit, Args::default()));
    session
}
