//! One client line → the command it is, with any credential split off into a Secret.

use crate::protocol::{pop3, sasl, smtp};
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

/// `after_credentials`: the command before this line was USER, PASS, APOP, AUTH or a SASL
/// response, so a line that is no command is most likely a password typed on its own.
pub(super) fn read_line(protocol: Protocol, line: &str, after_credentials: bool) -> LineCommand {
    let trimmed = line.trim_matches([' ', '\t']);
    let (written, rest) = trimmed.split_once([' ', '\t']).unwrap_or((trimmed, ""));
    let rest = rest.trim_matches([' ', '\t']);
    let verb = written.to_ascii_uppercase();
    let mut read = LineCommand {
        kind: CommandKind::Line {
            verb: verb.clone(),
            written: written.to_string(),
            args: split_secret(protocol, &verb, rest),
        },
        effect: Effect::None,
        multiline: false,
        chunk: None,
    };
    match protocol {
        Protocol::Smtp => match smtp::parse_request(line) {
            Ok(smtp::Request::Data) => read.effect = Effect::Data,
            Ok(smtp::Request::Auth { .. }) => read.effect = Effect::Auth,
            Ok(smtp::Request::StartTls) => read.effect = Effect::Tls,
            Ok(smtp::Request::Bdat { size, .. }) => read.chunk = Some(size),
            Err(smtp::SyntaxError::UnknownCommand { .. })
                if after_credentials || looks_like_payload(trimmed) =>
            {
                read.kind = payload(trimmed)
            }
            _ => {}
        },
        Protocol::Pop3 => match pop3::parse_request(line) {
            Ok(request) => {
                read.multiline = request.has_multiline_response();
                read.effect = match request {
                    pop3::Request::Auth {
                        mechanism: Some(_), ..
                    } => Effect::Auth,
                    pop3::Request::Stls => Effect::Tls,
                    _ => Effect::None,
                };
            }
            Err(pop3::SyntaxError::UnknownCommand { .. })
                if after_credentials || looks_like_payload(trimmed) =>
            {
                read.kind = payload(trimmed)
            }
            Err(_) => {}
        },
        // TLS connections carry no command lines.
        Protocol::Tls => {}
    }
    read
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
fn looks_like_payload(line: &str) -> bool {
    line.len() >= 8
        && sasl::looks_like_base64(line)
        && line
            .bytes()
            .any(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'=')
}

/// The verb as a terminal showed it: backspace and DEL erase the character before them,
/// other control characters (a stray NUL, an escape) are dropped. `PASX\x08S` is `PASS`.
fn as_typed(verb: &str) -> String {
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
    typed
}

/// `PASS x` → secret `x`; `AUTH PLAIN x` → text `PLAIN`, secret `x`; `APOP name digest` →
/// text `name`, secret `digest`. Done on the words, so a malformed line is redacted too.
fn split_secret(protocol: Protocol, verb: &str, rest: &str) -> Args {
    let secret_after_first_word = |rest: &str| {
        let (first, secret) = rest.split_once([' ', '\t']).unwrap_or((rest, ""));
        let secret = secret.trim_matches([' ', '\t']);
        Args {
            text: first.to_string(),
            secret: (!secret.is_empty()).then(|| Secret::new(secret)),
        }
    };
    match (protocol, as_typed(verb).as_str()) {
        // APOP and PASS are POP3's, but a student who mixes the protocols up still typed a
        // real password after them.
        (_, "AUTH" | "APOP") => secret_after_first_word(rest),
        (_, "PASS") => Args {
            text: String::new(),
            secret: (!rest.is_empty()).then(|| Secret::new(rest)),
        },
        _ => Args::plain(rest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(verb: &str, written: &str, text: &str, secret: Option<&str>) -> CommandKind {
        CommandKind::Line {
            verb: verb.into(),
            written: written.into(),
            args: Args {
                text: text.into(),
                secret: secret.map(Secret::new),
            },
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
                read_line(protocol, text, after_credentials).kind,
                kind,
                "{text}"
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
            assert_eq!(read.kind, kind, "{text}");
            assert_eq!(read.effect, effect, "{text}");
        }
        assert!(read_line(Pop3, "RETR 1", false).multiline);
        assert_eq!(read_line(Smtp, "BDAT 12 LAST", false).chunk, Some(12));
        assert_eq!(auth_response("*"), CommandKind::AuthCancel);
        assert!(!looks_like_payload("TESTTEST"));
    }
}
