//! Bytes → text: UTF-8 (± BOM), UTF-16 LE/BE (with BOM or by NUL pattern), GB18030 and other
//! legacy encodings by detection. What had to be guessed is said, so a grader can check it.

use crate::i18n::messages::notes::NoteText;
use crate::i18n::Text;
use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};

/// Text decoded from a file, and how it was decoded when that was a guess.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// Why the encoding is a guess (no BOM, not UTF-8); `None` when it is certain.
    pub guess: Option<Text>,
}

/// Why bytes are not a text transcript.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    Binary { offset: usize },
    Empty,
}

/// How much of the start is examined to sniff UTF-16 and binary data.
const SNIFF_LEN: usize = 64 * 1024;

pub fn decode(bytes: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DecodeError::Empty);
    }
    let decoded = if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        Decoded {
            text: decode_with(encoding, &bytes[bom_len..]),
            guess: None,
        }
    } else if let Some(encoding) = utf16_by_nuls(bytes) {
        Decoded {
            text: decode_with(encoding, bytes),
            guess: Some(
                NoteText::EncodingUtf16 {
                    encoding: encoding.name().to_string(),
                }
                .text(),
            ),
        }
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        Decoded {
            text: Cow::Borrowed(text),
            guess: None,
        }
    } else {
        let encoding = guess_legacy(bytes);
        Decoded {
            text: decode_with(encoding, bytes),
            guess: Some(
                NoteText::EncodingGuessed {
                    encoding: encoding.name().to_string(),
                }
                .text(),
            ),
        }
    };
    match binary_offset(&decoded.text) {
        Some(offset) => Err(DecodeError::Binary { offset }),
        None => Ok(decoded),
    }
}

fn decode_with<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Cow<'a, str> {
    encoding.decode_without_bom_handling(bytes).0
}

/// UTF-16 without a BOM: ASCII-heavy text has a NUL in every other byte.
fn utf16_by_nuls(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(SNIFF_LEN) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    let mostly = |n: usize| n * 10 >= pairs * 4;
    let rarely = |n: usize| n * 20 <= pairs;
    if mostly(odd) && rarely(even) {
        Some(UTF_16LE)
    } else if mostly(even) && rarely(odd) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Not UTF-8: most likely GBK/GB18030 from a Chinese Windows; chardetng decides.
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(&bytes[..bytes.len().min(1024 * 1024)], true);
    let encoding = detector.guess(Some(b"cn"), true);
    // GBK and GB2312 text is GB18030 text; the superset also decodes four-byte sequences.
    if encoding == encoding_rs::GBK {
        GB18030
    } else {
        encoding
    }
}

/// Where the text stops looking like text: NULs, control characters or replacement
/// characters in more than a tenth of the sample.
fn binary_offset(text: &str) -> Option<usize> {
    let mut end = text.len().min(SNIFF_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let mut total = 0usize;
    let mut bad = 0usize;
    let mut first_bad = None;
    for (offset, c) in sample.char_indices() {
        total += 1;
        let is_bad = c == '\u{FFFD}'
            || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1b'));
        if is_bad {
            bad += 1;
            first_bad.get_or_insert(offset);
        }
    }
    (total > 0 && bad * 10 > total).then(|| first_bad.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big_endian {
                &[0xFE, 0xFF]
            } else {
                &[0xFF, 0xFE]
            });
        }
        for unit in text.encode_utf16() {
            let bytes = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&bytes);
        }
        out
    }

    #[test]
    fn decodes_every_encoding_a_student_uses() {
        let text = "S: 220 smtp.qq.com 欢迎\r\nC: HELO x\r\n";
        let (gb, _, _) = GB18030.encode(text);
        let cases: Vec<(&str, Vec<u8>, &str, bool)> = vec![
            ("utf-8", text.as_bytes().to_vec(), "UTF-8", false),
            (
                "utf-8 bom",
                [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                "UTF-8",
                false,
            ),
            ("utf-16le bom", utf16(text, false, true), "UTF-16LE", false),
            ("utf-16be bom", utf16(text, true, true), "UTF-16BE", false),
            ("utf-16le bare", utf16(text, false, false), "UTF-16LE", true),
            ("utf-16be bare", utf16(text, true, false), "UTF-16BE", true),
            ("gb18030", gb.into_owned(), "gb18030", true),
        ];
        for (name, bytes, encoding, guessed) in cases {
            let decoded = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(decoded.text, text, "{name}");
            match decoded.guess {
                Some(guess) => assert!(
                    guessed && guess.en.contains(encoding),
                    "{name}: {}",
                    guess.en
                ),
                None => assert!(!guessed, "{name}"),
            }
        }
    }

    #[test]
    fn refuses_binary_and_empty_input() {
        let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
        assert!(matches!(decode(&binary), Err(DecodeError::Binary { .. })));
        assert_eq!(decode(b" \r\n\t").unwrap_err(), DecodeError::Empty);
        let zip_like = b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x01\x02\x03\x04\x05";
        assert!(matches!(decode(zip_like), Err(DecodeError::Binary { .. })));
    }
}
