//! `message-content`: the message sent after DATA has the headers it should, and its From
//! names the MAIL FROM address.
//!
//! **What**: the scenario's `checks` on its message step (a header is present, equals the
//! envelope sender or recipient, matches a pattern) become graded checks; when a scenario has
//! none, From present and matching MAIL FROM are reported as findings. When the body is not
//! in the submission (Wireshark's `DATA fragment, 2429 bytes`), nothing is checked and the
//! grade says so; Wireshark's summary line (`from: <…>`) is still compared with MAIL FROM.
//!
//! **Why**: a From that differs from the envelope sender is what spam filters reject (QQ
//! Mail answers 501/554), and a message without headers shows an empty sender and subject.
//!
//! **Example**: `MAIL FROM:<a@qq.com>` then a message with `From: b@163.com`.

use super::{CheckFn, Context};
use crate::grade::evidence::evidence;
use crate::grade::intern;
use crate::grade::model::{
    Check, CheckKind, Evidence, Finding, FindingSeverity, SharedLine, Status,
};
use crate::i18n::messages::checks::MessageCheckName as CheckName;
use crate::i18n::messages::checks::MessageContentMessage as Message;
use crate::i18n::Text;
use crate::protocol::{smtp, Request};
use crate::scenario::{Envelope, Label, MessageCheck, Step};
use crate::session::{CommandKind, Content, Session};

pub const CHECK: CheckFn = CheckFn {
    id: "message-content",
    run,
};

/// The address in a header value (`Name <a@b>` or `a@b`), or in Wireshark's summary, as
/// written.
fn address_as_written(text: &str) -> &str {
    let inner = match (text.find('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => &text[open + 1..close],
        _ => text,
    };
    inner.trim()
}

/// The address in a header value, lower-cased: addresses are compared in any case.
fn address_in(text: &str) -> String {
    address_as_written(text).to_ascii_lowercase()
}

/// Whether the address in a header value is `address`, in any case: what comparing their
/// lower-cased copies says, without making them.
fn names_address(text: &str, address: &str) -> bool {
    address_as_written(text).eq_ignore_ascii_case(address)
}

/// The envelope of the transaction under way, as the protocol parser reads MAIL FROM and
/// RCPT TO, updated exchange by exchange; addresses as the session has them (compared in
/// any case).
#[derive(Default)]
struct Transaction<'a> {
    from: Option<&'a str>,
    to: Vec<&'a str>,
    /// Whether RCPT TO addresses are kept: only a check against them reads them.
    recipients: bool,
}

impl<'a> Transaction<'a> {
    fn see(&mut self, exchange: &'a crate::session::Exchange) {
        let accepted = exchange
            .reply
            .as_ref()
            .is_some_and(|r| r.code.is_positive());
        let Some(CommandKind::Line { request, args, .. }) =
            exchange.command.as_ref().map(|c| &c.kind)
        else {
            return;
        };
        if !accepted || args.secret.is_some() {
            return;
        }
        match request {
            Request::Smtp(smtp::Request::Mail { from: sender, .. }) => {
                self.from = Some(sender);
                self.to.clear();
            }
            Request::Smtp(smtp::Request::Rcpt { to: recipient, .. }) if self.recipients => {
                self.to.push(recipient)
            }
            _ => {}
        }
    }
}

/// The envelope of the transaction a message belongs to, its recipients kept if asked for.
fn envelope_before(session: &Session, message: usize, recipients: bool) -> Transaction<'_> {
    let mut envelope = Transaction {
        recipients,
        ..Transaction::default()
    };
    for exchange in session.exchanges.iter().take(message) {
        envelope.see(exchange);
    }
    envelope
}

fn content_of(session: &Session, index: usize) -> Option<&Content> {
    match session
        .exchanges
        .get(index)?
        .command
        .as_ref()
        .map(|c| &c.kind)
    {
        Some(CommandKind::Message { content }) => Some(content),
        _ => None,
    }
}

/// `from: <a@b>, subject: …`: the sender Wireshark's IMF summary shows.
fn summary_from(summary: &str) -> Option<String> {
    let rest = summary.trim_start().strip_prefix("from:")?;
    let sender = rest.split(", subject:").next().unwrap_or(rest);
    Some(address_in(sender))
}

fn not_checked(content: &Content) -> Text {
    match content.size {
        Some(size) => Message::BodyNotInSubmissionSized { size }.text(),
        None => Message::BodyNotInSubmission.text(),
    }
}

fn run(context: &Context<'_>) -> Vec<Finding> {
    let session = context.session;
    let scenario_checks = context
        .scenario
        .steps
        .iter()
        .any(|step| step.send.contains(&Label::Message) && !step.checks.is_empty());
    // With the scenario's own checks, only a message whose body is not in the submission
    // is told about here: a session without one needs no envelope followed.
    if scenario_checks
        && !(0..session.exchanges.len())
            .any(|index| content_of(session, index).is_some_and(Content::is_elided))
    {
        return Vec::new();
    }
    let mut findings = Vec::new();
    // One pass: asking for each message's envelope from the start cost messages × exchanges.
    let mut envelope = Transaction::default();
    for index in 0..session.exchanges.len() {
        let Some(content) = content_of(session, index) else {
            envelope.see(&session.exchanges[index]);
            continue;
        };
        let mail_from = envelope.from;
        let finding = |severity, message| Finding {
            check: CHECK.id,
            severity,
            message,
            evidence: evidence(session, index),
        };
        if content.is_elided() {
            findings.push(finding(FindingSeverity::Info, not_checked(content)));
            let shown = content.summary.as_deref().and_then(summary_from);
            if let (Some(shown), Some(envelope)) = (shown, mail_from) {
                if !shown.is_empty() && !shown.eq_ignore_ascii_case(envelope) {
                    findings.push(finding(FindingSeverity::Warning, from_mismatch()));
                }
            }
            continue;
        }
        if scenario_checks {
            continue;
        }
        match content.header("From") {
            None => findings.push(finding(FindingSeverity::Warning, Message::NoFrom.text())),
            Some(value) if mail_from.is_some_and(|from| !names_address(&value, from)) => {
                findings.push(finding(FindingSeverity::Warning, from_mismatch()))
            }
            Some(_) => {}
        }
    }
    findings
}

fn from_mismatch() -> Text {
    Message::FromNotMailFrom.text()
}

/// How one of a step's message checks came out, decided when a session is measured; its
/// words are written ([`written`]) only for the grade kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    NoMessageSent,
    NotAMessage,
    /// The body is not in the submission.
    BodyNotInSubmission,
    HeaderMissing,
    OptionalHeaderAbsent,
    HeaderNotEnvelope,
    HeaderForm,
    HeaderFine,
}

impl Outcome {
    pub fn status(self) -> Status {
        match self {
            Outcome::NoMessageSent | Outcome::NotAMessage | Outcome::BodyNotInSubmission => {
                Status::NotChecked
            }
            Outcome::HeaderMissing | Outcome::HeaderNotEnvelope | Outcome::HeaderForm => {
                Status::Failed
            }
            Outcome::OptionalHeaderAbsent | Outcome::HeaderFine => Status::Passed,
        }
    }

    /// Points earned and possible: a check that could not look at its evidence counts
    /// neither for nor against.
    pub fn points(self, check: &MessageCheck) -> (u32, u32) {
        match self.status() {
            Status::NotChecked => (0, 0),
            status if !status.is_ok() => (0, check.points),
            _ => (check.points, check.points),
        }
    }
}

/// The scenario's message checks for `step`, against the message it matched (if any), each
/// handed to `outcome` in the step's order (no list made per session); each check reads
/// the one header it asks for.
pub fn assess(
    step: &Step,
    session: &Session,
    message: Option<usize>,
    mut outcome: impl FnMut(Outcome),
) {
    let mut all = |same| step.checks.iter().for_each(|_| outcome(same));
    let Some(index) = message else {
        return all(Outcome::NoMessageSent);
    };
    let Some(content) = content_of(session, index) else {
        return all(Outcome::NotAMessage);
    };
    if content.is_elided() {
        return all(Outcome::BodyNotInSubmission);
    }
    // The envelope of the message's transaction, found for the first check that needs it.
    let mut envelope = None;
    for check in &step.checks {
        let value = content.header(&check.header);
        outcome(assess_one(
            check,
            value.as_deref(),
            &mut envelope,
            session,
            index,
        ));
    }
}

fn assess_one<'a>(
    check: &MessageCheck,
    value: Option<&str>,
    envelope: &mut Option<Transaction<'a>>,
    session: &'a Session,
    message: usize,
) -> Outcome {
    let Some(value) = value else {
        return if check.required {
            Outcome::HeaderMissing
        } else {
            Outcome::OptionalHeaderAbsent
        };
    };
    let fits_envelope = match check.equals {
        Some(Envelope::MailFrom) => {
            let envelope = envelope.get_or_insert_with(|| envelope_before(session, message, false));
            envelope.from.is_some_and(|from| names_address(value, from))
        }
        Some(Envelope::RcptTo) => {
            let envelope = match envelope.take() {
                Some(known) if known.recipients => envelope.insert(known),
                _ => envelope.insert(envelope_before(session, message, true)),
            };
            // A set: a header of many addresses against many recipients is not their product.
            let recipients: std::collections::HashSet<String> = envelope
                .to
                .iter()
                .map(|to| to.to_ascii_lowercase())
                .collect();
            value
                .split(',')
                .any(|address| recipients.contains(&address_in(address)))
        }
        None => true,
    };
    if !fits_envelope {
        return Outcome::HeaderNotEnvelope;
    }
    match &check.matches {
        Some(pattern) if !pattern.is_match(value) => Outcome::HeaderForm,
        _ => Outcome::HeaderFine,
    }
}

/// The words of one message check that are the same for every session: its title, and its
/// feedback for every outcome but a body not in the submission (which names the body).
/// Written once per scenario: rendering them per grade was half of what a content check cost.
pub struct Words {
    /// The check's id and its title's English (its [`Check::name`]), shared by every grade.
    id: SharedLine,
    name: SharedLine,
    title: Text,
    /// By [`Outcome`] as `usize`.
    feedback: [Option<Text>; OUTCOMES],
}

/// How many [`Outcome`]s there are.
const OUTCOMES: usize = 8;

impl Words {
    pub fn of(check: &MessageCheck) -> Self {
        let outcomes = [
            Outcome::NoMessageSent,
            Outcome::NotAMessage,
            Outcome::BodyNotInSubmission,
            Outcome::HeaderMissing,
            Outcome::OptionalHeaderAbsent,
            Outcome::HeaderNotEnvelope,
            Outcome::HeaderForm,
            Outcome::HeaderFine,
        ];
        debug_assert!(outcomes.iter().enumerate().all(|(i, &o)| o as usize == i));
        let title = describe(check);
        Words {
            id: intern::line(&check.id),
            name: intern::line(&title.en),
            title,
            feedback: outcomes.map(|outcome| fixed_text(check, outcome)),
        }
    }
}

/// The check `outcome` of [`assess`] is for `check` (whose [`Words`] are `words`), its words
/// written; `evidence` points at the message it looked at.
pub fn written(
    check: &MessageCheck,
    words: &Words,
    outcome: Outcome,
    session: &Session,
    message: Option<usize>,
    evidence: Option<Evidence>,
) -> Check {
    let status = outcome.status();
    let feedback = match &words.feedback[outcome as usize] {
        Some(text) => text.clone(),
        None => body_text(session, message),
    };
    let lost = !status.is_ok();
    let (points, max_points) = outcome.points(check);
    let title = words.title.clone();
    Check {
        id: words.id.clone(),
        kind: CheckKind::Content,
        name: words.name.clone(),
        title: Some(title),
        status,
        points,
        max_points,
        rule: None,
        feedback: match (lost, &check.feedback) {
            (true, Some(extra)) => Some(feedback.join(extra)),
            _ => Some(feedback),
        },
        evidence,
    }
}

fn describe(check: &MessageCheck) -> Text {
    let header = check.header.clone();
    match check.equals {
        Some(Envelope::MailFrom) => CheckName::EqualsMailFrom { header },
        Some(Envelope::RcptTo) => CheckName::NamesRcptTo { header },
        None if check.required => CheckName::Present { header },
        None => CheckName::Optional { header },
    }
    .text()
}

/// The feedback of a body not in the submission, which names the body when it can.
fn body_text(session: &Session, message: Option<usize>) -> Text {
    match message.and_then(|i| content_of(session, i)) {
        Some(content) => not_checked(content),
        None => Message::BodyNotInSubmission.text(),
    }
}

/// The feedback of `outcome` for `check`; none for a body not in the submission, whose
/// words depend on the session ([`body_text`]).
fn fixed_text(check: &MessageCheck, outcome: Outcome) -> Option<Text> {
    let header = || check.header.clone();
    Some(match outcome {
        Outcome::NoMessageSent => Message::NoMessageSent.text(),
        Outcome::NotAMessage => Message::NotAMessage.text(),
        Outcome::BodyNotInSubmission => return None,
        Outcome::HeaderMissing => Message::HeaderMissing { header: header() }.text(),
        Outcome::OptionalHeaderAbsent => Message::OptionalHeaderAbsent { header: header() }.text(),
        Outcome::HeaderNotEnvelope => {
            let address = match check.equals {
                Some(Envelope::RcptTo) => "RCPT TO",
                _ => "MAIL FROM",
            };
            Message::HeaderNotEnvelope {
                header: header(),
                address,
            }
            .text()
        }
        Outcome::HeaderForm => Message::HeaderForm {
            header: header(),
            pattern: check
                .matches
                .as_ref()
                .map_or_else(String::new, |p| p.as_str().to_string()),
        }
        .text(),
        Outcome::HeaderFine => Message::HeaderFine { header: header() }.text(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Comparing in any case says what comparing lower-cased copies said.
    #[test]
    fn an_address_compares_as_its_lowercase_copy_did() {
        let texts = [
            "Student <A@Lab.Test>",
            " a@lab.test ",
            "<a@lab.test",
            "x> a@lab.test <y",
            "Ä <ä@lab.test>",
            "",
        ];
        let addresses = ["a@lab.test", "A@LAB.TEST", "ä@lab.test", "Ä@lab.test", ""];
        for text in texts {
            for address in addresses {
                assert_eq!(
                    names_address(text, address),
                    address_in(text) == address.to_ascii_lowercase(),
                    "{text:?} {address:?}"
                );
            }
        }
    }
}
