//! Which replies a server can give to what a client sent, and what a refusal means: the one
//! table scenario validation, the impossible-reply check and the grader's explanations read.
//!
//! SMTP replies follow RFC 5321 §4.3.2 plus AUTH (RFC 4954 §6) and STARTTLS (RFC 3207 §4);
//! codes a server gives to any command (421, 500, 501, 502 for most) are added per verb.

use crate::protocol::Verb;
use crate::session::Pop3Status;

/// What the client sent, as far as the server's answer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    /// Nothing yet: the server's greeting.
    Greeting,
    /// A command line; `None` for a word that is no verb.
    Command(Option<Verb>),
    /// A SASL response after a `334` / `+ ` challenge.
    AuthResponse,
    /// `*`, cancelling an AUTH exchange.
    AuthCancel,
    /// The message after DATA (or a BDAT chunk).
    Message,
}

/// The SMTP codes a server may answer `turn` with.
pub fn smtp_codes(turn: Turn) -> &'static [u16] {
    match turn {
        Turn::Greeting => &[220, 421, 554],
        Turn::Command(Some(verb)) => match verb {
            Verb::Helo | Verb::Ehlo => &[250, 421, 500, 501, 502, 504, 550],
            Verb::Mail => &[
                250, 421, 451, 452, 455, 500, 501, 503, 530, 550, 552, 553, 555,
            ],
            Verb::Rcpt => &[
                250, 251, 252, 421, 450, 451, 452, 455, 500, 501, 503, 530, 550, 551, 552, 553, 555,
            ],
            Verb::Data => &[354, 421, 451, 452, 500, 501, 503, 530, 554],
            Verb::Bdat => &[250, 421, 451, 452, 500, 501, 503, 530, 552, 554],
            Verb::Rset | Verb::Noop => &[250, 421, 500, 501],
            Verb::Vrfy | Verb::Expn => &[250, 251, 252, 421, 500, 501, 502, 504, 550, 551, 553],
            Verb::Help => &[211, 214, 421, 500, 501, 502, 504],
            Verb::Quit => &[221, 421, 500, 501],
            Verb::StartTls => &[220, 421, 454, 500, 501, 502, 503],
            Verb::Auth => &[
                235, 334, 421, 432, 454, 500, 501, 502, 503, 504, 530, 534, 535, 538,
            ],
            _ => &[421, 500, 502],
        },
        Turn::Command(None) => &[421, 500, 502],
        Turn::AuthResponse => &[235, 334, 421, 432, 454, 500, 501, 535, 538, 534],
        Turn::AuthCancel => &[501, 421],
        Turn::Message => &[250, 421, 450, 451, 452, 550, 552, 554],
    }
}

/// The POP3 statuses a server may answer `turn` with.
pub fn pop3_statuses(turn: Turn) -> &'static [Pop3Status] {
    match turn {
        Turn::Command(Some(Verb::Auth)) | Turn::AuthResponse => {
            &[Pop3Status::Ok, Pop3Status::Err, Pop3Status::Continue]
        }
        Turn::Message => &[],
        _ => &[Pop3Status::Ok, Pop3Status::Err],
    }
}

/// What a negative reply says went wrong (RFC 5321 §4.2.2–4.2.3, RFC 4954 §6, RFC 1939).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 421: the server is closing the connection.
    ServerClosing,
    /// 500 / 502: the command is unknown or not implemented.
    UnknownCommand,
    /// 530: authentication first.
    AuthRequired,
    /// 504 to AUTH: the mechanism is not offered.
    AuthMechanism,
    /// 535: the credentials were wrong.
    AuthFailed,
    /// 501 to AUTH or a SASL response: the payload is not valid base64.
    AuthBadPayload,
    /// 501 / 555 to MAIL or RCPT: the path or its parameters are malformed.
    AddressSyntax,
    /// 550 / 553 to MAIL.
    SenderRejected,
    /// 550 / 551 / 553 / 554 to RCPT.
    RecipientRejected,
    /// 554 to DATA: no valid recipients.
    NoValidRecipients,
    /// Any refusal of the message itself.
    MessageRejected,
    /// 501 to anything else: malformed arguments.
    Syntax,
    /// POP3 `-ERR` to USER, PASS, APOP, AUTH or a SASL response.
    LoginFailed,
    /// POP3 `-ERR` to a command naming a message.
    NoSuchMessage,
    /// Nothing more specific.
    Other,
}

/// What an SMTP `code` in answer to `turn` means.
pub fn smtp_refusal(turn: Turn, code: u16) -> Refusal {
    let verb = match turn {
        Turn::Command(verb) => verb,
        _ => None,
    };
    let auth = verb == Some(Verb::Auth) || turn == Turn::AuthResponse;
    match (verb, code) {
        (_, 421) => Refusal::ServerClosing,
        (_, 500 | 502) => Refusal::UnknownCommand,
        (_, 530) => Refusal::AuthRequired,
        (Some(Verb::Auth), 504) => Refusal::AuthMechanism,
        (_, 535) if auth => Refusal::AuthFailed,
        (_, 501) if auth => Refusal::AuthBadPayload,
        (Some(Verb::Mail | Verb::Rcpt), 501 | 555) => Refusal::AddressSyntax,
        (Some(Verb::Mail), 550 | 553) => Refusal::SenderRejected,
        (Some(Verb::Rcpt), 550 | 551 | 553 | 554) => Refusal::RecipientRejected,
        (Some(Verb::Data), 554) => Refusal::NoValidRecipients,
        _ if turn == Turn::Message => Refusal::MessageRejected,
        (_, 501) => Refusal::Syntax,
        _ => Refusal::Other,
    }
}

/// What a POP3 `-ERR` in answer to `turn` means.
pub fn pop3_refusal(turn: Turn) -> Refusal {
    match turn {
        Turn::Command(Some(Verb::User | Verb::Pass | Verb::Apop | Verb::Auth)) => {
            Refusal::LoginFailed
        }
        Turn::Command(Some(Verb::List | Verb::Uidl | Verb::Retr | Verb::Top | Verb::Dele)) => {
            Refusal::NoSuchMessage
        }
        Turn::Command(_) => Refusal::Other,
        _ => Refusal::LoginFailed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_smtp_code_a_turn_lists_is_a_reply_code() {
        let turns = [
            Turn::Greeting,
            Turn::AuthResponse,
            Turn::AuthCancel,
            Turn::Message,
        ]
        .into_iter()
        .chain(
            Verb::of(crate::session::Protocol::Smtp)
                .iter()
                .map(|&v| Turn::Command(Some(v))),
        );
        for turn in turns {
            for &code in smtp_codes(turn) {
                assert!((200..600).contains(&code), "{turn:?} {code}");
            }
        }
    }

    #[test]
    fn refusals_follow_the_verb() {
        let mail = Turn::Command(Some(Verb::Mail));
        let rcpt = Turn::Command(Some(Verb::Rcpt));
        let auth = Turn::Command(Some(Verb::Auth));
        let cases = [
            (mail, 421, Refusal::ServerClosing),
            (mail, 553, Refusal::SenderRejected),
            (rcpt, 553, Refusal::RecipientRejected),
            (rcpt, 555, Refusal::AddressSyntax),
            (auth, 504, Refusal::AuthMechanism),
            (Turn::AuthResponse, 535, Refusal::AuthFailed),
            (Turn::AuthResponse, 501, Refusal::AuthBadPayload),
            (Turn::Message, 554, Refusal::MessageRejected),
            (
                Turn::Command(Some(Verb::Data)),
                554,
                Refusal::NoValidRecipients,
            ),
            (Turn::Command(Some(Verb::Helo)), 501, Refusal::Syntax),
            (Turn::Command(None), 502, Refusal::UnknownCommand),
            (Turn::Command(Some(Verb::Quit)), 554, Refusal::Other),
        ];
        for (turn, code, refusal) in cases {
            assert_eq!(smtp_refusal(turn, code), refusal, "{turn:?} {code}");
        }
        assert_eq!(
            pop3_refusal(Turn::Command(Some(Verb::Dele))),
            Refusal::NoSuchMessage
        );
        assert_eq!(
            pop3_refusal(Turn::Command(Some(Verb::Pass))),
            Refusal::LoginFailed
        );
        assert_eq!(
            pop3_refusal(Turn::Command(Some(Verb::Stat))),
            Refusal::Other
        );
    }
}
