//! SASL PLAIN (RFC 4616) and LOGIN for SMTP AUTH and POP3 AUTH: decoding what the client
//! sent after the `334` / `+ ` prompt. The line itself is read by the session.

use base64::Engine;

use crate::session::Secret;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    Plain,
    Login,
}

impl Mechanism {
    pub fn from_name(name: &str) -> Option<Mechanism> {
        if name.eq_ignore_ascii_case("PLAIN") {
            Some(Mechanism::Plain)
        } else if name.eq_ignore_ascii_case("LOGIN") {
            Some(Mechanism::Login)
        } else {
            None
        }
    }
}

/// The payload is not base64.
#[derive(Debug, PartialEq, Eq)]
pub struct BadBase64;

/// The base64 text of a SASL response, decoded; `=` is the empty response (RFC 4954 §4).
pub fn decode(payload: &Secret) -> Result<Secret, BadBase64> {
    let text = payload.expose().trim();
    if text == "=" {
        return Ok(Secret::default());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| BadBase64)?;
    Ok(Secret::new(String::from_utf8_lossy(&bytes).into_owned()))
}

/// `authzid NUL authcid NUL passwd` → (authcid, passwd); `None` if the form is wrong.
pub fn plain_credentials(decoded: &Secret) -> Option<(String, Secret)> {
    let mut parts = decoded.expose().split('\0');
    let (_authzid, authcid, password) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || authcid.is_empty() {
        return None;
    }
    Some((authcid.to_string(), Secret::new(password)))
}

/// `Username:` and `Password:`, the LOGIN prompts every client expects.
pub const LOGIN_USER_PROMPT: &str = "VXNlcm5hbWU6";
pub const LOGIN_PASSWORD_PROMPT: &str = "UGFzc3dvcmQ6";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plain_responses() {
        let cases: [(&str, Option<(&str, &str)>); 4] = [
            ("AHN0dWRlbnRAbGFiLnRlc3QAc2VjcmV0", Some(("student@lab.test", "secret"))),
            ("YQBzdHVkZW50AHNlY3JldA==", Some(("student", "secret"))),
            ("c3R1ZGVudA==", None),
            ("=", None),
        ];
        for (payload, expected) in cases {
            let decoded = decode(&Secret::new(payload)).unwrap();
            let got = plain_credentials(&decoded);
            let got = got.as_ref().map(|(u, p)| (u.as_str(), p.expose()));
            assert_eq!(got, expected, "{payload}");
        }
        assert_eq!(decode(&Secret::new("not base64 !!")), Err(BadBase64));
    }
}
