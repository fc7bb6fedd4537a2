//! Self-contained HTML: per student a ladder diagram of every dialogue, per class the score
//! distribution and the most common mistakes. No scripts, fonts or anything from the network.

mod class;
mod ladder;
mod page;
mod width;

pub use page::render;
