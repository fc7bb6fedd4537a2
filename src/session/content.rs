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
        Some(headers)
    }
}
