//! A serde `Deserializer` over one node of a [`Document`]: the raw types derive
//! `Deserialize` as usual (`deny_unknown_fields` included), and every error comes back as a
//! [`Problem`] — what serde reported, as data — with the span and field path of the node it
//! is about. Any node can be deserialised on its own, so a caller can read a list item by
//! item and report every bad item, without parsing anything twice.

use std::fmt;

use saphyr_parser::ScalarStyle;
use serde::de::{self, DeserializeOwned, Expected, IntoDeserializer, Unexpected, Visitor};

use super::scalar::{self, Resolved};
use super::tree::{Document, NodeId, NodeKind};
use crate::diagnostic::Span;

/// Deserialises a `T` from `node` (an alias is followed); error paths start at `node`.
pub fn from_node<T: DeserializeOwned>(doc: &Document<'_>, node: NodeId) -> Result<T, DeError> {
    T::deserialize(NodeDe::new(doc, node, Path::Root))
}

/// What went wrong, where, and on which field path (`checks[0].equals`).
#[derive(Clone, Debug, PartialEq)]
pub struct DeError {
    pub problem: Problem,
    /// The node the problem is about; `None` only before the error left the node it arose in.
    pub span: Option<Span>,
    /// From the node deserialisation started at; empty there.
    pub path: String,
}

/// serde's error cases, kept as data.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    UnknownField {
        field: String,
        known: &'static [&'static str],
    },
    MissingField(&'static str),
    DuplicateField(&'static str),
    UnknownVariant {
        variant: String,
        known: &'static [&'static str],
    },
    /// `found` in serde's words: `string "ten"`, `integer \`-1\``, `map`.
    InvalidType {
        found: String,
        expected: Expectation,
    },
    InvalidValue {
        found: String,
        expected: Expectation,
    },
    InvalidLength {
        len: usize,
        expected: String,
    },
    /// A message of the type's own.
    Custom(String),
}

/// What a node should have been.
#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// As the visitor put it (`a sequence`, or a type's `#[serde(expecting = "…")]`).
    Said(String),
    /// Any integer type.
    WholeNumber,
    Boolean,
    /// An enum's variants.
    OneOf(&'static [&'static str]),
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Said(said) => f.write_str(said),
            Expectation::WholeNumber => f.write_str("a whole number"),
            Expectation::Boolean => f.write_str("true or false"),
            Expectation::OneOf(names) => f.write_str(&one_of(names)),
        }
    }
}

/// `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` ``.
pub fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.as_slice() {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        all => format!("one of {}", all.join(", ")),
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownField { field, known } => {
                write!(f, "unknown field `{field}`, expected {}", one_of(known))
            }
            Problem::MissingField(field) => write!(f, "missing field `{field}`"),
            Problem::DuplicateField(field) => write!(f, "duplicate field `{field}`"),
            Problem::UnknownVariant { variant, known } => {
                write!(f, "unknown variant `{variant}`, expected {}", one_of(known))
            }
            Problem::InvalidType { found, expected } => {
                write!(f, "invalid type: {found}, expected {expected}")
            }
            Problem::InvalidValue { found, expected } => {
                write!(f, "invalid value: {found}, expected {expected}")
            }
            Problem::InvalidLength { len, expected } => {
                write!(f, "invalid length {len}, expected {expected}")
            }
            Problem::Custom(message) => f.write_str(message),
        }
    }
}

impl DeError {
    fn new(problem: Problem) -> Self {
        DeError {
            problem,
            span: None,
            path: String::new(),
        }
    }

    /// Places the error at the first node it leaves; outer nodes leave it there.
    fn at(mut self, span: Span, path: &Path<'_>) -> Self {
        if self.span.is_none() {
            self.span = Some(span);
            self.path = path.to_string();
        }
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        self.problem.fmt(f)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DeError::new(Problem::Custom(message.to_string()))
    }

    fn invalid_type(found: Unexpected<'_>, expected: &dyn Expected) -> Self {
        DeError::new(Problem::InvalidType {
            found: found.to_string(),
            expected: Expectation::Said(expected.to_string()),
        })
    }

    fn invalid_value(found: Unexpected<'_>, expected: &dyn Expected) -> Self {
        DeError::new(Problem::InvalidValue {
            found: found.to_string(),
            expected: Expectation::Said(expected.to_string()),
        })
    }

    fn invalid_length(len: usize, expected: &dyn Expected) -> Self {
        DeError::new(Problem::InvalidLength {
            len,
            expected: expected.to_string(),
        })
    }

    fn unknown_variant(variant: &str, known: &'static [&'static str]) -> Self {
        DeError::new(Problem::UnknownVariant {
            variant: variant.to_string(),
            known,
        })
    }

    fn unknown_field(field: &str, known: &'static [&'static str]) -> Self {
        DeError::new(Problem::UnknownField {
            field: field.to_string(),
            known,
        })
    }

    fn missing_field(field: &'static str) -> Self {
        DeError::new(Problem::MissingField(field))
    }

    fn duplicate_field(field: &'static str) -> Self {
        DeError::new(Problem::DuplicateField(field))
    }
}

/// The way from where deserialisation started to a node, built only when an error needs it.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Item { parent: &'p Path<'p>, index: usize },
    Field { parent: &'p Path<'p>, key: &'p str },
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Item { parent, index } => write!(f, "{parent}[{index}]"),
            Path::Field {
                parent: Path::Root,
                key,
            } => f.write_str(key),
            Path::Field { parent, key } => write!(f, "{parent}.{key}"),
        }
    }
}

/// Deserialises one node.
struct NodeDe<'a, 'p> {
    doc: &'a Document<'a>,
    /// The node as written: its span is where errors about it point (an alias points at
    /// itself, not at what it repeats).
    written: NodeId,
    /// The node read: `written`, or what it repeats.
    node: NodeId,
    path: Path<'p>,
}

fn expected_of<'de, V: Visitor<'de>>(visitor: &V) -> Expectation {
    Expectation::Said((visitor as &dyn Expected).to_string())
}

impl<'a, 'p> NodeDe<'a, 'p> {
    fn new(doc: &'a Document<'a>, written: NodeId, path: Path<'p>) -> Self {
        NodeDe {
            doc,
            written,
            node: doc.resolve(written),
            path,
        }
    }

    fn kind(&self) -> &'a NodeKind<'a> {
        &self.doc.node(self.node).kind
    }

    /// The node's value as a scalar of its style and tag; `None` for collections.
    fn scalar(&self) -> Option<Resolved<'a>> {
        match self.kind() {
            NodeKind::Scalar { value, style, tag } => {
                Some(scalar::resolve(value, *style, tag.as_ref()))
            }
            _ => None,
        }
    }

    /// An empty plain scalar (`steps:` with nothing after it): read as an empty list or
    /// mapping where one is expected.
    fn is_empty_plain(&self) -> bool {
        matches!(
            self.kind(),
            NodeKind::Scalar { value, style: ScalarStyle::Plain, tag: None } if value.is_empty()
        )
    }

    /// The node in serde's words, for an invalid-type error.
    fn found(&self) -> String {
        match (self.kind(), self.scalar()) {
            (_, Some(value)) => value.describe(),
            (NodeKind::Sequence(_), _) => Unexpected::Seq.to_string(),
            _ => Unexpected::Map.to_string(),
        }
    }

    fn invalid_type(&self, expected: Expectation) -> DeError {
        DeError::new(Problem::InvalidType {
            found: self.found(),
            expected,
        })
    }

    fn invalid_value(&self, expected: Expectation) -> DeError {
        DeError::new(Problem::InvalidValue {
            found: self.found(),
            expected,
        })
    }

    fn place<T>(&self, result: Result<T, DeError>) -> Result<T, DeError> {
        let span = self.doc.node(self.written).span;
        result.map_err(|err| err.at(span, &self.path))
    }

    fn unsigned<'de, V: Visitor<'de>>(self, visitor: V, max: u64) -> Result<V::Value, DeError> {
        let result = match self.scalar() {
            Some(Resolved::Unsigned(n)) if n <= max => visitor.visit_u64(n),
            Some(Resolved::Unsigned(_) | Resolved::BigUnsigned(_)) => {
                Err(self.invalid_value(Expectation::WholeNumber))
            }
            _ => Err(self.invalid_type(Expectation::WholeNumber)),
        };
        self.place(result)
    }

    fn signed<'de, V: Visitor<'de>>(
        self,
        visitor: V,
        min: i64,
        max: i64,
    ) -> Result<V::Value, DeError> {
        let value = match self.scalar() {
            Some(Resolved::Signed(n)) => Some(i128::from(n)),
            Some(Resolved::Unsigned(n)) => Some(i128::from(n)),
            Some(Resolved::BigSigned(n)) => Some(n),
            Some(Resolved::BigUnsigned(_)) => Some(i128::MAX),
            _ => None,
        };
        let result = match value {
            Some(n) if (i128::from(min)..=i128::from(max)).contains(&n) => {
                visitor.visit_i64(n as i64)
            }
            Some(_) => Err(self.invalid_value(Expectation::WholeNumber)),
            None => Err(self.invalid_type(Expectation::WholeNumber)),
        };
        self.place(result)
    }

    fn sequence<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match self.kind() {
            NodeKind::Sequence(items) => visitor.visit_seq(Items {
                doc: self.doc,
                items: items.iter(),
                index: 0,
                parent: &self.path,
            }),
            _ if self.is_empty_plain() => visitor.visit_seq(Items {
                doc: self.doc,
                items: [].iter(),
                index: 0,
                parent: &self.path,
            }),
            _ => Err(self.invalid_type(expected_of(&visitor))),
        };
        self.place(result)
    }

    fn mapping<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match self.kind() {
            NodeKind::Mapping(pairs) => visitor.visit_map(Entries {
                doc: self.doc,
                pairs: pairs.iter(),
                value: None,
                parent: &self.path,
            }),
            _ if self.is_empty_plain() => visitor.visit_map(Entries {
                doc: self.doc,
                pairs: [].iter(),
                value: None,
                parent: &self.path,
            }),
            _ => Err(self.invalid_type(expected_of(&visitor))),
        };
        self.place(result)
    }

    fn text<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // A text field takes any scalar as written (`id: 123` is the id "123").
        let result = match self.kind() {
            NodeKind::Scalar { value, .. } => visitor.visit_str(value),
            _ => Err(self.invalid_type(expected_of(&visitor))),
        };
        self.place(result)
    }
}

impl<'de> de::Deserializer<'de> for NodeDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match self.scalar() {
            Some(Resolved::Null) => visitor.visit_unit(),
            Some(Resolved::Bool(b)) => visitor.visit_bool(b),
            Some(Resolved::Unsigned(n)) => visitor.visit_u64(n),
            Some(Resolved::Signed(n)) => visitor.visit_i64(n),
            Some(Resolved::BigUnsigned(n)) => visitor.visit_u128(n),
            Some(Resolved::BigSigned(n)) => visitor.visit_i128(n),
            Some(Resolved::Float(f)) => visitor.visit_f64(f),
            Some(Resolved::Str(s)) => visitor.visit_str(s),
            Some(Resolved::Custom(_)) => Err(self.invalid_type(expected_of(&visitor))),
            None => {
                return match self.kind() {
                    NodeKind::Sequence(_) => self.sequence(visitor),
                    _ => self.mapping(visitor),
                }
            }
        };
        self.place(result)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match self.scalar() {
            Some(Resolved::Bool(b)) => visitor.visit_bool(b),
            _ => Err(self.invalid_type(Expectation::Boolean)),
        };
        self.place(result)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.signed(visitor, i8::MIN.into(), i8::MAX.into())
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.signed(visitor, i16::MIN.into(), i16::MAX.into())
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.signed(visitor, i32::MIN.into(), i32::MAX.into())
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.signed(visitor, i64::MIN, i64::MAX)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.unsigned(visitor, u8::MAX.into())
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.unsigned(visitor, u16::MAX.into())
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.unsigned(visitor, u32::MAX.into())
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.unsigned(visitor, u64::MAX)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match self.scalar() {
            Some(Resolved::Float(f)) => visitor.visit_f64(f),
            Some(Resolved::Unsigned(n)) => visitor.visit_u64(n),
            Some(Resolved::Signed(n)) => visitor.visit_i64(n),
            _ => Err(self.invalid_type(expected_of(&visitor))),
        };
        self.place(result)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.text(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.text(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.text(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.text(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.text(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.scalar() {
            Some(Resolved::Null) => self.place(visitor.visit_none()),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match self.scalar() {
            Some(Resolved::Null) => visitor.visit_unit(),
            _ => Err(self.invalid_type(expected_of(&visitor))),
        };
        self.place(result)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.sequence(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.sequence(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.sequence(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.mapping(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.mapping(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        // Only unit variants, written as their name: `protocol: smtp`.
        let result = match self.kind() {
            NodeKind::Scalar { value, .. } => {
                visitor.visit_enum(value.as_ref().into_deserializer())
            }
            _ => Err(self.invalid_type(Expectation::OneOf(variants))),
        };
        self.place(result)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.text(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

/// A sequence's items, each deserialised with its index on the path.
struct Items<'a, 'p> {
    doc: &'a Document<'a>,
    items: std::slice::Iter<'a, NodeId>,
    index: usize,
    parent: &'p Path<'p>,
}

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(&item) = self.items.next() else {
            return Ok(None);
        };
        let path = Path::Item {
            parent: self.parent,
            index: self.index,
        };
        self.index += 1;
        seed.deserialize(NodeDe::new(self.doc, item, path))
            .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A mapping's entries: keys deserialised at the mapping's path, values under their key.
struct Entries<'a, 'p> {
    doc: &'a Document<'a>,
    pairs: std::slice::Iter<'a, (NodeId, NodeId)>,
    /// The value of the key just read.
    value: Option<(NodeId, NodeId)>,
    parent: &'p Path<'p>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(&(key, value)) = self.pairs.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        seed.deserialize(NodeDe::new(self.doc, key, *self.parent))
            .map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("a value was asked for before its key"));
        };
        let key = self.doc.scalar(self.doc.resolve(key)).unwrap_or("?");
        let path = Path::Field {
            parent: self.parent,
            key,
        };
        seed.deserialize(NodeDe::new(self.doc, value, path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.pairs.len())
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::scenario::yaml::tree::Limits;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        name: String,
        #[serde(default)]
        count: u32,
        #[serde(default)]
        flag: bool,
        #[serde(default)]
        kind: Option<Kind>,
        #[serde(default)]
        inner: Vec<Inner>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, expecting = "an inner mapping")]
    struct Inner {
        id: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Small,
        Large,
    }

    fn read(text: &str) -> Result<Outer, DeError> {
        let limits = Limits {
            depth: 64,
            expanded: 100_000,
        };
        let doc = Document::parse(text, limits).expect("parses");
        from_node(&doc, doc.root())
    }

    #[test]
    fn values_of_every_shape_deserialise() {
        let outer = read(
            "name: 123\ncount: 0x10\nflag: True\nkind: large\ninner: [{ id: a }, { id: ~ }]\n",
        )
        .expect("deserialises");
        assert_eq!(
            outer,
            Outer {
                name: "123".into(),
                count: 16,
                flag: true,
                kind: Some(Kind::Large),
                inner: vec![Inner { id: "a".into() }, Inner { id: "~".into() }],
            }
        );
        let empty = read("name: x\nkind: ~\ninner:\n").expect("deserialises");
        assert_eq!((empty.kind, empty.inner), (None, vec![]));
        let aliased = read("name: &n x\ninner: [{ id: *n }]\n").expect("deserialises");
        assert_eq!(aliased.inner, vec![Inner { id: "x".into() }]);
    }

    #[test]
    fn errors_are_kept_as_data_with_their_place() {
        let cases = [
            (
                "name: x\ninner: [{ id: a, idd: b }]\n",
                Problem::UnknownField {
                    field: "idd".into(),
                    known: &["id"],
                },
                Span::new(2, 18, 3),
                "inner[0]",
            ),
            (
                "name: x\ninner:\n  - {}\n",
                Problem::MissingField("id"),
                Span::new(3, 5, 1),
                "inner[0]",
            ),
            (
                "name: x\ncount: -1\n",
                Problem::InvalidType {
                    found: "integer `-1`".into(),
                    expected: Expectation::WholeNumber,
                },
                Span::new(2, 8, 2),
                "count",
            ),
            (
                "name: x\ncount: 4294967296\n",
                Problem::InvalidValue {
                    found: "integer `4294967296`".into(),
                    expected: Expectation::WholeNumber,
                },
                Span::new(2, 8, 10),
                "count",
            ),
            (
                "name: x\nflag: 'true'\n",
                Problem::InvalidType {
                    found: "string \"true\"".into(),
                    expected: Expectation::Boolean,
                },
                Span::new(2, 7, 6),
                "flag",
            ),
            (
                "name: x\nkind: huge\n",
                Problem::UnknownVariant {
                    variant: "huge".into(),
                    known: &["small", "large"],
                },
                Span::new(2, 7, 4),
                "kind",
            ),
            (
                "name: x\nkind: [small]\n",
                Problem::InvalidType {
                    found: "sequence".into(),
                    expected: Expectation::OneOf(&["small", "large"]),
                },
                Span::new(2, 7, 1),
                "kind",
            ),
            (
                "name: x\ninner: [x]\n",
                Problem::InvalidType {
                    found: "string \"x\"".into(),
                    expected: Expectation::Said("an inner mapping".into()),
                },
                Span::new(2, 9, 1),
                "inner[0]",
            ),
            (
                "a: &a { id: 1 }\nname: x\ninner: [*a]\n",
                Problem::UnknownField {
                    field: "a".into(),
                    known: &["name", "count", "flag", "kind", "inner"],
                },
                Span::new(1, 1, 1),
                "",
            ),
            (
                "name: x\ninner: [{ id: [1] }]\n",
                Problem::InvalidType {
                    found: "sequence".into(),
                    expected: Expectation::Said("a string".into()),
                },
                Span::new(2, 15, 1),
                "inner[0].id",
            ),
        ];
        for (text, problem, span, path) in cases {
            let err = read(text).expect_err(text);
            assert_eq!(
                (err.problem, err.span, err.path.as_str()),
                (problem, Some(span), path),
                "{text:?}"
            );
        }
    }

    #[test]
    fn an_alias_is_blamed_for_what_it_brings_as_a_whole() {
        let doc = Document::parse(
            "m: &m { a: 1 }\nlist: [*m]\n",
            Limits {
                depth: 64,
                expanded: 1000,
            },
        )
        .expect("parses");
        let list = doc.entry(doc.root(), "list").expect("list").1;
        let err = from_node::<Vec<Inner>>(&doc, list).expect_err("no id");
        assert_eq!(
            err.problem,
            Problem::UnknownField {
                field: "a".into(),
                known: &["id"]
            }
        );
        assert_eq!(
            (err.span, err.path.as_str()),
            (Some(Span::new(1, 9, 1)), "[0]")
        );
        let err = from_node::<Vec<String>>(&doc, list).expect_err("not text");
        assert_eq!(err.span, Some(Span::new(2, 8, 2)), "at the alias");
    }

    #[test]
    fn expectations_read_like_serdes() {
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b"]), "`a` or `b`");
        assert_eq!(one_of(&["a", "b", "c"]), "one of `a`, `b`, `c`");
        let err = DeError {
            problem: Problem::InvalidType {
                found: "map".into(),
                expected: Expectation::WholeNumber,
            },
            span: None,
            path: "steps[1].points".into(),
        };
        assert_eq!(
            err.to_string(),
            "steps[1].points: invalid type: map, expected a whole number"
        );
    }
}
