//! Dot-stuffing (RFC 5321 §4.5.2, RFC 1939 §3): the SMTP message after DATA and the POP3
//! multi-line body end at a line holding only `.`, and a line that starts with `.` gets
//! one more in front. Bare LF line ends are tolerated both in the body and around the dot.

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
}

impl DataReceiver {
    pub fn new(max_size: u64) -> Self {
        DataReceiver {
            body: Vec::new(),
            size: 0,
            max_size,
            at: At::LineStart,
        }
    }

    /// Takes bytes from the front of `input` up to and including the terminating `.` line;
    /// bytes after it (a pipelined command) stay in `input`.
    pub fn ingest(&mut self, input: &mut &[u8]) -> DataEvent {
        let bytes = *input;
        let mut used = 0;
        let mut done = false;
        while used < bytes.len() && !done {
            if self.at == At::Middle {
                // The rest of a line is body as it stands: copied in one go up to its end.
                let rest = &bytes[used..];
                let line = memchr::memchr(b'\n', rest).map_or(rest.len(), |end| end + 1);
                self.push_all(&rest[..line]);
                if rest[line - 1] == b'\n' {
                    self.at = At::LineStart;
                }
                used += line;
                continue;
            }
            let byte = bytes[used];
            used += 1;
            match (self.at, byte) {
                (At::LineStart, b'.') => self.at = At::Dot,
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
        *self = DataReceiver::new(self.max_size);
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
        *self = DataReceiver::new(self.max_size);
        body
    }

    fn push_text(&mut self, byte: u8) {
        self.push_all(&[byte]);
        self.at = if byte == b'\n' {
            At::LineStart
        } else {
            At::Middle
        };
    }

    /// Counts `bytes` and keeps what fits under the limit.
    fn push_all(&mut self, bytes: &[u8]) {
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

    /// The receiver one byte at a time, as RFC 5321 §4.5.2 reads: the model the bulk
    /// copying in `ingest` must agree with.
    fn byte_by_byte(wire: &[u8], max_size: u64) -> (Option<(Vec<u8>, u64)>, usize) {
        fn keep(byte: u8, body: &mut Vec<u8>, size: &mut u64, max_size: u64) {
            *size += 1;
            if *size <= max_size {
                body.push(byte);
            }
        }
        let (mut body, mut size) = (Vec::new(), 0u64);
        let (mut line_start, mut dot, mut dot_cr) = (true, false, false);
        for (i, &byte) in wire.iter().enumerate() {
            if (dot || dot_cr) && byte == b'\n' {
                return (Some((body, size)), i + 1);
            }
            if dot && byte == b'\r' {
                (dot, dot_cr) = (false, true);
                continue;
            }
            if dot_cr {
                keep(b'\r', &mut body, &mut size, max_size);
            } else if line_start && byte == b'.' {
                (dot, line_start) = (true, false);
                continue;
            }
            keep(byte, &mut body, &mut size, max_size);
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
        ) {
            let (expected, used) = byte_by_byte(&wire, max_size);
            let split = split.min(wire.len());
            let mut rx = DataReceiver::new(max_size);
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
