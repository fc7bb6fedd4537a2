//! Bytes made once and written again and again: an object's keys with their indentation,
//! an origin's brackets. Most are a few dozen bytes, and copying a slice of unknown length
//! is a call to memcpy for each; held in a block of fixed size, a piece is copied whole
//! (a few vector moves) and the buffer cut back to its length.

/// What a piece holds in its block; longer ones (deep indentation) are copied as slices.
const BLOCK: usize = 64;

/// Fixed bytes of the report, ready to copy.
pub enum Piece {
    Short { block: [u8; BLOCK], len: u8 },
    Long(Box<[u8]>),
}

impl Piece {
    pub fn new(bytes: &[u8]) -> Piece {
        match u8::try_from(bytes.len()) {
            Ok(len) if bytes.len() <= BLOCK => {
                let mut block = [0; BLOCK];
                block[..bytes.len()].copy_from_slice(bytes);
                Piece::Short { block, len }
            }
            _ => Piece::Long(bytes.into()),
        }
    }

    /// The piece at the end of `buf`.
    #[inline]
    pub fn put(&self, buf: &mut Vec<u8>) {
        match self {
            Piece::Short { block, len } => {
                let end = buf.len() + usize::from(*len);
                buf.extend_from_slice(block);
                buf.truncate(end);
            }
            Piece::Long(bytes) => buf.extend_from_slice(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puts_exactly_its_bytes_short_or_long() {
        for len in [0, 1, 31, BLOCK - 1, BLOCK, BLOCK + 1, 300] {
            let bytes: Vec<u8> = (0..len).map(|at| b'a' + (at % 26) as u8).collect();
            let piece = Piece::new(&bytes);
            let mut buf = b"before".to_vec();
            piece.put(&mut buf);
            piece.put(&mut buf);
            assert_eq!(buf, [&b"before"[..], &bytes, &bytes].concat(), "{len}");
        }
    }
}
