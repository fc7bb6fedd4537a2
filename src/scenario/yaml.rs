//! The only module that reads YAML.
//!
//! serde_yaml turns the text into the raw serde types below; it reports the position of its
//! own errors but not of the nodes it built, so a second, event-level pass (yaml-rust2) records
//! where every node starts and ends. Validation asks that [`SpanIndex`] for the position of
//! `steps[3].send` and so points its carets at the right text.
//!
//! To report every malformed step rather than only the first, each step is deserialised on
//! its own from its own slice of the file, with its line and column kept.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::error::ScenarioError;
use super::model::{Envelope, ServerSpec, Text, TlsCheck, TlsSpec};
use crate::diagnostic::{did_you_mean, Span};

/// A scenario file as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Each step is deserialised on its own (see the module docs). A `tls` scenario has none.
    #[serde(default)]
    pub steps: Vec<serde_yaml::Value>,
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub(super) struct RawForbidden {
    pub send: String,
    #[serde(default)]
    pub points: u32,
    #[serde(default)]
    pub feedback: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrder {
    pub id: String,
    pub before: String,
    pub after: String,
    #[serde(default)]
    pub points: u32,
    #[serde(default)]
    pub feedback: Option<Text>,
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

/// A parsed scenario file: the raw top level (when it deserialised), each step (or the
/// errors that kept it from deserialising), and where every node is.
pub(super) struct Parsed {
    pub top: Option<RawScenario>,
    /// The protocol as written, even when the top level did not deserialise.
    pub protocol: Option<RawProtocol>,
    pub steps: Vec<Option<RawStep>>,
    pub index: SpanIndex,
}

/// Parses `text`; syntax errors end parsing (nothing after them can be trusted), structural
/// errors are collected and parsing goes on step by step.
pub(super) fn parse(text: &str, errors: &mut Vec<ScenarioError>) -> Option<Parsed> {
    if text.trim().is_empty() {
        errors.push(
            ScenarioError::new("empty", "scenario file is empty")
                .at(Some(Span::new(1, 1, 0)), "nothing here")
                .help("a scenario needs at least `id:`, `title:`, `protocol:` and `steps:`"),
        );
        return None;
    }
    if let Some(error) = too_big(text) {
        errors.push(error);
        return None;
    }
    let value: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(value) => value,
        Err(err) => {
            errors.push(syntax_error(&err, text));
            return None;
        }
    };
    let index = SpanIndex::build(text);
    let top = match serde_yaml::from_str::<RawScenario>(text) {
        Ok(top) => Some(top),
        Err(err) => {
            // A bad step is reported by the per-step pass below, with all the others.
            if !is_inside_steps(&err) {
                errors.push(structure_error(&err, &index, (0, 0)));
            }
            None
        }
    };
    let protocol = value
        .get("protocol")
        .and_then(|p| serde_yaml::from_value::<RawProtocol>(p.clone()).ok());
    let step_values: Vec<serde_yaml::Value> = match value.get("steps") {
        Some(serde_yaml::Value::Sequence(items)) => items.clone(),
        _ => Vec::new(),
    };
    if step_values.len() > MAX_STEPS {
        errors.push(
            ScenarioError::new(
                "too-many-steps",
                format!(
                    "scenario has {} steps; the limit is {MAX_STEPS}",
                    step_values.len()
                ),
            )
            .at(index.key("steps"), "too many steps")
            .help("a lab dialogue is a few dozen steps; use `repeat` for a step that recurs"),
        );
        return None;
    }
    // Once, not per step: slicing each step out of the text must not cost the whole text.
    let chars: Vec<char> = text.chars().collect();
    let steps = step_values
        .into_iter()
        .enumerate()
        .map(|(i, step_value)| parse_step(&chars, &index, i, step_value, errors))
        .collect();
    Some(Parsed {
        top,
        protocol,
        steps,
        index,
    })
}

/// A scenario is a page of YAML; anything far bigger is a mistake or an attack.
const MAX_SCENARIO_BYTES: usize = 1 << 20;
/// Steps in one scenario: each is parsed and checked on its own, so they must stay few.
const MAX_STEPS: usize = 1000;
/// Scenarios nest a few levels; libyaml's cost grows with the square of the nesting depth.
const MAX_NESTING: usize = 64;

/// Refuses, before any YAML parser sees it, a text too big or nested too deep to be a
/// scenario (either would make the parsers take minutes).
fn too_big(text: &str) -> Option<ScenarioError> {
    if text.len() > MAX_SCENARIO_BYTES {
        return Some(
            ScenarioError::new(
                "too-big",
                format!(
                    "scenario file is {} bytes; the limit is {MAX_SCENARIO_BYTES}",
                    text.len()
                ),
            )
            .help("a scenario is a few dozen steps; split it or check that this is the right file"),
        );
    }
    let mut depth = 0usize;
    // The quote a quoted scalar is open with; it may span lines.
    let mut quote: Option<char> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        let mut chars = line.chars().enumerate().peekable();
        // The last character before this one that is not a space ('\0': line start).
        let mut prev = '\0';
        // The character just before this one.
        let mut last = '\0';
        while let Some((column, c)) = chars.next() {
            match (quote, c) {
                (Some('"'), '\\') => {
                    chars.next();
                }
                (Some('\''), '\'') if chars.peek().map(|&(_, n)| n) == Some('\'') => {
                    chars.next();
                }
                (Some(open), c) if c == open => quote = None,
                (Some(_), _) => {}
                // A quote opens a scalar only where a scalar starts (not in `don't`).
                (None, '\'' | '"') if matches!(prev, '\0' | '[' | '{' | ',' | ':' | '-' | '?') => {
                    quote = Some(c)
                }
                (None, '#') if prev == '\0' || last.is_whitespace() => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            if !c.is_whitespace() {
                prev = c;
            }
            last = c;
            if depth + indent / 2 > MAX_NESTING {
                return Some(
                    ScenarioError::new(
                        "too-deep",
                        format!("YAML nested more than {MAX_NESTING} levels deep"),
                    )
                    .at(
                        Some(Span::new(i as u32 + 1, column as u32 + 1, 1)),
                        "too deep here",
                    )
                    .help("a scenario nests a few levels: steps, a step, its fields"),
                );
            }
        }
    }
    None
}

fn is_inside_steps(err: &serde_yaml::Error) -> bool {
    err.to_string().starts_with("steps[")
}

/// Deserialises step `i` from its own slice of the text, so serde_yaml's error positions
/// are positions in the file.
fn parse_step(
    text: &[char],
    index: &SpanIndex,
    i: usize,
    value: serde_yaml::Value,
    errors: &mut Vec<ScenarioError>,
) -> Option<RawStep> {
    let path = format!("steps.{i}");
    let Some((slice, origin)) = index.node_text(text, &path) else {
        // No position for the step (an alias, say): deserialise the value, point at the list.
        return match serde_yaml::from_value::<RawStep>(value) {
            Ok(step) => Some(step),
            Err(err) => {
                let mut error = structure_error(&err, index, (0, 0));
                error.span = index.value(&path).or_else(|| index.value("steps"));
                errors.push(error);
                None
            }
        };
    };
    match serde_yaml::from_str::<RawStep>(&slice) {
        Ok(step) => Some(step),
        Err(err) => {
            errors.push(structure_error(&err, index, origin));
            None
        }
    }
}

fn syntax_error(err: &serde_yaml::Error, text: &str) -> ScenarioError {
    let span = err.location().map(|l| {
        let line = l.line() as u32;
        let column = l.column() as u32;
        // Point at the whole line's rest when the error sits at a line end.
        let rest = text.lines().nth(l.line().saturating_sub(1)).map_or(0, |s| {
            s.chars()
                .count()
                .saturating_sub(l.column().saturating_sub(1))
        });
        Span::new(line, column, rest.clamp(1, 1) as u32)
    });
    ScenarioError {
        code: "yaml-syntax",
        message: format!("invalid YAML: {}", strip_location(&err.to_string())),
        span,
        label: "the YAML parser stopped here".to_string(),
        help: Some("check indentation, quotes and the `key: value` form around here".to_string()),
    }
}

/// Turns a serde_yaml error into a diagnostic: unknown fields get a "did you mean", the
/// position (relative to a slice starting at `origin`, 0-based line and column offsets) is
/// mapped back into the file.
fn structure_error(
    err: &serde_yaml::Error,
    index: &SpanIndex,
    origin: (usize, usize),
) -> ScenarioError {
    // Name serde's Rust types the way a scenario author thinks of them.
    let message = strip_location(&err.to_string())
        .replace("expected u32", "expected a whole number")
        .replace(
            "expected struct RawScenario",
            "expected a mapping of scenario fields (id, title, protocol, steps …)",
        )
        .replace(
            "expected struct RawStep",
            "expected a step: a mapping with id, send, expect …",
        )
        .replace("expected struct Text", "expected `{ en: …, zh-CN: … }`")
        .replace("expected a boolean", "expected true or false");
    let span = err.location().map(|l| {
        let line = (l.line() + origin.0) as u32;
        let column = l.column() as u32;
        let len = index.len_at(line, column).unwrap_or(1);
        Span::new(line, column, len)
    });
    // serde_yaml prefixes the path inside the value (`points: invalid type …`).
    let bare = message
        .split_once(": ")
        .filter(|(path, _)| !path.contains(' '))
        .map_or(message.as_str(), |(_, rest)| rest);
    if let Some(rest) = bare.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let fields: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let help = match did_you_mean(name, fields.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("known fields here: {}", fields.join(", ")),
        };
        return ScenarioError {
            code: "unknown-field",
            message: format!("unknown field `{name}`"),
            span,
            label: "not a field here".to_string(),
            help: Some(help),
        };
    }
    if let Some(rest) = bare.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return ScenarioError {
            code: "missing-field",
            message: format!("missing field `{name}`"),
            span,
            label: format!("`{name}` is required here"),
            help: None,
        };
    }
    ScenarioError {
        code: "bad-value",
        message: message.clone(),
        span,
        label: bare.split(", expected").next().unwrap_or(bare).to_string(),
        help: bare
            .split_once(", expected ")
            .map(|(_, expected)| format!("expected {expected}")),
    }
}

/// serde_yaml ends its messages with ` at line L column C`; the span says that already.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message.to_string(),
    }
}

/// Where each node of a YAML document is, by dotted path (`steps.3.send.1`).
#[derive(Debug, Default)]
pub(super) struct SpanIndex {
    nodes: HashMap<String, NodeSpan>,
    /// Length of the node starting at a (line, column), for serde_yaml's positions.
    starts: HashMap<(u32, u32), u32>,
}

#[derive(Clone, Copy, Debug)]
struct NodeSpan {
    key: Option<Span>,
    value: Span,
    /// Char offsets of the whole value node (containers: up to their end).
    start_char: usize,
    end_char: Option<usize>,
}

impl SpanIndex {
    fn build(text: &str) -> SpanIndex {
        let mut builder = IndexBuilder {
            text_chars: text.chars().collect(),
            ..IndexBuilder::default()
        };
        // A document serde_yaml accepted but yaml-rust2 does not gets no positions; errors
        // then point at the file as a whole.
        if Parser::new_from_str(text)
            .load(&mut builder, false)
            .is_err()
        {
            return SpanIndex::default();
        }
        builder.index
    }

    /// The span of the value at `path`.
    pub fn value(&self, path: &str) -> Option<Span> {
        self.nodes.get(path).map(|node| node.value)
    }

    /// The span of the key whose value is at `path` (the value for list items).
    pub fn key(&self, path: &str) -> Option<Span> {
        self.nodes
            .get(path)
            .map(|node| node.key.unwrap_or(node.value))
    }

    fn len_at(&self, line: u32, column: u32) -> Option<u32> {
        self.starts.get(&(line, column)).copied()
    }

    /// The text of the node at `path`, with everything before it on its first line blanked
    /// so columns stay the same, and the 0-based line and column it starts at.
    fn node_text(&self, chars: &[char], path: &str) -> Option<(String, (usize, usize))> {
        let node = self.nodes.get(path)?;
        let end = node.end_char?;
        let slice: String = chars.get(node.start_char..end)?.iter().collect();
        let line = node.value.line.checked_sub(1)? as usize;
        let column = node.value.column.checked_sub(1)? as usize;
        Some((format!("{}{slice}", " ".repeat(column)), (line, column)))
    }
}

#[derive(Debug)]
enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

#[derive(Default)]
struct IndexBuilder {
    text_chars: Vec<char>,
    stack: Vec<Frame>,
    /// Whether each open container is flow style (`{…}`, `[…]`), innermost last.
    open_flow: Vec<bool>,
    /// The key span waiting for its value.
    pending_key: Option<Span>,
    /// A block container just opened: its real start is its first child's.
    fix_start: Option<String>,
    index: SpanIndex,
}

fn join(path: &str, segment: &str) -> String {
    if path.is_empty() {
        segment.to_string()
    } else {
        format!("{path}.{segment}")
    }
}

fn span_at(mark: Marker, len: usize) -> Span {
    Span::new(mark.line() as u32, mark.col() as u32 + 1, len as u32)
}

enum NodeRole {
    Key,
    Value(String),
}

impl IndexBuilder {
    /// What the node about to start is: a mapping key, or a value at a path.
    fn next_role(&mut self) -> NodeRole {
        match self.stack.last_mut() {
            None => NodeRole::Value(String::new()),
            Some(Frame::Seq { path, next }) => {
                let item = join(path, &next.to_string());
                *next += 1;
                NodeRole::Value(item)
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(key) => NodeRole::Value(join(path, &key)),
                None => NodeRole::Key,
            },
        }
    }

    fn scalar_len(&self, value: &str, style: TScalarStyle, mark: Marker) -> usize {
        match style {
            TScalarStyle::Plain => value.chars().count(),
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let from = mark.index().min(self.text_chars.len());
                let open = self.text_chars.get(from).copied().unwrap_or('"');
                self.text_chars[from..]
                    .iter()
                    .skip(1)
                    .take_while(|&&c| c != '\n')
                    .position(|&c| c == open)
                    .map_or(1, |p| p + 2)
            }
            _ => 1,
        }
    }

    /// A block mapping's start mark sits after its first key; move it back to that key.
    fn fix_block_start(&mut self, mark: Marker) {
        let Some(path) = self.fix_start.take() else {
            return;
        };
        if let Some(node) = self.index.nodes.get_mut(&path) {
            if mark.index() < node.start_char {
                node.start_char = mark.index();
                node.value = span_at(mark, 1);
            }
        }
    }

    fn insert(&mut self, path: String, value: Span, start: usize, end: Option<usize>) {
        let key = self.pending_key.take();
        self.index.nodes.insert(
            path,
            NodeSpan {
                key,
                value,
                start_char: start,
                end_char: end,
            },
        );
    }
}

impl MarkedEventReceiver for IndexBuilder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, style, ..) => {
                self.fix_block_start(mark);
                let len = self.scalar_len(&value, style, mark);
                let span = span_at(mark, len);
                self.index
                    .starts
                    .insert((span.line, span.column), len as u32);
                match self.next_role() {
                    NodeRole::Key => {
                        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                            *key = Some(value);
                        }
                        self.pending_key = Some(span);
                    }
                    NodeRole::Value(path) => {
                        self.insert(path, span, mark.index(), Some(mark.index() + len))
                    }
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                self.fix_block_start(mark);
                let path = match self.next_role() {
                    NodeRole::Value(path) => path,
                    // A complex key: index it under a name no lookup uses.
                    NodeRole::Key => "?".to_string(),
                };
                self.insert(path.clone(), span_at(mark, 1), mark.index(), None);
                let flow = self
                    .text_chars
                    .get(mark.index())
                    .is_some_and(|&c| c == '{' || c == '[');
                self.open_flow.push(flow);
                if !flow {
                    self.fix_start = Some(path.clone());
                }
                self.stack.push(match event {
                    Event::MappingStart(..) => Frame::Map { path, key: None },
                    _ => Frame::Seq { path, next: 0 },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.fix_start = None;
                let flow = self.open_flow.pop().unwrap_or(false);
                if let Some(Frame::Map { path, .. } | Frame::Seq { path, .. }) = self.stack.pop() {
                    let end = if flow { mark.index() + 1 } else { mark.index() };
                    if let Some(node) = self.index.nodes.get_mut(&path) {
                        node.end_char = Some(end.max(node.start_char));
                    }
                }
            }
            Event::Alias(_) => {
                self.fix_block_start(mark);
                if let NodeRole::Value(path) = self.next_role() {
                    self.insert(path, span_at(mark, 1), mark.index(), None);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_finds_keys_and_values_in_block_and_flow_style() {
        let text = "id: x\nsteps:\n  - { id: a, send: [EHLO, HELO] }\n  - id: 中b\n    send: 'DATA' # c\n\n  - id: c\n";
        let index = SpanIndex::build(text);
        let cases = [
            ("id", Some(Span::new(1, 1, 2)), Some(Span::new(1, 5, 1))),
            ("steps.0.send.1", None, Some(Span::new(3, 27, 4))),
            (
                "steps.0.id",
                Some(Span::new(3, 7, 2)),
                Some(Span::new(3, 11, 1)),
            ),
            (
                "steps.1.id",
                Some(Span::new(4, 5, 2)),
                Some(Span::new(4, 9, 2)),
            ),
            (
                "steps.1.send",
                Some(Span::new(5, 5, 4)),
                Some(Span::new(5, 11, 6)),
            ),
            ("steps.2", None, Some(Span::new(7, 5, 1))),
        ];
        for (path, key, value) in cases {
            if let Some(key) = key {
                assert_eq!(index.key(path), Some(key), "key of {path}");
            }
            assert_eq!(index.value(path), value, "value of {path}");
        }
    }

    #[test]
    fn node_text_keeps_columns() {
        let text = "steps:\n  - { id: a }\n  - id: b\n    send: DATA\n  - id: c\n";
        let index = SpanIndex::build(text);
        let chars: Vec<char> = text.chars().collect();
        let (flow, origin) = index.node_text(&chars, "steps.0").expect("flow step");
        assert_eq!((flow.as_str(), origin), ("    { id: a }", (1, 4)));
        let (block, origin) = index.node_text(&chars, "steps.1").expect("block step");
        assert_eq!(block.trim_end(), "    id: b\n    send: DATA");
        assert_eq!(origin, (2, 4));
    }

    #[test]
    fn refuses_what_is_too_big_or_too_deep_before_parsing() {
        let deep = format!("steps: {}{}", "[".repeat(100), "]".repeat(100));
        let cases = [
            (deep.as_str(), Some("too-deep")),
            ("id: x\nsteps: [[[{a: [b]}]]]\n", None),
            // Brackets inside quotes and comments are text, not nesting.
            (&*format!("a: '{}'\n", "[".repeat(100)), None),
            (&*format!("a: \"{}\"\n", "{".repeat(100)), None),
            (&*format!("a: 1 # {}\n", "[".repeat(100)), None),
            (&*format!("a: 'it''s {}'\n", "[".repeat(100)), None),
            // An apostrophe inside a word does not hide what follows.
            (
                &*format!("a: [don't, {}]\n", "[".repeat(100)),
                Some("too-deep"),
            ),
            (&*"x".repeat(MAX_SCENARIO_BYTES + 1), Some("too-big")),
        ];
        for (text, code) in cases {
            let found = too_big(text).map(|error| error.code);
            assert_eq!(found, code, "{}", &text[..text.len().min(40)]);
        }
    }
}
