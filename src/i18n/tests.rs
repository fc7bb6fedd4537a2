//! Every message exists in both languages and says the same things in both. (`build.rs`
//! already refuses a message with a text missing; `CATALOGUES` lists every catalogue file.)

use std::collections::{BTreeSet, HashSet};

use super::messages::CATALOGUES;
use super::{Lang, Piece, Template};

/// The `{name}`s of a format string (`{{` is a brace, `{name:…}` a name with a format).
fn placeholders(text: &str) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix('{') {
            rest = after;
            continue;
        }
        let close = rest.find('}').unwrap_or(rest.len());
        names.insert(rest[..close].split(':').next().unwrap_or_default());
        rest = &rest[close..];
    }
    names
}

/// Chinese text: an ideograph, or CJK or full-width punctuation.
fn is_chinese(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

/// What is wrong with a message, if anything.
fn problems(template: &Template) -> Vec<String> {
    let mut problems = Vec::new();
    if template.en.trim().is_empty() {
        problems.push("no English text".to_string());
    }
    if !template.zh_cn.chars().any(is_chinese) {
        problems.push(format!("no zh-CN text: {:?}", template.zh_cn));
    }
    let (en, zh) = (placeholders(template.en), placeholders(template.zh_cn));
    for missing in en.difference(&zh) {
        problems.push(format!("the zh-CN text leaves out {{{missing}}}"));
    }
    for name in en.union(&zh) {
        if !template.args.contains(name) {
            problems.push(format!("{{{name}}} is no argument of the message"));
        }
    }
    problems
}

#[test]
fn every_message_has_its_zh_cn_text_with_the_same_arguments() {
    let mut wrong = Vec::new();
    for template in CATALOGUES.iter().flat_map(|c| c.iter()) {
        for problem in problems(template) {
            wrong.push(format!(
                "{}::{}: {problem}",
                template.catalogue, template.id
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_check_finds_a_missing_or_untranslated_text_and_a_lost_argument() {
    let template = |en, zh_cn| Template {
        catalogue: "Test",
        id: "Example",
        args: &["code"],
        en,
        zh_cn,
    };
    assert!(problems(&template("Refused ({code}).", "被拒绝（{code}）。")).is_empty());
    assert_eq!(problems(&template("Refused ({code}).", "")).len(), 2);
    assert_eq!(
        problems(&template("Refused ({code}).", "Refused ({code}).")).len(),
        1
    );
    assert_eq!(
        problems(&template("Refused ({code}).", "被拒绝。")),
        ["the zh-CN text leaves out {code}"]
    );
    assert_eq!(
        problems(&template("Refused.", "被拒绝（{reply}）。")),
        ["{reply} is no argument of the message"]
    );
    assert_eq!(
        placeholders("{{literal}} {a} {b:>3} }}"),
        BTreeSet::from(["a", "b"])
    );
}

#[test]
fn message_ids_are_unique() {
    let mut seen = HashSet::new();
    for template in CATALOGUES.iter().flat_map(|c| c.iter()) {
        assert!(
            seen.insert((template.catalogue, template.id)),
            "{}::{} twice",
            template.catalogue,
            template.id
        );
    }
    let names: HashSet<&str> = CATALOGUES
        .iter()
        .filter_map(|c| c.first())
        .map(|t| t.catalogue)
        .collect();
    assert_eq!(names.len(), CATALOGUES.len(), "a catalogue listed twice");
}

/// Every text cut at its arguments reads as written again when each argument's place is
/// filled with `{name}`; only texts with an escaped brace or a format spec are not cut.
#[test]
fn every_text_cut_at_its_arguments_reads_as_written() {
    let mut cut = 0;
    for template in CATALOGUES.iter().flat_map(|c| c.iter()) {
        for (lang, text) in [(Lang::En, template.en), (Lang::ZhCn, template.zh_cn)] {
            let Some(pieces) = template.pieces(lang) else {
                assert!(
                    text.contains("{{") || text.contains(':') && text.contains('{'),
                    "{}::{} not cut: {text:?}",
                    template.catalogue,
                    template.id
                );
                continue;
            };
            cut += 1;
            let again: String = pieces
                .iter()
                .map(|piece| match piece {
                    Piece::Text(text) => text.to_string(),
                    Piece::Arg(name) => format!("{{{name}}}"),
                })
                .collect();
            assert_eq!(again, text, "{}::{}", template.catalogue, template.id);
        }
    }
    assert!(cut > 100, "only {cut} texts cut");
}
