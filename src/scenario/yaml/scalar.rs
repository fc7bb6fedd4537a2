//! What a scalar's text means: YAML 1.2's core schema, read the way serde_yaml read it so that
//! files that loaded before load the same (`0x1F` is a number, `010` and `1_0` are text, `yes`
//! is text, `1e999999` is text because it is no finite number).

use saphyr_parser::ScalarStyle;
use serde::de::Unexpected;

/// A tag written on a scalar (`!!str 250`, `!verb EHLO`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScalarTag {
    Str,
    Int,
    Float,
    Bool,
    Null,
    /// Another tag of the core schema (`!!binary`, `!!timestamp`): read as text.
    OtherCore,
    /// A tag of the file's own (`!verb`), as written.
    Custom(String),
}

impl ScalarTag {
    pub fn from_parser(tag: &saphyr_parser::Tag) -> ScalarTag {
        if !tag.is_yaml_core_schema() {
            return ScalarTag::Custom(tag.to_string());
        }
        match tag.suffix.as_str() {
            "str" => ScalarTag::Str,
            "int" => ScalarTag::Int,
            "float" => ScalarTag::Float,
            "bool" => ScalarTag::Bool,
            "null" => ScalarTag::Null,
            _ => ScalarTag::OtherCore,
        }
    }
}

/// A scalar's value once its text is read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved<'s> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    /// Whole numbers past 64 bits: still numbers, just too big for any field.
    BigUnsigned(u128),
    BigSigned(i128),
    Float(f64),
    Str(&'s str),
    /// A value under a tag of the file's own: neither text nor number.
    Custom(&'s str),
}

impl Resolved<'_> {
    /// Says what the value is in serde's words (`integer \`-1\``, `string "ten"`).
    pub fn describe(self) -> String {
        let big;
        let unexpected = match self {
            Resolved::Null => Unexpected::Unit,
            Resolved::Bool(b) => Unexpected::Bool(b),
            Resolved::Unsigned(n) => Unexpected::Unsigned(n),
            Resolved::Signed(n) => Unexpected::Signed(n),
            Resolved::BigUnsigned(n) => {
                big = format!("integer `{n}`");
                Unexpected::Other(&big)
            }
            Resolved::BigSigned(n) => {
                big = format!("integer `{n}`");
                Unexpected::Other(&big)
            }
            Resolved::Float(f) => Unexpected::Float(f),
            Resolved::Str(s) => Unexpected::Str(s),
            Resolved::Custom(tag) => {
                big = format!("a value tagged `{tag}`");
                Unexpected::Other(&big)
            }
        };
        unexpected.to_string()
    }
}

/// Reads `text` as its style and tag say: quoted and block scalars are text, plain ones are
/// null, a boolean, a number or text, in that order.
pub fn resolve<'s>(text: &'s str, style: ScalarStyle, tag: Option<&'s ScalarTag>) -> Resolved<'s> {
    match tag {
        None if style == ScalarStyle::Plain => plain(text),
        None | Some(ScalarTag::Str | ScalarTag::OtherCore) => Resolved::Str(text),
        Some(ScalarTag::Custom(tag)) => Resolved::Custom(tag),
        Some(ScalarTag::Null) if null(text) => Resolved::Null,
        Some(ScalarTag::Bool) => boolean(text).map_or(Resolved::Str(text), Resolved::Bool),
        Some(ScalarTag::Int) => integer(text).unwrap_or(Resolved::Str(text)),
        Some(ScalarTag::Float) => integer(text)
            .or_else(|| float(text).map(Resolved::Float))
            .unwrap_or(Resolved::Str(text)),
        Some(ScalarTag::Null) => Resolved::Str(text),
    }
}

fn plain(text: &str) -> Resolved<'_> {
    if null(text) {
        return Resolved::Null;
    }
    if let Some(b) = boolean(text) {
        return Resolved::Bool(b);
    }
    if let Some(int) = integer(text) {
        return int;
    }
    if !leading_zero_digits(text) {
        if let Some(f) = float(text) {
            return Resolved::Float(f);
        }
    }
    Resolved::Str(text)
}

fn null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `010` is text in YAML 1.2 (no octal without `0o`).
fn leading_zero_digits(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A whole number: decimal, `0x…`, `0o…` or `0b…`, with an optional sign.
fn integer(text: &str) -> Option<Resolved<'_>> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(rest) = unsigned.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = unsigned.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = unsigned.strip_prefix("0b") {
        (2, rest)
    } else if leading_zero_digits(unsigned) {
        return None;
    } else {
        (10, unsigned)
    };
    // `from_str_radix` takes a sign of its own; the one above is the only one allowed.
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    Some(if negative {
        match i64::try_from(magnitude).ok().and_then(i64::checked_neg) {
            Some(n) => Resolved::Signed(n),
            None if magnitude == 1 << 63 => Resolved::Signed(i64::MIN),
            None => match i128::try_from(magnitude) {
                Ok(n) => Resolved::BigSigned(-n),
                Err(_) => return None,
            },
        }
    } else {
        match u64::try_from(magnitude) {
            Ok(n) => Resolved::Unsigned(n),
            Err(_) => Resolved::BigUnsigned(magnitude),
        }
    })
}

/// A finite decimal number, or `.inf` / `.nan` in YAML's spellings.
fn float(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_read_as_the_core_schema_says() {
        let cases = [
            ("", Resolved::Null),
            ("~", Resolved::Null),
            ("NULL", Resolved::Null),
            ("True", Resolved::Bool(true)),
            ("yes", Resolved::Str("yes")),
            ("250", Resolved::Unsigned(250)),
            ("+250", Resolved::Unsigned(250)),
            ("0xFA", Resolved::Unsigned(250)),
            ("0o372", Resolved::Unsigned(250)),
            ("0b11", Resolved::Unsigned(3)),
            ("-1", Resolved::Signed(-1)),
            ("-9223372036854775808", Resolved::Signed(i64::MIN)),
            ("18446744073709551616", Resolved::BigUnsigned(1 << 64)),
            ("-18446744073709551616", Resolved::BigSigned(-(1 << 64))),
            ("010", Resolved::Str("010")),
            ("1_0", Resolved::Str("1_0")),
            ("0x", Resolved::Str("0x")),
            ("0x-1", Resolved::Str("0x-1")),
            ("+-1", Resolved::Str("+-1")),
            ("1.5", Resolved::Float(1.5)),
            ("250.0", Resolved::Float(250.0)),
            (".inf", Resolved::Float(f64::INFINITY)),
            ("1e999999", Resolved::Str("1e999999")),
            ("2xx", Resolved::Str("2xx")),
        ];
        for (text, want) in cases {
            assert_eq!(resolve(text, ScalarStyle::Plain, None), want, "{text:?}");
        }
        assert!(matches!(
            resolve(".nan", ScalarStyle::Plain, None),
            Resolved::Float(f) if f.is_nan()
        ));
    }

    #[test]
    fn quotes_and_tags_decide_before_the_text() {
        let str_tag = ScalarTag::Str;
        let int_tag = ScalarTag::Int;
        let custom = ScalarTag::Custom("!verb".into());
        let cases = [
            ("250", ScalarStyle::SingleQuoted, None, Resolved::Str("250")),
            (
                "true",
                ScalarStyle::DoubleQuoted,
                None,
                Resolved::Str("true"),
            ),
            ("~", ScalarStyle::Literal, None, Resolved::Str("~")),
            (
                "250",
                ScalarStyle::Plain,
                Some(&str_tag),
                Resolved::Str("250"),
            ),
            (
                "5",
                ScalarStyle::SingleQuoted,
                Some(&int_tag),
                Resolved::Unsigned(5),
            ),
            (
                "EHLO",
                ScalarStyle::Plain,
                Some(&custom),
                Resolved::Custom("!verb"),
            ),
        ];
        for (text, style, tag, want) in cases {
            assert_eq!(
                resolve(text, style, tag),
                want,
                "{text:?} {style:?} {tag:?}"
            );
        }
    }

    #[test]
    fn values_are_described_in_serdes_words() {
        let cases = [
            (Resolved::Null, "unit value"),
            (Resolved::Signed(-1), "integer `-1`"),
            (
                Resolved::BigUnsigned(1 << 70),
                "integer `1180591620717411303424`",
            ),
            (Resolved::Float(1.5), "floating point `1.5`"),
            (Resolved::Str("ten"), "string \"ten\""),
            (Resolved::Custom("!verb"), "a value tagged `!verb`"),
        ];
        for (value, want) in cases {
            assert_eq!(value.describe(), want);
        }
    }
}
