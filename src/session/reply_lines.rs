//! The text lines of one reply, kept in one string.

use std::fmt;

use serde::{Serialize, Serializer};

/// The text of each line of a reply (`250-PIPELINING` gives `PIPELINING`), joined by `\n`
/// in one string. A line never holds a line break (every reader splits the input at them),
/// so the break can mark where one line ends; a string per line made most of a session's
/// allocations and of the frees after it (issue 18). As small as the list it replaced: a
/// reply is moved with its exchange, and an exchange often.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ReplyLines {
    joined: Box<str>,
    /// How many lines: none and one empty line join alike.
    count: u32,
}

impl ReplyLines {
    pub fn new() -> Self {
        ReplyLines::default()
    }

    /// One line, its text kept (copied only to drop spare room).
    pub fn one(line: String) -> Self {
        debug_assert!(!line.contains('\n'), "a reply line holds no line break");
        ReplyLines {
            joined: line.into_boxed_str(),
            count: 1,
        }
    }

    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Each line in order. `splitn`: should a line ever hold a break, the lines still
    /// number [`ReplyLines::len`].
    pub fn iter(&self) -> std::str::SplitN<'_, char> {
        self.joined.splitn(self.len(), '\n')
    }

    pub fn first(&self) -> Option<&str> {
        self.iter().next()
    }

    pub fn last(&self) -> Option<&str> {
        match self.count {
            0 => None,
            1 => Some(&self.joined),
            _ => self.joined.rsplit('\n').next(),
        }
    }

    /// Every line's text with `\n` between them: one search covers them all where no match
    /// can hold a line break.
    pub fn joined(&self) -> &str {
        &self.joined
    }
}

/// Gathers a reply's lines one by one, in room kept from the reply before: a reply is
/// copied out once, at its size, not grown line by line.
#[derive(Clone, Debug, Default)]
pub struct ReplyLinesBuf {
    joined: String,
    count: u32,
}

impl ReplyLinesBuf {
    const ROOM: usize = 256;

    pub fn push(&mut self, line: &str) {
        debug_assert!(!line.contains('\n'), "a reply line holds no line break");
        if self.joined.capacity() == 0 {
            // Room for an EHLO reply at once, not grown from a line's size in four steps.
            self.joined.reserve(Self::ROOM.max(line.len()));
        }
        if self.count > 0 {
            self.joined.push('\n');
        }
        self.joined.push_str(line);
        self.count += 1;
    }

    /// The lines gathered so far; the buffer is left empty, its room kept.
    pub fn take(&mut self) -> ReplyLines {
        let lines = ReplyLines {
            joined: Box::from(self.joined.as_str()),
            count: self.count,
        };
        self.joined.clear();
        self.count = 0;
        lines
    }
}

impl<'a> IntoIterator for &'a ReplyLines {
    type Item = &'a str;
    type IntoIter = std::str::SplitN<'a, char>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<S: AsRef<str>> FromIterator<S> for ReplyLines {
    fn from_iter<I: IntoIterator<Item = S>>(lines: I) -> Self {
        let mut gathered = ReplyLinesBuf::default();
        for line in lines {
            gathered.push(line.as_ref());
        }
        gathered.take()
    }
}

/// The lines compared with a list of them, as a test writes what it expects.
impl<const N: usize> PartialEq<[&str; N]> for ReplyLines {
    fn eq(&self, lines: &[&str; N]) -> bool {
        self.len() == N && self.iter().eq(lines.iter().copied())
    }
}

impl fmt::Debug for ReplyLines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A list of strings, as the lines were when each was its own.
impl Serialize for ReplyLines {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::{ReplyLines, ReplyLinesBuf};

    #[test]
    fn lines_read_back_as_they_were_pushed() {
        let cases: [&[&str]; 5] = [
            &[],
            &[""],
            &["", ""],
            &["mail.lab.test", "PIPELINING", "8BITMIME"],
            &["a", "", "b \u{4e2d}"],
        ];
        for lines in cases {
            let joined: ReplyLines = lines.iter().collect();
            assert_eq!(joined.len(), lines.len());
            assert_eq!(joined.is_empty(), lines.is_empty());
            assert_eq!(joined.iter().collect::<Vec<_>>(), lines);
            assert_eq!(joined.first(), lines.first().copied());
            assert_eq!(joined.last(), lines.last().copied());
            assert_eq!(
                serde_json::to_string(&joined).unwrap(),
                serde_json::to_string(lines).unwrap()
            );
            assert_eq!(format!("{joined:?}"), format!("{lines:?}"));
        }
    }

    #[test]
    fn a_buffer_starts_again_empty_after_each_take() {
        let mut gathered = ReplyLinesBuf::default();
        gathered.push("a");
        gathered.push("b");
        assert_eq!(gathered.take(), ["a", "b"]);
        assert_eq!(gathered.take(), ReplyLines::new());
        gathered.push("c");
        assert_eq!(gathered.take(), ReplyLines::one("c".into()));
    }

    #[test]
    fn the_lines_take_no_more_room_than_a_list_did() {
        assert!(std::mem::size_of::<ReplyLines>() <= std::mem::size_of::<Vec<String>>());
    }

    #[test]
    fn no_lines_and_one_empty_line_differ() {
        assert_ne!(ReplyLines::new(), ReplyLines::one(String::new()));
        assert_eq!(ReplyLines::one("x".into()), ["x"]);
        assert_eq!(
            ReplyLines::one("x".into()),
            ["x"].iter().collect::<ReplyLines>()
        );
    }
}
