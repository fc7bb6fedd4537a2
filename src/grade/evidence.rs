use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use super::align::{Said, MAX_EXCHANGES};
use super::intern;
use super::model::{Evidence, SharedLine, SharedPath};
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
        source: SharedPath::from(session.source.path.as_path()),
        origin: origin_of(exchange),
        exchange: SharedLine::from(skeleton_line(exchange)),
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

/// The most distinct skeleton lines a thread keeps for sharing: a lab's sessions use a few
/// dozen (`MAIL → 250`, `RCPT → 550`), and a capture of made-up commands should not make
/// the set grow without end.
const MAX_SHARED_LINES: usize = 1024;

/// The set of lines shared, hashed by [`LineHasher`].
type SharedLines = HashSet<SharedLine, BuildHasherDefault<LineHasher>>;

/// What a skeleton line says, when it names no free word: what was sent (a [`Said::bit`],
/// a special or a verb, whose label is its name) and the reply code. Equal keys are equal
/// lines.
type LineKey = (u32, Option<ReplyCode>);

/// The lines shared, by key.
type KeyedLines = HashMap<LineKey, SharedLine, BuildHasherDefault<LineHasher>>;

thread_local! {
    /// Skeleton lines written before on this thread, handed out again rather than copied:
    /// a capture's thousands of sessions say the same few lines, and allocating each
    /// session's anew was most of what writing its skeleton cost (and of freeing it).
    static SHARED_LINES: RefCell<SharedLines> = RefCell::default();
    /// The same lines found by their key, without writing the line to look it up: writing
    /// and hashing each exchange's line was most of what sharing them still cost.
    static KEYED_LINES: RefCell<KeyedLines> = RefCell::default();
}

/// The key of `exchange`'s skeleton line; none when it sent a word that is no verb.
fn line_key(exchange: &Exchange, said: Said<'_>) -> Option<LineKey> {
    match said {
        Said::Word(_) => None,
        said => Some((said.bit(), exchange.reply.as_ref().map(|reply| reply.code))),
    }
}

/// A hash for skeleton lines: a multiply and rotate per eight bytes (FxHash's), where the
/// standard hasher cost as much as the allocation sharing saves. The set is bounded
/// ([`MAX_SHARED_LINES`]), so lines made to collide cost little.
#[derive(Default)]
struct LineHasher(u64);

impl LineHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for LineHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            self.add(u64::from_le_bytes(eight));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut eight = [0u8; 8];
            eight[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(eight));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `line`, shared with an equal one written before when there is one: this thread's, else
/// the process's ([`intern`]), which this thread then keeps too.
fn shared_line(shared: &mut SharedLines, line: &str) -> SharedLine {
    if let Some(known) = shared.get(line) {
        return known.clone();
    }
    let made = intern::line(line);
    if shared.len() < MAX_SHARED_LINES {
        shared.insert(made.clone());
    }
    made
}

/// A session's skeleton lines, each written once for the grade kept (its diff shows every
/// exchange aligned, and evidence points at many of them again) and shared by the diff lines.
pub struct SkeletonLines<'a> {
    session: &'a Session,
    /// The session's file, which every piece of evidence names.
    source: SharedPath,
    /// One per exchange aligned (the first [`MAX_EXCHANGES`]).
    lines: Vec<SharedLine>,
}

impl<'a> SkeletonLines<'a> {
    /// The lines of `session`, whose aligned exchanges sent `said` ([`Said::of_session`]).
    pub fn new(session: &'a Session, said: &[Said<'_>]) -> Self {
        let aligned = &session.exchanges[..session.exchanges.len().min(MAX_EXCHANGES)];
        debug_assert_eq!(said.len(), aligned.len());
        // Room for most lines at once (`greeting → (no reply)` is 25 bytes).
        let mut buffer = String::with_capacity(64);
        let lines = SHARED_LINES.with(|shared| {
            KEYED_LINES.with(|keyed| {
                let mut fresh = SharedLines::default();
                let mut borrowed = shared.try_borrow_mut();
                let shared = match borrowed.as_mut() {
                    Ok(shared) => &mut **shared,
                    Err(_) => &mut fresh,
                };
                let mut fresh_keyed = KeyedLines::default();
                let mut borrowed_keyed = keyed.try_borrow_mut();
                let keyed = match borrowed_keyed.as_mut() {
                    Ok(keyed) => &mut **keyed,
                    Err(_) => &mut fresh_keyed,
                };
                aligned
                    .iter()
                    .zip(said)
                    .map(|(exchange, &said)| {
                        let key = line_key(exchange, said);
                        if let Some(line) = key.and_then(|key| keyed.get(&key)) {
                            return line.clone();
                        }
                        buffer.clear();
                        push_skeleton_line(&mut buffer, exchange);
                        let line = shared_line(shared, &buffer);
                        if let Some(key) = key {
                            if keyed.len() < MAX_SHARED_LINES {
                                keyed.insert(key, line.clone());
                            }
                        }
                        line
                    })
                    .collect()
            })
        });
        SkeletonLines {
            session,
            source: SharedPath::from(session.source.path.as_path()),
            lines,
        }
    }

    /// The line of exchange `index`, which the alignment took or left as an extra: shared
    /// when it is one of the lines kept, else written for this once.
    pub fn shared(&self, index: usize) -> SharedLine {
        match self.lines.get(index) {
            Some(line) => line.clone(),
            None => SharedLine::from(skeleton_line(&self.session.exchanges[index])),
        }
    }

    /// The line of exchange `index`, as [`skeleton_line`] writes it.
    pub fn line(&self, index: usize) -> String {
        match self.lines.get(index) {
            // Not `to_string`, which goes through `Display`.
            Some(line) => String::from(line.as_str()),
            None => skeleton_line(&self.session.exchanges[index]),
        }
    }

    /// [`evidence`], its path and line shared from here.
    pub fn evidence(&self, index: usize) -> Option<Evidence> {
        let exchange = self.session.exchanges.get(index)?;
        Some(Evidence {
            source: self.source.clone(),
            origin: origin_of(exchange),
            exchange: self.shared(index),
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
                let lines = SkeletonLines::new(session, &Said::of_session(session));
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

    /// Sessions that say the same line share it; a line the set has no room for is still
    /// written right.
    #[test]
    fn equal_lines_are_shared() {
        let text = "S: 220 lab.test ESMTP\nC: EHLO pc\nS: 250 lab.test\nC: QUIT\nS: 221 Bye\n";
        let sessions = crate::ingest::read_bytes(std::path::Path::new("t.txt"), text.as_bytes())
            .map(|read| read.sessions)
            .unwrap_or_default();
        let session = sessions.first().expect("a session");
        let said = Said::of_session(session);
        let (one, two) = (
            SkeletonLines::new(session, &said),
            SkeletonLines::new(session, &said),
        );
        for index in 0..session.exchanges.len() {
            assert_eq!(one.shared(index).as_ptr(), two.shared(index).as_ptr());
        }
        let mut full: SharedLines = (0..MAX_SHARED_LINES)
            .map(|n| SharedLine::from(n.to_string()))
            .collect();
        let line = shared_line(&mut full, "XYZZY → 502");
        assert_eq!(&*line, "XYZZY → 502");
        assert_eq!(full.len(), MAX_SHARED_LINES);
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
