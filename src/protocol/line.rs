//! Line framing shared by every receiver: a line ends at LF, a CR before it is dropped
//! (bare LF is tolerated, as Postfix and Dovecot tolerate it).

use std::borrow::Cow;

/// One framed line, without its line end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub bytes: Vec<u8>,
    /// Whether it ended in CRLF (false: a bare LF).
    pub crlf: bool,
}

impl Line {
    /// The line as text; invalid UTF-8 is replaced, never rejected.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// Like [`Line::text`], keeping the line's own bytes when they are UTF-8 already (no copy).
    pub fn into_text(self) -> String {
        match String::from_utf8(self.bytes) {
            Ok(text) => text,
            Err(invalid) => String::from_utf8_lossy(invalid.as_bytes()).into_owned(),
        }
    }
}

/// What [`LineReceiver::ingest`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineEvent {
    Line(Line),
    /// A line longer than the limit ended; its bytes were dropped, `len` counts them
    /// (without the line end).
    TooLong {
        len: usize,
    },
    /// The input ended inside a line; feed more.
    NeedsMoreData,
}

/// What [`LineReceiver::ingest_in_place`] found: a line borrowed where it lies in the
/// input when it lies there whole, else the receiver's own buffer, handed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineInPlace<'a> {
    /// The line without its line end.
    Line(Cow<'a, [u8]>),
    TooLong {
        len: usize,
    },
    NeedsMoreData,
}

/// A line's bytes as text: borrowed when they are UTF-8 and borrowed, invalid UTF-8
/// replaced, never rejected (as [`Line::into_text`]).
pub fn text_of(line: Cow<'_, [u8]>) -> Cow<'_, str> {
    match line {
        // Nearly every line of a capture is ASCII: asked a word at a time, that is several
        // times cheaper on a short line than `from_utf8`, which goes a byte at a time until
        // its input is aligned and after its last block (issue 18).
        // SAFETY: ASCII bytes are valid UTF-8.
        Cow::Borrowed(bytes) if bytes.is_ascii() => {
            Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(bytes) })
        }
        // Validated first: `from_utf8_lossy` walks valid text chunk by chunk, slower.
        Cow::Borrowed(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        },
        Cow::Owned(bytes) => Cow::Owned(Line { bytes, crlf: true }.into_text()),
    }
}

/// Frames lines out of bytes that arrive in any chunking, never buffering more than
/// `max_len` bytes: a longer line is discarded and reported as [`LineEvent::TooLong`] when it
/// ends.
#[derive(Clone, Debug)]
pub struct LineReceiver {
    buf: Vec<u8>,
    max_len: usize,
    /// Bytes of an over-long line seen so far (the line is being skipped).
    overflow: Option<usize>,
    /// Whether the last byte seen was a CR (so a following LF makes it a line end).
    last_cr: bool,
}

impl LineReceiver {
    /// RFC 5321 §4.5.3.1.4: 512 octets for a command line; servers allow more in practice.
    pub const DEFAULT_MAX_LEN: usize = 4096;

    pub fn new(max_len: usize) -> Self {
        LineReceiver {
            buf: Vec::new(),
            max_len,
            overflow: None,
            last_cr: false,
        }
    }

    /// Takes bytes from the front of `input` up to and including the first line end.
    /// Bytes after it are left in `input` for the next call (or another receiver).
    pub fn ingest(&mut self, input: &mut &[u8]) -> LineEvent {
        let (taken, ended) = match memchr::memchr(b'\n', input) {
            Some(at) => (&input[..at], true),
            None => (*input, false),
        };
        *input = &input[taken.len() + usize::from(ended)..];
        if let Some(&last) = taken.last() {
            self.last_cr = last == b'\r';
        }
        match self.overflow.as_mut() {
            Some(len) => *len += taken.len(),
            None if self.buf.len() + taken.len() > self.max_len + 1 => {
                // +1: a CR before the LF is not part of the line.
                self.overflow = Some(self.buf.len() + taken.len());
                self.buf = Vec::new();
            }
            None => self.buf.extend_from_slice(taken),
        }
        if !ended {
            return LineEvent::NeedsMoreData;
        }
        let last_cr = std::mem::take(&mut self.last_cr);
        if let Some(len) = self.overflow.take() {
            return LineEvent::TooLong {
                len: len - usize::from(last_cr),
            };
        }
        let mut bytes = std::mem::take(&mut self.buf);
        let crlf = bytes.last() == Some(&b'\r');
        if crlf {
            bytes.pop();
        }
        if bytes.len() > self.max_len {
            return LineEvent::TooLong { len: bytes.len() };
        }
        LineEvent::Line(Line { bytes, crlf })
    }

    /// Like [`LineReceiver::ingest`], without copying a line that lies whole in `input`
    /// (nothing of it buffered before): a capture's segment usually holds whole lines, and
    /// the copy, its allocation and the buffer's growth were most of a line's framing.
    pub fn ingest_in_place<'a>(&mut self, input: &mut &'a [u8]) -> LineInPlace<'a> {
        if self.buf.is_empty() && self.overflow.is_none() {
            if let Some(at) = memchr::memchr(b'\n', input) {
                let taken = &input[..at];
                *input = &input[at + 1..];
                self.last_cr = false;
                // What `ingest` gives for the same bytes: the CR before the LF dropped,
                // a line over the limit reported by its length without the CR.
                let line = taken.strip_suffix(b"\r").unwrap_or(taken);
                if line.len() > self.max_len {
                    return LineInPlace::TooLong { len: line.len() };
                }
                return LineInPlace::Line(Cow::Borrowed(line));
            }
        }
        match self.ingest(input) {
            LineEvent::Line(line) => LineInPlace::Line(Cow::Owned(line.bytes)),
            LineEvent::TooLong { len } => LineInPlace::TooLong { len },
            LineEvent::NeedsMoreData => LineInPlace::NeedsMoreData,
        }
    }

    /// Gives back the bytes of a line read and done with, so the next line is read into
    /// them rather than into a new allocation (a capture reads thousands of lines).
    pub fn recycle(&mut self, mut bytes: Vec<u8>) {
        if self.buf.capacity() == 0 && bytes.capacity() <= self.max_len + 2 {
            bytes.clear();
            self.buf = bytes;
        }
    }

    /// The bytes of an unfinished line (what a capture or file ended in).
    pub fn partial(&self) -> &[u8] {
        &self.buf
    }

    /// Whether a line has been started but not ended.
    pub fn is_mid_line(&self) -> bool {
        !self.buf.is_empty() || self.overflow.is_some()
    }

    /// Drops an unfinished line.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.overflow = None;
        self.last_cr = false;
    }
}

impl Default for LineReceiver {
    fn default() -> Self {
        LineReceiver::new(Self::DEFAULT_MAX_LEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(receiver: &mut LineReceiver, mut input: &[u8]) -> Vec<LineEvent> {
        let mut events = Vec::new();
        loop {
            let event = receiver.ingest(&mut input);
            let done = event == LineEvent::NeedsMoreData;
            events.push(event);
            if done {
                return events;
            }
        }
    }

    fn line(text: &str, crlf: bool) -> LineEvent {
        LineEvent::Line(Line {
            bytes: text.as_bytes().to_vec(),
            crlf,
        })
    }

    #[test]
    fn into_text_is_text() {
        for bytes in [
            &b"EHLO x"[..],
            b"",
            b"caf\xc3\xa9",
            b"bad \xff\xfe end",
            b"cut \xe4\xb8",
        ] {
            let line = Line {
                bytes: bytes.to_vec(),
                crlf: true,
            };
            assert_eq!(line.clone().into_text(), line.text(), "{bytes:?}");
        }
    }

    #[test]
    fn frames_crlf_and_bare_lf() {
        let mut rx = LineReceiver::new(100);
        assert_eq!(
            lines(&mut rx, b"EHLO a\r\nMAIL\nRC"),
            vec![
                line("EHLO a", true),
                line("MAIL", false),
                LineEvent::NeedsMoreData
            ]
        );
        assert_eq!(rx.partial(), b"RC");
        assert_eq!(
            lines(&mut rx, b"PT\r\n"),
            vec![line("RCPT", true), LineEvent::NeedsMoreData]
        );
        assert!(!rx.is_mid_line());
    }

    #[test]
    fn same_lines_at_every_split() {
        let input = b"HELO x\r\n\r\nNOOP\nQUIT\r\n";
        let whole = lines(&mut LineReceiver::new(100), input);
        for split in 0..=input.len() {
            let mut rx = LineReceiver::new(100);
            let mut events = lines(&mut rx, &input[..split]);
            events.retain(|e| *e != LineEvent::NeedsMoreData);
            events.extend(lines(&mut rx, &input[split..]));
            assert_eq!(events, whole, "split at {split}");
        }
    }

    /// In place or copied, the same lines at every split, with the same lengths of lines
    /// too long.
    #[test]
    fn in_place_reads_as_ingest_reads() {
        let input = b"HELO x\r\n\r\nNOOP\nabcdefghij\r\nQUIT\r\nabcd\r\r\nab\xffc\n";
        let owned = |event: LineEvent| match event {
            LineEvent::Line(line) => LineInPlace::Line(Cow::Owned(line.bytes)),
            LineEvent::TooLong { len } => LineInPlace::TooLong { len },
            LineEvent::NeedsMoreData => LineInPlace::NeedsMoreData,
        };
        for split in 0..=input.len() {
            let mut copied = Vec::new();
            let mut rx = LineReceiver::new(5);
            for part in [&input[..split], &input[split..]] {
                copied.extend(lines(&mut rx, part).into_iter().map(owned));
            }
            let mut in_place = Vec::new();
            let mut rx = LineReceiver::new(5);
            for mut part in [&input[..split], &input[split..]] {
                loop {
                    let event = rx.ingest_in_place(&mut part);
                    let done = event == LineInPlace::NeedsMoreData;
                    in_place.push(event);
                    if done {
                        break;
                    }
                }
            }
            assert_eq!(in_place, copied, "split at {split}");
        }
    }

    #[test]
    fn text_of_is_into_text() {
        for bytes in [&b"EHLO x"[..], b"", b"caf\xc3\xa9", b"bad \xff\xfe end"] {
            let line = Line {
                bytes: bytes.to_vec(),
                crlf: true,
            };
            assert_eq!(text_of(Cow::Borrowed(bytes)), line.clone().into_text());
            assert_eq!(text_of(Cow::Owned(bytes.to_vec())), line.into_text());
        }
    }

    #[test]
    fn reports_long_lines_without_buffering_them() {
        let mut rx = LineReceiver::new(4);
        let events = lines(&mut rx, b"abcd\r\nabcde\r\nabcdefghij");
        assert_eq!(
            events[..2],
            [line("abcd", true), LineEvent::TooLong { len: 5 }]
        );
        assert!(rx.partial().is_empty());
        assert_eq!(
            lines(&mut rx, b"kl\nok\n"),
            vec![
                LineEvent::TooLong { len: 12 },
                line("ok", false),
                LineEvent::NeedsMoreData
            ]
        );
    }
}
