//! A YAML document as a tree of nodes, each knowing where it is in the text, built in one
//! pass over saphyr-parser's events.
//!
//! Aliases stay references to the node they repeat (an alias bomb costs nothing to read);
//! what they would repeat, and how deep they would nest, is added up as the tree is built and
//! refused past the limits, so nothing that walks the tree later can blow up. A mapping's
//! duplicate keys, a second document and an alias inside the node it names are refused too.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as Marks};

use super::scalar::ScalarTag;
use crate::diagnostic::Span;

/// Where a node is in [`Document`]'s arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId(usize);

#[derive(Debug)]
pub struct Node<'input> {
    /// A scalar's text (with its quotes, anchor and tag), an alias's `*name`, a flow
    /// collection's opening bracket, a block sequence's first `-`, a block mapping's first key.
    pub span: Span,
    pub kind: NodeKind<'input>,
}

#[derive(Debug)]
pub enum NodeKind<'input> {
    Scalar {
        value: Cow<'input, str>,
        style: ScalarStyle,
        tag: Option<ScalarTag>,
    },
    Sequence(Vec<NodeId>),
    /// Key and value nodes, in the order written.
    Mapping(Vec<(NodeId, NodeId)>),
    /// Repeats a node written (and complete) before it.
    Alias(NodeId),
}

/// What a document may cost.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How many collections may enclose a collection (aliases followed): the top-level
    /// mapping's values are at level 1.
    pub depth: usize,
    /// Nodes plus characters of scalar text, counting every repetition an alias makes.
    pub expanded: u64,
}

/// Why a text is not a document this module gives out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeError {
    pub problem: TreeProblem,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeProblem {
    /// The parser's own words.
    Syntax(String),
    TooDeep {
        limit: usize,
    },
    MoreThanOneDocument,
    DuplicateKey {
        key: String,
        first_line: u32,
    },
    /// An alias inside the node it repeats.
    RecursiveAlias,
    TooRepetitive {
        limit: u64,
    },
}

/// A parsed document: its nodes and the root.
#[derive(Debug)]
pub struct Document<'input> {
    nodes: Vec<Node<'input>>,
    root: NodeId,
}

impl<'input> Document<'input> {
    /// Parses the one document in `text`. An empty text (or only comments) is an empty
    /// scalar at 1:1.
    pub fn parse(text: &'input str, limits: Limits) -> Result<Document<'input>, TreeError> {
        let mut builder = Builder {
            text,
            cursor: (0, 0),
            limits,
            nodes: Vec::new(),
            sizes: Vec::new(),
            open: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            documents: 0,
            root: None,
        };
        for item in Parser::new_from_str(text) {
            let (event, marks) = item.map_err(|err| TreeError {
                problem: TreeProblem::Syntax(err.info().to_string()),
                span: point(err.marker().line(), err.marker().col()),
            })?;
            builder.event(event, marks)?;
        }
        let root = match builder.root {
            Some(root) => root,
            None => builder.push(
                Node {
                    span: Span::new(1, 1, 0),
                    kind: NodeKind::Scalar {
                        value: Cow::Borrowed(""),
                        style: ScalarStyle::Plain,
                        tag: None,
                    },
                },
                Size::LEAF,
            ),
        };
        Ok(Document {
            nodes: builder.nodes,
            root,
        })
    }

    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn node(&self, id: NodeId) -> &Node<'input> {
        &self.nodes[id.0]
    }

    /// The node an alias repeats; any other node itself.
    pub fn resolve(&self, id: NodeId) -> NodeId {
        match self.node(id).kind {
            NodeKind::Alias(target) => target,
            _ => id,
        }
    }

    /// The text of a scalar node.
    pub fn scalar(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The key and value nodes of `key` in mapping `map` (aliases followed for the mapping).
    pub fn entry(&self, map: NodeId, key: &str) -> Option<(NodeId, NodeId)> {
        match &self.node(self.resolve(map)).kind {
            NodeKind::Mapping(pairs) => pairs
                .iter()
                .copied()
                .find(|&(k, _)| self.scalar(k) == Some(key)),
            _ => None,
        }
    }

    /// The items of a sequence (aliases followed), or nothing.
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.node(self.resolve(id)).kind {
            NodeKind::Sequence(items) => items,
            _ => &[],
        }
    }

    /// The key and value nodes at a dotted path (`steps.3.send.1`) from the root, as written:
    /// an alias is a leaf, so a path into a repeated node ends at the alias.
    fn at(&self, path: &str) -> Option<(Option<NodeId>, NodeId)> {
        let mut found = (None, self.root);
        if path.is_empty() {
            return Some(found);
        }
        for segment in path.split('.') {
            found = match &self.node(found.1).kind {
                NodeKind::Mapping(pairs) => pairs
                    .iter()
                    .find(|&&(k, _)| self.scalar(k) == Some(segment))
                    .map(|&(k, v)| (Some(k), v))?,
                NodeKind::Sequence(items) => (None, *items.get(segment.parse::<usize>().ok()?)?),
                NodeKind::Scalar { .. } | NodeKind::Alias(_) => return None,
            };
        }
        Some(found)
    }

    /// Where the value at `path` is.
    pub fn value(&self, path: &str) -> Option<Span> {
        self.at(path).map(|(_, value)| self.node(value).span)
    }

    /// Where the key of the value at `path` is (the value itself for a list item).
    pub fn key(&self, path: &str) -> Option<Span> {
        self.at(path)
            .map(|(key, value)| self.node(key.unwrap_or(value)).span)
    }
}

/// A 1-based span of one character from the parser's 1-based line and 0-based column.
fn point(line: usize, col: usize) -> Span {
    Span::new(to_u32(line), to_u32(col).saturating_add(1), 1)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The span of the text between the parser's marks, at least one character wide (the
/// renderer keeps it to its first line).
fn span_of(marks: Marks) -> Span {
    let len = marks.end.index().saturating_sub(marks.start.index()).max(1);
    Span {
        len: to_u32(len),
        ..point(marks.start.line(), marks.start.col())
    }
}

/// What a node would be with every alias in it repeated.
#[derive(Clone, Copy, Debug)]
struct Size {
    /// Nodes plus scalar characters.
    weight: u64,
    /// Collections nested in it, itself included.
    height: usize,
}

impl Size {
    const LEAF: Size = Size {
        weight: 1,
        height: 0,
    };
}

/// A collection not yet ended.
struct Open<'input> {
    id: NodeId,
    size: Size,
    /// A mapping's key waiting for its value.
    key: Option<NodeId>,
    /// A mapping's scalar keys so far, with the line each is on.
    keys: HashMap<Cow<'input, str>, u32>,
}

struct Builder<'input> {
    text: &'input str,
    /// A char index the parser gave and its byte offset, to go on from.
    cursor: (usize, usize),
    limits: Limits,
    nodes: Vec<Node<'input>>,
    /// Each node's size once it is complete; `None` while a collection is open.
    sizes: Vec<Option<Size>>,
    open: Vec<Open<'input>>,
    /// The parser's anchor ids to nodes.
    anchors: HashMap<usize, NodeId>,
    /// The whole document's weight so far, aliases repeated.
    expanded: u64,
    documents: usize,
    root: Option<NodeId>,
}

impl<'input> Builder<'input> {
    fn event(&mut self, event: Event<'input>, marks: Marks) -> Result<(), TreeError> {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(TreeError {
                        problem: TreeProblem::MoreThanOneDocument,
                        span: span_of(marks),
                    });
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let size = Size {
                    weight: 1 + value.chars().count() as u64,
                    height: 0,
                };
                self.grow(size.weight, marks)?;
                let mut span = span_of(marks);
                if let Some(len) = self.quoted_len(style, marks) {
                    span.len = to_u32(len);
                }
                let node = Node {
                    span,
                    kind: NodeKind::Scalar {
                        value,
                        style,
                        tag: tag.map(|tag| ScalarTag::from_parser(&tag)),
                    },
                };
                let id = self.push(node, size);
                self.anchor(anchor, id);
                self.add(id, size)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.open.len() > self.limits.depth {
                    return Err(self.too_deep(marks));
                }
                self.grow(1, marks)?;
                let kind = match event {
                    Event::SequenceStart(..) => NodeKind::Sequence(Vec::new()),
                    _ => NodeKind::Mapping(Vec::new()),
                };
                let span = Span {
                    len: 1,
                    ..span_of(marks)
                };
                let id = NodeId(self.nodes.len());
                self.nodes.push(Node { span, kind });
                self.sizes.push(None);
                self.anchor(anchor, id);
                self.open.push(Open {
                    id,
                    size: Size {
                        weight: 1,
                        height: 1,
                    },
                    key: None,
                    keys: HashMap::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(open) = self.open.pop() {
                    // A block collection's end has no text; a flow one's is its bracket.
                    if marks.start.index() == marks.end.index() {
                        self.start_block_at_first_child(open.id);
                    }
                    self.sizes[open.id.0] = Some(open.size);
                    self.add(open.id, open.size)?;
                }
            }
            Event::Alias(anchor) => {
                // The parser refuses an alias whose anchor it has not seen.
                let Some(&target) = self.anchors.get(&anchor) else {
                    return Err(TreeError {
                        problem: TreeProblem::Syntax("unknown anchor".to_string()),
                        span: span_of(marks),
                    });
                };
                let Some(size) = self.sizes[target.0] else {
                    return Err(TreeError {
                        problem: TreeProblem::RecursiveAlias,
                        span: span_of(marks),
                    });
                };
                // The deepest collection it repeats would be enclosed by the open ones and
                // by those above it in the repeated node.
                if (self.open.len() + size.height).saturating_sub(1) > self.limits.depth {
                    return Err(self.too_deep(marks));
                }
                self.grow(size.weight, marks)?;
                let id = self.push(
                    Node {
                        span: span_of(marks),
                        kind: NodeKind::Alias(target),
                    },
                    size,
                );
                self.add(id, size)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// A quoted scalar's marks run on over the blanks and comment after its closing quote:
    /// its length up to that quote (anchor and tag before it included).
    fn quoted_len(&mut self, style: ScalarStyle, marks: Marks) -> Option<usize> {
        let quote = match style {
            ScalarStyle::SingleQuoted => '\'',
            ScalarStyle::DoubleQuoted => '"',
            _ => return None,
        };
        let start = self.byte_at(marks.start.index());
        let end = self.byte_at(marks.end.index());
        let raw = self.text.get(start..end)?;
        let mut chars = raw.chars().enumerate().peekable();
        chars.find(|&(_, c)| c == quote)?;
        while let Some((i, c)) = chars.next() {
            if c == '\\' && quote == '"' {
                chars.next();
            } else if c == quote {
                // `''` is a quote inside single quotes.
                if quote == '\'' && chars.next_if(|&(_, next)| next == quote).is_some() {
                    continue;
                }
                return Some(i + 1);
            }
        }
        None
    }

    /// The byte offset of the parser's char index `index` (asked for in increasing order,
    /// so finding each costs what lies between it and the one before).
    fn byte_at(&mut self, index: usize) -> usize {
        if index < self.cursor.0 {
            self.cursor = (0, 0);
        }
        let (from_char, from_byte) = self.cursor;
        let byte = self.text[from_byte..]
            .char_indices()
            .nth(index - from_char)
            .map_or(self.text.len(), |(offset, _)| from_byte + offset);
        self.cursor = (index, byte);
        byte
    }

    fn push(&mut self, node: Node<'input>, size: Size) -> NodeId {
        let id = NodeId(self.nodes.len());
        self.nodes.push(node);
        self.sizes.push(Some(size));
        id
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn too_deep(&self, marks: Marks) -> TreeError {
        TreeError {
            problem: TreeProblem::TooDeep {
                limit: self.limits.depth,
            },
            span: point(marks.start.line(), marks.start.col()),
        }
    }

    /// Counts `weight` more into the document as it would be with its aliases repeated.
    fn grow(&mut self, weight: u64, marks: Marks) -> Result<(), TreeError> {
        self.expanded = self.expanded.saturating_add(weight);
        if self.expanded > self.limits.expanded {
            return Err(TreeError {
                problem: TreeProblem::TooRepetitive {
                    limit: self.limits.expanded,
                },
                span: span_of(marks),
            });
        }
        Ok(())
    }

    /// Puts a complete node into the open collection (or makes it the root).
    fn add(&mut self, id: NodeId, size: Size) -> Result<(), TreeError> {
        let Some(parent) = self.open.last_mut() else {
            self.root = Some(id);
            return Ok(());
        };
        parent.size.weight = parent.size.weight.saturating_add(size.weight);
        parent.size.height = parent.size.height.max(size.height + 1);
        match &mut self.nodes[parent.id.0].kind {
            NodeKind::Sequence(items) => items.push(id),
            NodeKind::Mapping(pairs) => match parent.key.take() {
                Some(key) => pairs.push((key, id)),
                None => {
                    parent.key = Some(id);
                    let node = &self.nodes[id.0];
                    if let NodeKind::Scalar { value, .. } = &node.kind {
                        let line = node.span.line;
                        if let Some(&first_line) = parent.keys.get(value) {
                            return Err(TreeError {
                                problem: TreeProblem::DuplicateKey {
                                    key: value.to_string(),
                                    first_line,
                                },
                                span: node.span,
                            });
                        }
                        parent.keys.insert(value.clone(), line);
                    }
                }
            },
            NodeKind::Scalar { .. } | NodeKind::Alias(_) => {}
        }
        Ok(())
    }

    /// A block collection is shown where its first entry is: a mapping at its first key
    /// (the whole key underlined), a sequence at its first `-` (already its start).
    fn start_block_at_first_child(&mut self, id: NodeId) {
        let first = match &self.nodes[id.0].kind {
            NodeKind::Mapping(pairs) => pairs.first().map(|&(key, _)| key),
            _ => None,
        };
        if let Some(first) = first {
            self.nodes[id.0].span = self.nodes[first.0].span;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        depth: 64,
        expanded: 10_000,
    };

    fn parse(text: &str) -> Document<'_> {
        Document::parse(text, LIMITS).expect("parses")
    }

    fn problem(text: &str) -> (TreeProblem, Span) {
        let err = Document::parse(text, LIMITS).expect_err("refused");
        (err.problem, err.span)
    }

    #[test]
    fn keys_and_values_are_found_in_block_and_flow_style() {
        let text = "id: x\nsteps:\n  - { id: a, send: [EHLO, HELO] }\n  - id: 中b\n    send: 'DATA' # c\n\n  - id: c\n  - *x\n";
        let text = text.replace("id: x", "id: &x x");
        let doc = parse(&text);
        let cases = [
            ("id", Some(Span::new(1, 1, 2)), Some(Span::new(1, 5, 4))),
            ("steps.0.send.1", None, Some(Span::new(3, 27, 4))),
            ("steps.0", None, Some(Span::new(3, 5, 1))),
            (
                "steps.0.id",
                Some(Span::new(3, 7, 2)),
                Some(Span::new(3, 11, 1)),
            ),
            ("steps.1", None, Some(Span::new(4, 5, 2))),
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
            ("steps.2", None, Some(Span::new(7, 5, 2))),
            ("steps.3", None, Some(Span::new(8, 5, 2))),
            ("steps", Some(Span::new(2, 1, 5)), Some(Span::new(3, 3, 1))),
        ];
        for (path, key, value) in cases {
            if let Some(key) = key {
                assert_eq!(doc.key(path), Some(key), "key of {path}");
            }
            assert_eq!(doc.value(path), value, "value of {path}");
        }
        // An alias is a leaf: nothing is found inside the node it repeats.
        assert_eq!(doc.value("steps.3.id"), None);
        assert_eq!(doc.value("steps.9"), None);
        assert_eq!(doc.value("id.x"), None);
    }

    #[test]
    fn an_empty_text_is_an_empty_scalar() {
        for text in ["", "# only a comment\n", "---\n"] {
            let doc = parse(text);
            assert_eq!(doc.scalar(doc.root()), Some(""), "{text:?}");
        }
    }

    #[test]
    fn depth_counts_collections_and_what_aliases_repeat() {
        let nested = |n: usize| format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert!(Document::parse(&nested(64), LIMITS).is_ok());
        assert_eq!(
            problem(&nested(65)),
            (TreeProblem::TooDeep { limit: 64 }, Span::new(1, 68, 1))
        );
        let block: String = (0..70)
            .map(|i| format!("{}- a:\n", "  ".repeat(i)))
            .collect();
        assert!(matches!(problem(&block).0, TreeProblem::TooDeep { .. }));
        // 40 levels, repeated 40 levels down.
        let aliased = format!(
            "a: &a {}{}\nb: {}*a{}\n",
            "[".repeat(40),
            "]".repeat(40),
            "[".repeat(40),
            "]".repeat(40)
        );
        assert_eq!(
            problem(&aliased),
            (TreeProblem::TooDeep { limit: 64 }, Span::new(2, 44, 1))
        );
    }

    #[test]
    fn aliases_are_counted_as_what_they_repeat() {
        let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let j = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{j}"); 9].join(", ")
            ));
        }
        let (found, span) = problem(&bomb);
        assert_eq!(found, TreeProblem::TooRepetitive { limit: 10_000 });
        assert_eq!(span.line, 4, "the alias that passes the limit");
        // A few repetitions are fine.
        let doc = parse("a: &a [x, y]\nb: [*a, *a]\n");
        let b = doc.entry(doc.root(), "b").expect("b").1;
        assert_eq!(doc.items(b).len(), 2);
        assert_eq!(doc.items(doc.items(b)[0]).len(), 2);
    }

    #[test]
    fn what_is_not_one_tree_is_refused() {
        let cases = [
            (
                "id: &a [*a]\n",
                TreeProblem::RecursiveAlias,
                Span::new(1, 9, 2),
            ),
            (
                "a: 1\n---\nb: 2\n",
                TreeProblem::MoreThanOneDocument,
                Span::new(2, 1, 3),
            ),
            (
                "id: a\nsteps:\n  - { id: b, id: c }\n",
                TreeProblem::DuplicateKey {
                    key: "id".into(),
                    first_line: 3,
                },
                Span::new(3, 14, 2),
            ),
            (
                "id: a\n'id': b\n",
                TreeProblem::DuplicateKey {
                    key: "id".into(),
                    first_line: 1,
                },
                Span::new(2, 1, 4),
            ),
        ];
        for (text, want, span) in cases {
            assert_eq!(problem(text), (want, span), "{text:?}");
        }
        let (syntax, span) = problem("steps:\n  - { id: a\n  - { id: b }\n");
        assert!(matches!(syntax, TreeProblem::Syntax(_)), "{syntax:?}");
        assert_eq!(span.line, 3);
    }

    #[test]
    fn quoted_scalars_end_at_their_closing_quote() {
        let doc = parse("a: { b: 'it''s' , c: \"x\\\"y\" }\nd: &d '中' # it's\n");
        assert_eq!(doc.value("a.b"), Some(Span::new(1, 9, 7)));
        assert_eq!(doc.value("a.c"), Some(Span::new(1, 22, 6)));
        assert_eq!(doc.value("d"), Some(Span::new(2, 4, 6)));
    }

    #[test]
    fn block_collections_point_at_their_first_entry() {
        let doc = parse("top:\n  &m\n  key: v\nlist:\n  - x\n");
        assert_eq!(doc.value("top"), Some(Span::new(3, 3, 3)));
        assert_eq!(doc.value("list"), Some(Span::new(5, 3, 1)));
        assert_eq!(doc.value(""), Some(Span::new(1, 1, 3)));
    }
}
