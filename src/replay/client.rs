//! The replay client: sends a plan over any stream and records what the server answers.
//!
//! Generic over `AsyncRead + AsyncWrite` so tests drive it over `tokio::io::duplex`. One
//! command at a time (a pipelined group in one write, as the student's client sent it);
//! replies are read into a [`DialogueBuilder`], which knows when every reply is complete
//! (multi-line SMTP replies, POP3 bodies) and what the server now expects.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::{timeout, Instant};

use super::credentials;
use super::error::ReplayError;
use super::plan::{Needs, Outgoing, Plan, Planned};
use super::setup::{ReplayNote, ReplaySetup};
use crate::i18n::messages::replay::ReplayFiller;
use crate::i18n::Lang;
use crate::protocol::{command_bytes, pop3, sasl, smtp, Dialogue, DialogueBuilder, Expect, Verb};
use crate::session::{Origin, Protocol, Secret};

/// A line of the server longer than this is not kept for challenges (the dialogue bounds
/// replies itself).
const MAX_TRACKED_LINE: usize = 64 << 10;

/// What happened to each planned command, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// Sent; `claimed` is `None` for a filler replay added to stay in step.
    Sent { claimed: Option<usize> },
    /// Not sent: the server's answer made it meaningless.
    Skipped { claimed: usize },
}

/// A replayed conversation as the dialogue builder read it.
#[derive(Debug)]
pub(crate) struct Recorded {
    pub dialogue: Dialogue,
    pub events: Vec<Event>,
    /// Planned commands never sent because the server closed the connection.
    pub unsent: Vec<usize>,
    pub notes: Vec<ReplayNote>,
    /// The last message sent, as sent (unstuffed), for send-then-read: only the last is
    /// read back, so a session of many messages keeps one.
    pub last_message: Option<Vec<u8>>,
}

/// Replays `plan` over `stream`: waits for the greeting, sends, reads, until the plan is
/// done, the server closes, or TLS would start. A server that stays silent longer than the
/// command timeout, or a session longer than the session timeout, is an error.
pub(crate) async fn replay_stream<S>(
    stream: S,
    protocol: Protocol,
    plan: &Plan,
    setup: &ReplaySetup,
) -> Result<Recorded, ReplayError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let limit = setup.timeouts.session;
    match timeout(limit, drive(stream, protocol, plan, setup)).await {
        Ok(result) => result,
        Err(_) => Err(ReplayError::SessionTimeout(limit)),
    }
}

async fn drive<S>(
    stream: S,
    protocol: Protocol,
    plan: &Plan,
    setup: &ReplaySetup,
) -> Result<Recorded, ReplayError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut conn = Connection::new(stream, protocol, setup.timeouts.command);
    conn.settle("the greeting").await?;
    if conn.greeting.is_none() {
        return Err(ReplayError::NoGreeting);
    }
    let mut recorded = Recorded {
        dialogue: Dialogue::default(),
        events: Vec::new(),
        unsent: Vec::new(),
        notes: Vec::new(),
        last_message: None,
    };
    let items = &plan.items;
    let mut next = 0;
    while next < items.len() {
        let expect = conn.builder.expect();
        if conn.closed || expect == Expect::Encrypted {
            break;
        }
        let item = &items[next];
        match (item.needs, expect) {
            (Needs::Challenge, Expect::AuthResponse)
            | (Needs::DataGoAhead, Expect::MessageContent)
            | (Needs::Command, _) => {}
            (Needs::Challenge | Needs::DataGoAhead, _) => {
                recorded.events.push(Event::Skipped {
                    claimed: item.claimed,
                });
                next += 1;
                continue;
            }
        }
        // The server waits for something the submission does not send next: answer it so
        // the next command is read as a command.
        let filler: Option<(&[u8], ReplayFiller)> = match (item.needs, expect) {
            (Needs::Command, Expect::AuthResponse) => {
                Some((b"*\r\n", ReplayFiller::CancelChallenge))
            }
            (Needs::Command, Expect::MessageContent) => {
                Some((b".\r\n", ReplayFiller::EmptyMessage))
            }
            _ => None,
        };
        if let Some((bytes, what)) = filler {
            recorded.events.push(Event::Sent { claimed: None });
            recorded
                .notes
                .push(ReplayNote::Filler { what: what.text() });
            // Errors are the CLI's, in English.
            let what = what.get(Lang::En);
            conn.send(bytes.to_vec(), what).await?;
            conn.settle(what).await?;
            continue;
        }
        let mut end = next + 1;
        if item.needs == Needs::Command {
            while end < items.len() && items[end].pipelined && items[end].needs == Needs::Command {
                end += 1;
            }
        }
        let mut bytes = Vec::new();
        for item in &items[next..end] {
            bytes.extend(conn.bytes_of(item, setup, &mut recorded)?);
            recorded.events.push(Event::Sent {
                claimed: Some(item.claimed),
            });
        }
        let label = waiting_label(&items[end - 1]);
        conn.send(bytes, &label).await?;
        conn.settle(&label).await?;
        next = end;
    }
    if conn.closed {
        recorded.unsent = items[next..].iter().map(|i| i.claimed).collect();
        if !recorded.unsent.is_empty() {
            recorded.notes.push(ReplayNote::ServerClosed {
                unsent: recorded.unsent.len(),
            });
        }
    }
    let _ = conn.stream.shutdown().await;
    recorded.dialogue = conn.builder.finish();
    Ok(recorded)
}

fn waiting_label(item: &Planned) -> String {
    match &item.outgoing {
        Outgoing::Command(command) => format!("the reply to {}", command.label()),
        Outgoing::Apop { .. } => "the reply to APOP".into(),
        Outgoing::CramMd5 { .. } => "the reply to auth-response".into(),
        Outgoing::Chunk(_) => "the reply to BDAT".into(),
    }
}

/// The socket and what was read from it.
struct Connection<S> {
    stream: S,
    protocol: Protocol,
    builder: DialogueBuilder,
    command_timeout: Duration,
    closed: bool,
    buf: Vec<u8>,
    /// The server's first line (the POP3 APOP timestamp is in it).
    greeting: Option<String>,
    /// The server's last whole line (a SASL challenge).
    last_line: String,
    partial: Vec<u8>,
    reads: u32,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    fn new(stream: S, protocol: Protocol, command_timeout: Duration) -> Self {
        Connection {
            stream,
            protocol,
            builder: DialogueBuilder::new(protocol),
            command_timeout,
            closed: false,
            buf: vec![0; 16 << 10],
            greeting: None,
            last_line: String::new(),
            partial: Vec::new(),
            reads: 0,
        }
    }

    /// Reads until every reply sent for has arrived, or the server closes.
    async fn settle(&mut self, waiting_for: &str) -> Result<(), ReplayError> {
        while !self.closed
            && matches!(
                self.builder.expect(),
                Expect::Greeting | Expect::Reply | Expect::ServerContinuation
            )
        {
            let started = Instant::now();
            let read = timeout(self.command_timeout, self.stream.read(&mut self.buf)).await;
            let read = read.map_err(|_| ReplayError::Timeout {
                waiting_for: waiting_for.to_string(),
                after: started.elapsed(),
            })?;
            match read {
                Ok(0) => self.closed = true,
                Ok(n) => {
                    self.reads += 1;
                    let chunk = self.buf[..n].to_vec();
                    self.track_lines(&chunk);
                    // Reply origins are renumbered when the session is recorded.
                    self.builder
                        .server_bytes(&chunk, Origin::Replay { index: self.reads });
                }
                Err(error) if is_disconnect(&error) => self.closed = true,
                Err(source) => {
                    return Err(ReplayError::Io {
                        doing: format!("waiting for {waiting_for}"),
                        source,
                    })
                }
            }
        }
        Ok(())
    }

    async fn send(&mut self, bytes: Vec<u8>, what: &str) -> Result<(), ReplayError> {
        let started = Instant::now();
        let write = async {
            self.stream.write_all(&bytes).await?;
            self.stream.flush().await
        };
        match timeout(self.command_timeout, write).await {
            Err(_) => Err(ReplayError::Timeout {
                waiting_for: format!("the server to take {what}"),
                after: started.elapsed(),
            }),
            Ok(Err(error)) if is_disconnect(&error) => {
                self.closed = true;
                Ok(())
            }
            Ok(Err(source)) => Err(ReplayError::Io {
                doing: format!("sending for {what}"),
                source,
            }),
            Ok(Ok(())) => {
                self.builder.client_bytes(&bytes, Origin::Synthetic);
                Ok(())
            }
        }
    }

    fn track_lines(&mut self, chunk: &[u8]) {
        self.partial.extend_from_slice(chunk);
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line).trim_end().to_string();
            if self.greeting.is_none() {
                self.greeting = Some(line.clone());
            }
            self.last_line = line;
        }
        if self.partial.len() > MAX_TRACKED_LINE {
            self.partial.clear();
        }
    }

    /// The bytes for one planned command; APOP and CRAM-MD5 are computed here because
    /// they need what the server said.
    fn bytes_of(
        &self,
        item: &Planned,
        setup: &ReplaySetup,
        recorded: &mut Recorded,
    ) -> Result<Vec<u8>, ReplayError> {
        let account = &setup.account;
        let bytes = match &item.outgoing {
            Outgoing::Command(command) => {
                if let crate::session::CommandKind::Message { content } = &command.kind {
                    recorded.last_message = Some(content.bytes.clone().unwrap_or_default());
                }
                command_bytes(command).unwrap_or_default()
            }
            Outgoing::Chunk(bytes) => {
                recorded.last_message = Some(bytes.clone());
                bytes.clone()
            }
            Outgoing::Apop { written, wrong } => {
                let greeting = self.greeting.as_deref().unwrap_or("");
                let digest = match credentials::apop_timestamp(greeting) {
                    Some(stamp) => {
                        credentials::apop_digest(stamp, &credentials::password(account, *wrong))
                    }
                    None => {
                        recorded.notes.push(ReplayNote::MalformedCredential {
                            what: Verb::Apop.to_string(),
                            problem: "the server's greeting has no timestamp".into(),
                            origin: Origin::Synthetic,
                        });
                        Secret::new("not-a-digest")
                    }
                };
                format!("{written} {} {}\r\n", account.address, digest.expose()).into_bytes()
            }
            Outgoing::CramMd5 { wrong } => {
                let challenge = self.challenge().unwrap_or_default();
                let response = credentials::cram_md5_response(
                    &account.address,
                    &credentials::password(account, *wrong),
                    &challenge,
                );
                format!("{}\r\n", response.expose()).into_bytes()
            }
        };
        Ok(bytes)
    }

    /// The decoded text of the last `334` / `+ ` challenge.
    fn challenge(&self) -> Option<Vec<u8>> {
        let text = match self.protocol {
            Protocol::Smtp => smtp::parse_reply_line(&self.last_line).ok()?.text,
            Protocol::Pop3 => pop3::parse_status_line(&self.last_line).ok()?.text,
            Protocol::Tls => return None,
        };
        sasl::decode(&Secret::new(text))
            .ok()
            .map(|s| s.expose().as_bytes().to_vec())
    }
}

fn is_disconnect(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        error.kind(),
        BrokenPipe | ConnectionReset | ConnectionAborted | UnexpectedEof
    )
}
