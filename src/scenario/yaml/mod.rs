//! The only code that reads YAML: one parse of the text into a tree whose nodes know their
//! place ([`tree`]), and a serde `Deserializer` over any node of it ([`de`]).
//!
//! saphyr-parser (the maintained successor of yaml-rust2, pure Rust) turns the text into
//! events with start and end marks; [`tree`] builds the nodes from them once, with the
//! limits a hostile file needs (nesting, alias repetition, one document, unique keys). The
//! raw types then derive `Deserialize` as usual and are read from the tree, a whole file or
//! one list item at a time; their errors come back as data ([`de::Problem`]) placed at the
//! node they are about, and validation asks the tree where `steps.3.send` is.
//!
//! Nothing here knows about scenarios: it can serve any YAML input the tool reads.

pub mod de;
pub mod scalar;
pub mod tree;

pub use de::{from_node, DeError, Problem};
pub use tree::{Document, Limits, TreeError, TreeProblem};
