//! Dot-stuffing (RFC 5321 §4.5.2, RFC 1939 §3): the SMTP message after DATA and the POP3
//! multi-line body end at a line holding only `.`, and a line that starts with `.` gets
//! one more in front.
//!
//! Readers of transcripts and captures use the lenient receiver ([`DataReceiver::new`]):
//! bare LF line ends are tolerated in the body and around the dot, as Postfix 3.7 tolerates
//! them, so a `nc` session reads as the server read it. A server that relays or stores mail
//! uses [`DataReceiver::strict`]: only `<CR><LF>.<CR><LF>` ends the message, and a `.` line
//! with a bare LF on either side is message text. That is the defence against SMTP
//! smuggling (CVE-2023-51764 and kin): a relay that sent `\n.\n` inside a message must not
//! have a second message start here. Postfix 3.9 does the same
//! (`smtpd_forbid_bare_newline = normalize`).

/// What [`DataReceiver::ingest`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataEvent {
    /// The terminating `.` line arrived; the body is unstuffed, without that line.
    Complete(Vec<u8>),
    /// The terminating line arrived but the body was longer than the limit; only its size
    /// was kept.
    TooBig { size: u64 },
    /// The input ended before the terminating line; feed more.
    NeedsMoreData,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    LineStart,
    Middle,
    /// A `.` at the start of a line.
    Dot,
    /// `.` then CR at the start of a line.
    DotCr,
}

/// Receives a dot-stuffed body in any chunking, unstuffing as it goes and keeping at most
/// `max_size` bytes of it.
#[derive(Clone, Debug)]
pub struct DataReceiver {
    body: Vec<u8>,
    size: u64,
    max_size: u64,
    at: At,
    /// Only `<CR><LF>.<CR><LF>` ends the body.
    strict: bool,
    /// Whether the line before the current one ended in CRLF (the start of the data counts
    /// as such: the DATA command line has just ended).
    crlf_before: bool,
    /// The last body byte taken, to tell a CRLF from a bare LF across chunks.
    prev: u8,
}

impl DataReceiver {
    /// The lenient receiver: any `.` line ends the body, whatever its line ends (readers).
    pub fn new(max_size: u64) -> Self {
        DataReceiver {
            body: Vec::new(),
            size: 0,
            max_size,
            at: At::LineStart,
            strict: false,
            crlf_before: true,
            prev: b'\n',
        }
    }

    /// The strict receiver: only `<CR><LF>.<CR><LF>` ends the body; a `.` line with a bare
    /// LF before or after it is kept as a line of text holding one dot (servers).
    pub fn strict(max_size: u64) -> Self {
        DataReceiver {
            strict: true,
            ..DataReceiver::new(max_size)
        }
    }

    /// Ready for the next body, with the same limit and strictness.
    fn fresh(&self) -> Self {
        DataReceiver {
            strict: self.strict,
            ..DataReceiver::new(self.max_size)
        }
    }

    /// Takes bytes from the front of `input` up to and including the terminating `.` line;
    /// bytes after it (a pipelined command) stay in `input`.
    pub fn ingest(&mut self, input: &mut &[u8]) -> DataEvent {
        let bytes = *input;
        if self.body.capacity() == 0 && self.size == 0 {
            // Room for what this input can hold at once (up to 64 KiB), rather than growing
            // line by line: a capture's segment often holds a whole message (issue 18).
            let room = usize::try_from(self.max_size).unwrap_or(usize::MAX);
            self.body.reserve(bytes.len().min(room).min(64 << 10));
        }
        let mut used = 0;
        let mut done = false;
        while used < bytes.len() && !done {
            let plain = match self.at {
                At::Middle => true,
                At::LineStart => bytes[used] != b'.',
                At::Dot | At::DotCr => false,
            };
            if plain {
                // The rest of this line and every following line that does not start with
                // `.` are body as they stand: copied in one go, up to the next line that
                // does (or the input's end). Only the state after the last line end counts.
                let rest = &bytes[used..];
                let mut run = 0;
                loop {
                    match memchr::memchr(b'\n', &rest[run..]) {
                        Some(end) => {
                            run += end + 1;
                            match rest.get(run) {
                                Some(&next) if next != b'.' => {}
                                _ => break,
                            }
                        }
                        None => {
                            run = rest.len();
                            break;
                        }
                    }
                }
                if rest[run - 1] == b'\n' {
                    let before = if run >= 2 { rest[run - 2] } else { self.prev };
                    self.crlf_before = before == b'\r';
                    self.at = At::LineStart;
                } else {
                    self.at = At::Middle;
                }
                self.push_all(&rest[..run]);
                used += run;
                continue;
            }
            let byte = bytes[used];
            used += 1;
            match (self.at, byte) {
                (At::LineStart, b'.') => self.at = At::Dot,
                (At::Dot, b'\n') if self.strict => {
                    // `.` + bare LF: text in strict mode.
                    self.push_all(b".\n");
                    (self.at, self.crlf_before) = (At::LineStart, false);
                }
                (At::DotCr, b'\n') if self.strict && !self.crlf_before => {
                    // A bare LF before the `.` line: text in strict mode.
                    self.push_all(b".\r\n");
                    (self.at, self.crlf_before) = (At::LineStart, true);
                }
                (At::Dot | At::DotCr, b'\n') => done = true,
                (At::Dot, b'\r') => self.at = At::DotCr,
                (At::DotCr, _) => {
                    // `.` CR something: an unstuffed line that happens to hold a CR.
                    self.push_all(b"\r");
                    self.push_text(byte);
                }
                (_, _) => self.push_text(byte),
            }
        }
        *input = &bytes[used..];
        if !done {
            return DataEvent::NeedsMoreData;
        }
        let size = self.size;
        let body = std::mem::take(&mut self.body);
        *self = self.fresh();
        if size > self.max_size {
            DataEvent::TooBig { size }
        } else {
            DataEvent::Complete(body)
        }
    }

    /// Bytes of body received so far (unstuffed), including any past the limit.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether anything of the body has arrived.
    pub fn is_started(&self) -> bool {
        self.size > 0 || self.at != At::LineStart
    }

    /// The body so far, for a message a capture or file cut off.
    pub fn take_partial(&mut self) -> Vec<u8> {
        let body = std::mem::take(&mut self.body);
        *self = self.fresh();
        body
    }

    fn push_text(&mut self, byte: u8) {
        if byte == b'\n' {
            self.crlf_before = self.prev == b'\r';
            self.at = At::LineStart;
        } else {
            self.at = At::Middle;
        }
        self.push_all(&[byte]);
    }

    /// Counts `bytes` and keeps what fits under the limit.
    fn push_all(&mut self, bytes: &[u8]) {
        if let Some(&last) = bytes.last() {
            self.prev = last;
        }
        let room = self.max_size.saturating_sub(self.size);
        let kept = usize::try_from(room).map_or(bytes.len(), |room| room.min(bytes.len()));
        self.body.extend_from_slice(&bytes[..kept]);
        self.size += bytes.len() as u64;
    }
}

/// Dot-stuffs `body` for sending after DATA (or as a POP3 body) and appends the terminating
/// `.` line; a body that does not end in a line end gets a CRLF first. Line ends are kept as
/// they are, so [`unstuff`] gives `body` back.
pub fn stuff(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 64 + 5);
    let mut line_start = true;
    for &byte in body {
        if line_start && byte == b'.' {
            out.push(b'.');
        }
        out.push(byte);
        line_start = byte == b'\n';
    }
    if !line_start {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// Unstuffs a whole dot-stuffed body: the body and how many bytes of `data` it took
/// (terminating line included), or `None` when the terminating line is missing.
pub fn unstuff(data: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut input = data;
    match DataReceiver::new(u64::MAX).ingest(&mut input) {
        DataEvent::Complete(body) => Some((body, data.len() - input.len())),
        DataEvent::TooBig { .. } | DataEvent::NeedsMoreData => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstuffs_the_reference_cases() {
        // (wire, body, bytes left after the terminator)
        let cases: &[(&[u8], &[u8], &[u8])] = &[
            (b".\r\n", b"", b""),
            (b"a\r\n.\r\n", b"a\r\n", b""),
            (
                b"..a line\r\n.. \r\nend  \r\n.\r\nQUIT\r\n",
                b".a line\r\n. \r\nend  \r\n",
                b"QUIT\r\n",
            ),
            (b"bare\nlf\n.\nQUIT\n", b"bare\nlf\n", b"QUIT\n"),
            (b"mixed\r\n.\nx", b"mixed\r\n", b"x"),
            (
                b"unstuffed .x\r\n.x\r\n.\r\n",
                b"unstuffed .x\r\nx\r\n",
                b"",
            ),
            (b".\rx\r\n.\r\n", b"\rx\r\n", b""),
            (b"a.\r\n\r\n.\r\n", b"a.\r\n\r\n", b""),
        ];
        for (wire, body, rest) in cases {
            let mut input: &[u8] = wire;
            let event = DataReceiver::new(1000).ingest(&mut input);
            assert_eq!(event, DataEvent::Complete(body.to_vec()), "{wire:?}");
            assert_eq!(input, *rest, "{wire:?}");
        }
    }

    #[test]
    fn same_body_at_every_split() {
        let wire = b"Subject: x\r\n\r\n..dots\r\n.\rodd\nline\r\n.\r\nQUIT\r\n";
        let (whole, used) = unstuff(wire).expect("terminated");
        for split in 0..=wire.len() {
            let mut rx = DataReceiver::new(1000);
            let mut first = &wire[..split];
            let event = rx.ingest(&mut first);
            let event = match event {
                DataEvent::NeedsMoreData => {
                    let mut second = &wire[split..];
                    let event = rx.ingest(&mut second);
                    assert_eq!(wire.len() - second.len(), used, "split at {split}");
                    event
                }
                done => done,
            };
            assert_eq!(
                event,
                DataEvent::Complete(whole.clone()),
                "split at {split}"
            );
        }
    }

    #[test]
    fn enforces_the_size_limit_but_finds_the_end() {
        let mut input: &[u8] = b"0123456789\r\n.\r\nQUIT\r\n";
        let event = DataReceiver::new(5).ingest(&mut input);
        assert_eq!(event, DataEvent::TooBig { size: 12 });
        assert_eq!(input, b"QUIT\r\n");
    }

    #[test]
    fn stuffing_round_trips() {
        let bodies: &[&[u8]] = &[
            b"",
            b"plain\r\n",
            b".\r\n",
            b"..\r\n.x\r\n",
            b"a\n.\nb\n",
            b"no line end",
            b".leading",
        ];
        for body in bodies {
            let wire = stuff(body);
            assert!(wire.ends_with(b".\r\n"));
            let (back, used) = unstuff(&wire).expect("terminated");
            assert_eq!(used, wire.len());
            let mut expected = body.to_vec();
            if !expected.is_empty() && !expected.ends_with(b"\n") {
                expected.extend_from_slice(b"\r\n");
            }
            assert_eq!(back, expected, "{body:?}");
        }
        assert_eq!(stuff(b".x\r\n"), b"..x\r\n.\r\n");
    }

    #[test]
    fn strict_mode_ends_only_at_crlf_dot_crlf() {
        // (wire, body, bytes left after the terminator): each smuggling variant stays text.
        let smuggled = b"MAIL FROM:<x@y>\r\nDATA\r\nevil\r\n.\r\nQUIT\r\n";
        let cases: &[(&[u8], &[u8])] = &[
            (b"hi\n.\n", b"hi\n.\n"),
            (b"hi\n.\r\n", b"hi\n.\r\n"),
            (b"hi\r\n.\n", b"hi\r\n.\n"),
            (b"hi\r\n..\n", b"hi\r\n.\n"),
            (b"hi\r\n", b"hi\r\n"),
        ];
        for (head, text) in cases {
            let wire = [*head, smuggled.as_slice()].concat();
            let mut input = wire.as_slice();
            let event = DataReceiver::strict(1000).ingest(&mut input);
            let mut expected = text.to_vec();
            expected.extend_from_slice(b"MAIL FROM:<x@y>\r\nDATA\r\nevil\r\n");
            assert_eq!(
                event,
                DataEvent::Complete(expected),
                "{:?}",
                String::from_utf8_lossy(head)
            );
            assert_eq!(input, b"QUIT\r\n");
        }
        // The lenient reader ends at the first dot line, as Postfix 3.7 did.
        let mut input: &[u8] = b"hi\n.\nMAIL FROM:<x@y>\r\n";
        let event = DataReceiver::new(1000).ingest(&mut input);
        assert_eq!(event, DataEvent::Complete(b"hi\n".to_vec()));
        // An empty message right after DATA still ends in strict mode.
        let mut input: &[u8] = b".\r\nQUIT\r\n";
        let event = DataReceiver::strict(1000).ingest(&mut input);
        assert_eq!(event, DataEvent::Complete(Vec::new()));
    }

    /// The receiver one byte at a time, as RFC 5321 §4.5.2 reads (and, when `strict`, with a
    /// `.` line next to a bare LF kept as text): the model the bulk copying in `ingest` must
    /// agree with.
    fn byte_by_byte(wire: &[u8], max_size: u64, strict: bool) -> (Option<(Vec<u8>, u64)>, usize) {
        fn keep(bytes: &[u8], body: &mut Vec<u8>, size: &mut u64, max_size: u64) {
            for &byte in bytes {
                *size += 1;
                if *size <= max_size {
                    body.push(byte);
                }
            }
        }
        let (mut body, mut size) = (Vec::new(), 0u64);
        let (mut line_start, mut dot, mut dot_cr) = (true, false, false);
        let (mut crlf_before, mut prev) = (true, b'\n');
        for (i, &byte) in wire.iter().enumerate() {
            if dot && byte == b'\n' && strict {
                keep(b".\n", &mut body, &mut size, max_size);
                (dot, line_start, crlf_before, prev) = (false, true, false, byte);
                continue;
            }
            if dot_cr && byte == b'\n' && strict && !crlf_before {
                keep(b".\r\n", &mut body, &mut size, max_size);
                (dot_cr, line_start, crlf_before, prev) = (false, true, true, byte);
                continue;
            }
            if (dot || dot_cr) && byte == b'\n' {
                return (Some((body, size)), i + 1);
            }
            if dot && byte == b'\r' {
                (dot, dot_cr) = (false, true);
                continue;
            }
            if dot_cr {
                keep(b"\r", &mut body, &mut size, max_size);
                prev = b'\r';
            } else if line_start && byte == b'.' {
                (dot, line_start) = (true, false);
                continue;
            }
            if byte == b'\n' {
                crlf_before = prev == b'\r';
            }
            keep(&[byte], &mut body, &mut size, max_size);
            prev = byte;
            (dot, dot_cr, line_start) = (false, false, byte == b'\n');
        }
        (None, wire.len())
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_byte_by_byte_model(
            wire in proptest::collection::vec(
                proptest::sample::select(vec![b'.', b'\r', b'\n', b'a', b' ']), 0..200),
            split in 0usize..200,
            max_size in 0u64..64,
            strict in proptest::bool::ANY,
        ) {
            let (expected, used) = byte_by_byte(&wire, max_size, strict);
            let split = split.min(wire.len());
            let mut rx = if strict {
                DataReceiver::strict(max_size)
            } else {
                DataReceiver::new(max_size)
            };
            let mut first = &wire[..split];
            let mut event = rx.ingest(&mut first);
            let mut consumed = split - first.len();
            if event == DataEvent::NeedsMoreData {
                let mut second = &wire[split..];
                event = rx.ingest(&mut second);
                consumed = wire.len() - second.len();
            }
            let expected_event = match expected {
                None => DataEvent::NeedsMoreData,
                Some((_, size)) if size > max_size => DataEvent::TooBig { size },
                Some((body, _)) => DataEvent::Complete(body),
            };
            proptest::prop_assert_eq!(event, expected_event);
            proptest::prop_assert_eq!(consumed, used);
        }
    }
}
