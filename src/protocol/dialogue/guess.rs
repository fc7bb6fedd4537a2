//! Which side an unmarked transcript line came from.

use super::{Direction, Expect};
use crate::protocol::{detect, pop3, sasl, smtp};
use crate::session::Protocol;

fn looks_like_reply(protocol: Protocol, line: &str) -> bool {
    match protocol {
        Protocol::Smtp => smtp::is_reply_line(line),
        Protocol::Pop3 => pop3::is_status_line(line),
        Protocol::Tls => false,
    }
}

/// Every verb of SMTP (RFC 5321, 3030 BDAT, 3207 STARTTLS, 4954 AUTH) and POP3 (RFC 1939,
/// 2449 CAPA, 2595 STLS, 5034 AUTH): what the parsers know, for a look that allocates
/// nothing before they are asked.
const VERBS: [&str; 27] = [
    "HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "VRFY", "EXPN", "HELP", "QUIT",
    "STARTTLS", "AUTH", "USER", "PASS", "APOP", "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE",
    "CAPA", "STLS", "LAST", "RPOP",
];

/// Whether `word` is a verb of SMTP or POP3, in any case.
pub fn is_verb(word: &str) -> bool {
    VERBS.iter().any(|verb| verb.eq_ignore_ascii_case(word))
}

/// Whether the line's first word is a command of `protocol` (valid or not in its arguments).
pub fn is_known_command(protocol: Protocol, line: &str) -> bool {
    let line = line.trim();
    match protocol {
        Protocol::Smtp => !matches!(
            smtp::parse_request(line),
            Err(smtp::SyntaxError::UnknownCommand { .. } | smtp::SyntaxError::Empty)
        ),
        Protocol::Pop3 => !matches!(
            pop3::parse_request(line),
            Err(pop3::SyntaxError::UnknownCommand { .. } | pop3::SyntaxError::Empty)
        ),
        Protocol::Tls => false,
    }
}

fn looks_like_command(protocol: Protocol, line: &str) -> bool {
    is_known_command(protocol, line)
        || detect::detect_line(line).is_some_and(|(p, d)| p == protocol && d == Direction::Client)
}

/// Which side a line with no `C:`/`S:` mark most likely came from, given what is expected.
/// `sure` is false when the guess should be reported to the student.
pub fn guess_direction(protocol: Protocol, line: &str, expect: Expect) -> (Direction, bool) {
    use Direction::{Client, Server};
    let reply = looks_like_reply(protocol, line);
    let command = looks_like_command(protocol, line);
    match expect {
        // Anything goes inside a message; only a reply-shaped line is doubtful (the `.` line
        // may be missing from the transcript).
        Expect::MessageContent => (Client, !reply),
        Expect::AuthResponse if sasl::looks_like_base64(line) || sasl::is_cancel(line) => {
            (Client, true)
        }
        Expect::AuthResponse if reply => (Server, false),
        Expect::AuthResponse => (Client, false),
        // A POP3 body holds anything (a command there means the `.` line was left out); an
        // SMTP multi-line reply only reply lines.
        Expect::ServerContinuation => match protocol {
            Protocol::Pop3 if command && !reply => (Client, false),
            Protocol::Pop3 => (Server, true),
            Protocol::Smtp if reply => (Server, true),
            Protocol::Smtp | Protocol::Tls => (Client, false),
        },
        Expect::Encrypted => (Server, false),
        _ if reply => (Server, true),
        _ if command => (Client, true),
        Expect::Greeting | Expect::Reply => (Server, false),
        Expect::Command => (Client, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verb_table_is_what_the_parsers_know() {
        for verb in VERBS {
            let known =
                is_known_command(Protocol::Smtp, verb) || is_known_command(Protocol::Pop3, verb);
            // LAST and RPOP are RFC 1725's, gone from RFC 1939: no parser knows them, and a
            // look that lets them through only costs a parse.
            assert!(known || matches!(verb, "LAST" | "RPOP"), "{verb}");
            assert!(is_verb(&verb.to_lowercase()), "{verb}");
        }
        for word in ["the", "Line", "FOO", "ELHO", "MAILS", ""] {
            assert!(!is_verb(word), "{word}");
            assert!(
                !is_known_command(Protocol::Smtp, word) && !is_known_command(Protocol::Pop3, word)
            );
        }
    }

    #[test]
    fn guesses_like_a_reader_would() {
        use Direction::{Client, Server};
        use Expect::*;
        use Protocol::{Pop3, Smtp};
        let cases = [
            (Smtp, "220 mail ESMTP", Greeting, (Server, true)),
            (Smtp, "EHLO x", Command, (Client, true)),
            (Smtp, "250-PIPELINING", Reply, (Server, true)),
            (Smtp, "250 OK", ServerContinuation, (Server, true)),
            (Smtp, "AUTH LOGIN", ServerContinuation, (Client, false)),
            (
                Smtp,
                "ODc3MjYxNzkzQHFxLmNvbQ==",
                AuthResponse,
                (Client, true),
            ),
            (Smtp, "*", AuthResponse, (Client, true)),
            (Smtp, "Subject: hi", MessageContent, (Client, true)),
            (Smtp, "250 OK", MessageContent, (Client, false)),
            (Smtp, ".", MessageContent, (Client, true)),
            (Smtp, "hello there", Command, (Client, false)),
            (Smtp, "hello there", Reply, (Server, false)),
            (Pop3, "+OK 2 900", Reply, (Server, true)),
            (Pop3, "-ERR nope", Command, (Server, true)),
            (Pop3, "1 438", ServerContinuation, (Server, true)),
            (Pop3, "Subject: hi", ServerContinuation, (Server, true)),
            (Pop3, "QUIT", ServerContinuation, (Client, false)),
            (Pop3, "user student", Command, (Client, true)),
            (Pop3, "list", Reply, (Client, true)),
        ];
        for (protocol, line, expect, expected) in cases {
            assert_eq!(
                guess_direction(protocol, line, expect),
                expected,
                "{line} {expect:?}"
            );
        }
    }
}
