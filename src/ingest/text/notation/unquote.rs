//! Payloads that client libraries and servers log as string literals: Python's `repr`
//! (`'ehlo x\r\n'`, `b'250 ok\r\n'`), Ruby's `dump` (`"USER x\r\n"`), Go-style `'…\r\n'`.
//! Unquoted, a payload is the lines it spells out: `b'Subject: hi\r\n\r\nbody\r\n.\r\n'` is
//! four lines of a message.

/// The quote a payload opens with (after an optional `b` of a Python bytes literal) and the
/// byte offset of its text.
fn opening(payload: &str) -> Option<(u8, usize)> {
    let bytes = payload.as_bytes();
    let start = usize::from(matches!(bytes.first(), Some(b'b' | b'B')));
    match bytes.get(start) {
        Some(&quote @ (b'\'' | b'"')) => Some((quote, start + 1)),
        _ => None,
    }
}

/// Whether `payload` is one string literal: it opens and closes with the same quote and
/// every quote between is escaped. What learning trusts.
pub fn is_literal(payload: &str) -> bool {
    let payload = payload.trim_end();
    let Some((quote, start)) = opening(payload) else {
        return false;
    };
    let bytes = payload.as_bytes();
    if bytes.len() < start + 1 || bytes[bytes.len() - 1] != quote {
        return false;
    }
    let inner = &bytes[start..bytes.len() - 1];
    let mut escaped = false;
    for &b in inner {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b if b == quote => return false,
            _ => {}
        }
    }
    !escaped
}

/// The lines a quoted payload spells out; `None` when it is not quoted. Lenient: the
/// literal runs to the last quote of the line, so a tool that does not escape quotes
/// inside (`'it's\r\n'`) still reads.
pub fn unquote(payload: &str) -> Option<Vec<String>> {
    let payload = payload.trim_end();
    let (quote, start) = opening(payload)?;
    let end = payload.rfind(char::from(quote))?;
    if end < start {
        return None;
    }
    let bytes = unescape(&payload[start..end]);
    let text = String::from_utf8_lossy(&bytes);
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line).to_string())
        .collect();
    // `…\r\n` ends its last line; it does not start another.
    if lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    Some(lines)
}

/// The first line a payload says: unquoted when it is a string literal.
pub fn first_line(payload: &str) -> (std::borrow::Cow<'_, str>, bool) {
    if is_literal(payload) {
        if let Some(mut lines) = unquote(payload) {
            return (std::borrow::Cow::Owned(lines.swap_remove(0)), true);
        }
    }
    (std::borrow::Cow::Borrowed(payload), false)
}

/// Backslash escapes of Python, Ruby and Go string literals.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some((at, escape)) = chars.next() else {
            out.push(b'\\');
            break;
        };
        match escape {
            'r' => out.push(b'\r'),
            'n' => out.push(b'\n'),
            't' => out.push(b'\t'),
            '0' => out.push(0),
            'e' => out.push(0x1b),
            'a' => out.push(0x07),
            'b' => out.push(0x08),
            '\\' | '\'' | '"' | '#' => out.push(escape as u8),
            'x' => {
                let hex = text
                    .get(at + 1..at + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        chars.nth(1);
                    }
                    None => out.extend_from_slice(b"\\x"),
                }
            }
            'u' => {
                let rest = &text[at + 1..];
                let (digits, skip) = match rest.strip_prefix('{') {
                    Some(inner) => match inner.find('}') {
                        Some(close) => (&inner[..close], close + 2),
                        None => ("", 0),
                    },
                    None => (rest.get(..4).unwrap_or(""), 4),
                };
                match u32::from_str_radix(digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(decoded) if !digits.is_empty() => {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(decoded.encode_utf8(&mut buf).as_bytes());
                        for _ in 0..skip {
                            chars.next();
                        }
                    }
                    _ => out.extend_from_slice(b"\\u"),
                }
            }
            other => {
                out.push(b'\\');
                let mut buf = [0u8; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_string_literals() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("'ehlo [127.0.1.1]\\r\\n'", Some(&["ehlo [127.0.1.1]"])),
            ("b'250-mail.lab.test\\r\\n'", Some(&["250-mail.lab.test"])),
            ("\"USER student\\r\\n\"", Some(&["USER student"])),
            ("b'+OK'", Some(&["+OK"])),
            (
                "b'Subject: hi\\r\\n\\r\\nhello\\r\\n.\\r\\n'",
                Some(&["Subject: hi", "", "hello", "."]),
            ),
            ("'it\\'s \\x41\\u00e9\\r\\n'", Some(&["it's Aé"])),
            ("\"tab\\there \\#{x}\"", Some(&["tab\there #{x}"])),
            ("'it's\\r\\n'", Some(&["it's"])),
            ("''", Some(&[""])),
            ("EHLO x", None),
            ("'open", None),
        ];
        for (payload, expected) in cases {
            let got = unquote(payload);
            let expected = expected.map(|l| l.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(got, expected, "{payload:?}");
        }
    }

    #[test]
    fn learning_trusts_only_whole_literals() {
        assert!(is_literal("b'250 ok\\r\\n'"));
        assert!(is_literal("'a \\' b'"));
        assert!(!is_literal("'MAIL', args 'FROM:<a@b>'"));
        assert!(!is_literal("'it's'"));
        assert!(!is_literal("plain"));
        assert_eq!(first_line("'QUIT\\r\\n'"), ("QUIT".into(), true));
        assert_eq!(first_line("QUIT"), ("QUIT".into(), false));
    }
}
