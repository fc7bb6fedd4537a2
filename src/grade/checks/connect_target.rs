//! `connect-target`: the host and port the student connected to serve the protocol.
//!
//! **What**: a `telnet host port` line (kept as the session's `connect`) names a port of the
//! session's protocol (SMTP 25/587/465/2525, POP3 110/995) and a host whose name does not
//! say it serves another one (`imap.…`, `pop.…` for SMTP; `smtp.…`, `imap.…` for POP3).
//!
//! **Why**: `telnet imap.qq.com 25` happens to reach QQ's SMTP server because one address
//! serves both, but it shows the student mixed the protocols up; on most providers it fails.
//!
//! **Example**: the seed report's `C: telnet imap.qq.com 25` — SMTP is `smtp.qq.com`.

use super::{CheckFn, Context};
use crate::grade::model::{Evidence, Finding, FindingSeverity};
use crate::i18n::messages::checks::{ConnectTargetMessage, ServerToUse, SessionOf};
use crate::session::Protocol;

pub const CHECK: CheckFn = CheckFn {
    id: "connect-target",
    run,
};

fn protocol_of_port(port: u16) -> Option<&'static str> {
    match port {
        25 | 587 | 465 | 2525 => Some("SMTP"),
        110 | 995 => Some("POP3"),
        143 | 993 => Some("IMAP"),
        80 | 443 => Some("HTTP"),
        _ => None,
    }
}

/// The protocol a host name's first label names, if any.
fn protocol_of_host(host: &str) -> Option<&'static str> {
    let first = host.split('.').next()?;
    // Compared in any case without copying the name.
    let is = |names: &[&str]| names.iter().any(|name| first.eq_ignore_ascii_case(name));
    if is(&["smtp", "mail-smtp", "smtpdm"]) {
        Some("SMTP")
    } else if is(&["pop", "pop3"]) {
        Some("POP3")
    } else if is(&["imap", "imap4"]) {
        Some("IMAP")
    } else {
        None
    }
}

fn run(context: &Context<'_>) -> Vec<Finding> {
    let session = context.session;
    let Some(connect) = &session.connect else {
        return Vec::new();
    };
    let (wanted, suggested, session_of) = match session.protocol {
        Protocol::Smtp => ("SMTP", ServerToUse::Smtp, SessionOf::Smtp),
        Protocol::Pop3 => ("POP3", ServerToUse::Pop3, SessionOf::Pop3),
        Protocol::Tls => return Vec::new(),
    };
    // Written only for a finding: most sessions connect where they should.
    let evidence = || {
        Some(Evidence {
            source: session.source.path.as_path().into(),
            origin: connect.origin,
            exchange: match connect.port {
                Some(port) => format!("connect {} {port}", connect.host),
                None => format!("connect {}", connect.host),
            }
            .into(),
        })
    };
    let mut findings = Vec::new();
    if let Some(other) = connect
        .port
        .and_then(protocol_of_port)
        .filter(|p| *p != wanted)
    {
        let port = connect.port.unwrap_or_default();
        findings.push(Finding {
            check: CHECK.id,
            severity: FindingSeverity::Error,
            message: ConnectTargetMessage::PortOfOther {
                port,
                other,
                wanted,
                suggested,
            }
            .text(),
            evidence: evidence(),
        });
    }
    if let Some(other) = protocol_of_host(&connect.host).filter(|p| *p != wanted) {
        findings.push(Finding {
            check: CHECK.id,
            severity: FindingSeverity::Warning,
            message: ConnectTargetMessage::HostOfOther {
                host: connect.host.clone(),
                other,
                session: session_of,
                suggested,
            }
            .text(),
            evidence: evidence(),
        });
    }
    findings
}
