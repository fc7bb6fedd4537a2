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
        let mut headers: Vec<(String, String)> = Vec::new();
        // Line by line, so a long body past the header section is never decoded. A line
        // decodes as it would inside the whole text: `\n` never continues a UTF-8 sequence.
        for line in bytes.split(|&byte| byte == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let line = String::from_utf8_lossy(line);
            let line = line.as_ref();
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
        Some(headers)
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
}
