//! One client line → the command it is, with any credential split off into a Secret.

use std::borrow::Cow;

use crate::protocol::request::Parsed;
use crate::protocol::verbs::{is_command_verb, is_credential_verb};
use crate::protocol::words;
use crate::protocol::{pop3, sasl, smtp, Request};
use crate::session::{Args, CommandKind, Protocol, Secret};

/// What the reply to a command decides about the client's next bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Effect {
    None,
    /// DATA: a `354` means the message follows.
    Data,
    /// AUTH or a SASL response: a `334` / `+ ` means another response follows.
    Auth,
    /// STARTTLS / STLS: a positive answer means TLS starts.
    Tls,
}

/// A client command line, read.
pub(super) struct LineCommand {
    pub kind: CommandKind,
    pub effect: Effect,
    /// POP3: a positive answer carries a multi-line body.
    pub multiline: bool,
    /// SMTP BDAT: the size of the chunk that follows the line.
    pub chunk: Option<u64>,
}

/// `after_credentials`: the command before this line was one with a credential slot (see
/// [`follows_credentials`]), so a line that is no command is most likely a password typed
/// on its own.
///
/// A line that starts with no verb but has a credential clause inside (`<junk> PASS x`,
/// `"SENT: AUTH PLAIN x`: a marker the reader did not learn) is read from that clause, so
/// its secret is one by position.
///
/// Inlined into its one caller: returned through a call, the value was still copied out
/// once more on its way (issue 18).
#[inline]
pub(super) fn read_line(protocol: Protocol, line: &str, after_credentials: bool) -> LineCommand {
    // One value returned on every path, so it is read where the caller wants it rather
    // than moved there (issue 18).
    let mut read = read_line_as_is(protocol, line, after_credentials);
    let has_secret = match &read.kind {
        CommandKind::Line { args, .. } => args.secret.is_some(),
        _ => true,
    };
    if !has_secret && !opens_with_its_verb(&read.kind) {
        if let Some(clause) = embedded_credential(line) {
            read = read_line_as_is(protocol, clause, after_credentials);
        }
    }
    read
}

/// Whether a command line's first word is the verb it was read as (most lines): then
/// [`embedded_credential`] finds none, as every verb is one `is_verb` knows.
fn opens_with_its_verb(kind: &CommandKind) -> bool {
    match kind {
        CommandKind::Line {
            request, written, ..
        } => request.verb().is_some_and(|verb| {
            // Borrowed only when spelled as the verb's own name (`Request::written`): no
            // need to compare it again (issue 18).
            matches!(written, Cow::Borrowed(_)) || written.eq_ignore_ascii_case(verb.name())
        }),
        _ => false,
    }
}

/// Where a credential clause starts inside a line that opens with no verb: an upper-case
/// AUTH, AUTHENTICATE, PASS or APOP word with something after it.
fn embedded_credential(line: &str) -> Option<&str> {
    let trimmed = line.trim_matches([' ', '\t']);
    let first = trimmed.split([' ', '\t']).next()?;
    if super::guess::is_verb(first) {
        return None;
    }
    // Each word's start: the first split piece is the empty one before the blank.
    let mut start = first.len();
    for piece in trimmed[first.len()..].split([' ', '\t']) {
        let end = start + piece.len();
        let word = piece.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
        // Inside a literal the reader did not unquote (`b"AUTH PLAIN x\r\n"`).
        let (word, literal) = match word.strip_prefix(['b', 'B']) {
            Some(rest) if rest.starts_with(['"', '\'']) => (&rest[1..], true),
            _ => (
                word,
                piece[..piece.len() - word.len()].ends_with(['"', '\'']),
            ),
        };
        let slot = matches!(word, "AUTH" | "AUTHENTICATE" | "PASS" | "APOP");
        if slot && !trimmed[end..].trim().is_empty() {
            let clause = &trimmed[end - word.len()..];
            if !literal {
                return Some(clause);
            }
            let clause = clause.trim_end_matches(['"', '\'']);
            let clause = clause.strip_suffix("\\r\\n").unwrap_or(clause);
            return Some(clause.strip_suffix("\\n").unwrap_or(clause));
        }
        start = end + 1;
    }
    None
}

fn read_line_as_is(protocol: Protocol, line: &str, after_credentials: bool) -> LineCommand {
    let trimmed = words::trim_blanks(line);
    let (written, rest) = words::split_at_blank(trimmed).unwrap_or((trimmed, ""));
    let rest = words::trim_blanks(rest);
    let verb = if written.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(written.to_ascii_uppercase())
    } else {
        Cow::Borrowed(written)
    };
    let typed = as_typed(&verb);
    let (args, as_written) = split_secret(protocol, &verb, &typed, rest);
    // A line with a credential slot of its own (`PASS x` typed at an SMTP server) stays
    // that line, its secret split off; only other unknown lines can be a bare password.
    let own_slot = args.secret.is_some() || is_credential_verb(&typed);
    let mut effect = Effect::None;
    let mut multiline = false;
    let mut chunk = None;
    let mut unknown = false;
    // The line split above is the grammar's own split unless CR or LF lie at its ends
    // (which the grammar takes for blanks): it is not split again (issue 18).
    let line_end = |byte: Option<&u8>| matches!(byte, Some(b'\r' | b'\n'));
    let ends = trimmed.as_bytes();
    let parsed = if line_end(ends.first()) || line_end(ends.last()) {
        Parsed::line(protocol, line)
    } else {
        Parsed::words(protocol, &verb, rest)
    };
    match &parsed {
        Parsed::Smtp(parsed) => match parsed {
            Ok(smtp::Request::Data) => effect = Effect::Data,
            Ok(smtp::Request::Auth { .. }) => effect = Effect::Auth,
            Ok(smtp::Request::StartTls) => effect = Effect::Tls,
            Ok(smtp::Request::Bdat { size, .. }) => chunk = Some(*size),
            Err(smtp::SyntaxError::UnknownCommand { .. }) => unknown = true,
            _ => {}
        },
        Parsed::Pop3(parsed) => match parsed {
            Ok(request) => {
                multiline = request.has_multiline_response();
                effect = match request {
                    pop3::Request::Auth {
                        mechanism: Some(_), ..
                    } => Effect::Auth,
                    pop3::Request::Stls => Effect::Tls,
                    _ => Effect::None,
                };
            }
            Err(pop3::SyntaxError::UnknownCommand { .. }) => unknown = true,
            Err(_) => {}
        },
        // TLS connections carry no command lines.
        Parsed::None => {}
    }
    // Asked only of a line whose verb is unknown: most lines are commands.
    let kind = if unknown && !own_slot && (after_credentials || looks_like_payload(trimmed)) {
        payload(trimmed)
    } else {
        // The line is parsed once: with its arguments as written, it is what
        // `Request::read` would parse again.
        let request = match (&parsed, &args.secret) {
            (_, None) if as_written => parsed.into_request(written),
            // `PASS x`: `read` would parse `PASS` alone, then put the password split off
            // into its slot; the line parsed whole says the same.
            (Parsed::Pop3(Ok(pop3::Request::Pass { .. })), Some(password))
                if args.text.is_empty() =>
            {
                Request::Pop3(pop3::Request::Pass {
                    password: password.clone(),
                })
            }
            _ => Request::read(protocol, written, &args),
        };
        CommandKind::Line {
            written: Request::written(&request, written),
            request,
            args,
        }
    };
    LineCommand {
        kind,
        effect,
        multiline,
        chunk,
    }
}

/// Whether a command opens or fills a credential slot, so that a line after it which is no
/// command is taken for a password: USER, PASS, APOP, AUTH, IMAP-style LOGIN and
/// AUTHENTICATE (tagged or not) in either protocol, and SASL responses.
pub(super) fn follows_credentials(kind: &CommandKind) -> bool {
    match kind {
        CommandKind::AuthResponse { .. } | CommandKind::AuthCancel => true,
        CommandKind::Line { request, args, .. } => {
            // A verb's own name needs no terminal clean-up (`as_typed`): only a word no
            // verb was read from is looked at again (every command passes here, issue 18).
            let credential_verb = match request.verb() {
                Some(verb) => verb.carries_credential(),
                None => is_credential_verb(&as_typed(request.word())),
            };
            args.secret.is_some() || credential_verb || is_tagged_credential(&args.text)
        }
        CommandKind::Message { .. } => false,
    }
}

/// A SASL response line (after `334` / `+ `).
pub(super) fn auth_response(line: &str) -> CommandKind {
    if sasl::is_cancel(line) {
        CommandKind::AuthCancel
    } else {
        payload(line.trim())
    }
}

fn payload(text: &str) -> CommandKind {
    CommandKind::AuthResponse {
        payload: Secret::new(text),
    }
}

/// A base64 line where a command was expected is a SASL response sent out of turn (the
/// `334` was not recorded): keep it secret rather than show it as an unknown verb.
/// The same inside a literal or code span (`'…\r\n'`, `` `…` ``), and a password typed
/// alone: one long word of letters with digits.
/// A marker the reader did not learn may stand before it (`&lt;- …`): the last of up to
/// three words counts, or of more when the word before it ends like a marker
/// (`<time> mail postfix/smtpd[42]: < localhost[<ip>]: <payload>`).
pub(super) fn looks_like_payload(line: &str) -> bool {
    let words = line.split_whitespace();
    let count = words.clone().count();
    let behind_marker = || {
        words
            .clone()
            .nth(count.saturating_sub(2))
            .is_some_and(|w| w.ends_with([':', '>', ']', '：']))
    };
    if count > 3 && !behind_marker() {
        return false;
    }
    let Some(last) = words.last() else {
        return false;
    };
    let word = super::server::bare(last.trim_end_matches('`'));
    is_base64_payload(line)
        || is_base64_payload(word)
        || (word.len() >= 8
            && word.bytes().any(|b| b.is_ascii_digit())
            && super::server::looks_like_password(word))
}

fn is_base64_payload(line: &str) -> bool {
    line.len() >= 8
        && sasl::looks_like_base64(line)
        && line
            .bytes()
            .any(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'=')
}

/// The verb as a terminal showed it: backspace and DEL erase the character before them,
/// other control characters (a stray NUL, an escape) are dropped. `PASX\x08S` is `PASS`.
fn as_typed(verb: &str) -> Cow<'_, str> {
    // Most verbs hold no control character: those are borrowed, not copied.
    if !has_control(verb) {
        return Cow::Borrowed(verb);
    }
    let mut typed = String::with_capacity(verb.len());
    for c in verb.chars() {
        match c {
            '\u{8}' | '\u{7f}' => {
                typed.pop();
            }
            c if c.is_control() => {}
            c => typed.push(c),
        }
    }
    Cow::Owned(typed)
}

/// `text.contains(char::is_control)` in one pass over the bytes: ASCII controls are
/// single bytes, and the C1 controls (U+0080–U+009F) start with byte C2, which the char
/// test then settles.
fn has_control(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_control() || b == 0xc2) && text.contains(char::is_control)
}

/// Splits a command's arguments by the slots its verb defines, on the words, so a malformed
/// line is redacted too, and whatever the protocol (a student who mixes them up still typed
/// a real password):
///
/// - `PASS x` → secret `x` (the whole rest: a password may hold blanks);
/// - `AUTH PLAIN x`, `AUTHENTICATE PLAIN x` → text `PLAIN`, secret `x`;
/// - `APOP name digest` → text `name`, secret `digest`; `APOP x` alone → secret `x` (a
///   password typed where the digest belongs);
/// - `USER name x` → text `name`, secret `x`; `USER name:x` → text `name`, secret `x`;
/// - IMAP `LOGIN name x` → text `name`, secret `x`; tagged `a1 LOGIN name x` → text
///   `LOGIN name`, secret `x` (and `a1 AUTHENTICATE PLAIN x` alike).
///
/// `typed` is `verb` [`as_typed`], worked out once per line by the caller. Also says
/// whether the text kept is `rest` as it stands.
fn split_secret(protocol: Protocol, verb: &str, typed: &str, rest: &str) -> (Args, bool) {
    let (first, after_first) = split_word(rest);
    // Every text kept but the tagged one is a slice of `rest`: all of it when as long. Known
    // so, the text need not be compared with `rest` again (issue 18: that compare, just
    // after the copy, cost as much as the copy).
    let secret_after = |text: &str, secret: &str| {
        let args = Args {
            text: text.to_string(),
            secret: (!secret.is_empty()).then(|| Secret::new(secret)),
        };
        (args, text.len() == rest.len())
    };
    match typed {
        "PASS" => secret_after("", rest),
        "APOP" if after_first.is_empty() => secret_after("", first),
        "AUTH" | "AUTHENTICATE" | "APOP" | "LOGIN" => secret_after(first, after_first),
        "USER" => match first.split_once(':') {
            Some((name, password)) if !name.is_empty() && !password.is_empty() => {
                let secret = rest[name.len() + 1..].trim_matches([' ', '\t']);
                secret_after(name, secret)
            }
            _ => secret_after(first, after_first),
        },
        // The tag test first: it looks at one word, the verb lists at every verb.
        _ if is_tagged_credential(rest) && !is_command_verb(protocol, verb) => {
            let (name, secret) = split_word(after_first);
            let text = [first, name].join(" ");
            let (args, _) = secret_after(text.trim_end(), secret);
            let as_written = args.text == rest;
            (args, as_written)
        }
        _ => (Args::plain(rest), true),
    }
}

/// Whether what follows an IMAP tag (`a1`) is `LOGIN …` or `AUTHENTICATE …`.
fn is_tagged_credential(rest: &str) -> bool {
    // The first word only (`split_word` would trim the rest as well): the verb as a prefix
    // that a blank or the end follows, without looking for the blank along the line.
    let rest = rest.as_bytes();
    ["LOGIN", "AUTHENTICATE"].iter().any(|verb| {
        rest.get(..verb.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(verb.as_bytes()))
            && matches!(rest.get(verb.len()), None | Some(b' ' | b'\t'))
    })
}

/// The first word and the rest, blanks around the rest taken off.
fn split_word(text: &str) -> (&str, &str) {
    let (first, rest) = words::split_at_blank(text).unwrap_or((text, ""));
    (first, words::trim_blanks(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line as the tests below name it: by its first word; [`untyped`] makes what was
    /// read comparable (the typed request has tests of its own in `protocol/request.rs`).
    fn line(verb: &str, written: &str, text: &str, secret: Option<&str>) -> CommandKind {
        CommandKind::Line {
            request: Request::Unknown(verb.into()),
            written: written.to_string().into(),
            args: Args {
                text: text.into(),
                secret: secret.map(Secret::new),
            },
        }
    }

    fn untyped(kind: CommandKind) -> CommandKind {
        match kind {
            CommandKind::Line {
                request,
                written,
                args,
            } => CommandKind::Line {
                request: Request::Unknown(request.word().to_string()),
                written,
                args,
            },
            other => other,
        }
    }

    #[test]
    fn a_line_that_is_no_command_after_credentials_is_a_secret() {
        use Protocol::{Pop3, Smtp};
        let cases = [
            (Pop3, "hunter2", true, payload("hunter2")),
            (Pop3, "my password", true, payload("my password")),
            (Smtp, "hunter2", true, payload("hunter2")),
            (
                Smtp,
                "PASS hunter2",
                false,
                line("PASS", "PASS", "", Some("hunter2")),
            ),
            (
                Pop3,
                "PAXS\u{8}\u{8}SS hunter2",
                false,
                line("PAXS\u{8}\u{8}SS", "PAXS\u{8}\u{8}SS", "", Some("hunter2")),
            ),
            (
                Smtp,
                "\0PASS hunter2",
                false,
                line("\0PASS", "\0PASS", "", Some("hunter2")),
            ),
            (Pop3, "hunter2", false, line("HUNTER2", "hunter2", "", None)),
            (Pop3, "STAT", true, line("STAT", "STAT", "", None)),
            (Smtp, "QUIT", true, line("QUIT", "QUIT", "", None)),
        ];
        for (protocol, text, after_credentials, kind) in cases {
            assert_eq!(
                untyped(read_line(protocol, text, after_credentials).kind),
                kind,
                "{text}"
            );
        }
    }

    /// Every credential slot, by position, whatever the notation and the protocol.
    #[test]
    fn every_credential_slot_is_a_secret() {
        use Protocol::{Pop3, Smtp};
        let cases = [
            // APOP: one argument is the password, two are name and digest.
            (
                Pop3,
                "APOP hunter2",
                line("APOP", "APOP", "", Some("hunter2")),
            ),
            (
                Pop3,
                "APOP alice c4c9334bac560ecc979e58001b3e22fb",
                line(
                    "APOP",
                    "APOP",
                    "alice",
                    Some("c4c9334bac560ecc979e58001b3e22fb"),
                ),
            ),
            (
                Smtp,
                "apop hunter2",
                line("APOP", "apop", "", Some("hunter2")),
            ),
            // USER: the words after the first, or what follows `:` in `user:pass`.
            (
                Pop3,
                "USER alice hunter2",
                line("USER", "USER", "alice", Some("hunter2")),
            ),
            (
                Pop3,
                "USER alice:hunter2",
                line("USER", "USER", "alice", Some("hunter2")),
            ),
            (
                Pop3,
                "user alice@qq.com:hunter 2",
                line("USER", "user", "alice@qq.com", Some("hunter 2")),
            ),
            (
                Smtp,
                "USER alice hunter2",
                line("USER", "USER", "alice", Some("hunter2")),
            ),
            (Pop3, "USER alice", line("USER", "USER", "alice", None)),
            (Pop3, "USER alice:", line("USER", "USER", "alice:", None)),
            // IMAP-style LOGIN, with and without a tag, at either server.
            (
                Pop3,
                "LOGIN alice hunter2",
                line("LOGIN", "LOGIN", "alice", Some("hunter2")),
            ),
            (
                Pop3,
                "a1 LOGIN alice hunter2",
                line("A1", "a1", "LOGIN alice", Some("hunter2")),
            ),
            (
                Smtp,
                "a1 login alice \"hunter 2\"",
                line("A1", "a1", "login alice", Some("\"hunter 2\"")),
            ),
            (
                Pop3,
                "a1 AUTHENTICATE PLAIN AGFsaWNlAGh1bnRlcjI=",
                line(
                    "A1",
                    "a1",
                    "AUTHENTICATE PLAIN",
                    Some("AGFsaWNlAGh1bnRlcjI="),
                ),
            ),
            // PASS in either protocol, the whole rest.
            (
                Smtp,
                "PASS hunter 2",
                line("PASS", "PASS", "", Some("hunter 2")),
            ),
            // AUTH's initial response.
            (
                Pop3,
                "AUTH PLAIN AGFsaWNlAGh1bnRlcjI=",
                line("AUTH", "AUTH", "PLAIN", Some("AGFsaWNlAGh1bnRlcjI=")),
            ),
            // Not credentials.
            (
                Smtp,
                "HELO login alice",
                line("HELO", "HELO", "login alice", None),
            ),
            (
                Pop3,
                "a1 SELECT inbox",
                line("A1", "a1", "SELECT inbox", None),
            ),
        ];
        for (protocol, text, kind) in cases {
            assert_eq!(
                untyped(read_line(protocol, text, false).kind),
                kind,
                "{text}"
            );
        }
    }

    /// A line right after a credential command that is no command of the protocol is the
    /// password typed on its own; a credential line of its own keeps its verb.
    #[test]
    fn what_follows_a_credential_command() {
        use Protocol::{Pop3, Smtp};
        let after =
            |protocol, first: &str| follows_credentials(&read_line(protocol, first, false).kind);
        let cases = [
            (Pop3, "USER alice", true),
            (Smtp, "USER alice", true),
            (Smtp, "PASS x", true),
            (Pop3, "APOP x", true),
            (Smtp, "AUTH LOGIN", true),
            (Pop3, "LOGIN alice", true),
            (Pop3, "a1 LOGIN alice", true),
            (Pop3, "STAT", false),
            (Smtp, "MAIL FROM:<a@b>", false),
            (Smtp, "hello", false),
        ];
        for (protocol, first, expected) in cases {
            assert_eq!(after(protocol, first), expected, "{first}");
        }
        assert!(follows_credentials(&payload("x")));
        assert!(follows_credentials(&CommandKind::AuthCancel));
        // After USER at an SMTP server: a bare word is a password, PASS keeps its verb.
        assert_eq!(read_line(Smtp, "hunter2", true).kind, payload("hunter2"));
        assert_eq!(
            read_line(Smtp, "PASS hunter2", true).kind,
            line("PASS", "PASS", "", Some("hunter2"))
        );
        assert_eq!(
            read_line(Pop3, "a1 LOGIN alice hunter2", true).kind,
            line("A1", "a1", "LOGIN alice", Some("hunter2"))
        );
    }

    /// However a line's request is come by (the one parse kept, or a password put into its
    /// slot), it is what `Request::read` gives for its first word and arguments.
    #[test]
    fn a_line_read_holds_the_request_read_gives() {
        let lines = [
            "PASS hunter2",
            "pass hunter 2 ",
            "PASS  \"my pw\"",
            "PASS",
            "PASS ",
            "\rPASS x",
            "\nPASS x",
            "PASS\r x",
            "PASS x\r",
            "\r\n PASS x",
            "PA\u{8}SS x",
            "PAXS\u{8}\u{8}SS hunter2",
            "\0PASS hunter2",
            "USER alice hunter2",
            "USER alice:hunter2",
            "APOP alice c4c9",
            "APOP hunter2",
            "AUTH PLAIN AGFsaWNlAGh1bnRlcjI=",
            "AUTH PLAIN a b",
            "AUTH LOGIN",
            "a1 LOGIN alice hunter2",
            "MAIL FROM:<a@b>",
            "RETR 1",
            "EHLO x",
            "QUIT\r",
            " DATA ",
            "\r\tDATA",
            "DA\rTA",
            "\tmail  from:<a@b>  SIZE=1\r",
            "list 1 2",
            "TOP 1 2\n",
            "",
            "\r",
        ];
        for protocol in [Protocol::Smtp, Protocol::Pop3] {
            for line in lines {
                if let CommandKind::Line {
                    request,
                    written,
                    args,
                } = read_line(protocol, line, false).kind
                {
                    assert_eq!(
                        request,
                        Request::read(protocol, &written, &args),
                        "{protocol:?} {line:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_tagged_credential_is_its_first_word() {
        let first_word = |rest: &str| {
            let first = rest.split([' ', '\t']).next().unwrap_or(rest);
            ["LOGIN", "AUTHENTICATE"]
                .iter()
                .any(|verb| first.eq_ignore_ascii_case(verb))
        };
        for rest in [
            "LOGIN alice x",
            "login",
            "LOGIN\tx",
            "LOGINS x",
            "LOGI",
            "",
            " LOGIN",
            "authenticate PLAIN",
            "AUTHENTICATEx",
            "FROM:<a@b>",
            "LOGIN\u{e9}",
        ] {
            assert_eq!(is_tagged_credential(rest), first_word(rest), "{rest:?}");
        }
    }

    #[test]
    fn has_control_is_contains_is_control() {
        for text in [
            "EHLO",
            "",
            "PAS\u{8}S",
            "\0",
            "a\u{7f}",
            "caf\u{e9}",
            "x\u{85}y",
            "\u{9f}",
            "\u{a0}",
        ] {
            assert_eq!(
                has_control(text),
                text.contains(char::is_control),
                "{text:?}"
            );
        }
    }

    #[test]
    fn splits_secrets_off() {
        use Protocol::{Pop3, Smtp};
        let cases = [
            (
                Smtp,
                "mail from: <a@b>",
                line("MAIL", "mail", "from: <a@b>", None),
                Effect::None,
            ),
            (
                Smtp,
                "AUTH LOGIN",
                line("AUTH", "AUTH", "LOGIN", None),
                Effect::Auth,
            ),
            (
                Smtp,
                "AUTH PLAIN AHN0dWRlbnQAc2VjcmV0",
                line("AUTH", "AUTH", "PLAIN", Some("AHN0dWRlbnQAc2VjcmV0")),
                Effect::Auth,
            ),
            (
                Smtp,
                "AUTH PLAIN a b",
                line("AUTH", "AUTH", "PLAIN", Some("a b")),
                Effect::None,
            ),
            (Smtp, "data", line("DATA", "data", "", None), Effect::Data),
            (
                Smtp,
                "STARTTLS",
                line("STARTTLS", "STARTTLS", "", None),
                Effect::Tls,
            ),
            (
                Smtp,
                "Subject: hi",
                line("SUBJECT:", "Subject:", "hi", None),
                Effect::None,
            ),
            (Smtp, "", line("", "", "", None), Effect::None),
            (Smtp, "c2VjcmV0", payload("c2VjcmV0"), Effect::None),
            (
                Pop3,
                "PASS hunter2 x",
                line("PASS", "PASS", "", Some("hunter2 x")),
                Effect::None,
            ),
            (
                Pop3,
                "user student",
                line("USER", "user", "student", None),
                Effect::None,
            ),
            (
                Pop3,
                "APOP mrose c4c9",
                line("APOP", "APOP", "mrose", Some("c4c9")),
                Effect::None,
            ),
            (
                Pop3,
                "AUTH PLAIN",
                line("AUTH", "AUTH", "PLAIN", None),
                Effect::Auth,
            ),
            (Pop3, "STLS", line("STLS", "STLS", "", None), Effect::Tls),
        ];
        for (protocol, text, kind, effect) in cases {
            let read = read_line(protocol, text, false);
            assert_eq!(untyped(read.kind), kind, "{text}");
            assert_eq!(read.effect, effect, "{text}");
        }
        assert!(read_line(Pop3, "RETR 1", false).multiline);
        assert_eq!(read_line(Smtp, "BDAT 12 LAST", false).chunk, Some(12));
        assert_eq!(auth_response("*"), CommandKind::AuthCancel);
        assert!(!looks_like_payload("TESTTEST"));
    }
}
