//! Which words are commands of a protocol, and which commands carry credentials.

use std::fmt;

use crate::session::Protocol;

/// A command verb of SMTP (RFC 5321, 4954, 3207, 3030) or POP3 (RFC 1939, 2449, 5034,
/// 2595). Outside `protocol/` verbs are named by this type, never by their spelling, so a
/// typo does not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Vrfy,
    Expn,
    Help,
    Quit,
    StartTls,
    Auth,
    User,
    Pass,
    Apop,
    Stat,
    List,
    Uidl,
    Retr,
    Top,
    Dele,
    Capa,
    Stls,
}

const SMTP_VERBS: [Verb; 14] = [
    Verb::Helo,
    Verb::Ehlo,
    Verb::Mail,
    Verb::Rcpt,
    Verb::Data,
    Verb::Bdat,
    Verb::Rset,
    Verb::Noop,
    Verb::Vrfy,
    Verb::Expn,
    Verb::Help,
    Verb::Quit,
    Verb::StartTls,
    Verb::Auth,
];

const POP3_VERBS: [Verb; 15] = [
    Verb::User,
    Verb::Pass,
    Verb::Apop,
    Verb::Stat,
    Verb::List,
    Verb::Uidl,
    Verb::Retr,
    Verb::Top,
    Verb::Dele,
    Verb::Rset,
    Verb::Noop,
    Verb::Quit,
    Verb::Capa,
    Verb::Stls,
    Verb::Auth,
];

impl Verb {
    /// The verbs `protocol` defines, in the order its RFC lists them.
    pub fn of(protocol: Protocol) -> &'static [Verb] {
        match protocol {
            Protocol::Smtp => &SMTP_VERBS,
            Protocol::Pop3 => &POP3_VERBS,
            Protocol::Tls => &[],
        }
    }

    /// The verb a word names in either protocol, any case.
    pub fn parse(word: &str) -> Option<Verb> {
        SMTP_VERBS
            .iter()
            .chain(&POP3_VERBS)
            .copied()
            .find(|verb| verb.name().eq_ignore_ascii_case(word))
    }

    /// The verb as its RFC spells it.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Helo => "HELO",
            Verb::Ehlo => "EHLO",
            Verb::Mail => "MAIL",
            Verb::Rcpt => "RCPT",
            Verb::Data => "DATA",
            Verb::Bdat => "BDAT",
            Verb::Rset => "RSET",
            Verb::Noop => "NOOP",
            Verb::Vrfy => "VRFY",
            Verb::Expn => "EXPN",
            Verb::Help => "HELP",
            Verb::Quit => "QUIT",
            Verb::StartTls => "STARTTLS",
            Verb::Auth => "AUTH",
            Verb::User => "USER",
            Verb::Pass => "PASS",
            Verb::Apop => "APOP",
            Verb::Stat => "STAT",
            Verb::List => "LIST",
            Verb::Uidl => "UIDL",
            Verb::Retr => "RETR",
            Verb::Top => "TOP",
            Verb::Dele => "DELE",
            Verb::Capa => "CAPA",
            Verb::Stls => "STLS",
        }
    }

    /// Whether `protocol` defines this verb.
    pub fn is_in(self, protocol: Protocol) -> bool {
        Verb::of(protocol).contains(&self)
    }

    /// Whether both SMTP and POP3 define this verb (so it says nothing about which one a
    /// stream speaks).
    pub fn is_shared(self) -> bool {
        self.is_in(Protocol::Smtp) && self.is_in(Protocol::Pop3)
    }

    /// Whether [`is_credential_verb`] holds for this verb's name, asked of the verb: every
    /// command of a capture is asked (issue 18).
    pub(crate) fn carries_credential(self) -> bool {
        matches!(self, Verb::Auth | Verb::User | Verb::Pass | Verb::Apop)
    }

    /// The verbs that start TLS on the connection (STARTTLS, STLS).
    pub fn starts_tls(self) -> bool {
        matches!(self, Verb::StartTls | Verb::Stls)
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Verb {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Whether `word` (a command's first word, any case) is a verb `protocol` defines, whether
/// or not the rest of the line fits its grammar. `PASS` is no SMTP command, `HELO` no POP3
/// one, and a word with control characters in it (`PAS\x08SS`) is no command at all: a
/// server reads it as typed.
pub fn is_command_verb(protocol: Protocol, word: &str) -> bool {
    // The verb lists are the parsers' (a test below holds them to it): looking the word up
    // costs no allocation, where parsing it as a line did two.
    !word.contains(|c: char| c.is_whitespace())
        && Verb::of(protocol)
            .iter()
            .any(|verb| verb.name().eq_ignore_ascii_case(word))
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
    use crate::protocol::{pop3, smtp};

    #[test]
    fn a_verb_carries_a_credential_as_its_name_says() {
        for &verb in SMTP_VERBS.iter().chain(&POP3_VERBS) {
            assert_eq!(
                verb.carries_credential(),
                is_credential_verb(verb.name()),
                "{verb}"
            );
        }
    }

    #[test]
    fn every_verb_reads_back_from_its_name_and_the_parsers_agree() {
        for protocol in [Protocol::Smtp, Protocol::Pop3] {
            for &verb in Verb::of(protocol) {
                assert_eq!(Verb::parse(verb.name()), Some(verb));
                assert_eq!(Verb::parse(&verb.name().to_lowercase()), Some(verb));
                assert!(is_command_verb(protocol, verb.name()), "{protocol} {verb}");
            }
        }
        assert_eq!(Verb::parse("EHL0"), None);
        // Any first word: a verb of the protocol exactly when its parser knows the word.
        let words = [
            "mail", "Data", "starttls", "STLS", "retr", "PASS", "EHL0", "LOGIN", "x",
        ];
        for word in words {
            let smtp_knows = !matches!(
                smtp::parse_request(word),
                Err(smtp::SyntaxError::UnknownCommand { .. } | smtp::SyntaxError::Empty)
            );
            let pop3_knows = !matches!(
                pop3::parse_request(word),
                Err(pop3::SyntaxError::UnknownCommand { .. } | pop3::SyntaxError::Empty)
            );
            assert_eq!(
                is_command_verb(Protocol::Smtp, word),
                smtp_knows,
                "smtp {word}"
            );
            assert_eq!(
                is_command_verb(Protocol::Pop3, word),
                pop3_knows,
                "pop3 {word}"
            );
        }
        assert!(Verb::Quit.is_shared() && !Verb::Mail.is_shared());
    }

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
