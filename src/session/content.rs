use std::borrow::Cow;

use serde::Serialize;

/// A message as it crossed the wire after DATA / BDAT, or a POP3 multi-line body, dot-unstuffed.
///
/// Wireshark's Info column only says `DATA fragment, 2429 bytes`; then `bytes` is `None`
/// and `size` holds what the summary claimed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Content {
    /// The unstuffed text without the terminating `.` line, when it was seen.
    #[serde(skip)]
    pub bytes: Option<Vec<u8>>,
    /// Size in bytes: of `bytes` when present, else as a summary claimed it.
    pub size: Option<u64>,
    /// Wireshark's IMF summary (`from: <…>, subject: …`), when that is all there is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl Content {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Content {
            size: Some(bytes.len() as u64),
            bytes: Some(bytes),
            summary: None,
        }
    }

    pub fn elided(size: Option<u64>) -> Self {
        Content {
            bytes: None,
            size,
            summary: None,
        }
    }

    pub fn is_elided(&self) -> bool {
        self.bytes.is_none()
    }

    /// The message's header section as text, when the bytes were seen.
    pub fn headers(&self) -> Option<Vec<(String, String)>> {
        let bytes = self.bytes.as_deref()?;
        Some(
            fields(bytes)
                .map(|field| {
                    let name = String::from_utf8_lossy(field.name).into_owned();
                    (name, field.value().into_owned())
                })
                .collect(),
        )
    }

    /// The value of the first header named `name` (in any ASCII case), as
    /// [`Content::headers`] gives it, without writing out the fields around it: a scenario's
    /// message check asks this of every message of a class, so only the field asked for is
    /// decoded. `None` when there is no such header or the bytes were not seen.
    pub fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        fields(self.bytes.as_deref()?)
            .find(|field| field.is_named(name))
            .map(|field| field.value())
    }
}

/// One field of a header section, as bytes: decoded only when asked.
struct Field<'a> {
    name: &'a [u8],
    /// From after the `:` to the end of the field's last continuation line (its `\r`, if
    /// any, still there).
    value: &'a [u8],
}

impl<'a> Field<'a> {
    /// Whether the name, decoded lossily, is `name` in any ASCII case. Bytes equal to `name`'s
    /// but for ASCII case are UTF-8 too, so comparing bytes says it unless the name is not
    /// UTF-8, whose decoding (with its U+FFFD) is then compared.
    fn is_named(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.as_bytes())
            || (!self.name.is_ascii()
                && std::str::from_utf8(self.name).is_err()
                && String::from_utf8_lossy(self.name).eq_ignore_ascii_case(name))
    }

    /// The value trimmed, with any continuation lines trimmed and joined to it by a space.
    fn value(&self) -> Cow<'a, str> {
        let unfolded = |line: &'a [u8]| line.strip_suffix(b"\r").unwrap_or(line);
        if memchr::memchr(b'\n', self.value).is_none() {
            return lossy_trimmed(unfolded(self.value));
        }
        let mut lines = lines(self.value).map(unfolded);
        let mut value = lines.next().map(lossy_trimmed).unwrap_or_default();
        for more in lines {
            let joined = value.to_mut();
            joined.push(' ');
            joined.push_str(&lossy_trimmed(more));
        }
        value
    }
}

/// A header section's fields in order, up to its blank line or its first line that is no
/// field: each name, and its value with any continuation lines. Line by line, so a long body
/// past the section is never looked at; a line decodes as it would inside the whole text
/// (`\n` never continues a UTF-8 sequence), and lossy decoding never makes or hides the
/// `:`, blank or tab that shape a field, so fields are found in the bytes, each line's end
/// looked for once.
fn fields(bytes: &[u8]) -> impl Iterator<Item = Field<'_>> {
    let blank_at = |at: usize| matches!(bytes.get(at), Some(b' ' | b'\t'));
    let line_end =
        |from: usize| memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i);
    // Where the next line starts; past the end once the section has ended.
    let mut at = 0;
    std::iter::from_fn(move || {
        // A continuation line with no field before it belongs to nothing.
        while at <= bytes.len() && blank_at(at) {
            at = line_end(at) + 1;
        }
        if at > bytes.len() {
            return None;
        }
        // A field's name runs to its line's first `:`, and has no blank in it; a line
        // without one (a blank line, `\r` alone, the body) ends the section.
        let colon = match memchr::memchr3(b':', b' ', b'\n', &bytes[at..]) {
            Some(i) if i > 0 && bytes[at + i] == b':' => at + i,
            _ => {
                at = bytes.len() + 1;
                return None;
            }
        };
        let mut end = line_end(colon);
        while end < bytes.len() && blank_at(end + 1) {
            end = line_end(end + 1);
        }
        let field = Field {
            name: &bytes[at..colon],
            value: &bytes[colon + 1..end],
        };
        at = end + 1;
        Some(field)
    })
}

/// The lines of `bytes`, as splitting at every `\n` gives them, each end found with
/// `memchr`.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', bytes)
        .chain(std::iter::once(bytes.len()))
        .map(move |end| {
            let line = &bytes[start..end];
            start = end + 1;
            line
        })
}

/// `String::from_utf8_lossy(bytes).trim()`, borrowed when `bytes` are UTF-8.
fn lossy_trimmed(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text.trim()),
        Err(_) => Cow::Owned(String::from_utf8_lossy(bytes).trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::Content;

    /// The header reading as it was before it went line by line: the whole text decoded,
    /// then split.
    fn headers_of_whole_text(bytes: &[u8]) -> Vec<(String, String)> {
        let text = String::from_utf8_lossy(bytes);
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            match line.split_once(':') {
                Some((name, value)) if !name.is_empty() && !name.contains(' ') => {
                    headers.push((name.to_string(), value.trim().to_string()))
                }
                _ => break,
            }
        }
        headers
    }

    #[test]
    fn headers_read_line_by_line_as_from_the_whole_text() {
        let bodies: [&[u8]; 9] = [
            b"Subject: hi\r\nFrom: <a@b>\r\n\r\nbody\r\n",
            b"Subject: folded\r\n  across\tlines\r\nTo: x\r\n\r\n",
            b"Subject: \xe4\xbd\xa0\xe5\xa5\xbd\r\n\r\n",
            b"Subject: cut \xe4\xbd\r\nFrom: \xff\xfe\n\nrest",
            b"Subject: cut at the end \xe4",
            b"Subject: cr alone \xe4\r",
            b"no header line\r\nSubject: x\r\n",
            b"\r\nSubject: after a blank line\r\n",
            b"",
        ];
        for bytes in bodies {
            let content = Content::from_bytes(bytes.to_vec());
            assert_eq!(
                content.headers(),
                Some(headers_of_whole_text(bytes)),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert_eq!(Content::elided(Some(3)).headers(), None);
    }

    /// Finding one header reads it as reading them all does.
    #[test]
    fn one_header_reads_as_all_headers_do() {
        let messages: [&[u8]; 10] = [
            b"From: <a@lab.test>\r\nSubject: hi\r\n\r\nbody\r\n",
            b"subject:  folded\r\n  twice \r\n\tthrice\r\nFROM:x\r\n\r\n",
            b" leading continuation\r\nFrom: a\r\n",
            b"From: first\r\nFrom: second\r\n\r\n",
            b"Subject: \xff\xfe bad \xe4\xb8\r\n \xe4\xb8\xad\xc2\xa0\r\nFrom: b\r\n",
            b"not a header\r\nFrom: hidden\r\n",
            b"X Y: spaced\r\nFrom: hidden\r\n",
            b": empty name\r\nFrom: hidden\r\n",
            b"Fr\xc3\xb6m: x\nFrom:\xe3\x80\x80wide\xe3\x80\x80\nSubject: lf only\n",
            b"\xff\xfe: odd name\r\nFrom: after\r\n",
        ];
        for bytes in messages {
            let content = Content::from_bytes(bytes.to_vec());
            let headers = content.headers().unwrap_or_default();
            for name in [
                "From",
                "from",
                "Subject",
                "Missing",
                "X",
                "Fr\u{f6}m",
                "\u{fffd}\u{fffd}",
            ] {
                let expected = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str());
                assert_eq!(
                    content.header(name).as_deref(),
                    expected,
                    "{name} in {bytes:?}"
                );
            }
        }
        assert_eq!(Content::elided(Some(3)).header("From"), None);
    }

    /// Lines come out as splitting at every newline gives them.
    #[test]
    fn lines_are_those_of_split() {
        let texts: [&[u8]; 7] = [
            b"",
            b"\n",
            b"a",
            b"a\n",
            b"a\nb",
            b"a\r\n\r\nb\n\n",
            b"\n\na",
        ];
        for bytes in texts {
            let split: Vec<&[u8]> = bytes.split(|&byte| byte == b'\n').collect();
            assert_eq!(super::lines(bytes).collect::<Vec<_>>(), split, "{bytes:?}");
        }
    }
}
