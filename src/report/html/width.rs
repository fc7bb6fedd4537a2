//! Display width of labels in the SVG: CJK characters take about two columns.

/// Columns `c` takes in a monospace-ish font.
fn columns(c: char) -> usize {
    if matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
    {
        2
    } else {
        1
    }
}

/// `text` cut to at most `max` columns, with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    let total: usize = text.chars().map(columns).sum();
    if total <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = columns(c);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn cuts_by_columns() {
        let cases = [
            ("short", 10, "short"),
            ("abcdefghijkl", 6, "abcde…"),
            ("先发送EHLO", 6, "先发…"),
            ("先发送", 6, "先发送"),
        ];
        for (text, max, expected) in cases {
            assert_eq!(truncate(text, max), expected, "{text}");
        }
    }
}
