//! Scenarios: the YAML model of an expected dialogue, its loading and validation, and the
//! built-in scenarios.
//!
//! # The format
//!
//! ```yaml
//! id: smtp-telnet-auth-send            # kebab-case, unique
//! title: { en: Send a mail by hand, zh-CN: 手动发送邮件 }
//! description: { en: …, zh-CN: … }     # optional
//! protocol: smtp                        # smtp | pop3 | tls (a TLS handshake, see below)
//! pass_mark: 60                         # points needed to pass (default: 60 % of the total)
//! strict: false                         # true: no exchange outside the steps is allowed
//! harmless: [NOOP, RSET, HELP]          # may appear anywhere (default per protocol)
//!
//! server:                               # what replay needs
//!   domain: lab.test
//!   accounts: [{ user: student@lab.test, password: lab-password }]
//!   mailboxes:                          # POP3: what the mailbox holds first
//!     - user: student@lab.test
//!       messages: [{ from: t@lab.test, to: student@lab.test, subject: Hi, body: "…" }]
//!   replay_body: "Subject: x\r\n\r\nbody\r\n"   # sent when the submission elides the message
//!   keep_addresses: false               # keep the student's envelope addresses on replay
//!
//! steps:
//!   - id: hello                         # unique within the scenario
//!     send: [EHLO, HELO]                # a verb, alternatives, or greeting | auth-response |
//!                                       #   auth-cancel | message (may be mixed: [message, BDAT])
//!     args: '(?i)^LOGIN$'               # optional regex on the arguments (never on secrets)
//!     expect: 250                       # 250 | 2xx | [250, 251] | +OK | -ERR | +
//!     points: 10
//!     optional: true                    # the step may be left out at no cost
//!     repeat: 1..                       # 1.. | 0.. | 2..3 | 2 (default: exactly once);
//!                                       #   numbers up to 100, and all steps' counts (each
//!                                       #   step's max, or min for `N..`) up to 2,000
//!     feedback: { en: …, zh-CN: … }     # added to the rule's explanation when points are lost
//!     tls: { require: completed, points: 10 }   # only on a STARTTLS / STLS step: the
//!                                       #   handshake after it (not checked in a transcript)
//!     checks:                           # only on a `send: message` step
//!       - { id: from-header, header: From, equals: mail-from, points: 0 }
//!       - { id: subject, header: Subject, required: false, matches: '\S' }
//!
//! forbidden:                            # commands that must not appear at all
//!   - { send: RSET, points: 0, feedback: { en: …, zh-CN: … } }
//! order:                                # `after` only once `before` was answered positively
//!   - { id: auth-first, before: AUTH, after: MAIL, points: 5 }
//! ```
//!
//! A `protocol: tls` scenario (the webmail task) has no steps; it grades the handshake of a
//! TLS connection in a capture:
//!
//! ```yaml
//! protocol: tls
//! tls:
//!   host: mail.qq.com                   # SNI equal or a subdomain, any case
//!   checks:                             # client-hello | sni | server-hello | key-exchange |
//!     - { id: sni, require: sni, points: 15, feedback: { en: …, zh-CN: … } }
//!                                       #   certificate | order | completed | application-data
//! ```
//!
//! Every field is checked when the file loads (unknown fields, unknown commands, codes no
//! server gives after the step's command, bad regexes and ranges, duplicate ids, steps whose
//! alignment would be ambiguous), and every error is reported at once with its file:line:col.

pub mod codes;
mod error;
pub mod lab;
mod load;
mod model;
mod parse;
mod raw;
mod validate;
mod yaml;

pub use error::{ScenarioError, ScenarioErrors};
pub use load::{builtin, builtin_names, builtin_source, builtins, load_file, load_str, resolve};
pub use model::{
    Account, CodePattern, Envelope, Expect, Forbidden, Label, Mailbox, MessageCheck, OrderRule,
    Scenario, ServerSpec, Step, StoredMessage, Text, TlsCheck, TlsRequirement, TlsSpec,
};
