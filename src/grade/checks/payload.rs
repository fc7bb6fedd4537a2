//! A SASL payload decoded into a buffer on the stack, for the checks that only look at it:
//! `protocol::sasl::decode` allocates the bytes, then a string, then a secret, and those
//! were most of what the AUTH checks cost on a capture of logins.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::session::Secret;

/// Room for the payloads of a lab (an address, a password): longer ones go to `sasl`.
const ROOM: usize = 96;

/// A payload's decoded bytes, written in place.
pub struct Decoded {
    bytes: [u8; ROOM],
    len: usize,
}

impl Decoded {
    /// The bytes `protocol::sasl::decode` gives for `payload`, when the payload decodes as
    /// it stands into [`ROOM`] bytes; `None` otherwise, for `sasl` to decide. A payload that
    /// decodes as it stands holds no white space, so `sasl` trimming it changes nothing, and
    /// `sasl` decodes with the same engine.
    pub fn of(payload: &Secret) -> Option<Decoded> {
        let mut decoded = Decoded {
            bytes: [0; ROOM],
            len: 0,
        };
        decoded.len = STANDARD
            .decode_slice(payload.expose(), &mut decoded.bytes)
            .ok()?;
        Some(decoded)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::sasl;

    /// Whatever decodes here decodes to the same bytes through `sasl`.
    #[test]
    fn decodes_as_sasl_does() {
        let long = "QUFB".repeat(40);
        let payloads = [
            "c3R1ZGVudEBsYWIudGVzdA==",
            "c2VjcmV0",
            "",
            "=",
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
        let mut decoded_here = 0;
        for text in payloads {
            let secret = Secret::new(text);
            let from_sasl = sasl::decode(&secret);
            // None leaves the payload to `sasl`, which is always right.
            if let Some(decoded) = Decoded::of(&secret) {
                decoded_here += 1;
                let expected =
                    std::str::from_utf8(decoded.bytes()).map_err(|_| sasl::SaslError::NotUtf8);
                let from_sasl = from_sasl.as_ref().map(Secret::expose).map_err(Clone::clone);
                assert_eq!(from_sasl, expected, "{text:?}");
            }
        }
        assert!(decoded_here >= 5, "{decoded_here}");
    }
}
