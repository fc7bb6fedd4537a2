//! Trailing notes students add to transcript lines: `// …`, `# …`, `/* … */`, `<-- …`, notes
//! in Chinese, and the `({b64:…})` glosses of the reference transcripts.
//!
//! Only a note set off by whitespace counts (`/* */` anywhere), so `//` and `#` inside base64
//! or an address stay. Message content is never stripped: the caller keeps the whole line
//! while the client is sending a message.

/// Byte offset where a trailing note starts, if the line has one; the line's content is
/// `text[..offset].trim_end()`.
pub fn comment_start(text: &str) -> Option<usize> {
    let mut prev: Option<char> = None;
    for (offset, c) in text.char_indices() {
        let rest = &text[offset..];
        let after_space = prev.map_or(true, char::is_whitespace);
        let before = text[..offset].trim_end();
        let marker = rest.starts_with("//")
            || rest.starts_with('#')
            || rest.starts_with("<--")
            || rest.starts_with("<==")
            || (rest.starts_with('(') && rest.contains("{b64:") && !before.is_empty());
        let chinese = is_cjk(c) && !before.is_empty() && !is_reply_code(before);
        if rest.starts_with("/*") || (after_space && (marker || chinese)) {
            return Some(offset);
        }
        prev = Some(c);
    }
    None
}

/// The line without its trailing note.
pub fn strip(text: &str) -> &str {
    match comment_start(text) {
        Some(offset) => text[..offset].trim_end(),
        None => text.trim_end(),
    }
}

/// Han ideographs and full-width punctuation: the start of a note in Chinese.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFF60)
}

/// `250` alone: a reply whose whole text is Chinese keeps it.
fn is_reply_code(text: &str) -> bool {
    text.len() == 3 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_trailing_notes_only() {
        let cases = [
            (
                "EHLO DREAIFEDESKTOP          //向服务器表明身份",
                "EHLO DREAIFEDESKTOP",
            ),
            (
                "User: ODc3MjYxNzkzQHFxLmNvbQ==   //输入账号",
                "User: ODc3MjYxNzkzQHFxLmNvbQ==",
            ),
            ("Pass: cGFzc3dvcmQxMjM0NTY=", "Pass: cGFzc3dvcmQxMjM0NTY="),
            ("bWljaGFlbA== //输入", "bWljaGFlbA=="),
            ("ab//cd+/==", "ab//cd+/=="),
            ("MAIL FROM: <a#b@x.org>", "MAIL FROM: <a#b@x.org>"),
            ("RCPT TO:<b@x.org> # the recipient", "RCPT TO:<b@x.org>"),
            ("250 … ./* “…”代表省略 */", "250 … ."),
            (
                "220 126.com (126com[071018]) /* 220 为响应数字 */",
                "220 126.com (126com[071018])",
            ),
            ("EHLO x  <-- say hello", "EHLO x"),
            ("c3R1ZGVudA==    ({b64:student})", "c3R1ZGVudA=="),
            (
                "AUTH PLAIN AHN0AHM=    (AUTH PLAIN {b64:\\0s\\0s})",
                "AUTH PLAIN AHN0AHM=",
            ),
            ("EHLO x 向服务器表明身份", "EHLO x"),
            ("250 发送成功", "250 发送成功"),
            ("用户    ---[base64]", "用户    ---[base64]"),
            ("// only a note", ""),
            ("QUIT  //断开连接", "QUIT"),
            (". //结束输入邮件", "."),
        ];
        for (line, expected) in cases {
            assert_eq!(strip(line), expected, "{line:?}");
        }
    }
}
