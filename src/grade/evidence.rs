use super::model::Evidence;
use crate::i18n::messages::grade::{EvidenceText, EvidenceWord};
use crate::i18n::Lang;
use crate::session::{Exchange, Origin, Session};

/// Where an exchange is: its command's origin, else its reply's (the greeting).
pub fn origin_of(exchange: &Exchange) -> Origin {
    exchange
        .command
        .as_ref()
        .map(|command| command.origin)
        .or_else(|| exchange.reply.as_ref().map(|reply| reply.origin))
        .unwrap_or_default()
}

/// Evidence pointing at exchange `index` of `session`, shown as its skeleton line.
pub fn evidence(session: &Session, index: usize) -> Option<Evidence> {
    let exchange = session.exchanges.get(index)?;
    Some(Evidence {
        source: session.source.path.clone(),
        origin: origin_of(exchange),
        exchange: exchange.skeleton_line(),
    })
}

/// How `replay-integrity` writes a claimed exchange beside its replayed one, in English: the
/// form evidence keeps, which [`skeleton_in`] reads back.
pub fn with_replayed(claimed: String, replayed: String) -> String {
    EvidenceText::Replayed { claimed, replayed }.render(Lang::En)
}

/// Evidence's skeleton line (`RCPT → 503`, `message → (no reply)`, `AUTH → 504 (replayed:
/// AUTH → 334)`) in `lang`: verbs and codes stay, the words around them are translated.
/// Evidence keeps one string (the JSON report's `exchange`), so its words are found again
/// here rather than kept twice.
pub fn skeleton_in(line: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return line.to_string();
    }
    let replayed = line
        .split_once(REPLAYED)
        .and_then(|(claimed, rest)| Some((claimed, rest.strip_suffix(')')?)));
    match replayed {
        Some((claimed, replayed)) => EvidenceText::Replayed {
            claimed: one_line_in(claimed, lang),
            replayed: one_line_in(replayed, lang),
        }
        .render(lang),
        None => one_line_in(line, lang),
    }
}

/// What [`with_replayed`] puts between the two lines.
const REPLAYED: &str = " (replayed: ";

/// One skeleton line in `lang`: only a missing reply has words.
fn one_line_in(line: &str, lang: Lang) -> String {
    const NO_REPLY: &str = "(no reply)";
    match line.strip_suffix(NO_REPLY) {
        Some(head) => format!("{head}{}", EvidenceWord::NoReply.get(lang)),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replayed_pair_reads_in_each_language() {
        let line = with_replayed("AUTH → 504".into(), "AUTH → (no reply)".into());
        assert_eq!(line, "AUTH → 504 (replayed: AUTH → (no reply))");
        assert_eq!(skeleton_in(&line, Lang::En), line);
        assert_eq!(
            skeleton_in(&line, Lang::ZhCn),
            "AUTH → 504（重放：AUTH → （无回复））"
        );
        assert_eq!(
            skeleton_in("message → (no reply)", Lang::ZhCn),
            "message → （无回复）"
        );
        assert_eq!(skeleton_in("RCPT → 503", Lang::ZhCn), "RCPT → 503");
    }
}
