//! Decoded text → numbered lines, with CRLF, LF and CR line ends, and bounds on what is kept.

/// One line of the decoded file, without its line end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the decoded text.
    pub number: u32,
    pub text: String,
    /// Bytes of line end after it: 2 for CRLF, 1 for LF or CR, 0 at the end of the file.
    pub end_len: u8,
    /// Characters taken off its start (quote marks, a line number…): columns in `text`
    /// are this much to the left of the file's.
    pub shifted: u32,
}

/// Lines longer than this are cut: no dialogue line is this long, and a 100 MB line must
/// not be copied around.
pub const MAX_LINE_CHARS: usize = 8 * 1024;
/// Lines after this many are not read.
pub const MAX_LINES: usize = 200_000;

/// What splitting cut, for a note to the student.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cuts {
    /// Line numbers whose text was cut at [`MAX_LINE_CHARS`].
    pub long_lines: Vec<u32>,
    /// Whether lines after [`MAX_LINES`] were dropped.
    pub too_many_lines: bool,
}

/// Text copied from web pages and word processors: no-break spaces become spaces, and
/// zero-width characters go, so `S:\u{a0}220\u{a0}OK` reads like `S: 220 OK`.
fn normalise(line: &str) -> String {
    if !line.contains(['\u{a0}', '\u{200b}', '\u{feff}']) {
        return line.to_string();
    }
    line.chars()
        .filter(|c| !matches!(c, '\u{200b}' | '\u{feff}'))
        .map(|c| if c == '\u{a0}' { ' ' } else { c })
        .collect()
}

pub fn split_lines(text: &str) -> (Vec<Line>, Cuts) {
    let mut lines = Vec::new();
    let mut cuts = Cuts::default();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut number = 0u32;
    while start < bytes.len() || (start == bytes.len() && start == 0) {
        if lines.len() >= MAX_LINES {
            cuts.too_many_lines = true;
            break;
        }
        number += 1;
        let rest = &bytes[start..];
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        let end_len = match rest.get(end) {
            Some(b'\r') if rest.get(end + 1) == Some(&b'\n') => 2,
            Some(_) => 1,
            None => 0,
        };
        let line = &text[start..start + end];
        let kept = match line.char_indices().nth(MAX_LINE_CHARS) {
            Some((cut, _)) => {
                cuts.long_lines.push(number);
                &line[..cut]
            }
            None => line,
        };
        lines.push(Line {
            number,
            text: normalise(kept),
            end_len,
            shifted: 0,
        });
        start += end + end_len as usize;
        if end_len == 0 {
            break;
        }
    }
    (lines, cuts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_every_kind_of_line_end() {
        let cases = [
            ("a\r\nb\r\n", vec![("a", 2), ("b", 2)]),
            ("a\nb", vec![("a", 1), ("b", 0)]),
            ("a\rb\r", vec![("a", 1), ("b", 1)]),
            ("a\r\n\nb", vec![("a", 2), ("", 1), ("b", 0)]),
            ("a\r\r\nb", vec![("a", 1), ("", 2), ("b", 0)]),
        ];
        for (text, expected) in cases {
            let (lines, cuts) = split_lines(text);
            let got: Vec<(&str, u8)> = lines.iter().map(|l| (l.text.as_str(), l.end_len)).collect();
            assert_eq!(got, expected, "{text:?}");
            let numbers: Vec<u32> = lines.iter().map(|l| l.number).collect();
            assert_eq!(numbers, (1..=expected.len() as u32).collect::<Vec<_>>());
            assert_eq!(cuts, Cuts::default());
        }
    }

    #[test]
    fn normalises_web_spaces() {
        let (lines, _) = split_lines("S:\u{a0}220\u{a0}OK\n\u{feff}C: HELO\u{200b} x");
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["S: 220 OK", "C: HELO x"]);
    }

    #[test]
    fn cuts_a_huge_line() {
        let text = format!("{}\nHELO x\n", "a".repeat(3 * MAX_LINE_CHARS));
        let (lines, cuts) = split_lines(&text);
        assert_eq!(lines[0].text.len(), MAX_LINE_CHARS);
        assert_eq!(lines[1].text, "HELO x");
        assert_eq!(cuts.long_lines, vec![1]);
    }
}
