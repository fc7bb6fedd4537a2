//! SASL (RFC 4422) as SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034) carry it: base64
//! payloads, `*` to cancel, `=` for an empty initial response. Decoded credentials stay
//! [`Secret`]s.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::session::{Pop3Status, ReplyCode, Secret};

/// The challenges AUTH LOGIN sends, base64 of `Username:` and `Password:`.
pub const LOGIN_USERNAME_CHALLENGE: &str = "VXNlcm5hbWU6";
pub const LOGIN_PASSWORD_CHALLENGE: &str = "UGFzc3dvcmQ6";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mechanism {
    Plain,
    Login,
    CramMd5,
    Other(String),
}

impl Mechanism {
    pub fn parse(name: &str) -> Self {
        // Compared in place: only a mechanism this does not know is copied (upper-cased).
        let known = [
            ("PLAIN", Mechanism::Plain),
            ("LOGIN", Mechanism::Login),
            ("CRAM-MD5", Mechanism::CramMd5),
        ];
        known
            .into_iter()
            .find(|(known, _)| name.eq_ignore_ascii_case(known))
            .map_or_else(
                || Mechanism::Other(name.to_ascii_uppercase()),
                |(_, mechanism)| mechanism,
            )
    }

    pub fn name(&self) -> &str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::Other(name) => name,
        }
    }

    /// How many client responses follow the AUTH line when every step succeeds, given
    /// whether it carried an initial response; `None` for a mechanism this does not know.
    pub fn responses_expected(&self, initial: bool) -> Option<usize> {
        let initial = usize::from(initial);
        match self {
            Mechanism::Plain => Some(1 - initial),
            Mechanism::Login => Some(2 - initial),
            // The client cannot answer before it saw the challenge.
            Mechanism::CramMd5 => Some(1),
            Mechanism::Other(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SaslError {
    /// Postfix: `Invalid base64 data in continued response`.
    #[error("invalid base64 data")]
    InvalidBase64,
    #[error("payload is not utf-8")]
    NotUtf8,
    #[error("malformed plain payload, expected authzid NUL authcid NUL password")]
    MalformedPlain,
}

/// Whether a reply is a SASL challenge (`334`, POP3 `+ `): the client's next line is a
/// response to it.
pub fn is_challenge(code: ReplyCode) -> bool {
    match code {
        ReplyCode::Smtp(code) => code.value() == 334,
        ReplyCode::Pop3(status) => status == Pop3Status::Continue,
    }
}

/// Whether a response line cancels the exchange (RFC 4954 §4).
pub fn is_cancel(line: &str) -> bool {
    line.trim() == "*"
}

/// Decodes a base64 payload into a secret (`=` is the empty response).
pub fn decode(payload: &Secret) -> Result<Secret, SaslError> {
    with_decoded(payload, |text| text.map(Secret::new))
}

/// Decodes an AUTH LOGIN user name (not a secret once decoded).
pub fn decode_login_username(payload: &Secret) -> Result<String, SaslError> {
    decode(payload).map(|name| name.expose().to_string())
}

/// The three parts of an AUTH PLAIN payload (RFC 4616).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlainCredentials {
    pub authzid: String,
    pub authcid: String,
    pub password: Secret,
}

/// Decodes an AUTH PLAIN payload: `authzid NUL authcid NUL password`, base64.
pub fn decode_plain(payload: &Secret) -> Result<PlainCredentials, SaslError> {
    let bytes = decode_bytes(payload)?;
    let text = String::from_utf8(bytes).map_err(|_| SaslError::NotUtf8)?;
    let mut parts = text.splitn(3, '\0');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(authzid), Some(authcid), Some(password)) if !authcid.is_empty() => {
            Ok(PlainCredentials {
                authzid: authzid.to_string(),
                authcid: authcid.to_string(),
                password: Secret::new(password),
            })
        }
        _ => Err(SaslError::MalformedPlain),
    }
}

/// Base64 of `text`, for challenges (`Username:` → `VXNlcm5hbWU6`) and for clients.
pub fn encode(text: &[u8]) -> String {
    STANDARD.encode(text)
}

/// An AUTH PLAIN payload for `user` and `password` (no authzid).
pub fn encode_plain(user: &str, password: &Secret) -> Secret {
    let raw = format!("\0{user}\0{}", password.expose());
    Secret::new(STANDARD.encode(raw))
}

/// Whether a line looks like a base64 SASL payload (what direction guessing asks).
pub fn looks_like_base64(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty()
        && line.len() % 4 == 0
        && line
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        && STANDARD.decode(line).is_ok()
}

fn decode_bytes(payload: &Secret) -> Result<Vec<u8>, SaslError> {
    STANDARD
        .decode(base64_of(payload))
        .map_err(|_| SaslError::InvalidBase64)
}

/// The base64 a payload carries: blanks around it dropped, `=` (the empty response) as
/// nothing.
fn base64_of(payload: &Secret) -> &str {
    match payload.expose().trim() {
        "=" => "",
        text => text,
    }
}

/// Decoded bytes as the text [`decode`] would make of them.
fn utf8(bytes: &[u8]) -> Result<&str, SaslError> {
    std::str::from_utf8(bytes).map_err(|_| SaslError::NotUtf8)
}

/// Payloads up to this many decoded bytes (an address, a password) are decoded on the stack.
const ON_STACK: usize = 96;

/// What [`decode`] says of `payload`, handed to `look` without keeping it: the decoded text,
/// or why there is none. A check that only looks at a payload (is it base64, is it an
/// address) needs no copy of it; a capture of logins asks this of every AUTH line.
pub fn with_decoded<T>(payload: &Secret, look: impl FnOnce(Result<&str, SaslError>) -> T) -> T {
    let text = base64_of(payload);
    let mut room = [0u8; ON_STACK];
    match STANDARD.decode_slice(text, &mut room) {
        Ok(len) => look(utf8(&room[..len])),
        Err(base64::DecodeSliceError::OutputSliceTooSmall) => match STANDARD.decode(text) {
            Ok(bytes) => look(utf8(&bytes)),
            Err(_) => look(Err(SaslError::InvalidBase64)),
        },
        Err(base64::DecodeSliceError::DecodeError(_)) => look(Err(SaslError::InvalidBase64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Looking at a payload says what decoding all its bytes says, small or large.
    #[test]
    fn a_payload_looked_at_reads_as_decoded() {
        let long = "QUFB".repeat(40);
        let payloads = [
            "c3R1ZGVudEBsYWIudGVzdA==",
            "c2VjcmV0",
            "",
            "=",
            " = ",
            "*",
            " c2VjcmV0 ",
            "c2VjcmV0\t",
            "QQ==",
            "QR==",
            "QQ",
            "QQ=",
            "student@lab.test",
            "/w==",
            "5Lit5paH",
            long.as_str(),
        ];
        for text in payloads {
            let secret = Secret::new(text);
            let decoded = decode_bytes(&secret)
                .and_then(|bytes| String::from_utf8(bytes).map_err(|_| SaslError::NotUtf8));
            let looked = with_decoded(&secret, |text| text.map(str::to_string));
            assert_eq!(looked, decoded, "{text:?}");
        }
    }

    #[test]
    fn decodes_plain_and_login() {
        let plain = decode_plain(&Secret::new("AHN0dWRlbnQAc2VjcmV0")).unwrap();
        assert_eq!(plain.authzid, "");
        assert_eq!(plain.authcid, "student");
        assert_eq!(plain.password.expose(), "secret");
        assert_eq!(
            decode_login_username(&Secret::new("c3R1ZGVudEBsYWIudGVzdA==")).unwrap(),
            "student@lab.test"
        );
        assert_eq!(decode(&Secret::new("c2VjcmV0")).unwrap().expose(), "secret");
        assert_eq!(decode(&Secret::new("=")).unwrap().expose(), "");
        assert_eq!(encode(b"Username:"), LOGIN_USERNAME_CHALLENGE);
        assert_eq!(encode(b"Password:"), LOGIN_PASSWORD_CHALLENGE);
        let round = encode_plain("student", &Secret::new("secret"));
        assert_eq!(decode_plain(&round).unwrap().authcid, "student");
    }

    #[test]
    fn rejects_bad_payloads_without_showing_them() {
        let cases = [
            ("not base64!", SaslError::InvalidBase64),
            ("c2VjcmV0", SaslError::MalformedPlain),
            ("AABzZWNyZXQ=", SaslError::MalformedPlain),
            ("/w==", SaslError::NotUtf8),
        ];
        for (payload, expected) in cases {
            let error = decode_plain(&Secret::new(payload)).unwrap_err();
            assert_eq!(error, expected, "{payload}");
            assert!(!error.to_string().contains(payload));
        }
    }

    #[test]
    fn mechanisms_and_shapes() {
        assert_eq!(Mechanism::parse("login").responses_expected(false), Some(2));
        assert_eq!(Mechanism::parse("LOGIN").responses_expected(true), Some(1));
        assert_eq!(Mechanism::parse("PLAIN").responses_expected(true), Some(0));
        assert_eq!(
            Mechanism::parse("CRAM-MD5").responses_expected(false),
            Some(1)
        );
        assert_eq!(Mechanism::parse("XOAUTH2").responses_expected(false), None);
        assert!(is_cancel("*"));
        assert!(!is_cancel("**"));
        assert!(looks_like_base64("ODc3MjYxNzkzQHFxLmNvbQ=="));
        assert!(!looks_like_base64("MAIL FROM:<a@b>"));
        assert!(!looks_like_base64("QUIT!"));
    }
}
