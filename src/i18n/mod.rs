//! Every text mailgrade writes for people, in English and Simplified Chinese, in one place.
//!
//! - [`Lang`]: the language asked for, parsed once from `--lang` and passed typed.
//! - [`Text`]: a text in both languages, as scenarios write feedback and grades keep it (the
//!   JSON report carries both).
//! - [`messages`]: the catalogues, `messages/*.toml`, one file per part of the program; each
//!   message is an id with typed arguments and its two texts side by side. `build.rs` turns
//!   them into Rust enums (see [`catalogue`]), so code names a message by its id and a
//!   mistake in a catalogue stops the build.
//!
//! Scenario feedback is not here: it is the teacher's, written in the scenario's YAML.
//! Errors of the command line (`cli/error.rs`) are English only, like the tool's own help.

pub mod arg;
pub mod catalogue;
mod lang;
pub mod messages;
mod text;

pub use arg::{Arg, In, List};
pub use catalogue::{Piece, Template};
pub use lang::Lang;
pub use messages::common::Separator;
pub use text::Text;

#[cfg(test)]
mod tests;
