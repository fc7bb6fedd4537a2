use std::fmt;

use serde::{Serialize, Serializer};

use super::Origin;
use crate::i18n::messages::common::Separator;
use crate::i18n::messages::handshake::HandshakeWord;
use crate::i18n::{Lang, Text};

/// A TLS protocol version as the hellos name it (`0x0303` is TLS 1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TlsVersion {
    Ssl3,
    Tls10,
    Tls11,
    Tls12,
    Tls13,
}

impl TlsVersion {
    /// The version a wire value names; GREASE and drafts are `None`.
    pub fn from_wire(value: u16) -> Option<Self> {
        match value {
            0x0300 => Some(TlsVersion::Ssl3),
            0x0301 => Some(TlsVersion::Tls10),
            0x0302 => Some(TlsVersion::Tls11),
            0x0303 => Some(TlsVersion::Tls12),
            0x0304 => Some(TlsVersion::Tls13),
            _ => None,
        }
    }

    /// `1.2`, `1.3`, `ssl3`: how scenarios spell it.
    pub fn short(self) -> &'static str {
        match self {
            TlsVersion::Ssl3 => "ssl3",
            TlsVersion::Tls10 => "1.0",
            TlsVersion::Tls11 => "1.1",
            TlsVersion::Tls12 => "1.2",
            TlsVersion::Tls13 => "1.3",
        }
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsVersion::Ssl3 => f.write_str("SSL 3.0"),
            other => write!(f, "TLS {}", other.short()),
        }
    }
}

impl Serialize for TlsVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Which end of the connection sent a TLS message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsSide {
    Client,
    Server,
}

/// One handshake message (or ChangeCipherSpec, alert, first application data) as it crossed
/// the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsMessage {
    pub from: TlsSide,
    /// `ClientHello`, `ServerHello`, `Certificate`, `ServerKeyExchange`, `ServerHelloDone`,
    /// `ClientKeyExchange`, `ChangeCipherSpec`, `Finished`, `EncryptedHandshake`,
    /// `ApplicationData`, `Alert`, …
    pub name: String,
    /// The handshake type byte (1 = ClientHello …) when the message was readable.
    pub handshake_type: Option<u8>,
    /// Sent encrypted: its name is inferred from where it sits in the handshake.
    pub encrypted: bool,
    /// A short detail for people, in both languages: `SNI mail.qq.com`,
    /// `TLS_AES_128_GCM_SHA256`, an alert (`fatal handshake_failure`). Protocol names are the
    /// same in both; the words around them are translated.
    pub detail: Text,
    pub origin: Origin,
}

/// JSON schema v1 keeps `detail` as the English string; `detail_text` beside it holds both
/// languages, as a note's does. Both are left out when there is no detail.
impl Serialize for TlsMessage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            from: TlsSide,
            name: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            handshake_type: Option<u8>,
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            encrypted: bool,
            #[serde(skip_serializing_if = "str::is_empty")]
            detail: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            detail_text: Option<&'a Text>,
            origin: &'a Origin,
        }
        View {
            from: self.from,
            name: &self.name,
            handshake_type: self.handshake_type,
            encrypted: self.encrypted,
            detail: &self.detail.en,
            detail_text: (!self.detail.en.is_empty()).then_some(&self.detail),
            origin: &self.origin,
        }
        .serialize(serializer)
    }
}

/// The server certificate of a TLS ≤ 1.2 handshake (1.3 encrypts it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TlsCertificate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Certificates in the chain the server sent.
    pub chain: usize,
    /// Bytes of the whole chain.
    pub size: usize,
}

/// Application-data records each side sent (the encrypted TLS 1.3 handshake not counted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub struct TlsRecordCounts {
    pub client: u64,
    pub server: u64,
    /// Counting stopped after 64 records from one side (reading a long download costs
    /// time and says nothing new): more may have followed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
}

/// What a TLS connection's handshake showed: read from a capture, after STARTTLS / STLS, on
/// an implicit-TLS port, or on its own (HTTPS webmail). Every message keeps its frames.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TlsHandshake {
    pub messages: Vec<TlsMessage>,
    /// The server name the client asked for (SNI).
    pub sni: Option<String>,
    /// What the client offered (supported_versions, else its hello's version), best first.
    pub offered_versions: Vec<TlsVersion>,
    /// What the server chose.
    pub version: Option<TlsVersion>,
    /// The cipher suite the server chose, by its IANA name.
    pub cipher_suite: Option<String>,
    /// `ECDHE`, `DHE`, `RSA`, … from the suite; TLS 1.3 suites say `(EC)DHE`.
    pub key_exchange: Option<String>,
    pub certificate: Option<TlsCertificate>,
    /// Both sides finished: ChangeCipherSpec and Finished both ways (TLS ≤ 1.2), or the
    /// client's Finished and application data answered (TLS 1.3).
    pub completed: bool,
    pub application_data: TlsRecordCounts,
    /// Bytes that were not TLS records, or lost: reading stopped there. JSON: `unreadable`
    /// is the English, `unreadable_text` both languages.
    pub unreadable: Option<Text>,
}

/// JSON schema v1: the fields in their order, `unreadable` the English string as before and
/// `unreadable_text` beside it with both languages.
impl Serialize for TlsHandshake {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View<'a> {
            messages: &'a [TlsMessage],
            #[serde(skip_serializing_if = "Option::is_none")]
            sni: Option<&'a str>,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            offered_versions: &'a [TlsVersion],
            #[serde(skip_serializing_if = "Option::is_none")]
            version: Option<TlsVersion>,
            #[serde(skip_serializing_if = "Option::is_none")]
            cipher_suite: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            key_exchange: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            certificate: Option<&'a TlsCertificate>,
            completed: bool,
            application_data: TlsRecordCounts,
            #[serde(skip_serializing_if = "Option::is_none")]
            unreadable: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            unreadable_text: Option<&'a Text>,
        }
        View {
            messages: &self.messages,
            sni: self.sni.as_deref(),
            offered_versions: &self.offered_versions,
            version: self.version,
            cipher_suite: self.cipher_suite.as_deref(),
            key_exchange: self.key_exchange.as_deref(),
            certificate: self.certificate.as_ref(),
            completed: self.completed,
            application_data: self.application_data,
            unreadable: self.unreadable.as_ref().map(|t| t.en.as_str()),
            unreadable_text: self.unreadable.as_ref(),
        }
        .serialize(serializer)
    }
}

impl TlsHandshake {
    /// The names of the messages in order, `ClientHello, ServerHello, …`.
    pub fn message_names(&self) -> Vec<&str> {
        self.messages.iter().map(|m| m.name.as_str()).collect()
    }

    /// The origin of the first message, or nothing when none was seen.
    pub fn origin(&self) -> Option<Origin> {
        self.messages.first().map(|m| m.origin)
    }

    /// `TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, SNI mail.qq.com, completed`, in
    /// `lang` (`…，SNI mail.qq.com，已完成`).
    pub fn summary(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        match self.version {
            Some(version) => parts.push(version.to_string()),
            None => parts.push(HandshakeWord::NoVersion.get(lang).to_string()),
        }
        if let Some(suite) = &self.cipher_suite {
            parts[0].push(' ');
            parts[0].push_str(suite);
        }
        if let Some(sni) = &self.sni {
            parts.push(format!("SNI {sni}"));
        }
        let completed = if self.completed {
            HandshakeWord::Completed
        } else {
            HandshakeWord::NotCompleted
        };
        parts.push(completed.get(lang).to_string());
        parts.join(Separator::Comma.get(lang))
    }

    /// The key exchange as it reads in `lang`: a protocol name, but for the NULL suite's
    /// `none` and `anonymous ECDH`.
    pub fn key_exchange_in(&self, lang: Lang) -> Option<&str> {
        let kx = self.key_exchange.as_deref()?;
        Some(match kx {
            "none" => HandshakeWord::NoKeyExchange.get(lang),
            "anonymous ECDH" => HandshakeWord::AnonymousEcdh.get(lang),
            other => other,
        })
    }
}
