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
    pub fn write(&self, buf: &mut Vec<u8>, origin: &Origin, time: &mut LastTime) {
        let mut digits = itoa::Buffer::new();
        match *origin {
            Origin::Frame {
                frame,
                last_frame,
                micros,
            } => {
                let [first, second, third] = &self.frame;
                first.put(buf);
                let frame_at = buf.len();
                buf.extend_from_slice(digits.format(frame).as_bytes());
                let frame_digits = frame_at..buf.len();
                second.put(buf);
                // Most commands and replies fit in one frame: its number is copied.
                if last_frame == frame {
                    buf.extend_from_within(frame_digits);
                } else {
                    buf.extend_from_slice(digits.format(last_frame).as_bytes());
                }
                third.put(buf);
                time.write(buf, micros);
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

/// The leading digits of the last time written: a capture's times (16 digits of
/// microseconds) mostly share all but their last four with the one before, and those are
/// copied rather than formatted again.
#[derive(Default)]
pub struct LastTime {
    /// The time's value without its last four digits, and that as text.
    high: Option<u64>,
    text: [u8; HIGH_DIGITS],
    len: usize,
}

/// The most digits a time's leading part has: `u64::MAX / 10_000` has 16.
const HIGH_DIGITS: usize = 16;

/// `00` to `99`.
static DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0; 2]; 100];
    let mut n = 0;
    while n < 100 {
        pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    pairs
};

impl LastTime {
    /// `micros` as itoa writes it, at the end of `buf`.
    #[inline]
    fn write(&mut self, buf: &mut Vec<u8>, micros: i64) {
        let value = match u64::try_from(micros) {
            Ok(value) if value >= 10_000 => value,
            _ => {
                buf.extend_from_slice(itoa::Buffer::new().format(micros).as_bytes());
                return;
            }
        };
        let (high, low) = (value / 10_000, (value % 10_000) as usize);
        if self.high != Some(high) {
            let mut digits = itoa::Buffer::new();
            let text = digits.format(high).as_bytes();
            self.text[..text.len()].copy_from_slice(text);
            self.len = text.len();
            self.high = Some(high);
        }
        // Copied as a whole block and cut back, as a `Piece` is.
        let end = buf.len() + self.len;
        buf.extend_from_slice(&self.text);
        buf.truncate(end);
        buf.extend_from_slice(&DIGIT_PAIRS[low / 100]);
        buf.extend_from_slice(&DIGIT_PAIRS[low % 100]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_time_as_itoa_does_whatever_came_before() {
        let times = [
            1_700_000_000_000_925,
            1_700_000_000_001_517,
            1_700_000_000_001_517,
            1_700_000_000_010_000,
            1_700_000_000_019_999,
            1_699_999_999_999_999,
            10_000,
            9_999,
            0,
            -1,
            -10_000,
            i64::MAX,
            i64::MIN,
            10_005,
            100_000_042,
        ];
        let mut time = LastTime::default();
        for (index, &micros) in times.iter().enumerate() {
            let mut buf = b"x".to_vec();
            time.write(&mut buf, micros);
            assert_eq!(buf, format!("x{micros}").as_bytes(), "time {index}");
        }
    }

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
