//! The head of a line: the places where a direction marker may end and the dialogue begin,
//! and for each the marker's *key*: the text before it with what varies from line to line
//! masked (time stamps → `<time>`, dates → `<date>`, addresses → `<ip>`, other numbers →
//! `#`), blanks collapsed, HTML entities read, lower-cased. Every line a tool prints with the
//! same marker gives the same key, whatever its time stamp or connection id.

/// How far into a line a marker may reach.
pub const MAX_HEAD: usize = 120;
/// How many places a marker may end at; a marker is a few tokens, not a sentence.
const MAX_SPLITS: usize = 14;

/// A place where a marker ends and what follows it begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// Byte offset of the first non-blank character after the marker.
    pub payload: usize,
    /// Byte offset just after the marker's last character (where the blanks begin).
    pub marker_end: usize,
    /// Length of the marker's key in [`Head::key`].
    key_len: usize,
    /// The marker is followed by a Windows path or a URL (`C:\Users`, `http://`): not a marker.
    pub path: bool,
}

/// A line's head, read once.
#[derive(Debug)]
pub struct Head {
    key: String,
    splits: Vec<Split>,
    /// An HTML entity (`&gt;`) was read in the head.
    pub escaped: bool,
}

/// Characters after which a payload may start even without a blank (`S:220`, `C>QUIT`).
fn is_delimiter(c: char) -> bool {
    matches!(c, ':' | '：' | '>' | ']' | ')' | '|')
}

/// Characters of a word: a time stamp, an address, a name, a number.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '@' | '/')
}

/// `&gt;` / `&lt;` / `&amp;` at the start of `rest`: the character and the entity's length.
fn entity(rest: &str) -> Option<(char, usize)> {
    [("&gt;", '>'), ("&lt;", '<'), ("&amp;", '&')]
        .into_iter()
        .find(|(name, _)| rest.starts_with(name))
        .map(|(name, c)| (c, name.len()))
}

/// The end of the word starting at `start`: word characters, `-` before a word character
/// (`2024-03-01`, but not `->`), `:` between digits (`10:02:03`).
fn word_end(line: &str, start: usize) -> usize {
    let bytes = line.as_bytes();
    let mut end = start;
    let mut chars = line[start..].char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let next = chars.peek().map(|&(_, c)| c);
        let keep = is_word(c)
            || (c == '-' && next.is_some_and(is_word) && offset > 0)
            || (c == ':'
                && offset > 0
                && bytes[start + offset - 1].is_ascii_digit()
                && next.is_some_and(|c| c.is_ascii_digit()));
        if !keep {
            break;
        }
        end = start + offset + c.len_utf8();
    }
    end
}

/// A word as it goes into a key: numbers of every kind masked.
fn push_word(key: &mut String, word: &str, lower: bool) {
    if !word.bytes().any(|b| b.is_ascii_digit()) {
        if lower {
            key.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            key.push_str(word);
        }
        return;
    }
    let digit_start = word.starts_with(|c: char| c.is_ascii_digit());
    let separators = word.bytes().filter(|&b| b == b'-' || b == b'/').count();
    let dots = word.bytes().filter(|&b| b == b'.').count();
    let address = word
        .split_once(':')
        .map_or(word, |(host, _)| host)
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.');
    key.push_str(if address && dots == 3 {
        // `127.0.0.1`, `127.0.0.1:50420`
        "<ip>"
    } else if word.contains(':') {
        "<time>"
    } else if digit_start && separators >= 2 {
        "<date>"
    } else {
        "#"
    });
}

impl Head {
    /// Reads the head of `line`: its splits and their keys (lower-cased).
    pub fn of(line: &str) -> Head {
        Self::read(line, true)
    }

    /// The marker of `split` as the file writes it (case kept, numbers masked), to show.
    pub fn display(line: &str, split: &Split) -> String {
        let head = Self::read(&line[..split.marker_end], false);
        head.key
    }

    fn read(line: &str, lower: bool) -> Head {
        let mut head = Head {
            key: String::with_capacity(32),
            splits: Vec::new(),
            escaped: false,
        };
        let mut blank = false;
        // The character before the current one allows a payload to start here.
        let mut may_split = true;
        let mut marker_end = 0;
        let mut last_word = false;
        let mut at = 0;
        while at < line.len() && at < MAX_HEAD && head.splits.len() < MAX_SPLITS {
            let rest = &line[at..];
            let c = rest.chars().next().unwrap_or(' ');
            if c.is_whitespace() {
                blank = !head.key.is_empty();
                may_split = true;
                at += c.len_utf8();
                continue;
            }
            if may_split {
                let after = rest.trim_start_matches(|c: char| c.is_whitespace());
                head.splits.push(Split {
                    payload: at,
                    marker_end,
                    key_len: head.key.len(),
                    path: !head.key.is_empty()
                        && (after.starts_with('\\') || after.starts_with("//"))
                        && line[..at].ends_with(':'),
                });
            }
            if blank {
                head.key.push(' ');
                blank = false;
            }
            if is_word(c) {
                let end = word_end(line, at);
                push_word(&mut head.key, &line[at..end], lower);
                at = end;
                may_split = false;
                last_word = true;
                marker_end = at;
                continue;
            }
            let (c, len) = match entity(rest) {
                Some(found) => {
                    head.escaped = true;
                    found
                }
                None => (c, c.len_utf8()),
            };
            head.key.push(if c == '：' && lower { ':' } else { c });
            at += len;
            may_split = is_delimiter(c);
            last_word = false;
            marker_end = at;
        }
        // A marker with nothing after it (`C:` on a blank message line).
        let ends_marked = may_split || !last_word;
        if at >= line.len() && ends_marked && !head.key.is_empty() && head.splits.len() < MAX_SPLITS
        {
            let last = head.splits.last().map_or(0, |s| s.key_len);
            if last < head.key.len() {
                head.splits.push(Split {
                    payload: line.len(),
                    marker_end,
                    key_len: head.key.len(),
                    path: false,
                });
            }
        }
        head
    }

    /// Where a marker may end, in order; the first has no marker (the line's first
    /// non-blank character).
    pub fn splits(&self) -> &[Split] {
        &self.splits
    }

    /// The key of the whole head.
    pub fn full_key(&self) -> &str {
        &self.key
    }

    /// The key of the marker that ends at `split` (empty for none).
    pub fn key(&self, split: &Split) -> &str {
        &self.key[..split.key_len]
    }

    /// The key of a line that is no dialogue, for telling a tool's own lines: its label
    /// (`DEBUG SMTP:`, `reply:`), its leading punctuation (`*`, `===`), its bracketed prefix
    /// (`[<time>]`), or the whole line when short (`read # bytes`).
    pub fn label(&self, line: &str) -> Option<(Split, &str)> {
        let splits = self.splits.iter().skip(1).filter(|s| !s.path);
        let labelled = splits.clone().find(|s| {
            let key = self.key(s);
            let spaced = s.marker_end < s.payload || s.payload == line.len();
            key.ends_with(':') && key.len() <= 48 && spaced
        });
        let punctuation = || {
            self.splits.get(1).filter(|s| {
                let key = self.key(s);
                !key.is_empty() && !key.contains(|c: char| c.is_alphanumeric() || c == ' ')
            })
        };
        let bracketed = || {
            line.trim_start()
                .starts_with('[')
                .then(|| splits.clone().find(|s| self.key(s).ends_with(']')))
                .flatten()
        };
        if let Some(split) = labelled.or_else(punctuation).or_else(bracketed) {
            return Some((*split, self.key(split)));
        }
        let words = self
            .key
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '#');
        let whole = words && self.key.len() <= 24 && self.key.contains(' ');
        whole.then(|| {
            let split = Split {
                payload: line.len(),
                marker_end: line.len(),
                key_len: self.key.len(),
                path: false,
            };
            (split, self.key.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(line: &str) -> Vec<(String, String)> {
        let head = Head::of(line);
        head.splits()
            .iter()
            .map(|s| (head.key(s).to_string(), line[s.payload..].to_string()))
            .collect()
    }

    #[test]
    fn masks_what_varies() {
        let cases = [
            ("C: EHLO x", "c:", "EHLO x"),
            ("S:220 hi", "s:", "220 hi"),
            ("服务器端: 220 hi", "服务器端:", "220 hi"),
            ("回：250 OK", "回:", "250 OK"),
            (" -> EHLO x", "->", "EHLO x"),
            ("<-  250 ok", "<-", "250 ok"),
            ("-&gt; EHLO x", "->", "EHLO x"),
            (
                "2024-03-01 10:00:00\tCLIENT -> SERVER: EHLO x",
                "<date> <time> client -> server:",
                "EHLO x",
            ),
            (
                "[2024-03-01 10:00:00] DEBUG [kWJ5Y9xzXc] C: EHLO x",
                "[<date> <time>] debug [#] c:",
                "EHLO x",
            ),
            (
                "Mar  1 10:00:00 mail postfix/smtpd[1234]: < localhost[127.0.0.1]: EHLO x",
                "mar # <time> mail postfix/smtpd[#]: < localhost[<ip>]:",
                "EHLO x",
            ),
            ("send: 'ehlo x\\r\\n'", "send:", "'ehlo x\\r\\n'"),
            ("*cmd* 'USER x'", "*cmd*", "'USER x'"),
        ];
        for (line, key, payload) in cases {
            let found = keys(line);
            assert!(
                found.contains(&(key.to_string(), payload.to_string())),
                "{line:?}: {found:?}"
            );
        }
    }

    #[test]
    fn the_first_split_has_no_marker_and_paths_are_no_markers() {
        assert_eq!(
            keys("MAIL FROM:<a@b>")[0],
            (String::new(), "MAIL FROM:<a@b>".into())
        );
        let head = Head::of("C:\\Users\\stu>telnet a 25");
        assert!(head.splits()[1].path);
        assert!(head.label("C:\\Users\\stu>telnet a 25").is_none());
    }

    #[test]
    fn labels_of_lines_that_are_no_dialogue() {
        let cases = [
            ("DEBUG SMTP: useEhlo true", Some("debug smtp:")),
            ("reply: retcode (250); Msg: b'ok'", Some("reply:")),
            ("*   Trying 127.0.0.1:110...", Some("*")),
            ("=== Connected to a.", Some("===")),
            ("read 18 bytes", Some("read # bytes")),
            (
                "[2024-03-01 10:00:00] INFO  [id1] Connection established",
                Some("[<date> <time>]"),
            ),
            ("opening connection to mail.lab.test:110...", None),
        ];
        for (line, expected) in cases {
            let head = Head::of(line);
            assert_eq!(head.label(line).map(|(_, key)| key), expected, "{line:?}");
        }
    }
}
