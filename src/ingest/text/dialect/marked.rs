//! Transcripts whose lines say their side: `C:` / `S:` (any case, full-width `：`, `>`),
//! `Client:` / `Server:`, `客户端：` / `服务器：`, and swaks' ` -> ` / `<-  ` arrows.
//! Wireshark's Info-column style (`C: User: …`, `C: DATA fragment, N bytes`, ` | `-joined
//! replies) is this dialect too; the assembler reads those summaries.

use std::sync::LazyLock;

use regex::Regex;

use crate::protocol::Direction;

use super::super::event::{column_of, Event, Located};
use super::super::lines::Line;

static MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(c|s|client|server|客户端|服务器|服务端)\s?[:：>]").expect("valid regex")
});
static ARROW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ ?(->|~>|<-|<~)(?: |$)").expect("valid regex"));

/// The side a line is marked with and the text after the mark (one space after it dropped).
pub fn mark(line: &str) -> Option<(Direction, &str)> {
    if let Some(caps) = MARK.captures(line).filter(|caps| {
        // `C:\Users\student>` is a Windows prompt, not a client line.
        !line[caps[0].len()..].starts_with(['\\', '/'])
    }) {
        let who = caps[1].to_lowercase();
        let direction = if who.starts_with('c') || who == "客户端" {
            Direction::Client
        } else {
            Direction::Server
        };
        let rest = &line[caps[0].len()..];
        let rest = rest
            .strip_prefix(' ')
            .or_else(|| rest.strip_prefix('\u{3000}'))
            .unwrap_or(rest);
        return Some((direction, rest));
    }
    let caps = ARROW.captures(line)?;
    let direction = match &caps[1] {
        "->" | "~>" => Direction::Client,
        _ => Direction::Server,
    };
    let rest = &line[caps[0].len()..];
    // swaks pads server arrows to the width of client ones: `<-  220`, ` -> EHLO`.
    let rest = match direction {
        Direction::Server => rest.strip_prefix(' ').unwrap_or(rest),
        Direction::Client => rest,
    };
    Some((direction, rest))
}

/// How many lines of a region carry a mark, on each side.
pub fn count_marks(lines: &[Line]) -> (usize, usize) {
    lines
        .iter()
        .fold((0, 0), |(c, s), line| match mark(&line.text) {
            Some((Direction::Client, _)) => (c + 1, s),
            Some((Direction::Server, _)) => (c, s + 1),
            None => (c, s),
        })
}

pub fn read(lines: &[Line]) -> Vec<Located> {
    lines
        .iter()
        .map(|line| {
            let (event, text) = match mark(&line.text) {
                Some((direction, text)) => (
                    Event::Line {
                        direction,
                        text: text.to_string(),
                    },
                    text,
                ),
                None => (
                    Event::Unmarked {
                        text: line.text.clone(),
                        infer: false,
                    },
                    line.text.as_str(),
                ),
            };
            Located::new(event, line.number, column_of(&line.text, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_mark() {
        let cases = [
            ("C: EHLO x", Some((Direction::Client, "EHLO x"))),
            ("S: 250 OK", Some((Direction::Server, "250 OK"))),
            ("c: telnet h 25", Some((Direction::Client, "telnet h 25"))),
            ("s:220 hi", Some((Direction::Server, "220 hi"))),
            ("S：221 Bye", Some((Direction::Server, "221 Bye"))),
            ("C> QUIT", Some((Direction::Client, "QUIT"))),
            ("Client: HELO a", Some((Direction::Client, "HELO a"))),
            ("服务器：250 OK", Some((Direction::Server, "250 OK"))),
            ("客户端: HELO a", Some((Direction::Client, "HELO a"))),
            ("C: ", Some((Direction::Client, ""))),
            ("C:", Some((Direction::Client, ""))),
            (
                " -> EHLO client.lab.test",
                Some((Direction::Client, "EHLO client.lab.test")),
            ),
            (
                "<-  250-mail.lab.test",
                Some((Direction::Server, "250-mail.lab.test")),
            ),
            (" -> \tby mail", Some((Direction::Client, "\tby mail"))),
            ("Subject: hi", None),
            ("C:\\Users\\stu>telnet smtp.163.com 25", None),
            ("C:/Users/stu$ nc a 25", None),
            ("Server said hello", None),
            ("C3R1ZGVudA==", None),
        ];
        for (line, expected) in cases {
            assert_eq!(mark(line), expected, "{line:?}");
        }
    }
}
