//! Is this TCP connection SMTP, POP3, or something to skip? Decided on the first bytes of
//! each direction, on any port: a `220 ` greeting or `+OK` banner, the client's first
//! commands when the capture starts mid-session or holds one direction only, or a TLS
//! record header at the very start (implicit TLS).
//!
//! Whether a line is SMTP or POP3 is `protocol::detect_line`'s call; this module adds what
//! only a capture has: TLS records, ports, the other protocols to skip (FTP's `220`, IMAP,
//! HTTP, SSH), and which side spoke.

use crate::protocol::{detect_line, smtp, tls, Direction, Verb};
use crate::session::Protocol;

/// What kind of non-mail traffic a connection was, for the "nothing found" explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum OtherKind {
    /// TLS from the first byte, on this server port.
    Tls {
        port: u16,
    },
    Imap,
    Ftp,
    Http,
    Ssh,
    /// Anything else, by server port.
    Unknown {
        port: u16,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Decision {
    /// Not enough bytes yet.
    Wait,
    Mail {
        protocol: Protocol,
        /// 0 or 1: which side of the connection is the server.
        server_side: usize,
        /// TLS from the start: nothing in it is readable.
        implicit_tls: bool,
    },
    Other(OtherKind),
}

/// Looked at per direction before deciding a connection is not mail.
pub(super) const PREFIX_LIMIT: usize = 1024;

const IMAPS_PORT: u16 = 993;
const SMTP_PORTS: [u16; 5] = [25, 587, 465, 2525, 1025];
const POP3_PORTS: [u16; 2] = [110, 995];

const FTP_ONLY_VERBS: [&str; 8] = ["SYST", "FEAT", "PASV", "EPSV", "PORT", "TYPE", "CWD", "PWD"];
const HTTP_VERBS: [&str; 7] = ["GET", "POST", "HEAD", "PUT", "OPTIONS", "CONNECT", "DELETE"];

/// Decides what a connection carries from the first bytes of each side.
///
/// `ports[s]` is side `s`'s port; `from_start` says the handshake was seen, so these are
/// the connection's very first bytes; `last_chance` says no more bytes will come.
pub(super) fn decide(
    prefix: [&[u8]; 2],
    ports: [u16; 2],
    from_start: bool,
    last_chance: bool,
) -> Decision {
    if prefix.iter().any(|p| is_tls_record(p)) {
        return tls(prefix, ports);
    }
    let mut votes: [Option<Decision>; 2] = [None, None];
    for side in 0..2 {
        votes[side] = side_decision(prefix[side], side, ports, from_start);
        // Unreadable bytes sent to a mail port before its greeting: let the server speak.
        let to_mail_port =
            SMTP_PORTS.contains(&ports[1 - side]) || POP3_PORTS.contains(&ports[1 - side]);
        if matches!(
            votes[side],
            Some(Decision::Other(OtherKind::Unknown { .. }))
        ) && to_mail_port
            && prefix[1 - side].is_empty()
            && !last_chance
        {
            votes[side] = None;
        }
    }
    // A server greeting beats the client's first words; the client's words settle a `220`
    // that could be FTP.
    for side in 0..2 {
        if let Some(Decision::Mail {
            protocol: Protocol::Smtp,
            server_side,
            ..
        }) = votes[side]
        {
            if server_side == side && is_greeting(prefix[side]) && greeting_may_be_ftp(prefix[side])
            {
                let client = prefix[1 - side];
                return match first_line(client).map(verb) {
                    Some(v)
                        if FTP_ONLY_VERBS.contains(&v.as_str())
                            || is_verb(v.as_str(), Verb::User) =>
                    {
                        Decision::Other(OtherKind::Ftp)
                    }
                    Some(_) => votes[side].unwrap_or(Decision::Wait),
                    None if last_chance => votes[side].unwrap_or(Decision::Wait),
                    None => Decision::Wait,
                };
            }
        }
    }
    match votes {
        [Some(d @ Decision::Mail { .. }), _] | [_, Some(d @ Decision::Mail { .. })] => d,
        [Some(d @ Decision::Other(_)), _] | [_, Some(d @ Decision::Other(_))] => d,
        _ if prefix.iter().any(|p| p.len() >= PREFIX_LIMIT) && last_chance => {
            by_port(prefix, ports)
        }
        _ if last_chance || prefix.iter().all(|p| p.len() >= PREFIX_LIMIT) => {
            by_port(prefix, ports)
        }
        _ => Decision::Wait,
    }
}

fn is_tls_record(bytes: &[u8]) -> bool {
    matches!(bytes, [0x16, 0x03, 0x00..=0x04, ..])
}

fn server_side_of(ports: [u16; 2], known: &[u16]) -> Option<usize> {
    (0..2).find(|&s| known.contains(&ports[s]))
}

fn tls(prefix: [&[u8]; 2], ports: [u16; 2]) -> Decision {
    if let Some(server_side) = server_side_of(ports, &SMTP_PORTS) {
        return mail(Protocol::Smtp, server_side, true);
    }
    if let Some(server_side) = server_side_of(ports, &POP3_PORTS) {
        return mail(Protocol::Pop3, server_side, true);
    }
    // A ClientHello anywhere else (HTTPS webmail): its handshake is read. IMAPS stays
    // skipped like IMAP.
    if !ports.contains(&IMAPS_PORT) {
        if let Some(client) = (0..2).find(|&s| tls::is_client_hello(prefix[s])) {
            return mail(Protocol::Tls, 1 - client, true);
        }
    }
    let port = if ports[1] < ports[0] {
        ports[1]
    } else {
        ports[0]
    };
    Decision::Other(OtherKind::Tls { port })
}

fn mail(protocol: Protocol, server_side: usize, implicit_tls: bool) -> Decision {
    Decision::Mail {
        protocol,
        server_side,
        implicit_tls,
    }
}

// Line ends are found with memchr: a byte-at-a-time search cost about 5 instructions a
// byte, over every connection's first bytes two or three times (issue 18).

fn first_line(bytes: &[u8]) -> Option<&[u8]> {
    let end = memchr::memchr(b'\n', bytes)?;
    Some(&bytes[..end])
}

/// The complete lines (up to 16), empty ones left out.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let complete = memchr::memrchr(b'\n', bytes).map_or(0, |i| i + 1);
    let body = &bytes[..complete];
    let mut start = 0;
    memchr::memchr_iter(b'\n', body)
        .map(move |end| {
            let line = &body[start..end];
            start = end + 1;
            line
        })
        .filter(|l| !l.is_empty())
        .take(16)
}

/// Bytes of a line's first word looked at: longer words are no verb of any protocol here.
const WORD_LIMIT: usize = 12;

/// The first word of a line, upper-cased, held on the stack: it is asked of every line of
/// every connection's first bytes (issue 18).
struct Word {
    bytes: [u8; WORD_LIMIT],
    len: usize,
}

impl Word {
    /// The word; empty when it holds bytes other than ASCII. Every name it is compared with
    /// is ASCII, so such a word (lossily decoded, it would hold U+FFFD) matches none, as the
    /// empty word matches none.
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len])
            .ok()
            .filter(|word| word.is_ascii())
            .unwrap_or_default()
    }
}

/// The first word of a line, upper-cased, its first [`WORD_LIMIT`] bytes.
fn verb(line: &[u8]) -> Word {
    let word = line
        .split(|&b| b == b' ' || b == b'\r' || b == b'\t')
        .next()
        .unwrap_or_default();
    let word = &word[..word.len().min(WORD_LIMIT)];
    let mut bytes = [0u8; WORD_LIMIT];
    bytes[..word.len()].copy_from_slice(word);
    bytes.make_ascii_uppercase();
    Word {
        bytes,
        len: word.len(),
    }
}

/// Whether a line is a reply line, by the protocol's test.
fn is_reply_line(line: &[u8]) -> bool {
    smtp::reply_line_code(line).is_some()
}

/// Whether a line (or the first of several) is an SMTP `220` greeting, whose words may
/// still say FTP.
fn is_greeting(line: &[u8]) -> bool {
    let line = first_line(line).unwrap_or(line);
    smtp::reply_line_code(line).is_some_and(|code| code.value() == smtp::GREETING)
}

/// Whether `text` holds `word` (upper-case ASCII) in any case, without an upper-cased copy.
fn holds(text: &[u8], word: &[u8]) -> bool {
    let [first, ..] = *word else {
        return true;
    };
    let Some(last_start) = text.len().checked_sub(word.len()) else {
        return false;
    };
    // Only places that start with the word's first letter, in either case, are compared:
    // memchr finds them at a fraction of the cost of comparing at every byte.
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, &text[..=last_start])
        .any(|at| text[at..at + word.len()].eq_ignore_ascii_case(word))
}

/// Whether both protocols have the verb a word names: it decides by port only.
fn is_shared_verb(word: &str) -> bool {
    Verb::parse(word).is_some_and(Verb::is_shared)
}

fn is_verb(word: &str, verb: Verb) -> bool {
    Verb::parse(word) == Some(verb)
}

fn greeting_may_be_ftp(prefix: &[u8]) -> bool {
    let line = first_line(prefix).unwrap_or(prefix);
    let has = |word: &[u8]| holds(line, word);
    !has(b"SMTP") && !has(b"MAIL") && !has(b"POSTFIX") && !has(b"EXIM") && !has(b"SENDMAIL")
}

/// What one side's bytes say on their own, if anything.
fn side_decision(bytes: &[u8], side: usize, ports: [u16; 2], from_start: bool) -> Option<Decision> {
    for (index, line) in lines(bytes).enumerate() {
        let first = index == 0;
        // Other protocols that would look like mail on a first glance, or say who they are.
        if first && is_greeting(line) && is_ftp_greeting(line, ports[side]) {
            return Some(Decision::Other(OtherKind::Ftp));
        }
        if first && (line.starts_with(b"* OK") || line.starts_with(b"* PREAUTH")) {
            return Some(Decision::Other(OtherKind::Imap));
        }
        if first && line.starts_with(b"SSH-") {
            return Some(Decision::Other(OtherKind::Ssh));
        }
        if line.starts_with(b"HTTP/") {
            return Some(Decision::Other(OtherKind::Http));
        }
        let word = verb(line);
        let v = word.as_str();
        if HTTP_VERBS.contains(&v) && line.windows(5).any(|w| w == b"HTTP/") {
            return Some(Decision::Other(OtherKind::Http));
        }
        if FTP_ONLY_VERBS.contains(&v) || (ports.contains(&21) && is_verb(v, Verb::User)) {
            return Some(Decision::Other(OtherKind::Ftp));
        }
        // What the line says about SMTP or POP3 is the protocol's call.
        // Read in place when it is UTF-8, as nearly every line is: a lossy copy costs
        // four times the check.
        let read = match std::str::from_utf8(line) {
            Ok(text) => detect_line(text),
            Err(_) => detect_line(&String::from_utf8_lossy(line)),
        };
        match read {
            Some((Protocol::Smtp, Direction::Server)) => {
                // A greeting at the very start says SMTP anywhere; a reply in mid-session
                // only on an SMTP port (FTP and others use three-digit codes too).
                if (first && from_start) || server_side_of(ports, &SMTP_PORTS) == Some(side) {
                    return Some(mail(Protocol::Smtp, side, false));
                }
                continue;
            }
            Some((protocol, Direction::Server)) => return Some(mail(protocol, side, false)),
            Some((protocol, Direction::Client)) => return Some(mail(protocol, 1 - side, false)),
            None => {}
        }
        if is_shared_verb(v) || is_reply_line(line) {
            continue;
        }
        // The very first line of a connection seen from its start says what it is.
        if first && from_start {
            return Some(by_port([bytes, b""], ports));
        }
    }
    if from_start && bytes.len() >= PREFIX_LIMIT && first_line(bytes).is_none() {
        return Some(by_port([bytes, b""], ports));
    }
    None
}

/// A `220` greeting from an FTP server: it says FTP (and not SMTP), or it is on port 21.
fn is_ftp_greeting(line: &[u8], port: u16) -> bool {
    let has = |word: &[u8]| holds(line, word);
    port == 21 || (has(b"FTP") && !has(b"SMTP"))
}

/// Nothing in the bytes decided: only shared verbs, or nothing readable.
fn by_port(prefix: [&[u8]; 2], ports: [u16; 2]) -> Decision {
    let shared_only = prefix
        .iter()
        .all(|p| lines(p).all(|l| is_shared_verb(verb(l).as_str()) || is_reply_line(l)))
        && prefix.iter().any(|p| !p.is_empty());
    if shared_only {
        if let Some(server_side) = server_side_of(ports, &SMTP_PORTS) {
            return mail(Protocol::Smtp, server_side, false);
        }
        if let Some(server_side) = server_side_of(ports, &POP3_PORTS) {
            return mail(Protocol::Pop3, server_side, false);
        }
    }
    let port = ports[0].min(ports[1]);
    Decision::Other(OtherKind::Unknown { port })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_finds_a_word_in_any_case_anywhere() {
        let cases: [(&[u8], &[u8], bool); 8] = [
            (b"220 mail ESMTP Postfix", b"SMTP", true),
            (b"smtp", b"SMTP", true),
            (b"220 ProFTPD", b"FTP", true),
            (b"xxftP", b"FTP", true),
            (b"220 lab ready", b"FTP", false),
            (b"FT", b"FTP", false),
            (b"", b"EXIM", false),
            (b"F\xc6TP ftp", b"FTP", true),
        ];
        for (text, word, expected) in cases {
            let by_window = text
                .windows(word.len())
                .any(|w| w.eq_ignore_ascii_case(word));
            assert_eq!(by_window, expected, "{text:?}");
            assert_eq!(holds(text, word), expected, "{text:?}");
        }
    }

    fn smtp(server_side: usize) -> Decision {
        mail(Protocol::Smtp, server_side, false)
    }

    fn pop3(server_side: usize) -> Decision {
        mail(Protocol::Pop3, server_side, false)
    }

    /// (name, prefixes, ports, from start, last chance, expected)
    type Case<'a> = (&'a str, [&'a [u8]; 2], [u16; 2], bool, bool, Decision);

    #[test]
    fn decides_on_first_bytes() {
        let cases: Vec<Case<'_>> = vec![
            (
                "smtp greeting",
                [b"", b"220 mx ESMTP\r\n"],
                [5000, 25],
                true,
                false,
                smtp(1),
            ),
            (
                "greeting on odd port",
                [b"", b"220 lab ready\r\n"],
                [5000, 8025],
                true,
                false,
                Decision::Wait,
            ),
            (
                "…settled by EHLO",
                [b"EHLO me\r\n", b"220 lab ready\r\n"],
                [5000, 8025],
                true,
                false,
                smtp(1),
            ),
            (
                "…or FTP by USER",
                [b"USER anonymous\r\n", b"220 lab ready\r\n"],
                [5000, 8021],
                true,
                false,
                Decision::Other(OtherKind::Ftp),
            ),
            (
                "ftp greeting",
                [b"", b"220 ProFTPD Server\r\n"],
                [5000, 21],
                true,
                false,
                Decision::Other(OtherKind::Ftp),
            ),
            (
                "pop3 banner",
                [b"", b"+OK POP3 ready\r\n"],
                [5000, 110],
                true,
                false,
                pop3(1),
            ),
            (
                "partial line waits",
                [b"", b"+O"],
                [5000, 110],
                true,
                false,
                Decision::Wait,
            ),
            (
                "client only smtp",
                [b"ehlo x\r\nmail from:<a>\r\n", b""],
                [5000, 25],
                false,
                false,
                smtp(1),
            ),
            (
                "client only pop3",
                [b"USER bob\r\n", b""],
                [5000, 110],
                false,
                false,
                pop3(1),
            ),
            (
                "mid-session smtp reply",
                [b"", b"250 2.0.0 Ok\r\n"],
                [5000, 25],
                false,
                false,
                smtp(1),
            ),
            (
                "mid-session reply off port",
                [b"", b"250 ok\r\n"],
                [5000, 7000],
                false,
                false,
                Decision::Wait,
            ),
            (
                "implicit tls smtps",
                [&[0x16, 0x03, 0x01, 0x02, 0x00], b""],
                [5000, 465],
                true,
                false,
                mail(Protocol::Smtp, 1, true),
            ),
            (
                "implicit tls pop3s",
                [&[0x16, 0x03, 0x03], b""],
                [995, 5000],
                true,
                false,
                mail(Protocol::Pop3, 0, true),
            ),
            (
                "https",
                [&[0x16, 0x03, 0x01], b""],
                [5000, 443],
                true,
                false,
                mail(Protocol::Tls, 1, true),
            ),
            (
                "imaps",
                [&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01], b""],
                [5000, 993],
                true,
                false,
                Decision::Other(OtherKind::Tls { port: 993 }),
            ),
            (
                "server hello mid-stream",
                [b"", &[0x16, 0x03, 0x03, 0x00, 0x40, 0x02]],
                [5000, 443],
                false,
                false,
                Decision::Other(OtherKind::Tls { port: 443 }),
            ),
            (
                "imap",
                [b"", b"* OK IMAP4rev1\r\n"],
                [5000, 143],
                true,
                false,
                Decision::Other(OtherKind::Imap),
            ),
            (
                "http",
                [b"GET / HTTP/1.1\r\n", b""],
                [5000, 80],
                true,
                false,
                Decision::Other(OtherKind::Http),
            ),
            (
                "unknown first line",
                [b"hello there\r\n", b""],
                [5000, 7],
                true,
                false,
                Decision::Other(OtherKind::Unknown { port: 7 }),
            ),
            (
                "only QUIT on port 25",
                [b"QUIT\r\n", b""],
                [5000, 25],
                false,
                true,
                smtp(1),
            ),
            (
                "only QUIT elsewhere",
                [b"QUIT\r\n", b""],
                [5000, 7000],
                false,
                true,
                Decision::Other(OtherKind::Unknown { port: 5000 }),
            ),
        ];
        for (name, prefix, ports, from_start, last, expected) in cases {
            assert_eq!(decide(prefix, ports, from_start, last), expected, "{name}");
        }
    }
}
