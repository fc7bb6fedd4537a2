//! Text submissions → sessions: decoding, where the dialogue is (code blocks), which dialect
//! it is written in, and the events each dialect gives, assembled through the protocol.

mod assemble;
mod blocks;
mod comment;
mod connect;
mod decode;
mod dialect;
mod event;
mod info;
mod lines;
mod read;

pub use read::read_text;
