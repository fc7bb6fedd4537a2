//! The scenario file as written: serde types that mirror the YAML, read by [`super::yaml`]
//! and turned into the model by [`super::validate`].

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

use super::model::{Envelope, ServerSpec, Text, TlsCheck, TlsSpec};

/// A scenario file as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping of scenario fields (id, title, protocol, steps …)"
)]
pub(super) struct RawScenario {
    pub id: String,
    pub title: Text,
    #[serde(default)]
    pub description: Option<Text>,
    pub protocol: RawProtocol,
    #[serde(default)]
    pub pass_mark: Option<u32>,
    #[serde(default)]
    pub strict: bool,
    #[serde(default)]
    pub harmless: Option<OneOrMany>,
    #[serde(default)]
    pub server: ServerSpec,
    /// Each step is read on its own from its node, so that every bad step is reported; here
    /// they are only counted. A `tls` scenario has none.
    #[serde(default)]
    pub steps: StepCount,
    /// What a `protocol: tls` scenario requires of the handshake.
    #[serde(default)]
    pub tls: Option<TlsSpec>,
    #[serde(default)]
    pub forbidden: Vec<RawForbidden>,
    #[serde(default)]
    pub order: Vec<RawOrder>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum RawProtocol {
    Smtp,
    Pop3,
    Tls,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a step: a mapping with id, send, expect …"
)]
pub(super) struct RawStep {
    pub id: String,
    #[serde(default)]
    pub send: Option<OneOrMany>,
    #[serde(default)]
    pub args: Option<String>,
    #[serde(default)]
    pub expect: Option<RawExpect>,
    #[serde(default)]
    pub points: u32,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub repeat: Option<RawRepeat>,
    #[serde(default)]
    pub feedback: Option<Text>,
    #[serde(default)]
    pub checks: Vec<RawMessageCheck>,
    /// After STARTTLS / STLS: what the TLS handshake that follows must show.
    #[serde(default)]
    pub tls: Option<TlsCheck>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a check: a mapping with id, header, equals or matches …"
)]
pub(super) struct RawMessageCheck {
    pub id: String,
    pub header: String,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub equals: Option<Envelope>,
    #[serde(default)]
    pub matches: Option<String>,
    #[serde(default)]
    pub points: u32,
    #[serde(default)]
    pub feedback: Option<Text>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with send, points, feedback"
)]
pub(super) struct RawForbidden {
    pub send: String,
    #[serde(default)]
    pub points: u32,
    #[serde(default)]
    pub feedback: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with id, before, after …")]
pub(super) struct RawOrder {
    pub id: String,
    pub before: String,
    pub after: String,
    #[serde(default)]
    pub points: u32,
    #[serde(default)]
    pub feedback: Option<Text>,
}

/// How many steps the list holds, whatever they are.
#[derive(Debug, Default)]
pub(super) struct StepCount(pub usize);

impl<'de> Deserialize<'de> for StepCount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StepCount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StepCount, A::Error> {
                let mut count = 0;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    count += 1;
                }
                Ok(StepCount(count))
            }
        }
        deserializer.deserialize_seq(V)
    }
}

/// `EHLO` or `[EHLO, HELO]`.
#[derive(Debug, Default)]
pub(super) struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a command or a list of commands")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    items.push(item);
                }
                Ok(OneOrMany(items))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// One expected reply as written: `235`, `"2xx"`, `"+OK"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum RawCode {
    Number(u64),
    Text(String),
}

impl fmt::Display for RawCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawCode::Number(n) => write!(f, "{n}"),
            RawCode::Text(t) => f.write_str(t),
        }
    }
}

struct CodeVisitor;

impl Visitor<'_> for CodeVisitor {
    type Value = RawCode;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a reply code such as 250, 2xx, +OK or -ERR")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawCode, E> {
        Ok(RawCode::Number(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawCode, E> {
        Ok(RawCode::Text(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCode, E> {
        Ok(RawCode::Text(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for RawCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CodeVisitor)
    }
}

/// `235`, `2xx` or a list of them.
#[derive(Debug)]
pub(super) struct RawExpect(pub Vec<RawCode>);

impl<'de> Deserialize<'de> for RawExpect {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawExpect;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a reply code such as 250, 2xx, +OK, or a list of them")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawExpect, E> {
                CodeVisitor.visit_u64(v).map(|c| RawExpect(vec![c]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawExpect, E> {
                CodeVisitor.visit_i64(v).map(|c| RawExpect(vec![c]))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawExpect, E> {
                CodeVisitor.visit_str(v).map(|c| RawExpect(vec![c]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawExpect, A::Error> {
                let mut codes = Vec::new();
                while let Some(code) = seq.next_element::<RawCode>()? {
                    codes.push(code);
                }
                Ok(RawExpect(codes))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `1..`, `0..`, `2..3` or a plain count.
#[derive(Debug)]
pub(super) struct RawRepeat(pub String);

impl<'de> Deserialize<'de> for RawRepeat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawRepeat;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a range such as 1.., 0.. or 2..3")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawRepeat, E> {
                Ok(RawRepeat(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawRepeat, E> {
                Ok(RawRepeat(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawRepeat, E> {
                Ok(RawRepeat(v.to_string()))
            }
        }
        deserializer.deserialize_any(V)
    }
}
