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

/// A line's head, read once. One `Head` can be reused line after line ([`Head::read_into`]),
/// so reading a file allocates nothing per line.
#[derive(Debug, Default)]
pub struct Head {
    key: String,
    splits: Vec<Split>,
    /// An HTML entity (`&gt;`) was read in the head.
    pub escaped: bool,
    /// The head was read to the line's end.
    complete: bool,
    /// Where reading stopped, to go on from there ([`Head::extend`]).
    scan: Scan,
}

/// The state of reading a head, kept between [`Head::extend`] calls.
#[derive(Clone, Copy, Debug, Default)]
struct Scan {
    at: usize,
    /// Blanks were passed since the last token.
    blank: bool,
    /// The last character lets a payload start right after it.
    may_split: bool,
    marker_end: usize,
    last_word: bool,
    lower: bool,
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

/// Whether the character at byte `at` is a word character, and its length.
fn word_char_at(line: &str, at: usize) -> Option<usize> {
    let byte = *line.as_bytes().get(at)?;
    if byte.is_ascii() {
        let word = byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'@' | b'/');
        return word.then_some(1);
    }
    let c = line[at..].chars().next()?;
    is_word(c).then_some(c.len_utf8())
}

/// The end of the word starting at `start`: word characters, `-` before a word character
/// (`2024-03-01`, but not `->`), `:` between digits (`10:02:03`). Bytes, not chars: this
/// runs on every line of every file.
fn word_end(line: &str, start: usize) -> usize {
    let bytes = line.as_bytes();
    let mut at = start;
    loop {
        if let Some(len) = word_char_at(line, at) {
            at += len;
            continue;
        }
        let joins = match bytes.get(at) {
            Some(b'-') => at > start && word_char_at(line, at + 1).is_some(),
            Some(b':') => {
                at > start
                    && bytes[at - 1].is_ascii_digit()
                    && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
            }
            _ => false,
        };
        if !joins {
            return at;
        }
        at += 1;
    }
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
    #[cfg(test)]
    pub fn of(line: &str) -> Head {
        let mut head = Head::default();
        head.read_into(line, true, usize::MAX);
        head
    }

    /// The marker of `split` as the file writes it (case kept, numbers masked), to show.
    pub fn display(line: &str, split: &Split) -> String {
        let mut head = Head::default();
        head.read_into(&line[..split.marker_end], false, usize::MAX);
        head.key
    }

    /// Reads the head of `line` into this one, lower-cased, no further than a key of
    /// `max_key` bytes (the longest marker that could match).
    pub fn reread(&mut self, line: &str, max_key: usize) {
        self.read_into(line, true, max_key);
    }

    fn read_into(&mut self, line: &str, lower: bool, max_key: usize) {
        self.key.clear();
        self.splits.clear();
        self.escaped = false;
        self.complete = false;
        self.scan = Scan {
            may_split: true,
            lower,
            ..Scan::default()
        };
        self.extend(line, max_key);
    }

    /// Reads on into the same line, no further than a key of `max_key` bytes. Learning reads
    /// a little and more only when no marker was found yet: most lines give theirs early.
    pub fn extend(&mut self, line: &str, max_key: usize) {
        let head = self;
        let Scan {
            mut at,
            mut blank,
            mut may_split,
            mut marker_end,
            mut last_word,
            lower,
        } = head.scan;
        while at < line.len()
            && at < MAX_HEAD
            && head.splits.len() < MAX_SPLITS
            && head.key.len() <= max_key
        {
            let rest = &line[at..];
            let byte = line.as_bytes()[at];
            let c = if byte.is_ascii() {
                char::from(byte)
            } else {
                rest.chars().next().unwrap_or(' ')
            };
            if c.is_whitespace() {
                blank = !head.key.is_empty();
                may_split = true;
                at += c.len_utf8();
                continue;
            }
            if may_split {
                head.splits.push(Split {
                    payload: at,
                    marker_end,
                    key_len: head.key.len(),
                    path: !head.key.is_empty()
                        && line[..at].ends_with(':')
                        && (rest.starts_with('\\') || rest.starts_with("//")),
                });
            }
            if blank {
                head.key.push(' ');
                blank = false;
            }
            if word_char_at(line, at).is_some() {
                let end = word_end(line, at);
                push_word(&mut head.key, &line[at..end], lower);
                at = end;
                may_split = false;
                last_word = true;
                marker_end = at;
                continue;
            }
            let (c, len) = match entity(rest).filter(|_| c == '&') {
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
        head.scan = Scan {
            at,
            blank,
            may_split,
            marker_end,
            last_word,
            lower,
        };
        // A marker with nothing after it (`C:` on a blank message line).
        head.complete = at >= line.len();
        let ends_marked = may_split || !last_word;
        if head.complete && ends_marked && !head.key.is_empty() && head.splits.len() < MAX_SPLITS {
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
    }

    /// Whether there is no more of the head to read (the line, or the longest marker, ended).
    pub fn exhausted(&self) -> bool {
        self.complete || self.scan.at >= MAX_HEAD || self.splits.len() >= MAX_SPLITS
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
                .filter(|s| s.key_len <= 48)
        };
        if let Some(split) = labelled.or_else(punctuation).or_else(bracketed) {
            return Some((*split, self.key(split)));
        }
        let words = self
            .key
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '#');
        let whole = self.complete && words && self.key.len() <= 24 && self.key.contains(' ');
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
