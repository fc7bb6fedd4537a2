//! What a report wraps around a pasted dialogue without being part of it: Markdown quote
//! marks (`> C: EHLO x`), an editor's line numbers (`12  C: EHLO x`) and a terminal
//! logger's time stamps (`[10:02:03] C: EHLO x`).
//!
//! Each is taken off a run of consecutive lines only when every line of the run carries it
//! and what is left reads as dialogue in at least one of them, so that a quoted e-mail inside
//! a message body, or reply codes that happen to count up, are left alone. A MAIL or RCPT
//! path copied from HTML source (`MAIL FROM:&lt;a@b&gt;`) gets its brackets back.

use crate::i18n::messages::notes::{DecorationWord, NoteText};
use std::sync::LazyLock;

use regex::Regex;

use super::lines::Line;
use super::notation::is_marked_dialogue;
use crate::protocol::{pop3, smtp};
use crate::session::{Note, NoteKind, Origin};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decoration {
    Quote,
    TimeStamp,
    LineNumber,
}

impl Decoration {
    const ALL: [Decoration; 3] = [
        Decoration::Quote,
        Decoration::TimeStamp,
        Decoration::LineNumber,
    ];

    fn name(self) -> DecorationWord {
        match self {
            Decoration::Quote => DecorationWord::Quote,
            Decoration::TimeStamp => DecorationWord::TimeStamp,
            Decoration::LineNumber => DecorationWord::LineNumber,
        }
    }

    /// The line without this decoration, and the number it carried (line numbers only).
    fn strip(self, text: &str) -> Option<(&str, Option<u64>)> {
        match self {
            Decoration::Quote => {
                // Up to three spaces, then one or more `>` (nested quotes), each with an
                // optional space after it.
                let rest = text.strip_prefix("   ").or_else(|| text.strip_prefix("  "));
                let mut rest = rest.or_else(|| text.strip_prefix(' ')).unwrap_or(text);
                rest = rest.strip_prefix('>')?;
                rest = rest.strip_prefix(' ').unwrap_or(rest);
                while let Some(inner) = rest.strip_prefix('>') {
                    rest = inner.strip_prefix(' ').unwrap_or(inner);
                }
                Some((rest, None))
            }
            Decoration::TimeStamp => {
                let found = TIME_STAMP.find(text)?;
                Some((&text[found.end()..], None))
            }
            Decoration::LineNumber => {
                let caps = LINE_NUMBER.captures(text)?;
                let number = caps[1].parse().ok()?;
                Some((&text[caps[0].len()..], Some(number)))
            }
        }
    }
}

static TIME_STAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*\[?(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T])?\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?\]?(?:\s+|$)",
    )
    .expect("valid regex")
});
static LINE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s{0,6}(\d{1,6})(?:[.:)|]\s*|\s+|$)").expect("valid regex"));

/// Whether a line, decoration taken off, is dialogue: marked, or a reply or status line,
/// possibly under one more decoration (a numbered line inside a quote).
fn reads_as_dialogue(text: &str) -> bool {
    // A bare number is no evidence: POP3 LIST lines (`2 354`) would read as a reply code.
    let dialogue = |text: &str| {
        (text.contains(|c: char| c.is_alphabetic())
            && (smtp::is_reply_line(text) || pop3::parse_status_line(text).is_ok()))
            || is_marked_dialogue(text)
    };
    dialogue(text)
        || Decoration::ALL.iter().any(|inner| {
            inner
                .strip(text)
                .is_some_and(|(rest, _)| rest.len() < text.len() && dialogue(rest))
        })
}

/// The lines with every decoration taken off where it is safe to, and a note for each kind
/// taken off. Line numbers stay those of the file.
pub fn undecorate(lines: &[Line]) -> (Vec<Line>, Vec<Note>) {
    let mut lines = lines.to_vec();
    let mut notes = Vec::new();
    for decoration in Decoration::ALL {
        let mut first_line = None;
        let mut index = 0;
        while index < lines.len() {
            let run = run_at(&lines[index..], decoration);
            if run == 0 {
                index += 1;
                continue;
            }
            let span = index..index + run;
            let stripped: Vec<(String, Option<u64>)> = lines[span.clone()]
                .iter()
                .filter_map(|line| decoration.strip(&line.text))
                .map(|(text, number)| (text.to_string(), number))
                .collect();
            let counts_up = stripped
                .windows(2)
                .all(|pair| match (pair[0].1, pair[1].1) {
                    (Some(a), Some(b)) => b == a + 1,
                    _ => true,
                });
            let enough = match decoration {
                Decoration::Quote => run >= 1 && !between_arrows(&lines, span.clone()),
                Decoration::TimeStamp => run >= 2,
                Decoration::LineNumber => run >= 3 && counts_up,
            };
            if enough && stripped.iter().any(|(text, _)| reads_as_dialogue(text)) {
                first_line.get_or_insert(lines[index].number);
                for (line, (text, _)) in lines[span].iter_mut().zip(stripped) {
                    let cut = line.text.chars().count() - text.chars().count();
                    line.shifted += cut as u32;
                    line.text = text;
                }
            }
            index += run;
        }
        if let Some(number) = first_line {
            notes.push(Note {
                kind: NoteKind::Decoding,
                origin: Origin::line(number),
                detail: NoteText::Decorated {
                    decoration: decoration.name(),
                }
                .text(),
            });
        }
    }
    if let Some(number) = unescape_paths(&mut lines) {
        notes.push(Note {
            kind: NoteKind::Decoding,
            origin: Origin::line(number),
            detail: NoteText::EscapedPath.text(),
        });
    }
    (lines, notes)
}

static ESCAPED_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(MAIL\s+FROM|RCPT\s+TO)(\s*:\s*)&lt;([^<>&\s]*)&gt;").expect("valid regex")
});

/// `MAIL FROM:&lt;a@b&gt;` as a web page shows `MAIL FROM:<a@b>`, turned back: a
/// transcript copied from HTML source would otherwise lose points for a path the student
/// typed right. Only the brackets of a MAIL or RCPT path; the first line changed is given.
fn unescape_paths(lines: &mut [Line]) -> Option<u32> {
    let mut first = None;
    for line in lines.iter_mut() {
        if !line.text.contains("&lt;") {
            continue;
        }
        let fixed = ESCAPED_PATH.replace_all(&line.text, "$1$2<$3>");
        if fixed != line.text {
            first.get_or_insert(line.number);
            line.text = fixed.into_owned();
        }
    }
    first
}

/// Whether `>` lines alternate with `<` lines around them: a pair of direction arrows
/// (`>>> 220 …` / `<<< HELO …`, curl's `>` / `<`), not a Markdown quote.
fn between_arrows(lines: &[Line], span: std::ops::Range<usize>) -> bool {
    let arrow = |line: &Line| {
        let text = line.text.trim_start();
        text.starts_with('<') || text.starts_with("&lt;")
    };
    let before = span.start.checked_sub(1).and_then(|i| lines.get(i));
    before.is_some_and(arrow) || lines.get(span.end).is_some_and(arrow)
}

/// How many lines from the start carry the decoration, one after another.
fn run_at(lines: &[Line], decoration: Decoration) -> usize {
    lines
        .iter()
        .take_while(|line| decoration.strip(&line.text).is_some())
        .count()
}

#[cfg(test)]
mod tests {
    use super::super::lines::split_lines;
    use super::*;

    fn texts(input: &str) -> (Vec<String>, Vec<String>) {
        let (lines, _) = split_lines(input);
        let (lines, notes) = undecorate(&lines);
        (
            lines.into_iter().map(|l| l.text).collect(),
            notes.into_iter().map(|n| n.detail.en).collect(),
        )
    }

    #[test]
    fn arrows_that_alternate_with_lt_lines_are_no_quote_marks() {
        let (lines, notes) = texts(">>> 220 a ESMTP\n<<< HELO b\n>>> 250 ok\n");
        assert_eq!(lines, [">>> 220 a ESMTP", "<<< HELO b", ">>> 250 ok"]);
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn takes_off_quote_marks_numbers_and_time_stamps() {
        let cases: &[(&str, &[&str])] = &[
            (
                "Prose.\n> S: 220 mail.lab.test\n>\n> C: HELO pc\n",
                &["Prose.", "S: 220 mail.lab.test", "", "C: HELO pc"],
            ),
            ("> > 220 hi\n> > HELO pc\n", &["220 hi", "HELO pc"]),
            (
                "1  S: 220 hi\n2  C: HELO pc\n3  S: 250 ok\n",
                &["S: 220 hi", "C: HELO pc", "S: 250 ok"],
            ),
            (
                "09. 220 hi\n10. HELO pc\n11. 250 ok\n",
                &["220 hi", "HELO pc", "250 ok"],
            ),
            (
                "[10:02:03] S: 220 hi\n[10:02:04.512] C: HELO pc\n",
                &["S: 220 hi", "C: HELO pc"],
            ),
            (
                "2024-05-01 10:02:03 +OK ready\n2024-05-01 10:02:04 USER a\n",
                &["+OK ready", "USER a"],
            ),
        ];
        for (input, expected) in cases {
            let (got, notes) = texts(input);
            assert_eq!(&got, expected, "{input:?}");
            assert_eq!(notes.len(), 1, "{input:?}: {notes:?}");
        }
    }

    #[test]
    fn remembers_how_far_each_line_moved() {
        let (lines, _) = split_lines("> 1  S: 220 hi\n> 2  C: HELO pc\n> 3  S: 250 ok\n");
        let (lines, notes) = undecorate(&lines);
        assert_eq!(lines[1].text, "C: HELO pc");
        assert_eq!(lines[1].shifted, 5);
        assert_eq!(notes.len(), 2);
    }

    #[test]
    fn turns_escaped_mail_paths_back() {
        let (got, notes) = texts(
            "C: MAIL FROM:&lt;a@lab.test&gt;\nC: rcpt to: &lt;b@lab.test&gt; NOTIFY=NEVER\nC: body &lt;b&gt; stays\n",
        );
        assert_eq!(
            got,
            [
                "C: MAIL FROM:<a@lab.test>",
                "C: rcpt to: <b@lab.test> NOTIFY=NEVER",
                "C: body &lt;b&gt; stays"
            ]
        );
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn leaves_look_alikes_alone() {
        let cases = [
            // A quoted e-mail inside a message body: nothing in it reads as dialogue.
            "C: DATA\nS: 354 go\nC: > On Monday Bob wrote:\n> > see you\n> thanks\nC: .\n",
            // Reply codes are not line numbers: they do not count up by one.
            "220 hi\nHELO pc\n250 ok\n354 go\n",
            // Two numbered lines are too few to tell.
            "250 ok\n251 ok\n",
            // Codes that count up, but what is left is no dialogue.
            "250 a\n251 b\n252 c\n",
            // A POP3 LIST body: message numbers and sizes.
            "LIST\n+OK 3 messages\n1 250\n2 354\n3 220\n.\n",
        ];
        for input in cases {
            let (got, notes) = texts(input);
            let (lines, _) = split_lines(input);
            let unchanged: Vec<String> = lines.into_iter().map(|l| l.text).collect();
            assert_eq!(got, unchanged, "{input:?}");
            assert!(notes.is_empty(), "{input:?}: {notes:?}");
        }
    }
}
