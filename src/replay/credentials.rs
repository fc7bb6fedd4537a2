//! Swapping a student's credentials for the test account's. The student's values are only
//! looked at for their form: valid base64, a plausible user name, a digest of the right
//! shape. A malformed value is replaced by a malformed one, a login the transcript shows
//! failing by a wrong password, so the server answers as the student's server did.

use md5::{Digest, Md5};

use super::setup::ReplayNote;
use crate::i18n::messages::replay::ReplayLogin;
use crate::i18n::Text;
use crate::protocol::sasl::{self, Mechanism};
use crate::protocol::Verb;
use crate::server::Account;
use crate::session::{Args, Command, CommandKind, Exchange, Origin, Secret};

/// Sent where the student's payload was not base64: the server refuses it the same way.
const NOT_BASE64: &str = "not-base64!";
/// Sent where the student's APOP digest did not have the form of one.
const NOT_A_DIGEST: &str = "not-a-digest";

/// The password replay sends: the test account's, or a wrong one to mirror a failed login.
pub(crate) fn password(account: &Account, wrong: bool) -> Secret {
    if wrong {
        Secret::new(format!("{}-not-the-password", account.password.expose()))
    } else {
        account.password.clone()
    }
}

/// A user name a server could have: not empty, printable, no blanks, not absurdly long.
pub(crate) fn plausible_user(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 254
        && name.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

/// Whether the login begun at `start` ended refused: its own reply, or for AUTH the last
/// reply of its SASL responses. (USER, PASS and APOP have no continuations: a bare password
/// typed after PASS is no part of its login.)
pub(crate) fn login_failed(exchanges: &[Exchange], start: usize) -> bool {
    let Some(first) = exchanges.get(start) else {
        return false;
    };
    let mut last = first.reply.as_ref();
    if first.command.as_ref().and_then(|c| c.verb()) == Some(Verb::Auth) {
        for index in start + 1..exchanges.len() {
            if !continues_sasl(exchanges, index) {
                break;
            }
            last = exchanges[index].reply.as_ref().or(last);
        }
    }
    last.is_some_and(|reply| !reply.code.is_positive())
}

/// Whether the SASL response at `index` answers a challenge: the reply before it is one, or
/// was not recorded. After a final reply (`235`, `535`, `+OK`) a line that was read as a
/// response is a password typed where a command belonged.
pub(crate) fn continues_sasl(exchanges: &[Exchange], index: usize) -> bool {
    let is_response = exchanges.get(index).is_some_and(|e| {
        matches!(
            e.command.as_ref().map(|c| &c.kind),
            Some(CommandKind::AuthResponse { .. } | CommandKind::AuthCancel)
        )
    });
    let before = index
        .checked_sub(1)
        .and_then(|i| exchanges.get(i))
        .and_then(|e| e.reply.as_ref());
    is_response && before.map_or(true, |reply| sasl::is_challenge(reply.code))
}

/// An AUTH exchange in progress: which response comes next and how the login ended.
#[derive(Debug)]
pub(crate) struct AuthExchange {
    mechanism: Mechanism,
    /// Responses sent so far, the initial response included.
    responses: usize,
    wrong: bool,
    origin: Origin,
}

/// What to send for an AUTH line or a SASL response.
pub(crate) enum AuthSend {
    Command(Command),
    /// CRAM-MD5: the digest is computed from the server's challenge when it arrives.
    CramMd5 {
        wrong: bool,
    },
}

impl AuthExchange {
    /// The AUTH line with its initial response swapped. `failed`: the claimed login failed.
    pub(crate) fn start(
        command: &Command,
        args: &Args,
        account: &Account,
        failed: bool,
        notes: &mut Vec<ReplayNote>,
    ) -> (AuthExchange, Command) {
        let name = args
            .text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        let mut auth = AuthExchange {
            mechanism: Mechanism::parse(&name),
            responses: 0,
            wrong: failed,
            origin: command.origin,
        };
        let mut args = args.clone();
        if let Mechanism::Other(_) = auth.mechanism {
            if args.secret.take().is_some() || !name.is_empty() {
                notes.push(ReplayNote::MechanismNotReplayed {
                    mechanism: name.clone(),
                    origin: command.origin,
                });
            }
        } else if let Some(initial) = args.secret.take() {
            args.secret = Some(auth.swap(&initial, account, notes));
        }
        (auth, with_args(command, args))
    }

    /// A SASL response after a challenge, swapped.
    pub(crate) fn respond(
        &mut self,
        command: &Command,
        payload: &Secret,
        account: &Account,
        notes: &mut Vec<ReplayNote>,
    ) -> AuthSend {
        let kind = match self.mechanism {
            Mechanism::Other(_) => CommandKind::AuthCancel,
            Mechanism::CramMd5 => {
                self.responses += 1;
                return match sasl::decode(payload) {
                    Ok(text) if cram_md5_form(text.expose()) => {
                        self.note_swap(account, notes);
                        AuthSend::CramMd5 { wrong: self.wrong }
                    }
                    _ => {
                        self.malformed("not a CRAM-MD5 response", notes);
                        AuthSend::Command(with_kind(
                            command,
                            CommandKind::AuthResponse {
                                payload: Secret::new(NOT_BASE64),
                            },
                        ))
                    }
                };
            }
            _ => CommandKind::AuthResponse {
                payload: self.swap(payload, account, notes),
            },
        };
        AuthSend::Command(with_kind(command, kind))
    }

    /// The next response of a PLAIN or LOGIN exchange, swapped for the test account's.
    fn swap(&mut self, payload: &Secret, account: &Account, notes: &mut Vec<ReplayNote>) -> Secret {
        let step = self.responses;
        self.responses += 1;
        match (&self.mechanism, step) {
            (Mechanism::Plain, _) => match sasl::decode_plain(payload) {
                Ok(plain) if plausible_user(&plain.authcid) => {
                    self.note_swap(account, notes);
                    sasl::encode_plain(&account.address, &password(account, self.wrong))
                }
                Ok(_) => self.malformed("no plausible user name", notes),
                Err(error) => self.malformed(&error.to_string(), notes),
            },
            (Mechanism::Login, 0) => match sasl::decode_login_username(payload) {
                Ok(user) if plausible_user(&user) => {
                    Secret::new(sasl::encode(account.address.as_bytes()))
                }
                Ok(_) => self.malformed("no plausible user name", notes),
                Err(error) => self.malformed(&error.to_string(), notes),
            },
            (Mechanism::Login, _) => match sasl::decode(payload) {
                Ok(_) => {
                    self.note_swap(account, notes);
                    let password = password(account, self.wrong);
                    Secret::new(sasl::encode(password.expose().as_bytes()))
                }
                Err(error) => self.malformed(&error.to_string(), notes),
            },
            _ => Secret::new(NOT_BASE64),
        }
    }

    fn note_swap(&self, account: &Account, notes: &mut Vec<ReplayNote>) {
        let what = format!("AUTH {}", self.mechanism.name());
        notes.push(if self.wrong {
            ReplayNote::FailedLoginMirrored {
                what,
                origin: self.origin,
            }
        } else {
            ReplayNote::CredentialSwapped {
                what: logged_in_as(what, account),
                origin: self.origin,
            }
        });
    }

    fn malformed(&self, problem: &str, notes: &mut Vec<ReplayNote>) -> Secret {
        notes.push(ReplayNote::MalformedCredential {
            what: format!("AUTH {}", self.mechanism.name()),
            problem: problem.to_string(),
            origin: self.origin,
        });
        Secret::new(NOT_BASE64)
    }
}

/// `AUTH LOGIN (as student@lab.test)`, in both languages.
fn logged_in_as(what: String, account: &Account) -> Text {
    ReplayLogin::As {
        what,
        account: account.address.clone(),
    }
    .text()
}

/// `user hexdigest`, the form of a CRAM-MD5 response (RFC 2195).
fn cram_md5_form(text: &str) -> bool {
    text.rsplit_once(' ').is_some_and(|(user, digest)| {
        plausible_user(user) && digest.len() == 32 && digest.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// POP3 `USER name`: a plausible name becomes the test account's.
pub(crate) fn swap_user(
    command: &Command,
    args: &Args,
    account: &Account,
    notes: &mut Vec<ReplayNote>,
) -> Command {
    let name = args.text.trim();
    if !plausible_user(name) {
        notes.push(ReplayNote::MalformedCredential {
            what: Verb::User.to_string(),
            problem: "no plausible user name".into(),
            origin: command.origin,
        });
        return command.clone();
    }
    with_args(command, Args::plain(account.address.clone()))
}

/// POP3 `PASS secret`: the test password, or a wrong one when the claimed login failed.
pub(crate) fn swap_pass(
    command: &Command,
    args: &Args,
    account: &Account,
    failed: bool,
    notes: &mut Vec<ReplayNote>,
) -> Command {
    let what = "USER/PASS".to_string();
    match &args.secret {
        Some(secret) if !secret.is_empty() => {
            notes.push(if failed {
                ReplayNote::FailedLoginMirrored {
                    what,
                    origin: command.origin,
                }
            } else {
                ReplayNote::CredentialSwapped {
                    what: logged_in_as(what, account),
                    origin: command.origin,
                }
            });
            with_args(
                command,
                Args {
                    text: String::new(),
                    secret: Some(password(account, failed)),
                },
            )
        }
        _ => command.clone(),
    }
}

/// POP3 `APOP name digest`: `None` when the digest has the right form and must be computed
/// from the greeting; else the command to send with a malformed digest.
pub(crate) fn apop_form(
    command: &Command,
    args: &Args,
    account: &Account,
    notes: &mut Vec<ReplayNote>,
) -> Option<Command> {
    let digest_ok = args.secret.as_ref().is_some_and(|d| {
        d.expose().len() == 32 && d.expose().bytes().all(|b| b.is_ascii_hexdigit())
    });
    if digest_ok && plausible_user(args.text.trim()) {
        notes.push(ReplayNote::ApopRecomputed {
            origin: command.origin,
        });
        return None;
    }
    notes.push(ReplayNote::MalformedCredential {
        what: Verb::Apop.to_string(),
        problem: "no user name and 32-digit digest".into(),
        origin: command.origin,
    });
    Some(with_args(
        command,
        Args {
            text: account.address.clone(),
            secret: Some(Secret::new(NOT_A_DIGEST)),
        },
    ))
}

/// The APOP digest (RFC 1939 §7): MD5 of the greeting's `<timestamp>` and the password.
pub(crate) fn apop_digest(timestamp: &str, password: &Secret) -> Secret {
    let mut md5 = Md5::new();
    md5.update(timestamp.as_bytes());
    md5.update(password.expose().as_bytes());
    Secret::new(hex(&md5.finalize()))
}

/// The CRAM-MD5 response (RFC 2195): `user HMAC-MD5(password, challenge)`, base64.
pub(crate) fn cram_md5_response(user: &str, password: &Secret, challenge: &[u8]) -> Secret {
    const BLOCK: usize = 64;
    let mut key = password.expose().as_bytes().to_vec();
    if key.len() > BLOCK {
        key = Md5::digest(&key).to_vec();
    }
    key.resize(BLOCK, 0);
    let pad = |byte: u8| key.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Md5::new()
        .chain_update(pad(0x36))
        .chain_update(challenge)
        .finalize();
    let outer = Md5::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    Secret::new(sasl::encode(format!("{user} {}", hex(&outer)).as_bytes()))
}

/// The `<…>` timestamp of a POP3 greeting, for APOP.
pub(crate) fn apop_timestamp(greeting: &str) -> Option<&str> {
    let start = greeting.find('<')?;
    let end = start + greeting[start..].find('>')?;
    Some(&greeting[start..=end])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn with_kind(command: &Command, kind: CommandKind) -> Command {
    Command {
        kind,
        origin: command.origin,
        pipelined: command.pipelined,
    }
}

/// The command without any secret in its arguments.
pub(crate) fn without_secret(command: &Command, args: &Args) -> Command {
    match args.secret {
        Some(_) => with_args(command, Args::plain(args.text.clone())),
        None => command.clone(),
    }
}

/// The command with other arguments, its request read again from them.
pub(crate) fn with_args(command: &Command, args: Args) -> Command {
    let mut sent = command.clone();
    if let CommandKind::Line {
        request,
        written,
        args: sent_args,
    } = &mut sent.kind
    {
        *request = request.reread(written, &args);
        *sent_args = args;
    }
    sent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_the_rfc_examples() {
        // RFC 1939 §7.
        let digest = apop_digest(
            "<1896.697170952@dbc.mtview.ca.us>",
            &Secret::new("tanstaaf"),
        );
        assert_eq!(digest.expose(), "c4c9334bac560ecc979e58001b3e22fb");
        // RFC 2195 §2.
        let response = cram_md5_response(
            "tim",
            &Secret::new("tanstaaftanstaaf"),
            b"<1896.697170952@postoffice.reston.mci.net>",
        );
        assert_eq!(
            sasl::decode(&response).unwrap().expose(),
            "tim b913a602c7eda7a495b4e6e7334d3890"
        );
        assert_eq!(
            apop_timestamp("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
            Some("<1896.697170952@dbc.mtview.ca.us>")
        );
        assert_eq!(apop_timestamp("+OK ready"), None);
    }

    #[test]
    fn plausible_user_names() {
        let cases = [
            ("877261793@qq.com", true),
            ("student", true),
            ("", false),
            ("two words", false),
            ("bell\u{7}", false),
        ];
        for (name, expected) in cases {
            assert_eq!(plausible_user(name), expected, "{name:?}");
        }
    }
}
