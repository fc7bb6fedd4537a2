//! What replay sends for each command of the claimed session: secrets swapped, addresses
//! mapped, missing bodies supplied, and only commands of the session's protocol (by
//! `protocol`'s grammar): anything else is left out with a note. Sync; the client sends the
//! plan.

use super::addresses::map_envelope;
use super::body::{crlf, DEFAULT_BODY};
use super::credentials::{self, AuthExchange, AuthSend};
use super::setup::{ReplayNote, ReplaySetup};
use crate::protocol::Verb;
use crate::session::Command;
use crate::session::{CommandKind, Content, Protocol, Session};

/// What must have happened before a planned command can be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Needs {
    /// A command line: every reply has arrived.
    Command,
    /// A SASL response or `*`: the server sent a challenge.
    Challenge,
    /// A message: DATA was answered 354.
    DataGoAhead,
}

/// How the bytes of a planned command are made.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// `protocol::command_bytes` of this command (may hold the test account's secret).
    Command(Command),
    /// APOP for the test account: the digest needs the greeting's timestamp.
    Apop { written: String, wrong: bool },
    /// A CRAM-MD5 response: the digest needs the challenge.
    CramMd5 { wrong: bool },
    /// A BDAT chunk: its bytes exactly, right after the BDAT line (no dot-stuffing).
    Chunk(Vec<u8>),
}

#[derive(Debug)]
pub(crate) struct Planned {
    /// The claimed session's exchange this command comes from.
    pub claimed: usize,
    pub needs: Needs,
    /// Sent in one write with the command before (as the student's client did).
    pub pipelined: bool,
    pub outgoing: Outgoing,
}

#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub items: Vec<Planned>,
    pub notes: Vec<ReplayNote>,
    /// Where the claimed session became encrypted: replay stops after that exchange.
    pub stop_at_tls: bool,
}

/// The plan for `session` under `setup`.
pub(crate) fn plan(session: &Session, setup: &ReplaySetup) -> Plan {
    let mut plan = Plan::default();
    let notes = &mut plan.notes;
    let last = session
        .encrypted_after
        .unwrap_or(usize::MAX)
        .min(session.exchanges.len().saturating_sub(1));
    let account = &setup.account;
    let mut auth: Option<AuthExchange> = None;
    let mut after_bdat = false;
    for (index, exchange) in session.exchanges.iter().enumerate().take(last + 1) {
        let Some(command) = &exchange.command else {
            continue;
        };
        let bdat_chunk = std::mem::replace(&mut after_bdat, command.verb() == Some(Verb::Bdat));
        if let (true, CommandKind::Message { content }) = (bdat_chunk, &command.kind) {
            // The chunk goes in the same write as its BDAT line, and is answered with it.
            plan.items.push(Planned {
                claimed: index,
                needs: Needs::Command,
                pipelined: true,
                outgoing: Outgoing::Chunk(content.bytes.clone().unwrap_or_default()),
            });
            continue;
        }
        let mut needs = Needs::Command;
        let outgoing = match &command.kind {
            CommandKind::Line { request, .. } if !request.is_command() => {
                // No command of this protocol (PASS at an SMTP server, IMAP's LOGIN, a
                // password typed as a command, a Subject line before DATA): it may hold
                // anything, and a server only refuses it. Never sent.
                auth = None;
                notes.push(ReplayNote::NotACommand {
                    protocol: session.protocol,
                    origin: command.origin,
                });
                continue;
            }
            CommandKind::Line { request, args, .. } => {
                auth = None;
                match (session.protocol, request.verb()) {
                    (_, Some(Verb::Auth)) => {
                        let failed = credentials::login_failed(&session.exchanges, index);
                        let (started, sent) =
                            AuthExchange::start(command, args, account, failed, notes);
                        auth = Some(started);
                        Outgoing::Command(sent)
                    }
                    (Protocol::Smtp, Some(Verb::Mail | Verb::Rcpt | Verb::Vrfy))
                        if !setup.keep_addresses =>
                    {
                        match map_envelope(command, args, &setup.domain) {
                            Some((sent, from, to)) => {
                                notes.push(ReplayNote::AddressMapped { from, to });
                                Outgoing::Command(sent)
                            }
                            None => Outgoing::Command(command.clone()),
                        }
                    }
                    (Protocol::Pop3, Some(Verb::User)) => {
                        Outgoing::Command(credentials::swap_user(command, args, account, notes))
                    }
                    (Protocol::Pop3, Some(Verb::Pass)) => {
                        let failed = credentials::login_failed(&session.exchanges, index);
                        Outgoing::Command(credentials::swap_pass(
                            command, args, account, failed, notes,
                        ))
                    }
                    (Protocol::Pop3, Some(Verb::Apop)) => {
                        match credentials::apop_form(command, args, account, notes) {
                            Some(sent) => Outgoing::Command(sent),
                            None => Outgoing::Apop {
                                written: command_written(command),
                                wrong: credentials::login_failed(&session.exchanges, index),
                            },
                        }
                    }
                    // Only the verbs above have credential slots; should any other line
                    // ever carry a secret, it goes without it.
                    _ => Outgoing::Command(credentials::without_secret(command, args)),
                }
            }
            CommandKind::AuthResponse { payload } => {
                needs = Needs::Challenge;
                let open = auth
                    .as_mut()
                    .filter(|_| credentials::continues_sasl(&session.exchanges, index));
                match open {
                    Some(auth) => match auth.respond(command, payload, account, notes) {
                        AuthSend::Command(sent) => Outgoing::Command(sent),
                        AuthSend::CramMd5 { wrong } => Outgoing::CramMd5 { wrong },
                    },
                    // No AUTH waiting for it: a password typed where a command belonged.
                    // It is no command of the protocol, so it is never sent.
                    None => {
                        notes.push(ReplayNote::NotACommand {
                            protocol: session.protocol,
                            origin: command.origin,
                        });
                        continue;
                    }
                }
            }
            CommandKind::AuthCancel => {
                needs = Needs::Challenge;
                Outgoing::Command(command.clone())
            }
            CommandKind::Message { content } => {
                needs = Needs::DataGoAhead;
                if content.is_elided() {
                    let (body, from_scenario) = match &setup.replay_body {
                        Some(body) => (crlf(body), true),
                        None => (DEFAULT_BODY.to_vec(), false),
                    };
                    notes.push(ReplayNote::BodySupplied {
                        size: body.len(),
                        from_scenario,
                        origin: command.origin,
                    });
                    Outgoing::Command(Command {
                        kind: CommandKind::Message {
                            content: Content::from_bytes(body),
                        },
                        ..command.clone()
                    })
                } else {
                    // A transcript's lines may have lost their CR: the wire needs CRLF.
                    let bytes = content.bytes.as_deref().map(crlf).unwrap_or_default();
                    Outgoing::Command(Command {
                        kind: CommandKind::Message {
                            content: Content::from_bytes(bytes),
                        },
                        ..command.clone()
                    })
                }
            }
        };
        plan.items.push(Planned {
            claimed: index,
            needs,
            pipelined: command.pipelined && needs == Needs::Command,
            outgoing,
        });
    }
    if let Some(after) = session.encrypted_after {
        plan.stop_at_tls = true;
        let origin = session
            .exchanges
            .get(after)
            .and_then(|e| e.command.as_ref().map(|c| c.origin))
            .unwrap_or_default();
        plan.notes.push(ReplayNote::StoppedAtTls { origin });
    }
    plan
}

fn command_written(command: &Command) -> String {
    match &command.kind {
        CommandKind::Line { written, .. } => written.to_string(),
        _ => Verb::Apop.to_string(),
    }
}
