//! A session's skeleton (`EHLO → 250`, …) in bounded memory: ten million NOOPs must not
//! make a ten-million-line record, nor a log line of hundreds of megabytes.

use std::collections::VecDeque;
use std::fmt;

/// The first [`HEAD`](Self::HEAD) exchanges of a session and its last
/// [`TAIL`](Self::TAIL), with a count of those in between that were not kept.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Skeleton {
    head: Vec<String>,
    tail: VecDeque<String>,
    omitted: u64,
}

impl Skeleton {
    /// Exchanges kept from the start: every lab dialogue fits.
    pub const HEAD: usize = 100;
    /// Exchanges kept from the end: how the session ended.
    pub const TAIL: usize = 20;

    pub fn push(&mut self, line: String) {
        if self.head.len() < Self::HEAD {
            self.head.push(line);
            return;
        }
        if self.tail.len() == Self::TAIL {
            self.tail.pop_front();
            self.omitted += 1;
        }
        self.tail.push_back(line);
    }

    /// The exchanges kept, in order (the omitted ones fall between head and tail).
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.head.iter().chain(self.tail.iter()).map(String::as_str)
    }

    /// Exchanges left out of [`lines`](Self::lines).
    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    /// Exchanges in the session, kept or not.
    pub fn total(&self) -> u64 {
        (self.head.len() + self.tail.len()) as u64 + self.omitted
    }
}

/// `greeting → 220, EHLO → 250, …` with `… (N more exchanges not shown) …` where some were
/// left out.
impl fmt::Display for Skeleton {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut item = |f: &mut fmt::Formatter<'_>, text: &dyn fmt::Display| {
            let separator = if first { "" } else { ", " };
            first = false;
            write!(f, "{separator}{text}")
        };
        for line in &self.head {
            item(f, line)?;
        }
        if self.omitted > 0 {
            let gap = format!("… ({} more exchanges not shown) …", self.omitted);
            item(f, &gap)?;
        }
        for line in &self.tail {
            item(f, line)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_start_and_the_end_and_counts_the_rest() {
        let mut short = Skeleton::default();
        short.push("greeting → 220".into());
        short.push("QUIT → 221".into());
        assert_eq!(short.to_string(), "greeting → 220, QUIT → 221");

        let mut long = Skeleton::default();
        for n in 0..1_000_000u32 {
            long.push(format!("NOOP{n} → 250"));
        }
        assert_eq!(long.total(), 1_000_000);
        assert_eq!(
            long.omitted(),
            1_000_000 - (Skeleton::HEAD + Skeleton::TAIL) as u64
        );
        let lines: Vec<&str> = long.lines().collect();
        assert_eq!(lines.len(), Skeleton::HEAD + Skeleton::TAIL);
        assert_eq!(lines[0], "NOOP0 → 250");
        assert_eq!(lines[lines.len() - 1], "NOOP999999 → 250");
        let text = long.to_string();
        assert!(
            text.contains("NOOP99 → 250, … (999880 more exchanges not shown) …, NOOP999980 → 250")
        );
        assert!(text.len() < 4096, "{} bytes", text.len());
    }
}
