//! What argument patterns said of arguments a thread has met before: a class's sessions
//! type many of the same arguments (`LOGIN`, `TO:<teacher@lab.test>`), and running a step's
//! pattern on them again was most of what checking arguments still cost after
//! [`ArgsSeen`](super::align::ArgsSeen) shared the answers within a session.

use std::cell::RefCell;
use std::hash::BuildHasher;

use crate::scenario::Step;
use crate::session::{Command, Exchange};

/// Answers a thread keeps: a hash of pattern and arguments picks a set of two, the one
/// answered last first. A lab's arguments that repeat are a handful; two ways keep two of
/// them that hash alike, and arguments met once (each student's MAIL FROM) push out only
/// the older answer of their set.
const SETS: usize = 64;

/// Arguments longer than this are matched, not kept (an address is a few dozen bytes).
const LONGEST: usize = 128;

/// One answer: a pattern's text, the arguments it was run on, whether they fit.
#[derive(Default)]
struct Known {
    pattern: String,
    args: String,
    fits: bool,
}

thread_local! {
    static KNOWN: RefCell<Vec<Option<Known>>> = const { RefCell::new(Vec::new()) };
}

/// The text [`Step::args_fit`] matches the step's pattern against: the command's arguments,
/// or nothing.
fn args_text(exchange: &Exchange) -> &str {
    exchange
        .command
        .as_ref()
        .and_then(Command::args)
        .map_or("", |args| args.text.as_str())
}

/// `step.args_fit(exchange)` for a step whose pattern's text is `pattern`, answered again
/// when this thread ran the same pattern on the same arguments before. A step's `Regex` is
/// built from its text alone, so equal texts answer alike.
pub(super) fn args_fit(step: &Step, pattern: &str, exchange: &Exchange) -> bool {
    let args = args_text(exchange);
    if args.len() > LONGEST {
        return step.args_fit(exchange);
    }
    KNOWN.with(|known| {
        let Ok(mut known) = known.try_borrow_mut() else {
            return step.args_fit(exchange);
        };
        if known.is_empty() {
            known.resize_with(2 * SETS, || None);
        }
        let hash = foldhash::fast::FixedState::default().hash_one((pattern, args));
        let set = 2 * (hash % SETS as u64) as usize;
        let ways = &mut known[set..set + 2];
        for way in 0..2 {
            if let Some(answer) = ways[way].as_ref() {
                if answer.pattern == pattern && answer.args == args {
                    let fits = answer.fits;
                    ways.swap(0, way);
                    return fits;
                }
            }
        }
        let fits = step.args_fit(exchange);
        // The older answer is written over (its strings reused) and put first.
        ways.swap(0, 1);
        let answer = ways[0].get_or_insert_with(|| Known {
            // Room for any arguments kept, so that writing over an answer never grows it.
            args: String::with_capacity(LONGEST),
            ..Known::default()
        });
        answer.pattern.clear();
        answer.pattern.push_str(pattern);
        answer.args.clear();
        answer.args.push_str(args);
        answer.fits = fits;
        fits
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers kept and answers run agree, for arguments that repeat, that collide in a slot,
    /// that are absent or too long to keep.
    #[test]
    fn answers_as_the_pattern_does() {
        let long = format!("TO:<{}@lab.test>", "a".repeat(LONGEST));
        let mut text = String::from("S: 220 lab.test ESMTP\nC: EHLO pc\nS: 250 ok\n");
        for n in 0..6 * SETS {
            text.push_str(&format!("C: RCPT TO:<s{}@lab.test>\nS: 250 ok\n", n % 90));
        }
        text.push_str(&format!(
            "C: RCPT {long}\nS: 250 ok\nC: RCPT TO: x@y\nS: 501 no\n"
        ));
        text.push_str("C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: DATA\nS: 354 go\n");
        let sessions = crate::ingest::read_bytes(std::path::Path::new("t.txt"), text.as_bytes())
            .map(|read| read.sessions)
            .unwrap_or_default();
        let scenarios = crate::scenario::builtins();
        let steps: Vec<&Step> = scenarios
            .iter()
            .flat_map(|scenario| &scenario.steps)
            .filter(|step| step.args.is_some())
            .collect();
        let mut asked = 0;
        for _ in 0..2 {
            for session in &sessions {
                for exchange in &session.exchanges {
                    for step in &steps {
                        let pattern = step.args.as_ref().map_or("", |p| p.as_str());
                        let fits = args_fit(step, pattern, exchange);
                        assert_eq!(fits, step.args_fit(exchange), "{pattern} {exchange:?}");
                        asked += 1;
                    }
                }
            }
        }
        assert!(asked > 8 * SETS, "{asked}");
    }
}
