//! MAIL and RCPT parameters (RFC 5321 §4.1.2 `esmtp-param`): SIZE (RFC 1870), BODY (RFC 6152),
//! AUTH (RFC 4954 §5), SMTPUTF8 (RFC 6531) and the DSN ones, RET / ENVID / NOTIFY / ORCPT
//! (RFC 3461). A server decides which it accepts; what each one says is read here.

/// A MAIL FROM parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailParam {
    /// The size the client declares.
    Size(u64),
    /// `7BIT` or `8BITMIME`, upper-cased.
    Body(String),
    /// `FULL` or `HDRS`, upper-cased.
    Ret(String),
    EnvId(String),
    /// The authenticated sender (`AUTH=<>` when unknown).
    Auth(String),
    SmtpUtf8,
    /// A keyword this grammar does not know, the parameter as written.
    Unknown(String),
}

/// A RCPT TO parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RcptParam {
    /// `NEVER` alone, or any of `SUCCESS`, `FAILURE`, `DELAY`; upper-cased.
    Notify(Vec<String>),
    /// `addr-type;address`.
    Orcpt {
        kind: String,
        address: String,
    },
    Unknown(String),
}

/// A known parameter whose value does not fit its grammar; `keyword` upper-cased.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad {keyword} parameter syntax")]
pub struct ParamError {
    pub keyword: String,
}

fn split(param: &str) -> (String, &str) {
    let (key, value) = param.split_once('=').unwrap_or((param, ""));
    (key.to_ascii_uppercase(), value)
}

/// Reads one MAIL parameter (`SIZE=1000`, `BODY=8BITMIME`, …).
pub fn parse_mail_param(param: &str) -> Result<MailParam, ParamError> {
    let (key, value) = split(param);
    let bad = || ParamError {
        keyword: key.clone(),
    };
    let upper = value.to_ascii_uppercase();
    match key.as_str() {
        "SIZE" => value.parse().map(MailParam::Size).map_err(|_| bad()),
        "BODY" if matches!(upper.as_str(), "7BIT" | "8BITMIME") => Ok(MailParam::Body(upper)),
        "RET" if matches!(upper.as_str(), "FULL" | "HDRS") => Ok(MailParam::Ret(upper)),
        "ENVID" if !value.is_empty() => Ok(MailParam::EnvId(value.to_string())),
        "BODY" | "RET" | "ENVID" => Err(bad()),
        "AUTH" => Ok(MailParam::Auth(value.to_string())),
        "SMTPUTF8" => Ok(MailParam::SmtpUtf8),
        _ => Ok(MailParam::Unknown(param.to_string())),
    }
}

/// Reads one RCPT parameter (`NOTIFY=SUCCESS,FAILURE`, `ORCPT=rfc822;a@b`, …).
pub fn parse_rcpt_param(param: &str) -> Result<RcptParam, ParamError> {
    let (key, value) = split(param);
    let bad = || ParamError {
        keyword: key.clone(),
    };
    match key.as_str() {
        "NOTIFY" => {
            let words: Vec<String> = value.split(',').map(str::to_ascii_uppercase).collect();
            let never_alone = words.len() == 1 && words[0] == "NEVER";
            let known = words
                .iter()
                .all(|w| matches!(w.as_str(), "SUCCESS" | "FAILURE" | "DELAY"));
            (never_alone || known)
                .then_some(RcptParam::Notify(words))
                .ok_or_else(bad)
        }
        "ORCPT" => match value.split_once(';') {
            Some((kind, address)) if !kind.is_empty() && !address.is_empty() => {
                Ok(RcptParam::Orcpt {
                    kind: kind.to_string(),
                    address: address.to_string(),
                })
            }
            _ => Err(bad()),
        },
        _ => Ok(RcptParam::Unknown(param.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_parameters() {
        let cases = [
            ("SIZE=10", Ok(MailParam::Size(10))),
            ("size=x", Err("SIZE")),
            ("BODY=8bitmime", Ok(MailParam::Body("8BITMIME".into()))),
            ("BODY=binarymime", Err("BODY")),
            ("RET=hdrs", Ok(MailParam::Ret("HDRS".into()))),
            ("RET=all", Err("RET")),
            ("ENVID=", Err("ENVID")),
            ("ENVID=q1", Ok(MailParam::EnvId("q1".into()))),
            ("AUTH=<>", Ok(MailParam::Auth("<>".into()))),
            ("SMTPUTF8", Ok(MailParam::SmtpUtf8)),
            ("XFOO=1", Ok(MailParam::Unknown("XFOO=1".into()))),
        ];
        for (param, expected) in cases {
            let expected = expected.map_err(|k: &str| ParamError { keyword: k.into() });
            assert_eq!(parse_mail_param(param), expected, "{param}");
        }
    }

    #[test]
    fn rcpt_parameters() {
        assert!(parse_rcpt_param("NOTIFY=NEVER").is_ok());
        assert!(parse_rcpt_param("notify=success,delay").is_ok());
        assert!(parse_rcpt_param("NOTIFY=NEVER,DELAY").is_err());
        assert!(parse_rcpt_param("ORCPT=rfc822;a@b").is_ok());
        assert!(parse_rcpt_param("ORCPT=a@b").is_err());
        assert_eq!(
            parse_rcpt_param("XFOO"),
            Ok(RcptParam::Unknown("XFOO".into()))
        );
    }
}
