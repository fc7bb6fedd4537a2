//! Grading a TLS handshake: a `protocol: tls` scenario (the webmail task) against a TLS
//! connection, and the `tls:` requirement of a STARTTLS / STLS step.
//!
//! Every check explains what the capture shows, in both languages, whether it passed or
//! not: a student learns the handshake from the feedback. A TLS 1.3 handshake has no
//! ServerKeyExchange and no certificate in clear; that is said, never counted against it.

use super::model::{Check, CheckKind, DiffLine, DiffTag, Evidence, Grade, SessionRef, Status};
use crate::i18n::messages::tls::{HandshakeOrder, TlsFeedback, TlsWord};
use crate::i18n::{Lang, List, Separator, Text};
use crate::scenario::{Scenario, TlsCheck, TlsRequirement, TlsSpec};
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
        task: None,
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
    result.id = match &check.id {
        Some(id) => id.as_str().into(),
        None => format!("{step_id}-tls").into(),
    };
    if session.tls.is_none() {
        // A transcript cannot show a handshake; a capture that stops before it does not.
        result.status = Status::NotChecked;
        result.feedback = Some(TlsFeedback::StepHandshakeMissing.text());
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
            actual: Some(message_label(m).into()),
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
        id: check.id().into(),
        kind: CheckKind::Tls,
        name: format!("tls: {}", check.require.name()).into(),
        title: None,
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
            source: session.source.path.as_path().into(),
            origin: m.origin,
            exchange: message_label(m).into(),
        }),
    }
}

fn frames(origin: Origin) -> Text {
    origin.text()
}

fn client_hello(handshake: &TlsHandshake) -> Verdict<'_> {
    match find(handshake, TlsSide::Client, "ClientHello") {
        Some(hello) => {
            let offered = handshake.offered_versions.iter().map(|v| v.to_string());
            (
                true,
                Some(hello),
                TlsFeedback::ClientHello {
                    at: frames(hello.origin),
                    offered: List::new(offered.collect(), Separator::Enumeration),
                }
                .text(),
            )
        }
        None => (false, None, TlsFeedback::NoClientHello.text()),
    }
}

fn sni<'a>(spec: &TlsSpec, handshake: &'a TlsHandshake) -> Verdict<'a> {
    let hello = find(handshake, TlsSide::Client, "ClientHello");
    let host = or_word(spec.host.as_deref(), TlsWord::WebmailHost);
    match &handshake.sni {
        Some(name) if spec.host_matches(name) => (
            true,
            hello,
            TlsFeedback::SniMatches {
                name: name.clone(),
                host,
            }
            .text(),
        ),
        Some(name) => (
            false,
            hello,
            TlsFeedback::SniOther {
                name: name.clone(),
                host,
            }
            .text(),
        ),
        None => (false, hello, TlsFeedback::NoSni { host }.text()),
    }
}

fn server_hello(handshake: &TlsHandshake) -> Verdict<'_> {
    match (
        find(handshake, TlsSide::Server, "ServerHello"),
        handshake.version,
    ) {
        (Some(hello), Some(version)) => (
            true,
            Some(hello),
            TlsFeedback::ServerHello {
                at: frames(hello.origin),
                version: version.to_string(),
                suite: or_word(handshake.cipher_suite.as_deref(), TlsWord::UnknownSuite),
            }
            .text(),
        ),
        (hello, _) => (false, hello, TlsFeedback::NoServerHello.text()),
    }
}

fn key_exchange(handshake: &TlsHandshake) -> Verdict<'_> {
    if is_tls13(handshake) {
        let hello = find(handshake, TlsSide::Server, "ServerHello");
        return (hello.is_some(), hello, TlsFeedback::KeyExchangeTls13.text());
    }
    let client = find(handshake, TlsSide::Client, "ClientKeyExchange");
    let server = find(handshake, TlsSide::Server, "ServerKeyExchange");
    let needs_server = matches!(handshake.key_exchange.as_deref(), Some("ECDHE" | "DHE"));
    let kx = match handshake.key_exchange_in(Lang::En) {
        Some(en) => Text::new(en, handshake.key_exchange_in(Lang::ZhCn).unwrap_or(en)),
        None => TlsWord::Unknown.text(),
    };
    match (client, server) {
        (Some(c), Some(s)) => (
            true,
            Some(s),
            TlsFeedback::KeyExchange {
                kx,
                server_at: frames(s.origin),
                client_at: frames(c.origin),
            }
            .text(),
        ),
        (Some(c), None) if !needs_server => (
            true,
            Some(c),
            TlsFeedback::KeyExchangeByClient {
                kx,
                client_at: frames(c.origin),
            }
            .text(),
        ),
        (c, s) => (
            false,
            c.or(s),
            TlsFeedback::KeyExchangeIncomplete { kx }.text(),
        ),
    }
}

fn certificate(handshake: &TlsHandshake) -> Verdict<'_> {
    if is_tls13(handshake) {
        let flight = find(handshake, TlsSide::Server, "EncryptedHandshake");
        return (
            flight.is_some(),
            flight,
            TlsFeedback::CertificateTls13.text(),
        );
    }
    let message = find(handshake, TlsSide::Server, "Certificate");
    match (message, &handshake.certificate) {
        (Some(m), Some(cert)) => (
            true,
            Some(m),
            TlsFeedback::Certificate {
                at: frames(m.origin),
                subject: or_word(cert.subject.as_deref(), TlsWord::Unreadable),
                issuer: or_word(cert.issuer.as_deref(), TlsWord::Unreadable),
            }
            .text(),
        ),
        _ => (false, None, TlsFeedback::NoCertificate.text()),
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
        return (false, None, TlsFeedback::NoHandshakeMessages.text());
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
                TlsFeedback::TooEarly {
                    name: message.name.clone(),
                    at: frames(message.origin),
                    version: version_name(handshake),
                    order: expected_order(tls13, resumed),
                }
                .text(),
            );
        }
        last = r;
    }
    let legal = TlsFeedback::LegalOrder {
        version: version_name(handshake),
        shown: names.join(", "),
    }
    .text();
    let said = if tls13 {
        legal.join(&TlsFeedback::Tls13HidesTheRest.text())
    } else {
        legal
    };
    (true, handshake.messages.first(), said)
}

fn version_name(handshake: &TlsHandshake) -> String {
    handshake
        .version
        .map_or_else(|| "TLS".to_string(), |v| v.to_string())
}

fn expected_order(tls13: bool, resumed: bool) -> HandshakeOrder {
    if tls13 {
        HandshakeOrder::Tls13
    } else if resumed {
        HandshakeOrder::Resumed
    } else {
        HandshakeOrder::Full
    }
}

/// A value the capture shows, or a word for its absence, in either language.
fn or_word(value: Option<&str>, absent: TlsWord) -> Text {
    match value {
        Some(value) => Text::new(value, value),
        None => absent.text(),
    }
}

fn completed(handshake: &TlsHandshake) -> Verdict<'_> {
    let client_finished = find(handshake, TlsSide::Client, "Finished");
    if handshake.completed {
        let text = if is_tls13(handshake) {
            TlsFeedback::CompletedTls13
        } else {
            TlsFeedback::Completed
        };
        return (true, client_finished, text.text());
    }
    let alert = handshake.messages.iter().find(|m| m.name == "Alert");
    let said = TlsFeedback::NotCompleted.text();
    let said = match alert {
        Some(a) if !a.detail.en.is_empty() => said.join(
            &TlsFeedback::EndedWithAlert {
                detail: a.detail.clone(),
            }
            .text(),
        ),
        _ => said,
    };
    (false, alert.or(client_finished), said)
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
    let (client, server) = (data.client, data.server);
    if client > 0 && server > 0 {
        let renewal = if renewals > 0 {
            TlsFeedback::Renegotiated { renewals }
        } else {
            TlsFeedback::KeyRenewalLooksLikeData
        };
        return (
            true,
            first,
            TlsFeedback::DataBothWays { client, server }
                .text()
                .join(&renewal.text()),
        );
    }
    (
        false,
        first,
        TlsFeedback::DataNotBothWays { client, server }.text(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(from: TlsSide, name: &str, detail: &str, frame: u64) -> TlsMessage {
        TlsMessage {
            from,
            name: name.into(),
            handshake_type: None,
            encrypted: false,
            detail: Text::new(detail, detail),
            origin: Origin::Frame {
                frame,
                last_frame: frame,
                micros: 0,
            },
        }
    }

    /// What the capture does not show is said in the language of the text, and sentences
    /// join with one space.
    #[test]
    fn feedback_has_no_english_in_its_chinese() {
        let spec = TlsSpec {
            host: None,
            checks: Vec::new(),
        };
        let mut handshake = TlsHandshake {
            sni: Some("mail.example".into()),
            ..TlsHandshake::default()
        };
        handshake.messages = vec![
            message(TlsSide::Client, "ClientHello", "", 1),
            message(TlsSide::Server, "Alert", "handshake_failure", 2),
        ];
        handshake.application_data.client = 3;
        handshake.application_data.server = 2;
        let said = [
            sni(&spec, &handshake).2,
            completed(&handshake).2,
            application_data(&handshake).2,
            key_exchange(&handshake).2,
        ];
        for text in &said {
            assert!(!text.en.contains("  "), "{}", text.en);
            for english in [
                "the webmail host",
                "ended with an alert",
                "unknown",
                "A later",
            ] {
                assert!(!text.zh_cn.contains(english), "{}", text.zh_cn);
            }
        }
        assert!(
            said[0].zh_cn.contains("网页邮箱服务器"),
            "{}",
            said[0].zh_cn
        );
        assert!(said[1].zh_cn.contains("连接以告警结束：handshake_failure"));
        assert!(said[1]
            .en
            .ends_with("both sides. The connection ended with an alert: handshake_failure."));
    }
}
