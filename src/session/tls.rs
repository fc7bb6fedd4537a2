use std::fmt;

use serde::{Serialize, Serializer};

use super::Origin;

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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TlsMessage {
    pub from: TlsSide,
    /// `ClientHello`, `ServerHello`, `Certificate`, `ServerKeyExchange`, `ServerHelloDone`,
    /// `ClientKeyExchange`, `ChangeCipherSpec`, `Finished`, `EncryptedHandshake`,
    /// `ApplicationData`, `Alert`, …
    pub name: String,
    /// The handshake type byte (1 = ClientHello …) when the message was readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handshake_type: Option<u8>,
    /// Sent encrypted: its name is inferred from where it sits in the handshake.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub encrypted: bool,
    /// A short detail for people: `SNI mail.qq.com`, `TLS_AES_128_GCM_SHA256`, an alert.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    pub origin: Origin,
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
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct TlsHandshake {
    pub messages: Vec<TlsMessage>,
    /// The server name the client asked for (SNI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// What the client offered (supported_versions, else its hello's version), best first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub offered_versions: Vec<TlsVersion>,
    /// What the server chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<TlsVersion>,
    /// The cipher suite the server chose, by its IANA name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cipher_suite: Option<String>,
    /// `ECDHE`, `DHE`, `RSA`, … from the suite; TLS 1.3 suites say `(EC)DHE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_exchange: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<TlsCertificate>,
    /// Both sides finished: ChangeCipherSpec and Finished both ways (TLS ≤ 1.2), or the
    /// client's Finished and application data answered (TLS 1.3).
    pub completed: bool,
    pub application_data: TlsRecordCounts,
    /// Bytes that were not TLS records, or lost: reading stopped there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unreadable: Option<String>,
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

    /// `TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, SNI mail.qq.com, completed`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        match self.version {
            Some(version) => parts.push(version.to_string()),
            None => parts.push("TLS (version not negotiated)".to_string()),
        }
        if let Some(suite) = &self.cipher_suite {
            parts[0].push(' ');
            parts[0].push_str(suite);
        }
        if let Some(sni) = &self.sni {
            parts.push(format!("SNI {sni}"));
        }
        parts.push(
            if self.completed {
                "completed"
            } else {
                "not completed"
            }
            .to_string(),
        );
        parts.join(", ")
    }
}
