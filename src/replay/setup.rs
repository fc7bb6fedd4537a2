use std::time::Duration;

use crate::i18n::Text;
use crate::server::Account;
use crate::session::{Origin, Protocol};

/// What replaying one session needs besides the session: the test login that replaces the
/// student's, the lab domain and what to do about missing pieces.
#[derive(Clone, Debug)]
pub struct ReplaySetup {
    /// The login sent instead of the student's (AUTH, USER/PASS, APOP).
    pub account: Account,
    /// The lab domain envelope addresses are mapped to (`lab.test`).
    pub domain: String,
    /// Keep the student's envelope addresses instead of mapping them to `domain`.
    pub keep_addresses: bool,
    /// The message sent when the submission shows only its size; `None`: a default one.
    pub replay_body: Option<Vec<u8>>,
    /// Messages the test mailbox should start with before a POP3 session (whole messages);
    /// generated ones are added when the session reads further.
    pub mailbox: Vec<Vec<u8>>,
    /// After an SMTP session, read the message back over POP3 and compare it byte by byte.
    pub send_then_read: bool,
    pub timeouts: Timeouts,
    /// Only the commands of a session's first this many exchanges are sent: the grader
    /// looks no further, and replay time grows with what is sent.
    pub max_exchanges: usize,
}

impl ReplaySetup {
    /// The lab defaults for `account` at `domain`.
    pub fn new(account: Account, domain: impl Into<String>) -> Self {
        ReplaySetup {
            account,
            domain: domain.into(),
            keep_addresses: false,
            replay_body: None,
            mailbox: Vec::new(),
            send_then_read: false,
            timeouts: Timeouts::default(),
            max_exchanges: usize::MAX,
        }
    }
}

/// How long replay waits: for any one reply, and for the whole session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub command: Duration,
    pub session: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            command: Duration::from_secs(10),
            session: Duration::from_secs(60),
        }
    }
}

/// Something replay did differently from the submission, so the grade can say so. Never
/// holds a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayNote {
    /// An envelope address was replaced by one at the lab domain.
    AddressMapped { from: String, to: String },
    /// A credential was replaced by the test account's (`what`: `AUTH LOGIN (as …)`, …).
    CredentialSwapped { what: Text, origin: Origin },
    /// The claimed login failed, so replay sent a wrong password to fail the same way.
    FailedLoginMirrored { what: String, origin: Origin },
    /// A credential was malformed (not base64, no plausible user name): replay sent a
    /// malformed one too, so the server answers as it would have.
    MalformedCredential {
        what: String,
        problem: String,
        origin: Origin,
    },
    /// A SASL mechanism replay cannot swap credentials for: the exchange was cancelled.
    MechanismNotReplayed { mechanism: String, origin: Origin },
    /// APOP became a digest computed for the test account from this server's greeting.
    ApopRecomputed { origin: Origin },
    /// The message was elided in the submission; replay sent a stand-in of `size` bytes.
    BodySupplied {
        size: usize,
        from_scenario: bool,
        origin: Origin,
    },
    /// The mailbox was seeded with `count` messages before the POP3 session.
    MailboxSeeded { count: usize, generated: usize },
    /// The server could not be seeded (an external host): message numbers may not exist.
    SeedFailed { detail: String },
    /// STARTTLS / STLS: replay stops there, TLS is not negotiated.
    StoppedAtTls { origin: Origin },
    /// The server closed the connection before every command was sent.
    ServerClosed { unsent: usize },
    /// The session has `total` exchanges; only the commands of the first `replayed` were sent.
    Truncated { replayed: usize, total: usize },
    /// Commands not sent because the server's answer made them meaningless (a message
    /// after a refused DATA, an AUTH response after a refused AUTH).
    Skipped { label: String, origin: Origin },
    /// A line that is no command of the session's protocol (PASS at an SMTP server, IMAP's
    /// LOGIN, a password typed as a command): not sent, since it may hold anything a student
    /// typed and a server only refuses it.
    NotACommand { protocol: Protocol, origin: Origin },
    /// Replay had to answer a prompt the submission does not (a `*` to a challenge, an
    /// empty message after a `354`) to keep the session in step.
    Filler { what: Text },
}
