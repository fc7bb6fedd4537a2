use std::sync::Arc;

use super::align::MAX_EXCHANGES;
use super::model::Evidence;
use crate::i18n::messages::grade::{EvidenceText, EvidenceWord};
use crate::i18n::Lang;
use crate::session::{Command, Exchange, Origin, ReplyCode, Session};

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
        exchange: skeleton_line(exchange),
    })
}

/// [`Exchange::skeleton_line`] (`EHLO → 250`), the same bytes written without the formatting
/// machinery: a grade writes one per diff line and per piece of evidence, and `format!` was
/// most of what those cost.
pub fn skeleton_line(exchange: &Exchange) -> String {
    let mut line = String::new();
    push_skeleton_line(&mut line, exchange);
    line
}

fn push_skeleton_line(line: &mut String, exchange: &Exchange) {
    let label = exchange.command.as_ref().map_or("greeting", Command::label);
    line.reserve(label.len() + " → ".len() + "(no reply)".len());
    line.push_str(label);
    line.push_str(" → ");
    match exchange.reply.as_ref().map(|reply| reply.code) {
        Some(ReplyCode::Smtp(code)) => push_decimal(line, code.value()),
        Some(ReplyCode::Pop3(status)) => line.push_str(crate::protocol::pop3::indicator(status)),
        None => line.push_str("(no reply)"),
    }
}

/// `value` in decimal, as `Display` writes it.
fn push_decimal(line: &mut String, value: u16) {
    let mut digits = [0u8; 5];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[at..] {
        line.push(char::from(digit));
    }
}

/// A session's skeleton lines, each written once for the grade kept (its diff shows every
/// exchange aligned, and evidence points at many of them again) and shared by the diff lines.
pub struct SkeletonLines<'a> {
    session: &'a Session,
    /// One per exchange aligned (the first [`MAX_EXCHANGES`]).
    lines: Vec<Arc<str>>,
}

impl<'a> SkeletonLines<'a> {
    pub fn new(session: &'a Session) -> Self {
        let aligned = &session.exchanges[..session.exchanges.len().min(MAX_EXCHANGES)];
        let mut buffer = String::new();
        let lines = aligned
            .iter()
            .map(|exchange| {
                buffer.clear();
                push_skeleton_line(&mut buffer, exchange);
                Arc::from(buffer.as_str())
            })
            .collect();
        SkeletonLines { session, lines }
    }

    /// The line of exchange `index`, which the alignment took or left as an extra.
    pub fn shared(&self, index: usize) -> Arc<str> {
        Arc::clone(&self.lines[index])
    }

    /// The line of exchange `index`, as [`skeleton_line`] writes it.
    pub fn line(&self, index: usize) -> String {
        match self.lines.get(index) {
            // Not `to_string`, which goes through `Display` for an `Arc<str>`.
            Some(line) => String::from(&**line),
            None => skeleton_line(&self.session.exchanges[index]),
        }
    }

    /// [`evidence`], its line taken from here.
    pub fn evidence(&self, index: usize) -> Option<Evidence> {
        let exchange = self.session.exchanges.get(index)?;
        Some(Evidence {
            source: self.session.source.path.clone(),
            origin: origin_of(exchange),
            exchange: self.line(index),
        })
    }
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

    /// The fast writer gives `Exchange::skeleton_line`'s bytes for every kind of exchange.
    #[test]
    fn skeleton_lines_are_those_of_the_exchange() {
        let transcripts = [
            "S: 220 lab.test ESMTP\nC: EHLO pc\nS: 250 lab.test\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n\
             C: c3R1ZGVudA==\nS: 334 UGFzc3dvcmQ6\nC: *\nS: 501 cancelled\nC: MAIL FROM:<a@b>\n\
             S: 250 Ok\nC: RCPT TO:<b@c>\nS: 250 Ok\nC: DATA\nS: 354 go\nC: Subject: x\nC:\nC: hi\n\
             C: .\nS: 250 queued\nC: XYZZY\nS: 502 what\nC: QUIT\n",
            "S: +OK POP3 ready\nC: USER student\nS: +OK\nC: PASS secret\nS: -ERR no\nC: STAT\n",
        ];
        let mut seen = 0;
        for text in transcripts {
            let sessions =
                crate::ingest::read_bytes(std::path::Path::new("t.txt"), text.as_bytes())
                    .map(|read| read.sessions)
                    .unwrap_or_default();
            for session in &sessions {
                let lines = SkeletonLines::new(session);
                for (index, exchange) in session.exchanges.iter().enumerate() {
                    assert_eq!(skeleton_line(exchange), exchange.skeleton_line());
                    assert_eq!(&*lines.shared(index), exchange.skeleton_line());
                    assert_eq!(lines.evidence(index), evidence(session, index));
                    seen += 1;
                }
            }
        }
        assert!(seen >= 8, "{seen} exchanges");
        for value in [0, 7, 10, 99, 250, 354, 1000, u16::MAX] {
            let mut line = String::new();
            push_decimal(&mut line, value);
            assert_eq!(line, value.to_string());
        }
    }

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
