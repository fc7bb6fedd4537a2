//! An [`Origin`] as the JSON report writes it, with the fixed bytes made once per depth.
//!
//! Written key by key, an origin cost some 800 instructions (a frame's four keys, each an
//! indentation, a quoted name and a colon); it is most of a capture's report (every
//! command, reply, check and diff line has one), so its brackets, keys and indentation
//! are made once for each depth it is written at and copied whole between its numbers.

use std::io;

use super::piece::Piece;
use super::writer::{JsonWriter, Layout};
use crate::session::Origin;

/// The bytes around an origin's numbers, for one depth and layout.
pub struct Pieces {
    /// `{"kind": "line", "line": ` and `, "column": `.
    line: [Piece; 2],
    /// `{"kind": "frame", "frame": `, `, "last_frame": `, `, "micros": `.
    frame: [Piece; 3],
    /// `{"kind": "replay", "index": `.
    replay: Piece,
    /// The whole of a synthetic origin.
    synthetic: Piece,
    /// The closing bracket.
    end: Piece,
}

impl Pieces {
    /// The pieces as [`JsonWriter`]'s own calls write them, as if `depth` levels deep.
    pub fn new(layout: Layout, depth: usize) -> Pieces {
        let inner = depth + 1;
        let mut json = JsonWriter::new(io::sink(), layout);
        let mut opened = |kind: &str, first_key: &str| {
            json.raw(b"{");
            json.plain_key(inner, true, "kind");
            json.str(kind);
            json.plain_key(inner, false, first_key);
            json.take_written()
        };
        let line = opened("line", "line");
        let frame = opened("frame", "frame");
        let replay = opened("replay", "index");
        let mut key = |name: &str| {
            json.plain_key(inner, false, name);
            json.take_written()
        };
        let column = key("column");
        let last_frame = key("last_frame");
        let micros = key("micros");
        json.close(depth, true, b"}");
        let end = json.take_written();
        json.raw(b"{");
        json.plain_key(inner, true, "kind");
        json.str("synthetic");
        json.close(depth, true, b"}");
        let synthetic = json.take_written();
        Pieces {
            line: [line, column],
            frame: [frame, last_frame, micros],
            replay,
            synthetic,
            end,
        }
    }

    /// `origin` at the end of `buf`.
    #[inline]
    pub fn write(&self, buf: &mut Vec<u8>, origin: &Origin) {
        let mut digits = itoa::Buffer::new();
        match *origin {
            Origin::Frame {
                frame,
                last_frame,
                micros,
            } => {
                let [first, second, third] = &self.frame;
                first.put(buf);
                buf.extend_from_slice(digits.format(frame).as_bytes());
                second.put(buf);
                buf.extend_from_slice(digits.format(last_frame).as_bytes());
                third.put(buf);
                buf.extend_from_slice(digits.format(micros).as_bytes());
                self.end.put(buf);
            }
            Origin::Line { line, column } => {
                let [first, second] = &self.line;
                first.put(buf);
                buf.extend_from_slice(digits.format(line).as_bytes());
                second.put(buf);
                buf.extend_from_slice(digits.format(column).as_bytes());
                self.end.put(buf);
            }
            Origin::Replay { index } => {
                self.replay.put(buf);
                buf.extend_from_slice(digits.format(index).as_bytes());
                self.end.put(buf);
            }
            Origin::Synthetic => self.synthetic.put(buf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of origin, at every depth an origin sits at and beyond the indentation
    /// copied whole, as serde_json writes its derived `Serialize` there.
    #[test]
    fn writes_every_origin_as_its_derived_serialize_at_every_depth() {
        let origins = [
            Origin::line(3),
            Origin::Line {
                line: u32::MAX,
                column: 7,
            },
            Origin::frame(5, -1),
            Origin::frame(u64::MAX, i64::MIN).extend(Origin::frame(u64::MAX, 0)),
            Origin::frame(5, i64::MAX).extend(Origin::frame(9, 0)),
            Origin::Replay { index: 0 },
            Origin::Replay { index: u32::MAX },
            Origin::Synthetic,
        ];
        for layout in [Layout::Pretty, Layout::Compact] {
            for depth in [0, 1, 4, 6, 8, 31, 32, 33, 40] {
                let mut ours = JsonWriter::new(Vec::new(), layout);
                let mut serde = JsonWriter::new(Vec::new(), layout);
                for origin in &origins {
                    ours.origin(depth, origin);
                    serde.value(depth, origin).expect("written");
                }
                assert_eq!(
                    String::from_utf8(ours.into_inner().expect("flushed")),
                    String::from_utf8(serde.into_inner().expect("flushed")),
                    "{layout:?} at {depth}"
                );
            }
        }
    }
}
