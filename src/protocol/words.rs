//! Blanks and words of a command line, looked at a byte at a time: what `str`'s char
//! patterns do (`trim_matches([' ', '\t'])`, `split_once([' ', '\t'])`) decoding every char,
//! for each of the tens of thousands of lines a capture holds (issue 18). The blanks are
//! ASCII, so every position found is a char boundary.

fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// `text.trim_matches([' ', '\t'])`.
pub(crate) fn trim_blanks(text: &str) -> &str {
    trim_bytes(text, is_blank)
}

/// `text.trim_matches([' ', '\t', '\r', '\n'])`.
pub(crate) fn trim_blanks_and_line_ends(text: &str) -> &str {
    trim_bytes(text, |b| is_blank(b) || b == b'\r' || b == b'\n')
}

fn trim_bytes(text: &str, trimmed: impl Fn(u8) -> bool) -> &str {
    let bytes = text.as_bytes();
    let Some(start) = bytes.iter().position(|&b| !trimmed(b)) else {
        return "";
    };
    let end = bytes
        .iter()
        .rposition(|&b| !trimmed(b))
        .map_or(start, |at| at + 1);
    &text[start..end]
}

/// `text.split_once([' ', '\t'])`.
pub(crate) fn split_at_blank(text: &str) -> Option<(&str, &str)> {
    let at = text.bytes().position(is_blank)?;
    Some((&text[..at], &text[at + 1..]))
}

/// `text.trim_start_matches([' ', '\t'])`.
pub(crate) fn trim_start_blanks(text: &str) -> &str {
    let start = text
        .bytes()
        .position(|b| !is_blank(b))
        .unwrap_or(text.len());
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_the_char_patterns_do() {
        let texts = [
            "",
            " ",
            "\t \t",
            "EHLO x",
            "  MAIL FROM:<a@b>\t ",
            "caf\u{e9} \u{3000}x",
            "a\tb c",
            "\r\nQUIT\r\n",
            " \r x \n",
            "\u{a0}x\u{a0}",
            "x ",
        ];
        for text in texts {
            assert_eq!(
                trim_blanks(text),
                text.trim_matches([' ', '\t']),
                "{text:?}"
            );
            assert_eq!(
                trim_blanks_and_line_ends(text),
                text.trim_matches([' ', '\t', '\r', '\n']),
                "{text:?}"
            );
            assert_eq!(
                split_at_blank(text),
                text.split_once([' ', '\t']),
                "{text:?}"
            );
            assert_eq!(
                trim_start_blanks(text),
                text.trim_start_matches([' ', '\t']),
                "{text:?}"
            );
        }
    }
}
