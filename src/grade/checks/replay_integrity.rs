//! `replay-integrity`: the replies the submission claims are the ones a server gives to the
//! same commands.
//!
//! **What**: when the session was replayed, each claimed exchange is paired with its replay
//! (same command, same place in the dialogue) and their reply codes are compared. A
//! difference of reply class (claimed `250`, replayed `503`; claimed `235` for an AUTH the
//! server refused; claimed `+OK`, replayed `-ERR`) is a finding that shows both lines and
//! where each came from: the claimed one at file:line or frame, the replayed one at
//! `replay #n`. A claimed reply to a command the server never answered (it closed, or the
//! command was skipped after a refusal) is a finding too.
//!
//! **Tolerated** (a student's real provider and the lab server legitimately differ):
//! - every reply's text: the greeting banner, EHLO capability lines, queue ids, wording;
//! - codes of the same class: `250` vs `251`, `550` vs `554`, `221` vs `250`;
//! - one refusal for another: `4xx` vs `5xx` (greylisting, rate limits, policy);
//! - POP3 response text and body sizes (`+OK 2 320` vs `+OK 1 80`): only `+OK` / `-ERR` /
//!   `+` are compared;
//! - exchanges replay did not send because the claimed session went encrypted (STARTTLS);
//! - exchanges the claimed session shows no reply for.
//!
//! Credentials are the test account's on replay, and a login the transcript shows failing
//! is replayed with a wrong password, so AUTH / PASS differences come from the form of what
//! the student sent (not base64, no user name), not from the password itself.
//!
//! **Why**: an edited transcript (a `503` retouched into `250`, a made-up `235`) earns
//! points it should not; the replay server's answer is what the commands really get.
//!
//! **Example**: claimed `C: RCPT TO:<a@b>` / `S: 250 OK` after a MAIL that was refused;
//! the replay server answers `503 5.5.1 Error: need MAIL command`.

use super::{CheckFn, Context};
use crate::grade::evidence::{origin_of, with_replayed};
use crate::grade::model::{Evidence, Finding, FindingSeverity};
use crate::i18n::messages::checks::{ExchangeWord, ReplayIntegrityMessage};
use crate::i18n::{Lang, Text};
use std::collections::HashMap;

use crate::session::{CommandKind, Exchange, Origin, Reply, ReplyCode, Session};

pub const CHECK: CheckFn = CheckFn {
    id: "replay-integrity",
    run,
};

fn run(context: &Context<'_>) -> Vec<Finding> {
    let Some(claimed) = context.claimed else {
        return Vec::new();
    };
    let replayed = context.session;
    pairs(claimed, replayed)
        .filter_map(|(c, r)| compare(claimed, c, replayed, r))
        .collect()
}

/// Claimed and replayed exchanges that belong together, in order. Replay keeps the claimed
/// commands (same origin), adding only what the server said unasked and fillers.
///
/// Each claimed exchange takes the first replayed one after the last pair with the same
/// command. The replayed exchanges are looked up by a hash of their command, so a claimed
/// exchange replay never sent (after STARTTLS, past the replay limit, a reply nobody asked
/// for) costs a lookup, not a scan of the rest of the session.
fn pairs<'a>(
    claimed: &'a Session,
    replayed: &'a Session,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut by_key: HashMap<u64, Vec<usize>> = HashMap::new();
    for (index, exchange) in replayed.exchanges.iter().enumerate() {
        by_key.entry(key(exchange)).or_default().push(index);
    }
    let mut next = 0;
    claimed
        .exchanges
        .iter()
        .enumerate()
        .filter_map(move |(index, exchange)| {
            let candidates = by_key.get(&key(exchange))?;
            let from = candidates.partition_point(|&k| k < next);
            let found = candidates[from..]
                .iter()
                .copied()
                .find(|&k| same_command(exchange, &replayed.exchanges[k]))?;
            next = found + 1;
            Some((index, found))
        })
}

/// A hash of what identifies an exchange's command (never of a secret): equal commands
/// have equal keys.
fn key(exchange: &Exchange) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    match &exchange.command {
        None => 0u8.hash(&mut hasher),
        Some(command) => {
            match command.origin {
                Origin::Line { line, column } => (0u8, u64::from(line), u64::from(column)),
                Origin::Frame { frame, micros, .. } => (1, frame, micros as u64),
                Origin::Replay { index } => (2, u64::from(index), 0),
                Origin::Synthetic => (3, 0, 0),
            }
            .hash(&mut hasher);
            match &command.kind {
                CommandKind::Line { request, args, .. } => {
                    (1u8, request.word(), &args.text).hash(&mut hasher)
                }
                CommandKind::Message { content } => {
                    (2u8, content.bytes.as_ref().map(Vec::len), content.size).hash(&mut hasher)
                }
                CommandKind::AuthResponse { .. } => 3u8.hash(&mut hasher),
                CommandKind::AuthCancel => 4u8.hash(&mut hasher),
            }
        }
    }
    hasher.finish()
}

fn same_command(claimed: &Exchange, replayed: &Exchange) -> bool {
    match (&claimed.command, &replayed.command) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn compare(claimed: &Session, c: usize, replayed: &Session, r: usize) -> Option<Finding> {
    let ours = claimed.exchanges.get(c)?;
    let theirs = replayed.exchanges.get(r)?;
    let claimed_reply = ours.reply.as_ref()?;
    if claimed.encrypted_after.is_some_and(|after| c > after) {
        return None;
    }
    let label = match &ours.command {
        Some(command) => {
            let command = command.to_string();
            Text::new(command.clone(), command)
        }
        None => ExchangeWord::TheGreeting.text(),
    };
    let at = place(claimed, origin_of_reply(ours, claimed_reply));
    let message = match &theirs.reply {
        Some(replayed_reply) if tolerated(claimed_reply.code, replayed_reply.code) => return None,
        Some(replayed_reply) => ReplayIntegrityMessage::RepliesDiffer {
            claimed: reply_line(claimed_reply),
            at,
            label,
            replayed: reply_line(replayed_reply),
            index: r,
        },
        None => ReplayIntegrityMessage::NoReplyOnReplay {
            claimed: reply_line(claimed_reply),
            at,
            label,
        },
    };
    Some(Finding {
        check: CHECK.id,
        severity: FindingSeverity::Error,
        message: message.text(),
        evidence: Some(Evidence {
            source: claimed.source.path.as_path().into(),
            origin: origin_of_reply(ours, claimed_reply),
            exchange: with_replayed(ours.skeleton_line(), theirs.skeleton_line()).into(),
        }),
    })
}

/// Same class, or both refusals, or the same POP3 status.
fn tolerated(claimed: ReplyCode, replayed: ReplyCode) -> bool {
    match (claimed, replayed) {
        (ReplyCode::Smtp(a), ReplyCode::Smtp(b)) => {
            a.class() == b.class() || (a.class() >= 4 && b.class() >= 4)
        }
        (a, b) => a == b,
    }
}

/// The claimed reply's own place, else its command's.
fn origin_of_reply(exchange: &Exchange, reply: &Reply) -> crate::session::Origin {
    match reply.origin {
        crate::session::Origin::Synthetic => origin_of(exchange),
        origin => origin,
    }
}

/// `transcript.txt:12`, `capture.pcapng frame 7` (`capture.pcapng 第 7 帧`).
fn place(session: &Session, origin: crate::session::Origin) -> Text {
    let file = session.source.path.display();
    match origin {
        crate::session::Origin::Line { .. } => {
            let place = format!("{file}:{origin}");
            Text::new(place.clone(), place)
        }
        _ => {
            let [en, zh] =
                [Lang::En, Lang::ZhCn].map(|lang| format!("{file} {}", origin.render(lang)));
            Text::new(en, zh)
        }
    }
}

/// `250 2.1.5 Ok`, `+OK 2 320`, one line.
fn reply_line(reply: &Reply) -> String {
    let text = reply.text().trim();
    if text.is_empty() {
        reply.code.to_string()
    } else {
        format!("{} {text}", reply.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Pop3Status, Protocol, SmtpCode};

    #[test]
    fn tolerated_differences() {
        let smtp = |code| ReplyCode::Smtp(SmtpCode::new(code).unwrap());
        let cases = [
            (smtp(250), smtp(251), true),
            (smtp(221), smtp(250), true),
            (smtp(550), smtp(554), true),
            (smtp(450), smtp(550), true),
            (smtp(250), smtp(503), false),
            (smtp(235), smtp(535), false),
            (smtp(235), smtp(501), false),
            (smtp(354), smtp(554), false),
            (smtp(334), smtp(504), false),
            (
                ReplyCode::Pop3(Pop3Status::Ok),
                ReplyCode::Pop3(Pop3Status::Ok),
                true,
            ),
            (
                ReplyCode::Pop3(Pop3Status::Ok),
                ReplyCode::Pop3(Pop3Status::Err),
                false,
            ),
            (
                ReplyCode::Pop3(Pop3Status::Continue),
                ReplyCode::Pop3(Pop3Status::Ok),
                false,
            ),
        ];
        for (claimed, replayed, expected) in cases {
            assert_eq!(
                tolerated(claimed, replayed),
                expected,
                "{claimed} vs {replayed}"
            );
        }
    }

    #[test]
    fn a_greeting_is_named_in_the_language_of_the_text() {
        let greeting = |code| {
            let mut session = Session::new(Protocol::Smtp, Default::default());
            session.exchanges.push(Exchange {
                command: None,
                reply: Some(Reply::new(
                    ReplyCode::Smtp(SmtpCode::new(code).unwrap()),
                    crate::session::ReplyLines::one("hi".into()),
                    Origin::line(1),
                )),
            });
            session
        };
        let finding = compare(&greeting(220), 0, &greeting(554), 0).expect("a finding");
        assert!(
            finding.message.en.contains("reply to the greeting"),
            "{}",
            finding.message.en
        );
        assert!(
            finding.message.zh_cn.contains("服务器的问候"),
            "{}",
            finding.message.zh_cn
        );
        assert!(
            !finding.message.zh_cn.contains("greeting"),
            "{}",
            finding.message.zh_cn
        );
    }
}
