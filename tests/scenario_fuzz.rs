//! Loading never panics: built-in scenario texts with random edits either load or give
//! errors, each with a position inside the file.

use mailgrade::diagnostic::Style;
use mailgrade::scenario;
use proptest::prelude::*;

const TEXT: &str = include_str!("../scenarios/smtp-client-send.yaml");
const PIECES: &[&str] = &[
    "",
    " ",
    "\n",
    ":",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "'",
    "\"",
    "&a ",
    "*a",
    "#",
    "EHL0",
    "6xx",
    "repeat: 1..",
    "optional: true",
    "  ",
    "\t",
    "中",
    "points: x",
    "|\n  ",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn edited_scenarios_load_or_explain(edits in proptest::collection::vec((0usize..10_000, 0usize..40, 0usize..PIECES.len()), 1..6)) {
        let mut text = TEXT.to_string();
        for (at, cut, piece) in edits {
            let chars: Vec<char> = text.chars().collect();
            let at = at % (chars.len() + 1);
            let end = (at + cut % 8).min(chars.len());
            text = chars[..at].iter().collect::<String>() + PIECES[piece] + &chars[end..].iter().collect::<String>();
        }
        if let Err(errors) = scenario::load_str("edited.yaml", &text) {
            prop_assert!(!errors.errors.is_empty());
            let lines = text.lines().count() as u32 + 1;
            for error in &errors.errors {
                if let Some(span) = error.span {
                    prop_assert!(span.line >= 1 && span.line <= lines, "{:?} in {} lines", span, lines);
                }
            }
            let rendered = errors.render(Style::Plain);
            prop_assert!(rendered.contains("could not load scenario"));
        }
    }
}
