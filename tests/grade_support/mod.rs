//! Builds sessions for grading tests from a compact script, one line per item:
//!
//! - `C: EHLO x` a command line (`AUTH`/`PASS` arguments after the first word become secrets)
//! - `A: <base64>` an AUTH response, `*` an AUTH cancel
//! - `M: 2429` a message seen only as its size; `B: From: a\nSubject: b\n\nhi` one with bytes
//! - `S: 250 ok` / `S: +OK` / `S: -ERR` / `S: + ` a reply to the command before (or the greeting)
//! - `T: imap.qq.com 25` the telnet target
//!
//! Every item's origin is its line in the script (1-based).

#![allow(dead_code)]

use mailgrade::session::{
    Args, Command, CommandKind, Connect, Content, Exchange, Origin, Pop3Status, Protocol, Reply,
    ReplyCode, ReplyLines, Secret, Session, SmtpCode, Source,
};

pub fn session(protocol: Protocol, script: &str) -> Session {
    let mut session = Session::new(
        protocol,
        Source {
            path: "submission/transcript.txt".into(),
            label: String::new(),
        },
    );
    let mut pending: Option<Command> = None;
    for (n, line) in script.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let origin = Origin::line(n as u32 + 1);
        let (tag, rest) = line
            .split_once(':')
            .map_or((line, ""), |(t, r)| (t, r.trim_start()));
        let command = match tag {
            "C" => Some(command_line(protocol, rest)),
            "A" => Some(CommandKind::AuthResponse {
                payload: Secret::new(rest),
            }),
            "*" => Some(CommandKind::AuthCancel),
            "M" => Some(CommandKind::Message {
                content: Content::elided(rest.parse().ok()),
            }),
            "B" => Some(CommandKind::Message {
                content: Content::from_bytes(rest.replace("\\n", "\r\n").into_bytes()),
            }),
            "T" => {
                let mut words = rest.split_whitespace();
                session.connect = Some(Connect {
                    host: words.next().unwrap_or_default().to_string(),
                    port: words.next().and_then(|p| p.parse().ok()),
                    origin,
                });
                None
            }
            "S" => {
                session.exchanges.push(Exchange {
                    command: pending.take(),
                    reply: Some(reply(protocol, rest, origin)),
                });
                None
            }
            other => panic!("bad script tag {other}"),
        };
        if let Some(kind) = command {
            if let Some(unanswered) = pending.take() {
                session.exchanges.push(Exchange {
                    command: Some(unanswered),
                    reply: None,
                });
            }
            pending = Some(Command::new(kind, origin));
        }
    }
    if let Some(unanswered) = pending {
        session.exchanges.push(Exchange {
            command: Some(unanswered),
            reply: None,
        });
    }
    session
}

fn command_line(protocol: Protocol, text: &str) -> CommandKind {
    let (written, rest) = text.split_once(' ').unwrap_or((text, ""));
    let verb = written.to_ascii_uppercase();
    let args = match verb.as_str() {
        "PASS" => Args {
            text: String::new(),
            secret: Some(Secret::new(rest)),
        },
        "AUTH" => match rest.split_once(' ') {
            Some((mechanism, initial)) => Args {
                text: mechanism.to_string(),
                secret: Some(Secret::new(initial)),
            },
            None => Args::plain(rest),
        },
        _ => Args::plain(rest),
    };
    CommandKind::line(protocol, written, args)
}

fn reply(protocol: Protocol, text: &str, origin: Origin) -> Reply {
    let code = match protocol {
        Protocol::Tls => panic!("tls sessions have no replies"),
        Protocol::Smtp => {
            let digits: u16 = text
                .get(..3)
                .and_then(|d| d.parse().ok())
                .expect("smtp code");
            ReplyCode::Smtp(SmtpCode::new(digits).expect("valid code"))
        }
        Protocol::Pop3 if text.starts_with("+OK") => ReplyCode::Pop3(Pop3Status::Ok),
        Protocol::Pop3 if text.starts_with("-ERR") => ReplyCode::Pop3(Pop3Status::Err),
        Protocol::Pop3 => ReplyCode::Pop3(Pop3Status::Continue),
    };
    let rest = text.get(4..).unwrap_or("").to_string();
    Reply::new(code, ReplyLines::one(rest), origin)
}

/// The seed report's first transcript (EHLO), as ingest reads it: AUTH answers are
/// `AuthResponse`s and the message is elided (2429 bytes).
pub const SEED_EHLO: &str = "\
T: imap.qq.com 25
S: 220 newxmesmtplogicsvrszc10.qq.com XMail Esmtp QQ Mail Server.
C: EHLO DREAIFEDESKTOP
S: 250-newxmesmtplogicsvrszc10.qq.com
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
A: ODc3MjYxNzkzQHFxLmNvbQ==
S: 334 UGFzc3dvcmQ6
A: c3RhbmQtaW4tcGFzcw==
S: 235 Authentication successful
C: MAIL FROM: <877261793@qq.com>
S: 250 OK
C: RCPT TO: <877261793@qq.com>
S: 250 OK
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>.
M: 2429
S: 250 OK: queued as.
C: QUIT
S: 221 Bye
";

/// The seed report's second transcript (lower-case `helo`, `auth login`).
pub const SEED_HELO: &str = "\
T: imap.qq.com 25
S: 220 newxmesmtplogicsvrszc10.qq.com XMail Esmtp QQ Mail Server.
C: helo qq.com
S: 250 OK
C: auth login
S: 334 VXNlcm5hbWU6
A: ODc3MjYxNzkzQHFxLmNvbQ==
S: 334 UGFzc3dvcmQ6
A: c3RhbmQtaW4tcGFzcw==
S: 235 Authentication successful
C: MAIL FROM: <877261793@qq.com>
S: 250 OK
C: RCPT TO: <877261793@qq.com>
S: 250 OK
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>.
M: 2429
S: 250 OK: queued as.
C: QUIT
S: 221 Bye
";

/// The transcripts above carry a stand-in for the seed's password, not the student's own.
pub const SEED_PASSWORD: &str = "c3RhbmQtaW4tcGFzcw==";
