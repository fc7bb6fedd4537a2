//! Quick looks at a line's shape, asked of the protocol: is it a reply, a greeting, a
//! command, and of which protocol. Used to find where sessions begin and what they speak.

use crate::protocol::{detect, pop3, smtp, Direction};
use crate::session::{Pop3Status, Protocol};

/// `+OK` / `-ERR` (not the bare `+` of a SASL challenge, which is too easily prose).
fn is_pop3_status(text: &str) -> bool {
    pop3::parse_status_line(text).is_ok_and(|s| s.status != Pop3Status::Continue)
}

pub fn looks_like_reply(text: &str) -> bool {
    smtp::is_reply_line(text) || is_pop3_status(text)
}

/// The protocol whose greeting the line looks like: `220 …` or `+OK …`.
pub fn looks_like_greeting(text: &str) -> Option<Protocol> {
    if smtp::parse_reply_line(text).is_ok_and(|r| r.code.value() == 220) {
        Some(Protocol::Smtp)
    } else if pop3::parse_status_line(text).is_ok_and(|s| s.status == Pop3Status::Ok) {
        Some(Protocol::Pop3)
    } else {
        None
    }
}

pub use crate::protocol::dialogue::is_known_command as is_command_of;

/// The protocol a command line belongs to when only one of the two has its verb.
pub fn command_protocol(text: &str) -> Option<Protocol> {
    match detect::detect_line(text) {
        Some((protocol, Direction::Client)) => Some(protocol),
        _ => None,
    }
}

/// What a line says about the protocol: `(protocol, decisive)`. A reply decides at once; a
/// command only counts when no reply says otherwise. `server_side` is the line's side when
/// the file says it.
pub fn protocol_of_line(text: &str, server_side: Option<bool>) -> Option<(Protocol, bool)> {
    match detect::detect_line(text)? {
        (protocol, Direction::Server) if server_side != Some(false) => Some((protocol, true)),
        (protocol, Direction::Client) if server_side != Some(true) => Some((protocol, false)),
        _ => None,
    }
}

/// The protocol a well-known port speaks, for a session whose lines do not tell.
pub fn port_protocol(port: Option<u16>) -> Option<Protocol> {
    match port? {
        25 | 465 | 587 | 2525 | 1025 => Some(Protocol::Smtp),
        110 | 995 | 1110 => Some(Protocol::Pop3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_line_shapes() {
        assert!(looks_like_reply("250 OK"));
        assert!(looks_like_reply("-ERR no"));
        assert!(!looks_like_reply("+ "));
        assert!(!looks_like_reply("2500 words"));
        assert_eq!(looks_like_greeting("220 hi"), Some(Protocol::Smtp));
        assert_eq!(looks_like_greeting("+OK ready"), Some(Protocol::Pop3));
        assert_eq!(looks_like_greeting("250 OK"), None);
        assert!(is_command_of(Protocol::Smtp, "mail from:<a>"));
        assert!(!is_command_of(Protocol::Smtp, "FOO bar"));
        assert_eq!(command_protocol("RETR 1"), Some(Protocol::Pop3));
        assert_eq!(command_protocol("QUIT"), None);
        assert_eq!(protocol_of_line("220 x", Some(false)), None);
        assert_eq!(protocol_of_line("+OK", None), Some((Protocol::Pop3, true)));
        assert_eq!(
            protocol_of_line("EHLO x", Some(false)),
            Some((Protocol::Smtp, false))
        );
        assert_eq!(port_protocol(Some(110)), Some(Protocol::Pop3));
        assert_eq!(port_protocol(Some(8080)), None);
    }
}
