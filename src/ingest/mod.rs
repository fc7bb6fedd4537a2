//! Reading submissions: format detection, text decoding, transcript dialects, captures,
//! archives — everything that turns files into [`Session`](crate::session::Session)s.
//!
//! CONTRACT (skeleton): [`read_file`] is what the CLI calls; `text` and `capture` fill it in.

pub mod archive;
pub mod capture;
mod error;
mod office;
mod read;
mod text;

pub use capture::CaptureStages;
pub use error::IngestError;
pub use read::{read_bytes, read_file, read_file_each, FileRead};
pub use text::outline as text_outline;
pub use text::outline::Heading;
