//! Grading a TLS handshake: a `protocol: tls` scenario (the webmail task) against a TLS
//! connection, and the `tls:` requirement of a STARTTLS / STLS step.
//!
//! Every check explains what the capture shows, in both languages, whether it passed or
//! not: a student learns the handshake from the feedback. A TLS 1.3 handshake has no
//! ServerKeyExchange and no certificate in clear; that is said, never counted against it.

use super::model::{Check, CheckKind, DiffLine, DiffTag, Evidence, Grade, SessionRef, Status};
use crate::scenario::{Scenario, Text, TlsCheck, TlsRequirement, TlsSpec};
use crate::session::{Origin, Session, TlsHandshake, TlsMessage, TlsSide, TlsVersion};

/// Grades a TLS connection against a `protocol: tls` scenario.
pub fn grade_tls(session: &Session, index: usize, scenario: &Scenario) -> Grade {
    let empty = TlsSpec {
        host: None,
        checks: Vec::new(),
    };
    let spec = scenario.tls.as_ref().unwrap_or(&empty);
    let handshake = session.tls.clone().unwrap_or_default();
    let checks: Vec<Check> = spec
        .checks
        .iter()
        .map(|check| evaluate(check, spec, &handshake, session))
        .collect();
    let score = checks.iter().map(|c| c.points).sum();
    let max_score = checks.iter().map(|c| c.max_points).sum();
    let passed = score >= scenario.pass_mark;
    Grade {
        scenario: scenario.id.clone(),
        title: scenario.title.clone(),
        protocol: scenario.protocol,
        score,
        max_score,
        pass_mark: scenario.pass_mark,
        passed,
        verdict: if passed {
            super::Verdict::Passed
        } else {
            super::Verdict::Failed
        },
        reason: None,
        checks,
        skeleton_diff: message_lines(&handshake),
        findings: Vec::new(),
        session: Some(SessionRef {
            source: session.source.clone(),
            index,
        }),
        server: None,
    }
}

/// The `tls:` requirement of a STARTTLS / STLS step, judged on the handshake after it.
pub fn step_tls_check(step_id: &str, check: &TlsCheck, session: &Session) -> Check {
    let spec = TlsSpec {
        host: None,
        checks: Vec::new(),
    };
    let handshake = session.tls.clone().unwrap_or_default();
    let mut result = evaluate(check, &spec, &handshake, session);
    result.id = check.id.clone().unwrap_or_else(|| format!("{step_id}-tls"));
    if session.tls.is_none() {
        // A transcript cannot show a handshake; a capture that stops before it does not.
        result.status = Status::NotChecked;
        result.feedback = Some(Text::new(
            "The TLS handshake after the command is not in the submission (a transcript, or a capture that ends first): it could not be checked.",
            "提交中没有该命令之后的 TLS 握手（文字记录，或抓包在握手前结束），无法检查。",
        ));
    }
    result
}

/// The handshake as skeleton lines, so reports that show a skeleton show the messages.
fn message_lines(handshake: &TlsHandshake) -> Vec<DiffLine> {
    handshake
        .messages
        .iter()
        .map(|m| DiffLine {
            tag: DiffTag::Same,
            expected: None,
            actual: Some(message_label(m)),
            step: None,
            origin: Some(m.origin),
        })
        .collect()
}

fn message_label(message: &TlsMessage) -> String {
    let arrow = match message.from {
        TlsSide::Client => "C→S",
        TlsSide::Server => "S→C",
    };
    format!("{arrow} {}", message.name)
}

fn find<'a>(handshake: &'a TlsHandshake, from: TlsSide, name: &str) -> Option<&'a TlsMessage> {
    handshake
        .messages
        .iter()
        .find(|m| m.from == from && m.name == name)
}

fn is_tls13(handshake: &TlsHandshake) -> bool {
    handshake.version == Some(TlsVersion::Tls13)
}

/// (passed, evidence, what the capture shows)
type Verdict<'a> = (bool, Option<&'a TlsMessage>, Text);

fn evaluate(
    check: &TlsCheck,
    spec: &TlsSpec,
    handshake: &TlsHandshake,
    session: &Session,
) -> Check {
    let (passed, at, said) = match check.require {
        TlsRequirement::ClientHello => client_hello(handshake),
        TlsRequirement::Sni => sni(spec, handshake),
        TlsRequirement::ServerHello => server_hello(handshake),
        TlsRequirement::KeyExchange => key_exchange(handshake),
        TlsRequirement::Certificate => certificate(handshake),
        TlsRequirement::Order => order(handshake),
        TlsRequirement::Completed => completed(handshake),
        TlsRequirement::ApplicationData => application_data(handshake),
    };
    let feedback = match (&check.feedback, passed) {
        (Some(hint), false) => said.join(hint),
        _ => said,
    };
    Check {
        id: check.id(),
        kind: CheckKind::Tls,
        name: format!("tls: {}", check.require.name()),
        status: if passed {
            Status::Passed
        } else if at.is_some() {
            Status::Failed
        } else {
            Status::Missing
        },
        points: if passed { check.points } else { 0 },
        max_points: check.points,
        rule: None,
        feedback: Some(feedback),
        evidence: at.or(handshake.messages.first()).map(|m| Evidence {
            source: session.source.path.clone(),
            origin: m.origin,
            exchange: message_label(m),
        }),
    }
}

fn frames(origin: Origin) -> String {
    origin.to_string()
}

fn client_hello(handshake: &TlsHandshake) -> Verdict<'_> {
    match find(handshake, TlsSide::Client, "ClientHello") {
        Some(hello) => {
            let offered: Vec<String> =
                handshake.offered_versions.iter().map(|v| v.to_string()).collect();
            (
                true,
                Some(hello),
                Text::new(
                    format!(
                        "The client opens the handshake with Client Hello ({}), offering {}.",
                        frames(hello.origin),
                        offered.join(", ")
                    ),
                    format!(
                        "客户端以 Client Hello 开始握手（{}），提供的版本：{}。",
                        frames(hello.origin),
                        offered.join("、")
                    ),
                ),
            )
        }
        None => (
            false,
            None,
            Text::new(
                "The capture has no Client Hello: it started after the handshake. Start Wireshark before you open the webmail page (or close the browser first) so the handshake is captured.",
                "抓包中没有 Client Hello：抓包开始时握手已经结束。请先启动 Wireshark 再打开网页邮箱（或先关闭浏览器），以便抓到握手。",
            ),
        ),
    }
}

fn sni<'a>(spec: &TlsSpec, handshake: &'a TlsHandshake) -> Verdict<'a> {
    let hello = find(handshake, TlsSide::Client, "ClientHello");
    let host = spec.host.as_deref().unwrap_or("the webmail host");
    match &handshake.sni {
        Some(name) if spec.host_matches(name) => (
            true,
            hello,
            Text::new(
                format!("The client names the server {name} in the Server Name Indication extension, so this is the handshake with {host}."),
                format!("客户端在 SNI（服务器名称指示）扩展中指明服务器 {name}，这正是与 {host} 的握手。"),
            ),
        ),
        Some(name) => (
            false,
            hello,
            Text::new(
                format!("This handshake is with {name}, not {host}: capture the login to {host}."),
                format!("这次握手的对象是 {name}，不是 {host}：请抓取登录 {host} 的过程。"),
            ),
        ),
        None => (
            false,
            hello,
            Text::new(
                format!("The Client Hello names no server (no SNI), so it cannot be told to be {host}."),
                format!("Client Hello 中没有服务器名称（无 SNI），无法确认是 {host}。"),
            ),
        ),
    }
}

fn server_hello(handshake: &TlsHandshake) -> Verdict<'_> {
    match (find(handshake, TlsSide::Server, "ServerHello"), handshake.version) {
        (Some(hello), Some(version)) => {
            let suite = handshake.cipher_suite.as_deref().unwrap_or("an unknown suite");
            (
                true,
                Some(hello),
                Text::new(
                    format!("The server answers with Server Hello ({}), choosing {version} and the cipher suite {suite}.", frames(hello.origin)),
                    format!("服务器以 Server Hello 回应（{}），选定 {version} 和密码套件 {suite}。", frames(hello.origin)),
                ),
            )
        }
        (hello, _) => (
            false,
            hello,
            Text::new(
                "The server's Server Hello is not in the capture, so the version and cipher suite it chose are unknown.",
                "抓包中没有服务器的 Server Hello，无法得知其选定的版本和密码套件。",
            ),
        ),
    }
}

fn key_exchange(handshake: &TlsHandshake) -> Verdict<'_> {
    let kx = handshake.key_exchange.as_deref().unwrap_or("unknown");
    if is_tls13(handshake) {
        let hello = find(handshake, TlsSide::Server, "ServerHello");
        return (
            hello.is_some(),
            hello,
            Text::new(
                "TLS 1.3 has no Server Key Exchange or Client Key Exchange message: the (EC)DHE key shares travel in the key_share extensions of Client Hello and Server Hello.",
                "TLS 1.3 没有 Server Key Exchange 和 Client Key Exchange 消息：(EC)DHE 密钥份额放在 Client Hello 和 Server Hello 的 key_share 扩展中传递。",
            ),
        );
    }
    let client = find(handshake, TlsSide::Client, "ClientKeyExchange");
    let server = find(handshake, TlsSide::Server, "ServerKeyExchange");
    let needs_server = matches!(kx, "ECDHE" | "DHE");
    match (client, server) {
        (Some(c), Some(s)) => (
            true,
            Some(s),
            Text::new(
                format!("Key exchange {kx}: the server sends its key share in Server Key Exchange ({}), the client its own in Client Key Exchange ({}).", frames(s.origin), frames(c.origin)),
                format!("密钥交换方式 {kx}：服务器在 Server Key Exchange（{}）中发送其密钥参数，客户端在 Client Key Exchange（{}）中发送自己的。", frames(s.origin), frames(c.origin)),
            ),
        ),
        (Some(c), None) if !needs_server => (
            true,
            Some(c),
            Text::new(
                format!("Key exchange {kx}: there is no Server Key Exchange; the client sends the premaster secret encrypted with the server's public key in Client Key Exchange ({}).", frames(c.origin)),
                format!("密钥交换方式 {kx}：没有 Server Key Exchange；客户端在 Client Key Exchange（{}）中用服务器公钥加密发送预主密钥。", frames(c.origin)),
            ),
        ),
        (c, s) => (
            false,
            c.or(s),
            Text::new(
                format!("The key exchange ({kx}) is not complete in the capture: Server Key Exchange and/or Client Key Exchange is missing."),
                format!("抓包中的密钥交换（{kx}）不完整：缺少 Server Key Exchange 或 Client Key Exchange。"),
            ),
        ),
    }
}

fn certificate(handshake: &TlsHandshake) -> Verdict<'_> {
    if is_tls13(handshake) {
        let flight = find(handshake, TlsSide::Server, "EncryptedHandshake");
        return (
            flight.is_some(),
            flight,
            Text::new(
                "In TLS 1.3 the server's Certificate is encrypted (with EncryptedExtensions, CertificateVerify and Finished), so Wireshark shows it only as encrypted records; that is expected.",
                "TLS 1.3 中服务器的 Certificate 是加密发送的（与 EncryptedExtensions、CertificateVerify、Finished 一起），Wireshark 只显示为加密记录，这是正常的。",
            ),
        );
    }
    let message = find(handshake, TlsSide::Server, "Certificate");
    match (message, &handshake.certificate) {
        (Some(m), Some(cert)) => {
            let subject = cert.subject.as_deref().unwrap_or("(unreadable)");
            let issuer = cert.issuer.as_deref().unwrap_or("(unreadable)");
            (
                true,
                Some(m),
                Text::new(
                    format!("The server proves its identity with its Certificate ({}): subject {subject}, issued by {issuer}.", frames(m.origin)),
                    format!("服务器用 Certificate（{}）证明身份：主体 {subject}，签发者 {issuer}。", frames(m.origin)),
                ),
            )
        }
        _ => (
            false,
            None,
            Text::new(
                "The server's Certificate is not in the capture.",
                "抓包中没有服务器的 Certificate。",
            ),
        ),
    }
}

/// Where each message may come in a handshake of `version`; `None`: not ordered.
fn rank(message: &TlsMessage, tls13: bool, resumed: bool) -> Option<u8> {
    use TlsSide::{Client, Server};
    if tls13 {
        return match (message.from, message.name.as_str()) {
            (Client, "ClientHello") => Some(1),
            (Server, "ServerHello") => Some(2),
            (Server, "EncryptedHandshake") => Some(3),
            (Client, "Finished") => Some(4),
            _ => None,
        };
    }
    if resumed {
        return match (message.from, message.name.as_str()) {
            (Client, "ClientHello") => Some(1),
            (Server, "ServerHello") => Some(2),
            (Server, "NewSessionTicket") => Some(3),
            (Server, "ChangeCipherSpec") => Some(4),
            (Server, "Finished") => Some(5),
            (Client, "ChangeCipherSpec") => Some(6),
            (Client, "Finished") => Some(7),
            _ => None,
        };
    }
    match (message.from, message.name.as_str()) {
        (Client, "ClientHello") => Some(1),
        (Server, "ServerHello") => Some(2),
        (Server, "Certificate") => Some(3),
        (Server, "CertificateStatus") => Some(4),
        (Server, "ServerKeyExchange") => Some(5),
        (Server, "CertificateRequest") => Some(6),
        (Server, "ServerHelloDone") => Some(7),
        (Client, "Certificate") => Some(8),
        (Client, "ClientKeyExchange") => Some(9),
        (Client, "CertificateVerify") => Some(10),
        (Client, "ChangeCipherSpec") => Some(11),
        (Client, "Finished") => Some(12),
        (Server, "NewSessionTicket") => Some(13),
        (Server, "ChangeCipherSpec") => Some(14),
        (Server, "Finished") => Some(15),
        _ => None,
    }
}

fn order(handshake: &TlsHandshake) -> Verdict<'_> {
    let tls13 = is_tls13(handshake);
    let resumed = !tls13
        && find(handshake, TlsSide::Server, "ServerHelloDone").is_none()
        && find(handshake, TlsSide::Server, "ChangeCipherSpec").is_some();
    let names: Vec<String> = handshake
        .messages
        .iter()
        .filter(|m| rank(m, tls13, resumed).is_some())
        .map(|m| m.name.clone())
        .collect();
    if names.is_empty() {
        return (
            false,
            None,
            Text::new(
                "No handshake messages are in the capture.",
                "抓包中没有握手消息。",
            ),
        );
    }
    let mut last = 0;
    for message in &handshake.messages {
        // Only the first handshake: a later one (renegotiation) starts again.
        let Some(r) = rank(message, tls13, resumed) else {
            continue;
        };
        if r < last {
            return (
                false,
                Some(message),
                Text::new(
                    format!(
                        "{} ({}) comes too early: a {} handshake runs {}.",
                        message.name,
                        frames(message.origin),
                        version_name(handshake),
                        expected_order(tls13, resumed)
                    ),
                    format!(
                        "{}（{}）出现得太早：{} 握手的顺序是 {}。",
                        message.name,
                        frames(message.origin),
                        version_name(handshake),
                        expected_order(tls13, resumed)
                    ),
                ),
            );
        }
        last = r;
    }
    let shown = names.join(", ");
    let extra = if tls13 {
        Text::new(
            " In TLS 1.3 everything after Server Hello is encrypted, so EncryptedExtensions, Certificate, CertificateVerify and both Finished messages show only as encrypted records.",
            "TLS 1.3 中 Server Hello 之后的内容全部加密，EncryptedExtensions、Certificate、CertificateVerify 和双方的 Finished 只显示为加密记录。",
        )
    } else {
        Text::new("", "")
    };
    (
        true,
        handshake.messages.first(),
        Text::new(
            format!(
                "The {} handshake runs in a legal order: {shown}.",
                version_name(handshake)
            ),
            format!("{} 握手的消息顺序正确：{shown}。", version_name(handshake)),
        )
        .join(&extra),
    )
}

fn version_name(handshake: &TlsHandshake) -> String {
    handshake
        .version
        .map_or_else(|| "TLS".to_string(), |v| v.to_string())
}

fn expected_order(tls13: bool, resumed: bool) -> &'static str {
    if tls13 {
        "ClientHello → ServerHello → (encrypted server handshake) → client Finished"
    } else if resumed {
        "ClientHello → ServerHello → ChangeCipherSpec, Finished (server) → ChangeCipherSpec, Finished (client)"
    } else {
        "ClientHello → ServerHello, Certificate, ServerKeyExchange, ServerHelloDone → ClientKeyExchange, ChangeCipherSpec, Finished → ChangeCipherSpec, Finished"
    }
}

fn completed(handshake: &TlsHandshake) -> Verdict<'_> {
    let client_finished = find(handshake, TlsSide::Client, "Finished");
    if handshake.completed {
        let text = if is_tls13(handshake) {
            Text::new(
                "The handshake completed: the client sent its (encrypted) Finished and the connection went on with encrypted application data.",
                "握手已完成：客户端发送了（加密的）Finished，之后连接继续传输加密的应用数据。",
            )
        } else {
            Text::new(
                "The handshake completed: both sides sent Change Cipher Spec and then an encrypted Finished (shown as \"Encrypted Handshake Message\"); from here on the session keys protect the data.",
                "握手已完成：双方都发送了 Change Cipher Spec 和随后加密的 Finished（Wireshark 显示为 \"Encrypted Handshake Message\"）；此后数据由会话密钥保护。",
            )
        };
        return (true, client_finished, text);
    }
    let alert = handshake.messages.iter().find(|m| m.name == "Alert");
    let why = match alert {
        Some(a) if !a.detail.is_empty() => {
            format!(" The connection ended with an alert: {}.", a.detail)
        }
        _ => String::new(),
    };
    (
        false,
        alert.or(client_finished),
        Text::new(
            format!("The handshake did not complete in the capture: Finished was not seen from both sides.{why}"),
            format!("抓包中的握手没有完成：没有看到双方的 Finished。{why}"),
        ),
    )
}

fn application_data(handshake: &TlsHandshake) -> Verdict<'_> {
    let data = handshake.application_data;
    let first = handshake
        .messages
        .iter()
        .find(|m| m.name == "ApplicationData");
    let renewals = handshake
        .messages
        .iter()
        .filter(|m| m.name == "EncryptedHandshake" && !is_tls13(handshake))
        .count();
    let renewal = if renewals > 0 {
        Text::new(
            format!(" {renewals} encrypted handshake record(s) after the first handshake show a renegotiation or key renewal."),
            format!("首次握手之后还有 {renewals} 个加密握手记录，表明发生了重新协商或密钥更新。"),
        )
    } else {
        Text::new(
            " A later key renewal (TLS 1.3 KeyUpdate) would itself be encrypted and look like more application data.",
            "之后的密钥更新（TLS 1.3 的 KeyUpdate）本身也是加密的，看起来就是更多的应用数据。",
        )
    };
    if data.client > 0 && data.server > 0 {
        return (
            true,
            first,
            Text::new(
                format!("After the handshake, application data flows encrypted both ways: {} records from the client, {} from the server (the HTTP login inside cannot be read).", data.client, data.server),
                format!("握手之后，应用数据双向加密传输：客户端 {} 条记录，服务器 {} 条（其中的 HTTP 登录内容无法读取）。", data.client, data.server),
            )
            .join(&renewal),
        );
    }
    (
        false,
        first,
        Text::new(
            format!("Application data did not flow both ways after the handshake ({} records from the client, {} from the server).", data.client, data.server),
            format!("握手之后应用数据没有双向传输（客户端 {} 条记录，服务器 {} 条）。", data.client, data.server),
        ),
    )
}
