//! A session as the JSON report shows it, written field by field into the [`JsonWriter`]:
//! the bytes serde's derived views gave (the tests keep those views to compare), without
//! serde's calls per field or core::fmt for the skeleton, commands, reply codes and
//! origins, which are most of a capture's report.
//!
//! The rarer parts (source, TLS handshake, notes, reading) still go through serde.

use std::io::{self, Write};

use super::writer::{JsonWriter, Keys, Layout};
use crate::session::{Command, CommandKind, Exchange, Session};

/// How many keys an exchange's object can have.
pub const EXCHANGE_KEYS: usize = 9;

const KIND: usize = 0;
const VERB: usize = 1;
const COMMAND: usize = 2;
const REPLY: usize = 3;
const REPLY_TEXT: usize = 4;
const MESSAGE_SIZE: usize = 5;
const PIPELINED: usize = 6;
const COMMAND_ORIGIN: usize = 7;
const REPLY_ORIGIN: usize = 8;

/// The keys of an exchange's object whose fields sit at `depth`, in the schema's order:
/// exchanges are most of a capture's report, and a key written call by call costs a
/// hundred instructions where a copy of the made bytes costs a few.
pub fn exchange_keys(layout: Layout, depth: usize) -> Keys<EXCHANGE_KEYS> {
    Keys::new(
        layout,
        depth,
        [
            "kind",
            "verb",
            "command",
            "reply",
            "reply_text",
            "message_size",
            "pipelined",
            "command_origin",
            "reply_origin",
        ],
    )
}

/// `session` (with what replay made of it) as a value at `depth`.
pub fn write<W: Write>(
    json: &mut JsonWriter<W>,
    depth: usize,
    session: &Session,
    replayed: Option<&Session>,
) -> io::Result<()> {
    let inner = depth + 1;
    json.raw(b"{");
    json.plain_key(inner, true, "protocol");
    json.str(session.protocol.name());
    json.plain_key(inner, false, "source");
    json.value(inner, &session.source)?;
    if let Some(connect) = &session.connect {
        json.plain_key(inner, false, "connect");
        json.raw(b"{");
        json.plain_key(inner + 1, true, "host");
        json.str(&connect.host);
        json.plain_key(inner + 1, false, "port");
        match connect.port {
            Some(port) => json.u64(port.into()),
            None => json.null(),
        }
        json.plain_key(inner + 1, false, "origin");
        json.origin(inner + 1, &connect.origin);
        json.close(inner, true, b"}");
    }
    json.plain_key(inner, false, "skeleton");
    skeleton(json, inner, &session.exchanges);
    json.plain_key(inner, false, "exchanges");
    exchanges(json, inner, &session.exchanges, false)?;
    if let Some(after) = session.encrypted_after {
        json.plain_key(inner, false, "encrypted_after");
        json.u64(after as u64);
    }
    if let Some(tls) = &session.tls {
        json.plain_key(inner, false, "tls");
        json.value(inner, tls)?;
    }
    json.plain_key(inner, false, "notes");
    json.value(inner, &session.notes)?;
    if let Some(reading) = &session.reading {
        json.plain_key(inner, false, "reading");
        json.value(inner, reading)?;
    }
    if let Some(replayed) = replayed {
        json.plain_key(inner, false, "replayed");
        json.raw(b"{");
        json.plain_key(inner + 1, true, "skeleton");
        skeleton(json, inner + 1, &replayed.exchanges);
        json.plain_key(inner + 1, false, "exchanges");
        // Without reply text: queue ids and APOP timestamps differ from run to run, and the
        // same input must give the same report.
        exchanges(json, inner + 1, &replayed.exchanges, true)?;
        json.close(inner, true, b"}");
    }
    json.close(depth, true, b"}");
    Ok(())
}

/// `Session::skeleton`, one string per exchange (as `Exchange::skeleton_line` says it), an
/// array at `depth`.
fn skeleton<W: Write>(json: &mut JsonWriter<W>, depth: usize, exchanges: &[Exchange]) {
    json.raw(b"[");
    let mut digits = itoa::Buffer::new();
    for (index, exchange) in exchanges.iter().enumerate() {
        json.element(depth + 1, index == 0);
        let label = exchange.command.as_ref().map_or("greeting", Command::label);
        json.raw(b"\"");
        json.str_part(label);
        json.raw(" → ".as_bytes());
        match &exchange.reply {
            Some(reply) => json.str_part(reply.code.text(&mut digits)),
            None => json.raw(b"(no reply)"),
        }
        json.raw(b"\"");
    }
    json.close(depth, !exchanges.is_empty(), b"]");
}

/// The exchanges, an array at `depth`; `replayed` leaves out the reply text.
fn exchanges<W: Write>(
    json: &mut JsonWriter<W>,
    depth: usize,
    exchanges: &[Exchange],
    replayed: bool,
) -> io::Result<()> {
    json.raw(b"[");
    let keys = json.exchange_keys(depth + 2);
    let mut written = Ok(());
    for (index, exchange) in exchanges.iter().enumerate() {
        json.element(depth + 1, index == 0);
        written = one_exchange(json, &keys, exchange, replayed)
            // As serde's sequences do: a session of many exchanges is not held whole.
            .and_then(|()| json.flush_some());
        if written.is_err() {
            break;
        }
    }
    json.keep_exchange_keys(keys);
    written?;
    json.close(depth, !exchanges.is_empty(), b"]");
    Ok(())
}

/// One exchange, an object whose fields sit at `keys.depth()`.
fn one_exchange<W: Write>(
    json: &mut JsonWriter<W>,
    keys: &Keys<EXCHANGE_KEYS>,
    exchange: &Exchange,
    replayed: bool,
) -> io::Result<()> {
    let inner = keys.depth();
    let command = exchange.command.as_ref();
    json.key_of(keys, KIND);
    json.str(match command.map(|c| &c.kind) {
        None => "greeting",
        Some(CommandKind::Line { .. }) => "command",
        Some(CommandKind::AuthResponse { .. }) => "auth-response",
        Some(CommandKind::AuthCancel) => "auth-cancel",
        Some(CommandKind::Message { .. }) => "message",
    });
    json.key_of(keys, VERB);
    match command.and_then(Command::word) {
        Some(word) => json.str(word),
        None => json.null(),
    }
    json.key_of(keys, COMMAND);
    match command {
        Some(command) => command_text(json, command)?,
        None => json.null(),
    }
    json.key_of(keys, REPLY);
    match &exchange.reply {
        Some(reply) => {
            let mut digits = itoa::Buffer::new();
            json.str(reply.code.text(&mut digits));
        }
        None => json.null(),
    }
    let reply_text = match &exchange.reply {
        Some(reply) if !replayed && !reply.lines.is_empty() => Some(&reply.lines),
        _ => None,
    };
    if let Some(reply_text) = reply_text {
        json.key_of(keys, REPLY_TEXT);
        json.raw(b"[");
        for (index, line) in reply_text.iter().enumerate() {
            json.element(inner + 1, index == 0);
            json.str(line);
        }
        json.close(inner, true, b"]");
    }
    if let Some(CommandKind::Message { content }) = command.map(|c| &c.kind) {
        if let Some(size) = content.size {
            json.key_of(keys, MESSAGE_SIZE);
            json.u64(size);
        }
    }
    if command.is_some_and(|c| c.pipelined) {
        json.key_of(keys, PIPELINED);
        json.raw(b"true");
    }
    if let Some(command) = command {
        json.key_of(keys, COMMAND_ORIGIN);
        json.origin(inner, &command.origin);
    }
    if let Some(reply) = &exchange.reply {
        json.key_of(keys, REPLY_ORIGIN);
        json.origin(inner, &reply.origin);
    }
    json.close_of(keys);
    Ok(())
}

/// The command as its `Display` writes it (secrets redacted): a plain command line is
/// copied, anything else (a secret, a message) formatted.
fn command_text<W: Write>(json: &mut JsonWriter<W>, command: &Command) -> io::Result<()> {
    match &command.kind {
        CommandKind::Line { written, args, .. } if args.secret.is_none() => {
            json.raw(b"\"");
            json.str_part(written);
            if !args.text.is_empty() {
                json.raw(b" ");
                json.str_part(&args.text);
            }
            json.raw(b"\"");
            Ok(())
        }
        _ => json.display(command),
    }
}

#[cfg(test)]
mod tests {
    //! serde's derived views, as the report was written before: what [`super::write`]
    //! must give byte for byte.

    use std::fmt::Display;

    use serde::{Serialize, Serializer};

    use super::super::writer::{JsonWriter, Layout};
    use crate::session::{
        CommandKind, Connect, Exchange, Note, Origin, Protocol, Reading, ReplyLines, Session,
        Source, TlsHandshake,
    };

    #[derive(Serialize)]
    struct SessionView<'a> {
        protocol: Protocol,
        source: &'a Source,
        #[serde(skip_serializing_if = "Option::is_none")]
        connect: Option<&'a Connect>,
        skeleton: Vec<String>,
        exchanges: Vec<ExchangeView<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        encrypted_after: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tls: Option<&'a TlsHandshake>,
        notes: &'a [Note],
        #[serde(skip_serializing_if = "Option::is_none")]
        reading: Option<&'a Reading>,
        #[serde(skip_serializing_if = "Option::is_none")]
        replayed: Option<ReplayedView<'a>>,
    }

    #[derive(Serialize)]
    struct ReplayedView<'a> {
        skeleton: Vec<String>,
        exchanges: Vec<ExchangeView<'a>>,
    }

    #[derive(Serialize)]
    struct ExchangeView<'a> {
        kind: &'static str,
        verb: Option<&'a str>,
        command: Option<Shown<&'a crate::session::Command>>,
        reply: Option<Shown<&'a crate::session::ReplyCode>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        reply_text: Option<&'a ReplyLines>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message_size: Option<u64>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        pipelined: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        command_origin: Option<Origin>,
        #[serde(skip_serializing_if = "Option::is_none")]
        reply_origin: Option<Origin>,
    }

    struct Shown<T>(T);

    impl<T: Display> Serialize for Shown<T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(&self.0)
        }
    }

    fn exchange_view(exchange: &Exchange, replayed: bool) -> ExchangeView<'_> {
        let command = exchange.command.as_ref();
        ExchangeView {
            kind: match command.map(|c| &c.kind) {
                None => "greeting",
                Some(CommandKind::Line { .. }) => "command",
                Some(CommandKind::AuthResponse { .. }) => "auth-response",
                Some(CommandKind::AuthCancel) => "auth-cancel",
                Some(CommandKind::Message { .. }) => "message",
            },
            verb: command.and_then(|c| c.word()),
            command: command.map(Shown),
            reply: exchange.reply.as_ref().map(|r| Shown(&r.code)),
            reply_text: match &exchange.reply {
                Some(reply) if !replayed && !reply.lines.is_empty() => Some(&reply.lines),
                _ => None,
            },
            message_size: match command.map(|c| &c.kind) {
                Some(CommandKind::Message { content }) => content.size,
                _ => None,
            },
            pipelined: command.is_some_and(|c| c.pipelined),
            command_origin: command.map(|c| c.origin),
            reply_origin: exchange.reply.as_ref().map(|r| r.origin),
        }
    }

    fn session_view<'a>(session: &'a Session, replayed: Option<&'a Session>) -> SessionView<'a> {
        let skeleton = |s: &Session| s.exchanges.iter().map(Exchange::skeleton_line).collect();
        SessionView {
            protocol: session.protocol,
            source: &session.source,
            connect: session.connect.as_ref(),
            skeleton: skeleton(session),
            exchanges: session
                .exchanges
                .iter()
                .map(|e| exchange_view(e, false))
                .collect(),
            encrypted_after: session.encrypted_after,
            tls: session.tls.as_deref(),
            notes: &session.notes,
            reading: session.reading.as_ref(),
            replayed: replayed.map(|replayed| ReplayedView {
                skeleton: skeleton(replayed),
                exchanges: replayed
                    .exchanges
                    .iter()
                    .map(|e| exchange_view(e, true))
                    .collect(),
            }),
        }
    }

    fn ours(session: &Session, replayed: Option<&Session>, layout: Layout) -> String {
        let mut json = JsonWriter::new(Vec::new(), layout);
        super::write(&mut json, 0, session, replayed).expect("written");
        String::from_utf8(json.into_inner().expect("flushed")).expect("UTF-8")
    }

    fn same_as_the_views(session: &Session, replayed: Option<&Session>) {
        let view = session_view(session, replayed);
        assert_eq!(
            ours(session, replayed, Layout::Pretty),
            serde_json::to_string_pretty(&view).expect("serde_json")
        );
        assert_eq!(
            ours(session, replayed, Layout::Compact),
            serde_json::to_string(&view).expect("serde_json")
        );
    }

    /// Every session of the test fixtures (transcripts of every notation, captures with TLS),
    /// alone and as its own replay, and with each origin, connect and odd command changed.
    #[test]
    fn writes_every_fixture_session_as_the_derived_views_did() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut seen = 0;
        for folder in ["transcripts", "tls", "conformance"] {
            let submission = crate::pipeline::read::read_submission_unhashed(&root.join(folder));
            for session in &submission.sessions {
                same_as_the_views(session, None);
                same_as_the_views(session, Some(session));
                seen += 1;
            }
        }
        assert!(seen > 20, "only {seen} sessions read");
    }

    #[test]
    fn writes_every_origin_connect_and_odd_command_as_the_derived_views_did() {
        use crate::session::{Args, Command, Content, Reply, ReplyCode, Secret, SmtpCode};
        let origins = [
            Origin::line(3),
            Origin::Line { line: 4, column: 7 },
            Origin::frame(5, -1),
            Origin::frame(5, i64::MAX).extend(Origin::frame(9, 0)),
            Origin::Replay { index: 0 },
            Origin::Synthetic,
        ];
        let commands = [
            CommandKind::line(Protocol::Smtp, "ehlo", Args::plain("")),
            CommandKind::line(Protocol::Smtp, "MAIL", Args::plain("FROM:<a\"b@c>\t")),
            CommandKind::line(
                Protocol::Smtp,
                "AUTH",
                Args {
                    text: "PLAIN".into(),
                    secret: Some(Secret::new("hunter2")),
                },
            ),
            CommandKind::line(
                Protocol::Pop3,
                "PASS",
                Args {
                    text: String::new(),
                    secret: Some(Secret::new("hunter2")),
                },
            ),
            CommandKind::AuthResponse {
                payload: Secret::new("x"),
            },
            CommandKind::AuthCancel,
            CommandKind::Message {
                content: Content::default(),
            },
            CommandKind::Message {
                content: Content::from_bytes(b"Subject: x\r\n".to_vec()),
            },
        ];
        let mut exchanges = vec![Exchange {
            command: None,
            reply: None,
        }];
        for (index, kind) in commands.into_iter().enumerate() {
            let origin = origins[index % origins.len()];
            let mut command = Command::new(kind, origin);
            command.pipelined = index % 2 == 1;
            let reply = (index % 3 != 2).then(|| {
                Reply::new(
                    ReplyCode::Smtp(SmtpCode::new(250 + index as u16).expect("code")),
                    std::iter::repeat_n("ok \u{1}", index % 3).collect(),
                    origins[(index + 1) % origins.len()],
                )
            });
            exchanges.push(Exchange {
                command: Some(command),
                reply,
            });
        }
        for (index, origin) in origins.into_iter().enumerate() {
            let session = Session {
                protocol: Protocol::Smtp,
                source: Source {
                    path: "a/b.pcap".into(),
                    label: String::new(),
                },
                connect: Some(Connect {
                    host: "mx.example".into(),
                    port: (index % 2 == 0).then_some(25),
                    origin,
                }),
                exchanges: exchanges.clone(),
                notes: Vec::new(),
                encrypted_after: (index % 2 == 1).then_some(index),
                tls: None,
                reading: None,
            };
            same_as_the_views(&session, None);
            same_as_the_views(&session, Some(&session));
        }
    }
}
