//! Which words are commands of a protocol, and which commands carry credentials.

use crate::protocol::{pop3, smtp};
use crate::session::Protocol;

/// Whether `word` (a command's first word, any case) is a verb `protocol` defines, whether
/// or not the rest of the line fits its grammar. `PASS` is no SMTP command, `HELO` no POP3
/// one, and a word with control characters in it (`PAS\x08SS`) is no command at all: a
/// server reads it as typed.
pub fn is_command_verb(protocol: Protocol, word: &str) -> bool {
    if word.is_empty() || word.contains(|c: char| c.is_whitespace()) {
        return false;
    }
    match protocol {
        Protocol::Smtp => !matches!(
            smtp::parse_request(word),
            Err(smtp::SyntaxError::UnknownCommand { .. } | smtp::SyntaxError::Empty)
        ),
        Protocol::Pop3 => !matches!(
            pop3::parse_request(word),
            Err(pop3::SyntaxError::UnknownCommand { .. } | pop3::SyntaxError::Empty)
        ),
        Protocol::Tls => false,
    }
}

/// The verbs whose arguments hold a credential in some slot, in any mail protocol a student
/// may mix up: SMTP/POP3 `AUTH`, POP3 `USER` / `PASS` / `APOP`, IMAP `LOGIN` /
/// `AUTHENTICATE`. Upper-case.
pub(crate) fn is_credential_verb(verb: &str) -> bool {
    matches!(
        verb,
        "AUTH" | "AUTHENTICATE" | "USER" | "PASS" | "APOP" | "LOGIN"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_verbs_of_each_protocol() {
        use Protocol::{Pop3, Smtp};
        let cases = [
            (Smtp, "MAIL", true),
            (Smtp, "mail", true),
            (Smtp, "HELO", true),
            (Smtp, "AUTH", true),
            (Smtp, "PASS", false),
            (Smtp, "USER", false),
            (Smtp, "LOGIN", false),
            (Smtp, "hunter2", false),
            (Smtp, "", false),
            (Smtp, "MAIL FROM:<a@b>", false),
            (Pop3, "PASS", true),
            (Pop3, "APOP", true),
            (Pop3, "RETR", true),
            (Pop3, "HELO", false),
            (Pop3, "PAS\u{8}SS", false),
            (Protocol::Tls, "QUIT", false),
        ];
        for (protocol, word, expected) in cases {
            assert_eq!(
                is_command_verb(protocol, word),
                expected,
                "{protocol} {word:?}"
            );
        }
    }
}
