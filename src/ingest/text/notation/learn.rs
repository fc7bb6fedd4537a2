//! Learning a file's direction markers.
//!
//! Every line is cut at the first place where what follows parses as a command or a reply
//! (unquoted when it is a string literal); what comes before is the line's marker, keyed with
//! its varying parts masked ([`Head`]). Lines inside message text, bodies and SASL exchanges
//! are not counted ([`Spans`]): a `USER` line in a CAPA body says nothing about its marker.
//! A marker whose lines parse as commands is the client's, as replies the server's, whatever
//! its arrow says; one on lines of both sides is a prefix to take off; one on many lines that
//! never parse is the tool's own chatter; one whose lines repeat another's is an echo.

use std::collections::HashMap;

use super::super::lines::Line;
use super::head::{Head, Split};
use super::shape::{shape_of, Shape, Spans};
use super::unquote::{first_line, is_literal, unquote};

/// Marker keys to ids, by whether the text after them is quoted. Looked up by `&str`, so
/// reading a line allocates nothing; foldhash, as a lookup per split of every line is much
/// of the reader's work.
#[derive(Clone, Debug, Default)]
struct Keys(HashMap<String, [Option<usize>; 2], foldhash::fast::RandomState>);

impl Keys {
    fn get(&self, key: &str, quoted: bool) -> Option<usize> {
        self.0.get(key).and_then(|slots| slots[usize::from(quoted)])
    }

    /// Either kind, the one asked for first.
    fn either(&self, key: &str, quoted: bool) -> Option<usize> {
        let slots = self.0.get(key)?;
        slots[usize::from(quoted)].or(slots[usize::from(!quoted)])
    }

    fn insert(&mut self, key: &str, quoted: bool, id: usize) {
        match self.0.get_mut(key) {
            Some(slots) => slots[usize::from(quoted)] = Some(id),
            None => {
                let mut slots = [None; 2];
                slots[usize::from(quoted)] = Some(id);
                self.0.insert(key.to_string(), slots);
            }
        }
    }
}

/// A hash of a payload or key, to compare lines without keeping them.
fn hash_of(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(text)
}

/// What a marker's lines are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Client,
    Server,
    /// On lines of both sides: taken off, the side inferred.
    Both,
    /// The tool's own lines: skipped.
    Info,
    /// Lines that repeat those of the marker at this index: skipped.
    Echo(usize),
}

/// Lines of a marker (or of no marker) by what they parse as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub commands: u32,
    pub replies: u32,
    /// Outside message text and bodies, neither a command nor a reply.
    pub other: u32,
    /// Inside message text and bodies: lines that are no part of them may look the same
    /// (smtplib's `data:` line after `354`).
    pub inside: u32,
}

impl Counts {
    fn hits(&self) -> u32 {
        self.commands + self.replies
    }
}

/// A marker learned from the file.
#[derive(Clone, Debug)]
pub struct Marker {
    /// The masked, lower-cased key lines are matched by.
    pub key: String,
    /// The marker as the file first writes it, numbers masked.
    pub display: String,
    /// What follows it is a string literal, read unquoted.
    pub quoted: bool,
    pub role: Role,
    pub counts: Counts,
    /// Blanks between the marker and its text on every line (swaks pads `<-` with two).
    pub pad: usize,
    pub escaped: bool,
    pub first_line: u32,
    /// The marker opens a quoted field its text closes (hMailServer's `"SENT: …"`).
    pub field_quote: bool,
}

/// The markers of one file: data the reader applies to every line.
#[derive(Clone, Debug, Default)]
pub struct Notation {
    pub markers: Vec<Marker>,
    index: Keys,
    /// The longest key of a marker that says a side, and of any marker: a line's head is
    /// read no further than needed.
    max_sided_key: usize,
    max_key: usize,
    /// What the client's and the server's markers both start with, up to its time stamp
    /// (a syslog or log-file prefix), and the marker that stands for it: a line that starts
    /// so but carries no marker is the logging tool's own.
    log_prefix: Option<(String, usize)>,
    /// Lines learning already read, by line number (ascending).
    seen: Vec<(u32, Marked)>,
}

/// How a line starts: with a learned marker (its index and where it ends), or not.
#[derive(Clone, Copy, Debug)]
pub struct Marked {
    pub marker: usize,
    pub split: Split,
}

impl Notation {
    /// [`marker_of`](Self::marker_of) for a line of the file, as learning found it when it
    /// did.
    pub fn marker_of_line(&self, line: &Line, head: &mut Head) -> Option<Marked> {
        match self
            .seen
            .binary_search_by_key(&line.number, |(number, _)| *number)
        {
            Ok(found) => Some(self.seen[found].1),
            Err(_) => self.marker_of(&line.text, head),
        }
    }

    /// The learned marker a line starts with, if any: the longest that says a side (a log's
    /// own prefix is also the start of its dialogue markers), else the tool's own label.
    /// `head` is scratch space, reused line after line.
    pub fn marker_of(&self, text: &str, head: &mut Head) -> Option<Marked> {
        if self.markers.is_empty() {
            return None;
        }
        head.reread(text, self.max_sided_key);
        let sided = self.lookup(text, head, 0);
        if sided.is_some_and(|m| self.markers[m.marker].role != Role::Info) {
            return sided;
        }
        let tried = head.splits().len();
        head.extend(text, self.max_key);
        let found = sided.or_else(|| self.lookup(text, head, tried));
        if found.is_some() {
            return found;
        }
        if let Some((split, key)) = head.label(text) {
            let found = self.index.either(key, false);
            if let Some(marker) = found.filter(|&m| self.markers[m].role == Role::Info) {
                return Some(Marked { marker, split });
            }
        }
        // The logger's own line: it starts like every dialogue line but carries no marker.
        let (prefix, marker) = self.log_prefix.as_ref()?;
        let rest = head.full_key().strip_prefix(prefix.as_str())?;
        let split = *head.splits().first()?;
        (rest.is_empty() || rest.starts_with(' ')).then_some(Marked {
            marker: *marker,
            split,
        })
    }

    /// The longest marker that says a side among the splits from the `from`th on, else the
    /// first of the tool's own.
    fn lookup(&self, text: &str, head: &Head, from: usize) -> Option<Marked> {
        let mut found = None;
        for split in head.splits().iter().skip(from.max(1)).filter(|s| !s.path) {
            let key = head.key(split);
            let quoted = opens_literal(&text[split.payload..]);
            // `C: "hello"` in a message is still a `C:` line.
            if let Some(marker) = self.index.either(key, quoted) {
                let marked = Marked {
                    marker,
                    split: *split,
                };
                match self.markers[marker].role {
                    Role::Info => {
                        found.get_or_insert(marked);
                    }
                    _ => found = Some(marked),
                }
            }
        }
        found
    }

    /// The lines of dialogue a marked line carries: its text after the marker and padding,
    /// the field's closing quote off, unquoted, entities read.
    pub fn payload<'a>(&self, text: &'a str, marked: &Marked) -> Payload<'a> {
        let marker = &self.markers[marked.marker];
        let mut start = marked.split.marker_end;
        for (blanks, c) in text[start..].chars().enumerate() {
            if blanks == marker.pad || !c.is_whitespace() || start >= marked.split.payload {
                break;
            }
            start += c.len_utf8();
        }
        let mut written = &text[start..];
        if marker.field_quote {
            written = written.strip_suffix('"').unwrap_or(written);
            // hMailServer writes a multi-line reply on one line, its line ends as `[nl]`.
            if written.contains(LOGGED_LINE_END) {
                let lines = written.split(LOGGED_LINE_END).map(str::to_string).collect();
                return Payload::Lines(written, lines);
            }
        }
        if marker.quoted {
            if let Some(lines) = unquote(written) {
                return Payload::Lines(written, lines);
            }
        }
        if marker.escaped && written.contains('&') {
            return Payload::Lines(written, vec![unescape_entities(written)]);
        }
        Payload::Written(written)
    }
}

/// How a log that quotes each line as a field writes a line end inside it.
const LOGGED_LINE_END: &str = "[nl]";

/// What a marked line says.
pub enum Payload<'a> {
    /// The text as written (a subslice of the line).
    Written(&'a str),
    /// Lines decoded from the text (a subslice of the line, for its column).
    Lines(&'a str, Vec<String>),
}

/// `&lt;` and friends as a web page shows them.
fn unescape_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Whether a payload starts like a string literal (`'`, `"`, `b'`, `b"`).
fn opens_literal(payload: &str) -> bool {
    let bytes = payload.as_bytes();
    match bytes.first() {
        Some(b'\'' | b'"') => true,
        Some(b'b' | b'B') => matches!(bytes.get(1), Some(b'\'' | b'"')),
        _ => false,
    }
}

/// What learning gathers about one key.
#[derive(Debug)]
struct Stats {
    key: String,
    quoted: bool,
    /// The line and split it was first seen at, to show it as written (kept as places, not
    /// text: most keys are no marker).
    first_seen: (usize, Split),
    counts: Counts,
    pad: usize,
    escaped: bool,
    first_line: u32,
    /// Position in the records of its first line that parses.
    first_hit: Option<usize>,
    /// Its lines the next line answers: a reply under another marker or none.
    answered: u32,
}

/// A line outside message text and bodies, in file order: its index, its key's id (`None`:
/// no marker), and what it parses as.
struct Record {
    line: usize,
    id: Option<usize>,
    shape: Shape,
}

/// The first place in a line after which the text parses: the split, whether the text was a
/// literal, and the shape.
fn first_hit(text: &str, head: &Head) -> Option<(Split, bool, Shape, u64)> {
    hit_from(text, head, 0)
}

/// [`first_hit`] reading the head only as far as needed: most lines give their marker in
/// the first few characters, and only lines that are no dialogue are read to the end.
fn first_hit_lazily(text: &str, head: &mut Head) -> Option<(Split, bool, Shape, u64)> {
    let mut tried = 0;
    let mut limit = FIRST_LOOK;
    loop {
        if let Some(hit) = hit_from(text, head, tried) {
            return Some(hit);
        }
        if head.exhausted() || limit >= MARKER_REACH {
            return None;
        }
        tried = head.splits().len();
        limit = (limit * 2).min(MARKER_REACH);
        head.extend(text, limit);
    }
}

/// How much of a line's key learning reads before it looks for dialogue.
const FIRST_LOOK: usize = 4;
/// How far into a line's key a short marker reaches (`服务器端:`, `CLIENT ->`).
const SHORT_REACH: usize = 24;
/// How far into a line's key a marker may reach: the longest real ones (a syslog prefix and
/// a client's address) are about fifty bytes masked.
const MARKER_REACH: usize = 64;
/// How far into a line's key a label of the tool's own may reach ([`Head::label`]).
const LABEL_REACH: usize = 48;

/// The first split from the `from`th on after which the text parses.
fn hit_from(text: &str, head: &Head, from: usize) -> Option<(Split, bool, Shape, u64)> {
    for split in head.splits().iter().skip(from).filter(|s| !s.path) {
        let payload = &text[split.payload..];
        let first = payload.as_bytes().first().copied().unwrap_or(b' ');
        if !(first.is_ascii_alphanumeric() || matches!(first, b'+' | b'-' | b'\'' | b'"')) {
            continue;
        }
        // A field the marker opened (`"SENT: 250 ok"`) closes at the end of the line.
        let payload = match payload.trim_end().strip_suffix('"') {
            Some(inner) if opens_field(&text[..split.payload]) => inner,
            _ => payload,
        };
        let (line, quoted) = first_line(payload);
        // A command typed wrong counts only with no marker before it: after one, a known
        // verb with the wrong words is more likely a host name or a sentence
        // (`Mar 1 10:00:00 mail postfix/smtpd…`).
        let shape = match shape_of(&line) {
            Shape::Sloppy if split.marker_end == 0 => Shape::Command { multiline: false },
            Shape::Sloppy => continue,
            shape => shape,
        };
        if shape.is_dialogue() {
            return Some((*split, quoted, shape, hash_of(line.trim())));
        }
    }
    None
}

/// Whether the text before a payload leaves a quoted field open.
fn opens_field(before: &str) -> bool {
    before.bytes().filter(|&b| b == b'"').count() % 2 == 1
}

/// [`first_hit`] at the splits of markers already seen on dialogue only.
fn known_hit(
    text: &str,
    head: &Head,
    ids: &Keys,
    stats: &[Stats],
) -> Option<(Split, bool, Shape, u64)> {
    head.splits().iter().skip(1).find_map(|split| {
        let key = head.key(split);
        let payload = &text[split.payload..];
        let quoted = opens_literal(payload);
        let id = ids.get(key, quoted)?;
        if stats[id].counts.hits() == 0 {
            return None;
        }
        let (line, quoted) = first_line(payload);
        let shape = shape_of(&line);
        shape
            .is_dialogue()
            .then(|| (*split, quoted, shape, hash_of(line.trim())))
    })
}

/// Whether a line is dialogue behind a short marker (`C: EHLO x`, `-> EHLO x`, `send: 'quit'`):
/// what decorations are taken off for.
pub fn is_marked_dialogue(text: &str) -> bool {
    // A short marker ends in one of these, near the start of the line.
    let start = &text.as_bytes()[..text.len().min(24)];
    if !start
        .iter()
        .any(|b| matches!(b, b':' | b'>' | b'<' | b'-' | b'~' | b'*' | b'=') || *b >= 0x80)
    {
        return false;
    }
    let mut head = Head::default();
    head.reread(text, SHORT_REACH);
    first_hit(text, &head).is_some_and(|(split, ..)| {
        let key = head.key(&split);
        !key.is_empty() && is_short(key) && key.split(' ').count() <= 2
    })
}

/// Whether a line is dialogue: a command or reply, bare or behind a short marker.
pub fn reads_as_dialogue(text: &str) -> bool {
    let mut head = Head::default();
    head.reread(text, SHORT_REACH);
    first_hit(text, &head).is_some_and(|(split, ..)| {
        let key = head.key(&split);
        key.is_empty() || is_short(key)
    })
}

/// Whether a line is a lone `.` after its marker (or spells one out last, quoted).
fn ends_content(text: &str, head: &Head) -> bool {
    let end = text.trim_end();
    if !(end.ends_with('.') || end.ends_with('\'') || end.ends_with('"')) {
        return false;
    }
    head.splits().iter().take(6).any(|split| {
        let payload = text[split.payload..].trim();
        payload == "."
            || (is_literal(payload)
                && unquote(payload).is_some_and(|lines| lines.last().is_some_and(|l| l == ".")))
            || payload.strip_suffix('"').is_some_and(|p| p.trim() == ".")
    })
}

/// Whether a key can be a marker at all: it says something besides numbers and brackets.
fn is_marker_like(key: &str) -> bool {
    // A Markdown table's border (`| HELO |`) is no marker.
    if key.is_empty() || key.len() > 80 || key == "." || key.starts_with('|') {
        return false;
    }
    let rest = key
        .replace("<time>", "")
        .replace("<date>", "")
        .replace("<ip>", "");
    rest.chars()
        .any(|c| !matches!(c, '#' | ' ' | '[' | ']' | '(' | ')' | '.' | ',' | ';'))
}

/// Whether a key can label the tool's own lines: any marker, or a bracketed time stamp
/// (`[<date> <time>] INFO …`).
fn is_info_like(key: &str) -> bool {
    is_marker_like(key) || (key.starts_with('[') && key.len() <= 80)
}

/// A marker short enough to be trusted on one line: a label or an arrow of a few words
/// (`回：`, `<**`, `服务器端:`), not a phrase of prose.
fn is_short(key: &str) -> bool {
    let ends_marked = key.ends_with([':', '>', '<', '-', '~', '*', '=']);
    ends_marked && key.split(' ').count() <= 3
}

/// The side of the marks transcripts have always used (`C:`/`S:`, `Client:`/`Server:`,
/// `客户端:`/`服务器:`), for lines that do not show it themselves.
fn conventional(key: &str) -> Option<Role> {
    let name = key.strip_suffix([':', '>'])?;
    match name {
        "c" | "client" | "客户端" => Some(Role::Client),
        "s" | "server" | "服务器" | "服务端" | "服务器端" => Some(Role::Server),
        _ => None,
    }
}

/// Blanks between a marker and its text.
fn blanks(text: &str, split: &Split) -> usize {
    text[split.marker_end..split.payload].chars().count()
}

/// The id of a key, counted in as seen on one more line.
fn intern(
    stats: &mut Vec<Stats>,
    ids: &mut Keys,
    text: &str,
    head: &Head,
    split: &Split,
    quoted: bool,
    (index, number): (usize, u32),
) -> usize {
    let key = head.key(split);
    let id = ids.get(key, quoted).unwrap_or_else(|| {
        ids.insert(key, quoted, stats.len());
        stats.len()
    });
    if id == stats.len() {
        stats.push(Stats {
            key: key.to_string(),
            quoted,
            first_seen: (index, *split),
            counts: Counts::default(),
            pad: usize::MAX,
            escaped: false,
            first_line: number,
            first_hit: None,
            answered: 0,
        });
    }
    let entry = &mut stats[id];
    entry.escaped |= head.escaped;
    // The separator is what most lines put between marker and text; a glued `S:220` or a
    // marker with no text says nothing about it.
    let gap = blanks(text, split);
    if gap > 0 && split.payload < text.len() {
        entry.pad = entry.pad.min(gap);
    }
    id
}

/// Learns the markers of a file from the lines of its transcripts, in file order.
pub fn learn(lines: &[&Line]) -> Notation {
    let mut stats: Vec<Stats> = Vec::new();
    let mut ids = Keys::default();
    let mut head = Head::default();
    // The longest key that parsed so far: inside a message, lines are read no further.
    let mut longest_known = 0;
    let mut spans = Spans::default();
    let mut records: Vec<Record> = Vec::new();
    let mut echoes: HashMap<(usize, usize), u32> = HashMap::new();
    let mut last_hit: Option<(usize, Option<usize>, u64)> = None;
    // What learning found on each line, so reading need not look again: (line number, key
    // id, split, whether the text after it parsed).
    let mut seen: Vec<(u32, usize, Split, bool)> = Vec::new();

    for (index, line) in lines.iter().enumerate() {
        let text = line.text.as_str();
        if text.trim().is_empty() {
            continue;
        }
        // Inside message text or a body only a marker already seen on dialogue can end it
        // (a log that leaves the text out): only those are tried.
        let found = if spans.in_content() {
            head.reread(text, longest_known);
            known_hit(text, &head, &ids, &stats)
        } else {
            head.reread(text, FIRST_LOOK);
            first_hit_lazily(text, &mut head)
        };
        if found.is_none() && !head.exhausted() {
            // Its label is needed: as far as a label reaches.
            head.extend(text, LABEL_REACH);
        }
        let head = &head;
        match found {
            Some((split, quoted, shape, hash)) => {
                let key = head.key(&split);
                let marker_hash = if key.is_empty() { 0 } else { hash_of(key) | 1 };
                // A reply under a marker already seen on dialogue ends a message the log
                // left out; under a new one (`Subject: 220 reasons …`) it is message text.
                let known = !key.is_empty()
                    && ids
                        .get(key, quoted)
                        .is_some_and(|id| stats[id].counts.hits() > 0);
                if spans.inside(shape, marker_hash, known, false) {
                    continue;
                }
                let id = (!key.is_empty()).then(|| {
                    let id = intern(
                        &mut stats,
                        &mut ids,
                        text,
                        head,
                        &split,
                        quoted,
                        (index, line.number),
                    );
                    longest_known = longest_known.max(key.len());
                    let entry = &mut stats[id];
                    match shape {
                        Shape::Command { .. } => entry.counts.commands += 1,
                        _ => entry.counts.replies += 1,
                    }
                    entry.first_hit.get_or_insert(records.len());
                    id
                });
                if let Some((before, before_id, before_hash)) = last_hit {
                    if let (Some(a), Some(b)) = (before_id, id) {
                        if a != b && before_hash == hash && index - before <= 3 {
                            *echoes.entry((a, b)).or_default() += 1;
                        }
                    }
                }
                last_hit = Some((index, id, hash));
                if let Some(id) = id {
                    seen.push((line.number, id, split, true));
                }
                records.push(Record {
                    line: index,
                    id,
                    shape,
                });
            }
            None => {
                let inside = spans.inside(Shape::Neither, 0, false, ends_content(text, head));
                let label = head.label(text).map(|(split, _)| {
                    let quoted = is_literal(&text[split.payload..]);
                    intern(
                        &mut stats,
                        &mut ids,
                        text,
                        head,
                        &split,
                        quoted,
                        (index, line.number),
                    )
                });
                match (label, inside) {
                    (Some(id), true) => stats[id].counts.inside += 1,
                    (Some(id), false) => stats[id].counts.other += 1,
                    (None, _) => {}
                }
                if !inside {
                    if let (Some(id), Some((split, _))) = (label, head.label(text)) {
                        seen.push((line.number, id, split, false));
                    }
                    records.push(Record {
                        line: index,
                        id: label,
                        shape: Shape::Neither,
                    });
                }
            }
        }
    }

    for pair in records.windows(2) {
        // A reply under a marker of its own (or none) answers; a number in a phrase does not.
        let answer = matches!(pair[1].shape, Shape::Reply(_))
            && pair[1].id.map_or(true, |next| is_short(&stats[next].key));
        if let Some(id) = pair[0].id.filter(|&id| answer && pair[1].id != Some(id)) {
            stats[id].answered += 1;
        }
    }
    let roles = roles(&stats, &records, &echoes);
    let mut notation = Notation::default();
    let mut placed: HashMap<usize, usize> = HashMap::new();
    for (id, role) in roles.iter().enumerate() {
        let Some(role) = role else {
            continue;
        };
        placed.insert(id, notation.markers.len());
        let entry = &stats[id];
        notation
            .index
            .insert(&entry.key, entry.quoted, notation.markers.len());
        notation.max_key = notation.max_key.max(entry.key.len());
        if matches!(
            role,
            Role::Client | Role::Server | Role::Both | Role::Echo(_)
        ) {
            notation.max_sided_key = notation.max_sided_key.max(entry.key.len());
        }
        notation.markers.push(Marker {
            key: entry.key.clone(),
            display: {
                let (line, split) = entry.first_seen;
                Head::display(&lines[line].text, &split)
            },
            quoted: entry.quoted,
            role: *role,
            counts: entry.counts,
            pad: if entry.pad == usize::MAX {
                0
            } else {
                entry.pad.min(4)
            },
            escaped: entry.escaped,
            first_line: entry.first_line,
            field_quote: entry.key.matches('"').count() % 2 == 1,
        });
    }
    for marker in &mut notation.markers {
        if let Role::Echo(of) = marker.role {
            marker.role = placed.get(&of).map_or(Role::Info, |&m| Role::Echo(m));
        }
    }
    add_log_prefix(&mut notation);
    // A line that parsed after a marker that says a side, or whose label is the tool's own,
    // is read as learning found it.
    notation.seen = seen
        .into_iter()
        .filter_map(|(number, id, split, parsed)| {
            let marker = *placed.get(&id)?;
            let keep = match notation.markers[marker].role {
                Role::Client | Role::Server | Role::Both | Role::Echo(_) => parsed,
                Role::Info => !parsed,
            };
            keep.then_some((number, Marked { marker, split }))
        })
        .collect();
    notation
}

/// The tokens every client and server marker starts with, when there are two or more
/// (`Mar # <time> mail postfix/smtpd[#]:`, `<date> <time>`), as a marker of the tool's own
/// lines.
fn add_log_prefix(notation: &mut Notation) {
    let sided: Vec<&Marker> = notation
        .markers
        .iter()
        .filter(|m| matches!(m.role, Role::Client | Role::Server))
        .collect();
    let has_both = sided.iter().any(|m| m.role == Role::Client)
        && sided.iter().any(|m| m.role == Role::Server);
    let Some(first) = sided.first().filter(|_| has_both) else {
        return;
    };
    let mut common: Vec<&str> = first.key.split(' ').collect();
    for marker in &sided[1..] {
        let shared = common
            .iter()
            .zip(marker.key.split(' '))
            .take_while(|(a, b)| *a == b)
            .count();
        common.truncate(shared);
    }
    // The marker itself is the last token; the prefix is what comes before it.
    let whole = sided
        .iter()
        .any(|m| m.key.split(' ').count() <= common.len());
    if common.len() < 2 || whole {
        return;
    }
    let display: Vec<&str> = first.display.split(' ').take(common.len()).collect();
    // A line stamped like the dialogue is the logger's, whichever program wrote it (syslog's
    // `postfix/cleanup` among `postfix/smtpd`): up to the time stamp is what tells.
    let stamped = common.iter().rposition(|token| token.contains("<time>"));
    let key = common.join(" ");
    let stamp = match stamped {
        Some(last) => common[..=last].join(" "),
        None => key.clone(),
    };
    // The prefix may be learned already, as the label of the tool's own lines.
    notation.max_key = notation.max_key.max(stamp.len());
    let learned = notation.index.either(&key, false);
    if let Some(marker) = learned {
        notation.log_prefix = Some((stamp, marker));
        return;
    }
    notation.log_prefix = Some((stamp, notation.markers.len()));
    notation.markers.push(Marker {
        key: common.join(" "),
        display: display.join(" "),
        quoted: false,
        role: Role::Info,
        counts: Counts::default(),
        pad: 0,
        escaped: false,
        first_line: first.first_line,
        field_quote: false,
    });
}

/// The role of every key, or `None` for a key that is no marker.
fn roles(
    stats: &[Stats],
    records: &[Record],
    echoes: &HashMap<(usize, usize), u32>,
) -> Vec<Option<Role>> {
    // A key on one dialogue line only counts among marked dialogue: a line next to it
    // carries a marker that is on two dialogue lines or more, or a conventional one.
    let is_dialogue = |record: &Record| match record.id {
        None => false,
        Some(id) => {
            let key = &stats[id].key;
            let frequent = stats[id].counts.hits() >= 2 && is_short(key);
            is_marker_like(key) && (frequent || conventional(key).is_some())
        }
    };
    let neighbours = |position: usize| {
        let line = records[position].line;
        let before = position
            .checked_sub(1)
            .map(|p| &records[p])
            .filter(|r| line - r.line <= 3 && is_dialogue(r));
        let after = records
            .get(position + 1)
            .filter(|r| r.line - line <= 3 && is_dialogue(r));
        before.is_some() || after.is_some()
    };
    let mut roles: Vec<Option<Role>> = stats
        .iter()
        .map(|entry| {
            let counts = entry.counts;
            let hits = counts.hits();
            if !is_marker_like(&entry.key) {
                let info = hits == 0 && counts.other >= 2 && is_info_like(&entry.key);
                return info.then_some(Role::Info);
            }
            if hits == 0 {
                // The conventional marks need no evidence (`C: <<<<` is still the client's).
                if let Some(role) = conventional(&entry.key) {
                    return Some(role);
                }
                // Seen outside the dialogue's text at least once, and more than once in all.
                let info = counts.other >= 2 || (counts.other == 1 && counts.inside >= 1);
                return info.then_some(Role::Info);
            }
            let label = is_short(&entry.key) && entry.key.split(' ').count() <= 2;
            let enough = hits >= 2
                || conventional(&entry.key).is_some()
                || (label && entry.first_hit.is_some_and(&neighbours));
            // Mostly dialogue, or lines the other side answers (a student's `C: FOO 1`).
            let dense =
                hits * 3 >= hits + counts.other || entry.answered * 2 >= hits + counts.other;
            if !dense && counts.other >= 2 {
                // Mostly the tool's own lines that now and then mention a command
                // (`DEBUG SMTP: AUTH LOGIN succeeded`).
                return Some(Role::Info);
            }
            if !enough || !dense {
                return None;
            }
            let (c, r) = (counts.commands, counts.replies);
            Some(if c > r && r * 4 <= c {
                Role::Client
            } else if r > c && c * 4 <= r {
                Role::Server
            } else {
                Role::Both
            })
        })
        .collect();
    // A marker whose lines mostly repeat, right after them, the lines of another marker of
    // the same side is an echo of it (poplib's `*put*` after `*cmd*`, `*resp*` after `*get*`).
    let mut pairs: Vec<(&(usize, usize), &u32)> = echoes.iter().collect();
    pairs.sort();
    for (&(first, second), &count) in pairs {
        let same_side = roles[first] == roles[second]
            && matches!(roles[first], Some(Role::Client | Role::Server));
        if same_side && count * 5 >= stats[second].counts.hits() * 4 {
            roles[second] = Some(Role::Echo(first));
        }
    }
    roles
}

#[cfg(test)]
mod tests;
