//! A first look for a session's secrets, far cheaper than the automaton, that never misses one.
//!
//! Nearly every text the pass looks at holds no secret: reply lines, message and POP3 bodies.
//! The automaton reads each of them byte by byte (issue 18: most of the pass's cost, bodies
//! half of it). A session has one to three secret values, though, and each holds a byte that
//! is rare in mail text (`-`, `=`, a digit). The sieve takes one such byte of each value, at a
//! known offset, and searches with `memchr` (many bytes per instruction) for at most three
//! bytes, both ASCII cases of a letter counted apart. At each hit it compares the value
//! around it, ASCII case ignored, as the automaton does. Every occurrence of a value holds
//! its chosen byte at its offset, so a text the sieve passes holds no secret; one it stops
//! is handed to the automaton, which alone decides what is replaced.

/// Most bytes searched for at once: what `memchr3` takes.
const MAX_NEEDLES: usize = 3;
/// Texts shorter than this (reply lines, arguments: most texts) are read a byte at a time
/// against a table: `memchr`'s set-up costs more than the whole line.
const SHORT: usize = 64;

/// One value and where in it the byte searched for sits.
#[derive(Debug)]
struct Probe {
    value: Box<[u8]>,
    at: usize,
}

/// The bytes searched for and the values each hit is checked against.
#[derive(Debug)]
pub struct Sieve {
    needles: Vec<u8>,
    /// `needles` as a table, for short texts.
    is_needle: [bool; 256],
    probes: Vec<Probe>,
    /// The fewest bytes any value has before its chosen byte, and from it to its end: a hit
    /// nearer a text's start or end than these has no room for a value around it, so those
    /// bytes (a good part of a short line) are not looked at.
    lead: usize,
    tail: usize,
}

impl Sieve {
    /// The sieve of `values`, or `None` when their rare bytes are more than [`MAX_NEEDLES`]
    /// (many secrets, or values of nothing but common letters): the automaton alone then.
    pub fn new(values: &[String]) -> Option<Sieve> {
        let mut sieve = Sieve {
            needles: Vec::with_capacity(MAX_NEEDLES),
            is_needle: [false; 256],
            probes: Vec::with_capacity(values.len()),
            lead: usize::MAX,
            tail: usize::MAX,
        };
        for value in values {
            let value = value.as_bytes();
            let at = sieve.rarest(value)?;
            for byte in cases(value[at]) {
                if !sieve.needles.contains(&byte) {
                    sieve.needles.push(byte);
                    sieve.is_needle[usize::from(byte)] = true;
                }
            }
            if sieve.needles.len() > MAX_NEEDLES {
                return None;
            }
            sieve.lead = sieve.lead.min(at);
            sieve.tail = sieve.tail.min(value.len() - at);
            sieve.probes.push(Probe {
                value: value.into(),
                at,
            });
        }
        Some(sieve)
    }

    /// The offset of `value`'s byte to search for: the rarest, a letter counted a little
    /// commoner (its two cases take two of the three places); of equals, a byte already
    /// searched for (it costs nothing more), then one that is no letter.
    fn rarest(&self, value: &[u8]) -> Option<usize> {
        let cost = |byte: u8| {
            let letter = byte.is_ascii_alphabetic();
            let shared = self.needles.contains(&byte);
            (commonness(byte) + u8::from(letter), !shared, letter)
        };
        (0..value.len()).min_by_key(|&at| cost(value[at]))
    }

    /// Whether `haystack` holds one of the values, ASCII case ignored: exactly when the
    /// automaton would find a match.
    pub fn finds(&self, haystack: &[u8]) -> bool {
        // Hits can lie only in `lead..end`: `hit + tail <= haystack.len()`.
        let end = (haystack.len() + 1).saturating_sub(self.tail);
        let Some(window) = haystack.get(self.lead..end) else {
            return false;
        };
        let holds = |at: usize| self.holds(haystack, self.lead + at);
        if window.len() < SHORT {
            return (window.iter().enumerate())
                .any(|(at, &byte)| self.is_needle[usize::from(byte)] && holds(at));
        }
        match *self.needles.as_slice() {
            [a] => memchr::memchr_iter(a, window).any(holds),
            [a, b] => memchr::memchr2_iter(a, b, window).any(holds),
            [a, b, c] => memchr::memchr3_iter(a, b, c, window).any(holds),
            _ => unreachable!("a sieve searches for one to three bytes"),
        }
    }

    /// Whether a value whose chosen byte is `haystack[hit]` occurs there.
    fn holds(&self, haystack: &[u8], hit: usize) -> bool {
        let byte = haystack[hit];
        self.probes.iter().any(|probe| {
            probe.value[probe.at].eq_ignore_ascii_case(&byte)
                && hit
                    .checked_sub(probe.at)
                    .and_then(|start| haystack.get(start..start + probe.value.len()))
                    .is_some_and(|window| window.eq_ignore_ascii_case(&probe.value))
        })
    }
}

/// A byte in both ASCII cases (once when it has no case).
fn cases(byte: u8) -> impl Iterator<Item = u8> {
    let other = if byte.is_ascii_alphabetic() {
        Some(byte ^ 0x20)
    } else {
        None
    };
    std::iter::once(byte).chain(other)
}

/// How often a byte turns up in mail text, coarsely: lower is rarer. Only the choice of byte
/// depends on it, never what is found.
fn commonness(byte: u8) -> u8 {
    match byte.to_ascii_lowercase() {
        b' ' | b'\r' | b'\n' | b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' | b'h' => 9,
        b'l' | b'd' | b'c' | b'u' | b'm' | b'f' | b'p' | b'g' | b'w' | b'y' | b'b' => 8,
        b'.' | b',' | b'v' | b'k' | b'0' | b'1' | b'2' => 7,
        b'3'..=b'9' | b'-' | b':' | b'<' | b'>' | b'@' | b'/' | b'\t' | b'=' => 6,
        b'x' | b'j' | b'q' | b'z' | b'"' | b'\'' | b'(' | b')' | b';' | b'_' => 5,
        b'!'..=b'~' => 4,
        // Controls and bytes outside ASCII: in a secret, rare in text.
        _ => 3,
    }
}
