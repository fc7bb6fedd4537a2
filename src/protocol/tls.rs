//! Sans-IO reading of a TLS connection's handshake (TLS 1.0–1.3) through `tls-parser`.
//!
//! [`TlsObserver`] takes each direction's bytes in order, in any chunking, splits them into
//! records, puts handshake messages back together across records, and builds the
//! [`TlsHandshake`] summary: message order with origins, SNI, versions, suite, key exchange,
//! the certificate (TLS ≤ 1.2), whether both sides finished, and application-data records.
//! Application data is skipped by length, never buffered, so a long encrypted connection
//! costs a counter per record.
//!
//! ```
//! use mailgrade::protocol::{tls::TlsObserver, Direction};
//! use mailgrade::session::Origin;
//!
//! let mut tls = TlsObserver::new();
//! // A ClientHello record cut in two segments.
//! let hello = [0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x03];
//! tls.push(Direction::Client, &hello, Origin::frame(4, 0));
//! let mut rest = vec![0u8; 32]; // random
//! rest.extend([0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00]); // no session id, one suite, null compression
//! tls.push(Direction::Client, &rest, Origin::frame(5, 0));
//! let handshake = tls.finish();
//! assert_eq!(handshake.message_names(), ["ClientHello"]);
//! assert_eq!(handshake.messages[0].origin.to_string(), "frames 4-5");
//! ```

use tls_parser::{
    parse_tls_client_hello_extensions, parse_tls_message_handshake,
    parse_tls_server_hello_extensions, TlsCipherKx, TlsCipherSuite, TlsExtension, TlsMessage,
    TlsMessageHandshake,
};

use super::Direction;
use crate::i18n::messages::handshake::{HandshakeDetail, HandshakeWord};
use crate::i18n::Text;
use crate::session::{
    Origin, TlsCertificate, TlsHandshake, TlsMessage as Message, TlsSide, TlsVersion,
};

const HEADER: usize = 5;
/// The largest record RFC 5246 §6.2.3 allows (2^14 + 2048).
const MAX_RECORD: usize = 18_432;
/// A handshake message longer than this (a huge certificate chain) is not read.
const MAX_HANDSHAKE: usize = 128 * 1024;
/// Messages kept per connection; a renegotiation storm is counted, not listed.
const MAX_MESSAGES: usize = 256;
/// Application-data records counted per side before reading stops: enough to show data
/// flowing both ways, while a long download costs no reassembly after it.
pub const MAX_COUNTED: u64 = 64;

const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;
const HEARTBEAT: u8 = 24;

/// Whether bytes start with a TLS handshake record header (`16 03 0x`).
pub fn is_handshake_record(bytes: &[u8]) -> bool {
    matches!(bytes, [HANDSHAKE, 0x03, 0x00..=0x04, ..])
}

/// Whether bytes start with a TLS record carrying a ClientHello: the client's first words.
pub fn is_client_hello(bytes: &[u8]) -> bool {
    is_handshake_record(bytes) && bytes.get(HEADER).map_or(true, |&kind| kind == 1)
}

/// One direction's reading state.
#[derive(Default)]
struct Side {
    /// The record being collected, header included (never application data).
    record: Vec<u8>,
    record_origin: Option<Origin>,
    /// Bytes of an application-data record still to skip.
    skip: usize,
    /// Handshake bytes waiting for the rest of their message.
    handshake: Vec<u8>,
    handshake_origin: Option<Origin>,
    /// ChangeCipherSpec sent: what follows from this side is encrypted.
    encrypting: bool,
    /// Encrypted handshake messages sent after ChangeCipherSpec.
    encrypted_handshakes: u32,
    /// Application-data records sent (TLS 1.3: including the encrypted handshake).
    records: u64,
    /// Reading stopped: not TLS, or bytes lost.
    stopped: bool,
}

/// Reads one TLS connection's records from both directions; see the module doc.
#[derive(Default)]
pub struct TlsObserver {
    sides: [Side; 2],
    summary: TlsHandshake,
    /// TLS 1.3: records the server sent before the client's first encrypted record (its
    /// encrypted handshake flight); subtracted from the application-data count.
    server_handshake_records: u64,
    /// TLS 1.3: the server sent application data after the client's Finished.
    server_answered: bool,
}

fn index(from: Direction) -> usize {
    match from {
        Direction::Client => 0,
        Direction::Server => 1,
    }
}

fn side_of(from: Direction) -> TlsSide {
    match from {
        Direction::Client => TlsSide::Client,
        Direction::Server => TlsSide::Server,
    }
}

impl TlsObserver {
    pub fn new() -> Self {
        TlsObserver::default()
    }

    /// The next bytes `from` one side, in order.
    pub fn push(&mut self, from: Direction, mut bytes: &[u8], origin: Origin) {
        let i = index(from);
        while !bytes.is_empty() && !self.sides[i].stopped {
            let side = &mut self.sides[i];
            if side.skip > 0 {
                let n = side.skip.min(bytes.len());
                side.skip -= n;
                bytes = &bytes[n..];
                continue;
            }
            if side.record.is_empty() {
                side.record_origin = Some(origin);
            } else {
                side.record_origin = side.record_origin.map(|o| o.extend(origin));
            }
            let want = if side.record.len() < HEADER {
                HEADER - side.record.len()
            } else {
                record_len(&side.record) + HEADER - side.record.len()
            };
            let n = want.min(bytes.len());
            side.record.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if side.record.len() == HEADER {
                let (kind, len) = (side.record[0], record_len(&side.record));
                if !(CHANGE_CIPHER_SPEC..=HEARTBEAT).contains(&kind)
                    || side.record[1] != 0x03
                    || len > MAX_RECORD
                {
                    self.stop(from, HandshakeWord::NotRecords);
                    return;
                }
                if kind == APPLICATION_DATA {
                    // Skipped by length, never buffered.
                    let record_origin = side.record_origin.unwrap_or(origin);
                    side.record.clear();
                    side.skip = len;
                    self.application_data(from, record_origin);
                    continue;
                }
            }
            let side = &mut self.sides[i];
            if side.record.len() >= HEADER && side.record.len() == HEADER + record_len(&side.record)
            {
                let record = std::mem::take(&mut side.record);
                let record_origin = side.record_origin.unwrap_or(origin);
                self.record(from, record[0], &record[HEADER..], record_origin);
            }
        }
    }

    /// Bytes `from` one side were lost: records can no longer be found in what follows.
    pub fn gap(&mut self, from: Direction) {
        self.stop(from, HandshakeWord::BytesLost);
    }

    /// Whether more bytes could still tell something: not once a side stopped being
    /// readable, nor once a side sent [`MAX_COUNTED`] application-data records.
    pub fn wants_more(&self) -> bool {
        self.sides
            .iter()
            .all(|s| !s.stopped && s.records < MAX_COUNTED)
    }

    pub fn finish(mut self) -> TlsHandshake {
        let tls13 = self.summary.version == Some(TlsVersion::Tls13);
        let [client, server] = &self.sides;
        self.summary.application_data.more = self.sides.iter().any(|s| s.records >= MAX_COUNTED);
        self.summary.completed = if tls13 {
            // The client's first encrypted record is its Finished; an answer after it, or
            // more data from the client, shows both sides got through.
            client.records >= 1 && (self.server_answered || client.records >= 2)
        } else {
            client.encrypting
                && server.encrypting
                && client.encrypted_handshakes > 0
                && server.encrypted_handshakes > 0
        };
        self.summary.application_data.client = if tls13 {
            client.records.saturating_sub(1)
        } else {
            client.records
        };
        self.summary.application_data.server = if tls13 {
            server.records.saturating_sub(self.server_handshake_records)
        } else {
            server.records
        };
        self.summary
    }

    fn stop(&mut self, from: Direction, why: HandshakeWord) {
        let side = &mut self.sides[index(from)];
        if side.stopped {
            return;
        }
        side.stopped = true;
        side.record.clear();
        side.handshake.clear();
        if self.summary.unreadable.is_none() {
            let side = match from {
                Direction::Client => HandshakeWord::Client,
                Direction::Server => HandshakeWord::Server,
            };
            self.summary.unreadable = Some(HandshakeDetail::Stopped { side, why }.text());
        }
    }

    fn note(&mut self, from: Direction, name: &str, handshake_type: Option<u8>, origin: Origin) {
        if self.summary.messages.len() >= MAX_MESSAGES {
            return;
        }
        self.summary.messages.push(Message {
            from: side_of(from),
            name: name.to_string(),
            handshake_type,
            encrypted: handshake_type.is_none() && name != "ChangeCipherSpec",
            detail: Text::default(),
            origin,
        });
    }

    fn detail(&mut self, detail: Text) {
        if let Some(last) = self.summary.messages.last_mut() {
            last.detail = detail;
        }
    }

    fn tls13(&self) -> bool {
        self.summary.version == Some(TlsVersion::Tls13)
    }

    fn application_data(&mut self, from: Direction, origin: Origin) {
        let tls13 = self.tls13();
        let i = index(from);
        self.sides[i].records += 1;
        let records = self.sides[i].records;
        let client_records = self.sides[0].records;
        match (from, tls13) {
            (Direction::Server, true) if client_records == 0 => {
                self.server_handshake_records += 1;
                if self.server_handshake_records == 1 {
                    self.note(from, "EncryptedHandshake", None, origin);
                    self.detail(HandshakeDetail::EncryptedTls13.text());
                }
            }
            (Direction::Client, true) if records == 1 => self.note(from, "Finished", None, origin),
            (Direction::Server, true) if !self.server_answered => {
                self.server_answered = true;
                self.note(from, "ApplicationData", None, origin);
            }
            (Direction::Client, true) if records == 2 => {
                self.note(from, "ApplicationData", None, origin)
            }
            (_, false) if records == 1 => self.note(from, "ApplicationData", None, origin),
            _ => {}
        }
    }

    fn record(&mut self, from: Direction, kind: u8, payload: &[u8], origin: Origin) {
        let i = index(from);
        match kind {
            CHANGE_CIPHER_SPEC => {
                self.sides[i].encrypting = true;
                self.note(from, "ChangeCipherSpec", None, origin);
            }
            ALERT => {
                let encrypted = self.sides[i].encrypting || self.tls13() && i == 1;
                self.note(from, "Alert", None, origin);
                if let (false, [level, description]) = (encrypted, payload) {
                    if let Some(alert) = self.summary.messages.last_mut() {
                        alert.encrypted = false;
                    }
                    self.detail(alert_text(*level, *description));
                }
            }
            HANDSHAKE if self.sides[i].encrypting => {
                let side = &mut self.sides[i];
                side.encrypted_handshakes += 1;
                let name = if side.encrypted_handshakes == 1 {
                    "Finished"
                } else {
                    // A renegotiation or a key renewal, unreadable without the keys.
                    "EncryptedHandshake"
                };
                self.note(from, name, None, origin);
            }
            HANDSHAKE => self.handshake_bytes(from, payload, origin),
            _ => {}
        }
    }

    fn handshake_bytes(&mut self, from: Direction, payload: &[u8], origin: Origin) {
        let i = index(from);
        let side = &mut self.sides[i];
        if side.handshake.is_empty() {
            side.handshake_origin = Some(origin);
        } else {
            side.handshake_origin = side.handshake_origin.map(|o| o.extend(origin));
        }
        side.handshake.extend_from_slice(payload);
        loop {
            let side = &mut self.sides[i];
            let [kind, a, b, c, ..] = side.handshake[..] else {
                return;
            };
            let len = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
            if len > MAX_HANDSHAKE {
                self.stop(from, HandshakeWord::TooLong);
                return;
            }
            if side.handshake.len() < 4 + len {
                return;
            }
            let message: Vec<u8> = side.handshake.drain(..4 + len).collect();
            let message_origin = side.handshake_origin.unwrap_or(origin);
            side.handshake_origin = Some(origin);
            self.handshake_message(from, kind, &message, message_origin);
        }
    }

    fn handshake_message(&mut self, from: Direction, kind: u8, bytes: &[u8], origin: Origin) {
        self.note(from, handshake_name(kind), Some(kind), origin);
        let Ok((_, TlsMessage::Handshake(parsed))) = parse_tls_message_handshake(bytes) else {
            return;
        };
        match parsed {
            TlsMessageHandshake::ClientHello(hello) => {
                let mut offered = Vec::new();
                let extensions = hello
                    .ext
                    .and_then(|e| parse_tls_client_hello_extensions(e).ok())
                    .map(|(_, list)| list)
                    .unwrap_or_default();
                for extension in &extensions {
                    match extension {
                        TlsExtension::SNI(names) => {
                            if let Some((_, name)) = names.first() {
                                self.summary.sni = Some(String::from_utf8_lossy(name).into_owned());
                            }
                        }
                        TlsExtension::SupportedVersions(versions) => offered
                            .extend(versions.iter().filter_map(|v| TlsVersion::from_wire(v.0))),
                        _ => {}
                    }
                }
                if offered.is_empty() {
                    offered.extend(TlsVersion::from_wire(hello.version.0));
                }
                offered.sort_by(|a, b| b.cmp(a));
                offered.dedup();
                let detail = match &self.summary.sni {
                    Some(sni) => same(format!("SNI {sni}")),
                    None => Text::default(),
                };
                self.summary.offered_versions = offered;
                self.detail(detail);
            }
            TlsMessageHandshake::ServerHello(hello) => {
                let mut version = TlsVersion::from_wire(hello.version.0);
                let extensions = hello
                    .ext
                    .and_then(|e| parse_tls_server_hello_extensions(e).ok())
                    .map(|(_, list)| list)
                    .unwrap_or_default();
                for extension in &extensions {
                    if let TlsExtension::SupportedVersions(chosen) = extension {
                        if let Some(v) = chosen.first().and_then(|v| TlsVersion::from_wire(v.0)) {
                            version = Some(v);
                        }
                    }
                }
                self.summary.version = version;
                let suite = TlsCipherSuite::from_id(hello.cipher.0);
                self.summary.cipher_suite = Some(match suite {
                    Some(suite) => suite.name.to_string(),
                    None => format!("0x{:04X}", hello.cipher.0),
                });
                self.summary.key_exchange = suite.map(|s| key_exchange(s.kx).to_string());
                let detail = [
                    version.map(|v| v.to_string()),
                    self.summary.cipher_suite.clone(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                self.detail(same(detail));
            }
            // The client's own certificate (client authentication) is not the server's.
            TlsMessageHandshake::Certificate(certificates) if from == Direction::Server => {
                let chain = &certificates.cert_chain;
                let leaf = chain
                    .first()
                    .and_then(|c| x509_parser::parse_x509_certificate(c.data).ok());
                let (subject, issuer) = match &leaf {
                    Some((_, cert)) => (
                        Some(cert.subject().to_string()),
                        Some(cert.issuer().to_string()),
                    ),
                    None => (None, None),
                };
                if let Some(subject) = &subject {
                    self.detail(same(subject.clone()));
                }
                self.summary.certificate = Some(TlsCertificate {
                    subject,
                    issuer,
                    chain: chain.len(),
                    size: chain.iter().map(|c| c.data.len()).sum(),
                });
            }
            _ => {}
        }
    }
}

fn record_len(header: &[u8]) -> usize {
    usize::from(header[3]) << 8 | usize::from(header[4])
}

/// The handshake message type's name (RFC 8446 §4, RFC 5246 §7.4).
pub fn handshake_name(kind: u8) -> &'static str {
    match kind {
        0 => "HelloRequest",
        1 => "ClientHello",
        2 => "ServerHello",
        3 => "HelloVerifyRequest",
        4 => "NewSessionTicket",
        5 => "EndOfEarlyData",
        6 => "HelloRetryRequest",
        8 => "EncryptedExtensions",
        11 => "Certificate",
        12 => "ServerKeyExchange",
        13 => "CertificateRequest",
        14 => "ServerHelloDone",
        15 => "CertificateVerify",
        16 => "ClientKeyExchange",
        20 => "Finished",
        22 => "CertificateStatus",
        24 => "KeyUpdate",
        _ => "UnknownHandshake",
    }
}

fn key_exchange(kx: TlsCipherKx) -> &'static str {
    match kx {
        TlsCipherKx::Ecdhe => "ECDHE",
        TlsCipherKx::Dhe => "DHE",
        TlsCipherKx::Rsa => "RSA",
        TlsCipherKx::Ecdh => "ECDH",
        TlsCipherKx::Dh => "DH",
        TlsCipherKx::Psk => "PSK",
        TlsCipherKx::Tls13 => "(EC)DHE",
        TlsCipherKx::Null => "none",
        TlsCipherKx::Krb5 => "Kerberos",
        TlsCipherKx::Srp => "SRP",
        TlsCipherKx::Aecdh => "anonymous ECDH",
        TlsCipherKx::Eccpwd => "ECCPWD",
    }
}

/// An alert's level and description: `fatal handshake_failure`; the description keeps its
/// protocol name in both languages.
fn alert_text(level: u8, description: u8) -> Text {
    let level = if level == 2 {
        HandshakeWord::Fatal
    } else {
        HandshakeWord::Warning
    };
    let name = match description {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        40 => "handshake_failure",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        70 => "protocol_version",
        80 => "internal_error",
        90 => "user_canceled",
        112 => "unrecognized_name",
        number => return HandshakeDetail::UnknownAlert { level, number }.text(),
    };
    HandshakeDetail::Alert { level, name }.text()
}

/// A detail that is only protocol names (a suite, an SNI host, a certificate subject): the
/// same in both languages.
fn same(text: String) -> Text {
    Text::new(text.clone(), text)
}

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
