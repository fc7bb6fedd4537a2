//! Lines kept for the whole process: a step's id and skeleton line, an exchange's skeleton
//! line. Grades share them as [`SharedLine`]s whose clones copy a pointer and count nothing
//! (see [`SharedLine`] for why counting cost).
//!
//! What is kept is bounded ([`MOST_BYTES`]): scenarios name a few hundred lines, a class's
//! sessions a few dozen more, and a capture of made-up commands, or a server reading many
//! scenarios, gets counted lines once the bound is reached instead of memory without end.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use super::model::SharedLine;

/// The most bytes of lines kept, all lines counted once.
const MOST_BYTES: usize = 256 << 10;

struct Kept {
    lines: HashSet<&'static str>,
    bytes: usize,
}

/// Hashed with std's random keys: the lines include what submissions typed.
static KEPT: LazyLock<Mutex<Kept>> = LazyLock::new(|| {
    Mutex::new(Kept {
        lines: HashSet::new(),
        bytes: 0,
    })
});

/// `line`, kept for the process when it is or can still be; counted otherwise.
pub fn line(line: &str) -> SharedLine {
    // A thread that panicked holding the lock left the set whole: it only inserts.
    let mut kept = KEPT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&known) = kept.lines.get(line) {
        return SharedLine::kept(known);
    }
    if kept.bytes + line.len() > MOST_BYTES {
        return SharedLine::from(line);
    }
    let leaked: &'static str = Box::leak(Box::from(line));
    kept.bytes += leaked.len();
    kept.lines.insert(leaked);
    SharedLine::kept(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_equal_line_is_kept_once_and_read_back_whole() {
        let first = line("EHLO|HELO → 250");
        let second = line(&String::from("EHLO|HELO → 250"));
        assert_eq!(first, "EHLO|HELO → 250");
        assert_eq!(first.as_ptr(), second.as_ptr());
    }

    #[test]
    fn past_the_bound_a_line_is_counted_not_kept() {
        let huge = "x".repeat(MOST_BYTES + 1);
        let shared = line(&huge);
        assert_eq!(&*shared, huge.as_str());
        let again = line(&huge);
        assert_ne!(
            shared.as_ptr(),
            again.as_ptr(),
            "two counted copies, none kept"
        );
    }
}
