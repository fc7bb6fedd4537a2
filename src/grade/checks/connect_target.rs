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
use crate::scenario::Text;
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
    let first = host.split('.').next()?.to_ascii_lowercase();
    match first.as_str() {
        "smtp" | "mail-smtp" | "smtpdm" => Some("SMTP"),
        "pop" | "pop3" => Some("POP3"),
        "imap" | "imap4" => Some("IMAP"),
        _ => None,
    }
}

/// "an SMTP", "a POP3": the article these acronyms take when read aloud.
fn with_article(name: &str) -> String {
    match name {
        "SMTP" | "IMAP" | "HTTP" => format!("an {name}"),
        _ => format!("a {name}"),
    }
}

fn run(context: &Context<'_>) -> Vec<Finding> {
    let session = context.session;
    let Some(connect) = &session.connect else {
        return Vec::new();
    };
    let wanted = match session.protocol {
        Protocol::Smtp => "SMTP",
        Protocol::Pop3 => "POP3",
        Protocol::Tls => return Vec::new(),
    };
    let suggested = match session.protocol {
        Protocol::Smtp => "smtp.<provider> on port 25 or 587 (465 with TLS)",
        Protocol::Pop3 | Protocol::Tls => "pop.<provider> on port 110 (995 with TLS)",
    };
    let suggested_zh = match session.protocol {
        Protocol::Smtp => "smtp.<服务商> 的 25 或 587 端口（TLS 用 465）",
        Protocol::Pop3 | Protocol::Tls => "pop.<服务商> 的 110 端口（TLS 用 995）",
    };
    let evidence = Some(Evidence {
        source: session.source.path.clone(),
        origin: connect.origin,
        exchange: match connect.port {
            Some(port) => format!("connect {} {port}", connect.host),
            None => format!("connect {}", connect.host),
        },
    });
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
            message: Text::new(
                format!("Port {port} is {other}'s, not {wanted}'s: connect to {suggested}."),
                format!("端口 {port} 属于 {other} 而不是 {wanted}：请连接 {suggested_zh}。"),
            ),
            evidence: evidence.clone(),
        });
    }
    if let Some(other) = protocol_of_host(&connect.host).filter(|p| *p != wanted) {
        let host = &connect.host;
        findings.push(Finding {
            check: CHECK.id,
            severity: FindingSeverity::Warning,
            message: Text::new(
                format!(
                    "`{host}` is the {other} host, but this is {} session: it only worked because the provider serves both on one address. Connect to {suggested}.",
                    with_article(wanted)
                ),
                format!(
                    "`{host}` 是 {other} 服务器，而这是 {wanted} 会话：能连通只是因为服务商在同一地址上提供了两种服务。请连接 {suggested_zh}。"
                ),
            ),
            evidence,
        });
    }
    findings
}
