//! The session-level half of "secrets by position": every value a credential slot holds is
//! removed from every other text of its session.
//!
//! Position makes a value a [`Secret`] where it is typed (`dialogue/command.rs`). It can still
//! come back elsewhere: a server that echoes it (`-ERR Unknown command: HUNTER2`, `+OK
//! hunter2 logged in`), the student typing it as a command before the PASS that shows it is
//! one, a Subject line, a note. This pass collects the session's secrets once (each value,
//! its base64 form, and for SASL PLAIN / LOGIN the decoded password) and replaces every
//! occurrence, ASCII case ignored, with [`Secret::REDACTED`] in command arguments, reply
//! texts, message and POP3 bodies, message summaries and notes — before and after the place
//! the secret was typed. One Aho-Corasick automaton scans each text once, so the cost is
//! linear in the session's size whatever the number of secrets; for the usual one to three
//! values a [`sieve`] looks first, at a fraction of the cost, and passes the texts that hold
//! none (nearly all) without the automaton.
//!
//! Values shorter than [`MIN_SECRET_LEN`] are left to their slot: a 1–3 character
//! "password" (`a`, `123`, `=`) occurs in every reply, message number and body, so removing
//! it everywhere would erase the evidence a grade rests on, and it hides nothing a guess
//! would not find. So are values longer than [`MAX_SECRET_LEN`] (no password or lab SASL
//! payload is; such a "secret" is a line read in a credential slot), and whatever comes
//! after [`MAX_KNOWN_BYTES`] of values: the automaton takes tens of bytes per pattern byte,
//! and a hostile file of bare "passwords" must not make it take gigabytes.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::protocol::sasl::{self, Mechanism};
use crate::protocol::{Request, Verb};
use crate::session::{
    CommandKind, Content, Exchange, Note, Protocol, ReplyLines, ReplyLinesBuf, Secret, Session,
};

mod cache;
mod sieve;

use sieve::Sieve;

/// Shortest secret removed from other texts (bytes, after trimming blanks).
pub const MIN_SECRET_LEN: usize = 4;
/// Longest secret removed from other texts.
pub const MAX_SECRET_LEN: usize = 256;
/// Most bytes of secrets (all forms) hunted for in one session: thousands of passwords.
pub const MAX_KNOWN_BYTES: usize = 256 << 10;

/// An IMAP-style tagged SASL command (`a1 AUTHENTICATE PLAIN`): its arguments start so.
const AUTHENTICATE: &str = "AUTHENTICATE ";

/// The secrets of one session, in every form they may be echoed in.
#[derive(Debug, Default)]
pub struct KnownSecrets {
    values: Vec<String>,
    bytes: usize,
}

impl KnownSecrets {
    /// Every secret of `exchanges`: the value of each [`Secret`] in a command, its base64
    /// form, the value without quotes, and the password inside SASL PLAIN and LOGIN payloads.
    pub fn of(exchanges: &[Exchange]) -> Self {
        Self::from_sources(&Source::all(exchanges))
    }

    /// The secrets of credential slots' values, in every form they may be echoed in.
    fn from_sources(sources: &[Source<'_>]) -> Self {
        let mut known = KnownSecrets::default();
        for source in sources {
            match *source {
                Source::Typed(secret) => known.typed(secret.expose()),
                Source::Orphan(payload) => known.orphan(payload),
                Source::Sasl {
                    mechanism,
                    step,
                    payload,
                } => known.sasl_response(&Mechanism::parse(mechanism), step, payload),
            }
        }
        known
    }

    /// A value as typed: itself and without the quotes around it (`PASS "my pw"`), and
    /// base64 of each.
    fn typed(&mut self, value: &str) {
        let value = value.trim();
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')));
        for value in std::iter::once(value).chain(unquoted) {
            if (MIN_SECRET_LEN..=MAX_SECRET_LEN).contains(&value.len()) && value != Secret::REDACTED
            {
                self.add(value);
                self.add(&STANDARD.encode(value));
            }
        }
    }

    /// A secret with no AUTH open before it: as typed, and when it is a SASL PLAIN
    /// payload (`\0user\0password` in base64), the password inside it too.
    fn orphan(&mut self, payload: &Secret) {
        self.typed(payload.expose());
        if let Ok(plain) = sasl::decode_plain(payload) {
            self.typed(plain.password.expose());
        }
    }

    /// The `step`th response of a SASL exchange: the payload itself and, for PLAIN and the
    /// second LOGIN response, the password it encodes (the LOGIN user name is no secret to
    /// hunt for: it is the address the rest of the session rightly shows). A response that
    /// is no base64 at all is a password typed as is.
    fn sasl_response(&mut self, mechanism: &Mechanism, step: usize, payload: &Secret) {
        self.add(payload.expose().trim());
        let decoded = sasl::decode(payload).ok();
        let password = match mechanism {
            Mechanism::Login if step == 0 => return,
            Mechanism::Plain => sasl::decode_plain(payload)
                .ok()
                .map(|plain| plain.password)
                .or(decoded),
            _ => decoded,
        };
        match password {
            Some(password) => self.typed(password.expose()),
            None => self.typed(payload.expose()),
        }
    }

    fn add(&mut self, value: &str) {
        // Twice the longest secret: room for its base64 (4/3 of it) and a SASL payload.
        let fits = self.bytes + value.len() <= MAX_KNOWN_BYTES;
        if fits
            && (MIN_SECRET_LEN..=2 * MAX_SECRET_LEN).contains(&value.len())
            && value != Secret::REDACTED
        {
            self.bytes += value.len();
            self.values.push(value.to_string());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// What removes these secrets from text; `None` when there are none to remove.
    pub fn redactor(self) -> Option<Redactor> {
        Redactor::of_values(&self.sorted())
    }

    /// The values sorted, each once: the key the automata are kept by.
    fn sorted(mut self) -> Vec<String> {
        self.values.sort_unstable();
        self.values.dedup();
        self.values
    }

    /// The automaton of `values`, of the kind [`cache`] asks for: an NFA for a set seen
    /// once (left to itself the builder would make a DFA, whose construction cost most of
    /// reading a capture of many short sessions, issue 18), a DFA for one that comes back.
    fn build(values: &[String], kind: AhoCorasickKind) -> Option<AhoCorasick> {
        AhoCorasickBuilder::new()
            .kind(Some(kind))
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(values)
            .ok()
    }
}

/// Where a session's secrets come from: each value a credential slot holds, and what the
/// slot makes of it. The values to hunt for are a function of these alone, so sessions
/// whose sources are the same get the same values (see [`Redactor::of_session`]).
#[derive(Clone, Copy, Debug)]
enum Source<'a> {
    /// A value typed as it is (PASS, APOP, USER's words after the first, LOGIN's password).
    Typed(&'a Secret),
    /// A secret with no AUTH open before it.
    Orphan(&'a Secret),
    /// The `step`th response (the initial response first) of an AUTH naming `mechanism`.
    Sasl {
        mechanism: &'a str,
        step: usize,
        payload: &'a Secret,
    },
}

impl<'a> Source<'a> {
    /// The sources of `exchanges`, in order.
    fn all(exchanges: &'a [Exchange]) -> Vec<Source<'a>> {
        let mut sources = Vec::new();
        Source::each(exchanges, |source| sources.push(source));
        sources
    }

    /// Each source of `exchanges`, in order, handed to `found`: a session whose sources are
    /// known lately needs only their key, not a list of them (issue 18).
    fn each(exchanges: &'a [Exchange], mut found: impl FnMut(Source<'a>)) {
        // The AUTH exchange open: its mechanism and how many responses it has had.
        let mut auth: Option<(&str, usize)> = None;
        for command in exchanges.iter().filter_map(|e| e.command.as_ref()) {
            let (open, payload) = match &command.kind {
                CommandKind::Line { request, args, .. } => {
                    // Every command line passes here: compared in place, not upper-cased
                    // into a new string.
                    let sasl = match request {
                        Request::Unknown(word) => matches!(word.as_str(), "AUTH" | "AUTHENTICATE"),
                        // A verb's word is its name, and no verb is named AUTHENTICATE.
                        _ => request.verb() == Some(Verb::Auth),
                    } || args
                        .text
                        .as_bytes()
                        .get(..AUTHENTICATE.len())
                        .is_some_and(|word| word.eq_ignore_ascii_case(AUTHENTICATE.as_bytes()));
                    auth = sasl.then(|| (args.text.split_whitespace().last().unwrap_or(""), 0));
                    match &args.secret {
                        Some(secret) if auth.is_none() => {
                            found(Source::Typed(secret));
                            continue;
                        }
                        Some(initial) => (&mut auth, initial),
                        None => continue,
                    }
                }
                CommandKind::AuthResponse { payload } => (&mut auth, payload),
                CommandKind::AuthCancel | CommandKind::Message { .. } => continue,
            };
            found(match open {
                Some((mechanism, step)) => {
                    *step += 1;
                    Source::Sasl {
                        mechanism,
                        step: *step - 1,
                        payload,
                    }
                }
                // A password typed on its own where a command belonged, or a SASL response
                // whose AUTH the reader put elsewhere (a mixed notation).
                None => Source::Orphan(payload),
            });
        }
    }

    /// `sources` written into `key` (cleared first) so that two lists write the same bytes
    /// exactly when they are equal: each text with its length before it.
    #[cfg(test)]
    fn key(sources: &[Source<'_>], key: &mut Vec<u8>) {
        key.clear();
        for source in sources {
            source.write(key);
        }
    }

    /// This source's part of a key (see [`Source::key`]).
    fn write(&self, key: &mut Vec<u8>) {
        fn text(key: &mut Vec<u8>, text: &str) {
            key.extend_from_slice(&text.len().to_le_bytes());
            key.extend_from_slice(text.as_bytes());
        }
        match *self {
            Source::Typed(secret) => {
                key.push(0);
                text(key, secret.expose());
            }
            Source::Orphan(payload) => {
                key.push(1);
                text(key, payload.expose());
            }
            Source::Sasl {
                mechanism,
                step,
                payload,
            } => {
                key.push(2);
                text(key, mechanism);
                key.extend_from_slice(&step.to_le_bytes());
                text(key, payload.expose());
            }
        }
    }
}

/// Replaces every known secret in a text with [`Secret::REDACTED`].
#[derive(Debug)]
pub struct Redactor {
    automaton: AhoCorasick,
    /// The cheap first look, when the secrets allow one; the automaton alone decides what
    /// is replaced.
    sieve: Option<Arc<Sieve>>,
}

impl Redactor {
    /// What removes a session's own secrets from its texts; `None` when it has none.
    ///
    /// Sessions of one capture type the same credentials again and again: the values of
    /// sources seen lately are taken, not derived again (base64, SASL decoding), issue 18.
    fn of_session(exchanges: &[Exchange]) -> Option<Redactor> {
        cache::values_of(
            |key| {
                key.clear();
                Source::each(exchanges, |source| source.write(key));
            },
            || KnownSecrets::from_sources(&Source::all(exchanges)).sorted(),
            Redactor::of_values,
        )
    }

    /// The redactor of `values` (sorted, each once). Sessions of one capture log in with the
    /// same secrets again and again: the automaton of a set seen lately is taken, not built
    /// again (issue 18).
    fn of_values(values: &[String]) -> Option<Redactor> {
        if values.is_empty() {
            return None;
        }
        let (automaton, sieve) = cache::automaton(values, KnownSecrets::build)?;
        Some(Redactor { automaton, sieve })
    }

    /// Whether `text` holds a known secret.
    pub fn finds(&self, text: &str) -> bool {
        self.finds_bytes(text.as_bytes())
    }

    fn finds_bytes(&self, bytes: &[u8]) -> bool {
        match &self.sieve {
            Some(sieve) => sieve.finds(bytes),
            None => self.automaton.is_match(bytes),
        }
    }

    /// `text` with every secret replaced; true when anything was.
    pub fn text(&self, text: &mut String) -> bool {
        if !self.finds(text) {
            return false;
        }
        let mut out = String::with_capacity(text.len());
        self.automaton
            .replace_all_with(text, &mut out, |_, _, out| {
                out.push_str(Secret::REDACTED);
                true
            });
        *text = out;
        true
    }

    /// Bytes (a message body) with every secret replaced; true when anything was.
    pub fn bytes(&self, bytes: &mut Vec<u8>) -> bool {
        if !self.finds_bytes(bytes) {
            return false;
        }
        let mut out = Vec::with_capacity(bytes.len());
        self.automaton
            .replace_all_with_bytes(bytes, &mut out, |_, _, out| {
                out.extend_from_slice(Secret::REDACTED.as_bytes());
                true
            });
        *bytes = out;
        true
    }

    /// A message or POP3 body: its bytes (and so its size) and its summary.
    /// A reply's lines with every secret replaced, each line as its own text; true when
    /// anything was. All lines are searched at once, and only a reply that holds a secret
    /// is taken apart.
    pub fn reply_lines(&self, lines: &mut ReplyLines) -> bool {
        if !self.finds(lines.joined()) {
            return false;
        }
        let mut redacted = ReplyLinesBuf::default();
        let mut replaced = false;
        for line in lines.iter() {
            let mut line = line.to_string();
            replaced |= self.text(&mut line);
            redacted.push(&line);
        }
        *lines = redacted.take();
        replaced
    }

    pub fn content(&self, content: &mut Content) {
        if let Some(bytes) = &mut content.bytes {
            if self.bytes(bytes) {
                content.size = Some(bytes.len() as u64);
            }
        }
        if let Some(summary) = &mut content.summary {
            self.text(summary);
        }
    }

    /// Every text of the exchanges. A line whose first word holds a secret and is no command
    /// of `protocol` (the password typed as a command) becomes a secret as a whole, the way
    /// a bare password after USER is read.
    pub fn exchanges(&self, protocol: Protocol, exchanges: &mut [Exchange]) {
        for exchange in exchanges.iter_mut() {
            if let Some(command) = &mut exchange.command {
                match &mut command.kind {
                    CommandKind::Line {
                        request,
                        written,
                        args,
                    } => {
                        // The cheap question first: nearly every line is a command.
                        if !request.is_command() && self.finds(written) {
                            let line = [written, args.text.as_str()].join(" ");
                            command.kind = CommandKind::AuthResponse {
                                payload: Secret::new(line.trim_end()),
                            };
                        } else if self.text(&mut args.text) {
                            // The typed request holds what the text held: read it again.
                            *request = Request::read(protocol, written, args);
                        }
                    }
                    CommandKind::Message { content } => self.content(content),
                    CommandKind::AuthResponse { .. } | CommandKind::AuthCancel => {}
                }
            }
            if let Some(reply) = &mut exchange.reply {
                self.reply_lines(&mut reply.lines);
                if let Some(body) = &mut reply.body {
                    self.content(body);
                }
            }
        }
    }

    pub fn notes(&self, notes: &mut [Note]) {
        for note in notes {
            // Both languages quote the same excerpts: both are redacted alike.
            self.text(&mut note.detail.en);
            self.text(&mut note.detail.zh_cn);
        }
    }
}

/// The pass over what a dialogue holds: its own secrets removed from all its other texts.
pub fn redact_dialogue(protocol: Protocol, exchanges: &mut [Exchange], notes: &mut [Note]) {
    if let Some(redactor) = Redactor::of_session(exchanges) {
        redactor.exchanges(protocol, exchanges);
        redactor.notes(notes);
    }
}

/// The pass over a whole file of sessions: a secret typed in one session is removed from
/// every other session and note of the file too (a mixed notation can cut a login in two,
/// the password landing in a session of its own). Nothing to do when the file holds none.
pub fn redact_file(sessions: &mut [Session], notes: &mut [Note]) {
    let mut known = KnownSecrets::default();
    for session in sessions.iter() {
        let mut own = KnownSecrets::of(&session.exchanges);
        for value in own.values.drain(..) {
            known.add(&value);
        }
    }
    let Some(redactor) = known.redactor() else {
        return;
    };
    for session in sessions.iter_mut() {
        redactor.exchanges(session.protocol, &mut session.exchanges);
        redactor.notes(&mut session.notes);
    }
    redactor.notes(notes);
}

/// The same pass over a whole session (its exchanges, notes and the host it connected to),
/// for a session put together without a [`DialogueBuilder`](super::DialogueBuilder).
pub fn redact_session(session: &mut Session) {
    let Some(redactor) = KnownSecrets::of(&session.exchanges).redactor() else {
        return;
    };
    redactor.exchanges(session.protocol, &mut session.exchanges);
    redactor.notes(&mut session.notes);
    if let Some(connect) = &mut session.connect {
        redactor.text(&mut connect.host);
    }
}

#[cfg(test)]
mod tests;
