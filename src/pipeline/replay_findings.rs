//! What replay did differently from the submission, as findings in both languages, bounded
//! however many notes a session makes.

use std::collections::{HashMap, HashSet};

use crate::grade::{self, Evidence, Finding, FindingSeverity};
use crate::i18n::messages::replay::{ReplayMessage, StandIn};
use crate::i18n::{List, Separator};
use crate::replay::{ReplayNote, Replayed};
use crate::session::{Origin, Protocol, Session};

const MAX_NOTE_FINDINGS: usize = grade::MAX_FINDINGS_PER_CHECK;
/// Items a listing finding names before it only counts the rest.
const MAX_LISTED: usize = 10;

/// Items for one finding: the first few named, the rest counted.
struct Listed {
    /// Name an item once however often it comes.
    distinct: bool,
    seen: HashSet<String>,
    named: Vec<String>,
    total: usize,
}

impl Listed {
    fn distinct() -> Self {
        Listed {
            distinct: true,
            seen: HashSet::new(),
            named: Vec::new(),
            total: 0,
        }
    }

    fn every() -> Self {
        Listed {
            distinct: false,
            ..Listed::distinct()
        }
    }

    fn add(&mut self, item: String) {
        if self.distinct && !self.seen.insert(item.clone()) {
            return;
        }
        self.total += 1;
        if self.named.len() < MAX_LISTED {
            self.named.push(item);
        }
    }

    fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The items named, the rest counted.
    fn into_list(self) -> List<String> {
        let more = self.total - self.named.len();
        List::new(self.named, Separator::Comma).and_more(more)
    }
}

/// A hashable stand-in for an origin, to find a command by the place it came from.
type OriginKey = (u8, u64, u64, i64);

fn origin_key(origin: Origin) -> OriginKey {
    match origin {
        Origin::Line { line, column } => (0, u64::from(line), u64::from(column), 0),
        Origin::Frame {
            frame,
            last_frame,
            micros,
        } => (1, frame, last_frame, micros),
        Origin::Replay { index } => (2, u64::from(index), 0, 0),
        Origin::Synthetic => (3, 0, 0, 0),
    }
}

/// A replay that could not run: the grade stays on the claimed replies, and says so.
pub(super) fn replay_failed(server: &str, error: &str) -> Finding {
    Finding {
        check: "replay",
        severity: FindingSeverity::Warning,
        message: ReplayMessage::Failed {
            server: server.to_string(),
            error: error.to_string(),
        }
        .text(),
        evidence: None,
    }
}

/// What replay did differently from the submission, as info findings (and the
/// send-then-read result).
pub fn replay_findings(claimed: &Session, replayed: &Replayed) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Each command's place, once: looking each note's command up from the start cost
    // notes × exchanges.
    let mut commands: HashMap<OriginKey, usize> = HashMap::new();
    for (index, exchange) in claimed.exchanges.iter().enumerate() {
        if let Some(command) = &exchange.command {
            commands.entry(origin_key(command.origin)).or_insert(index);
        }
    }
    let info = |message: ReplayMessage, origin: Option<Origin>| Finding {
        check: "replay",
        severity: FindingSeverity::Info,
        message: message.text(),
        evidence: origin.map(|origin| Evidence {
            source: claimed.source.path.as_path().into(),
            origin,
            exchange: commands
                .get(&origin_key(origin))
                .map_or_else(Default::default, |&i| {
                    claimed.exchanges[i].skeleton_line().into()
                }),
        }),
    };
    let mut mapped = Listed::distinct();
    let mut skipped = Listed::every();
    let mut not_commands: Option<(Protocol, Listed)> = None;
    let mut unshown = 0;
    for note in &replayed.notes {
        // One finding per note up to a budget: 20,000 PASS lines are not 20,000 findings.
        let listed = matches!(
            note,
            ReplayNote::AddressMapped { .. }
                | ReplayNote::Skipped { .. }
                | ReplayNote::NotACommand { .. }
                | ReplayNote::Truncated { .. }
                | ReplayNote::ServerClosed { .. }
        );
        if !listed && findings.len() >= MAX_NOTE_FINDINGS {
            unshown += 1;
            continue;
        }
        match note {
            ReplayNote::AddressMapped { from, to } => mapped.add(format!("{from} → {to}")),
            ReplayNote::Skipped { label, .. } => skipped.add(label.clone()),
            ReplayNote::NotACommand { protocol, origin } => not_commands
                .get_or_insert_with(|| (*protocol, Listed::every()))
                .1
                .add(origin.to_string()),
            ReplayNote::CredentialSwapped { what, origin } => findings.push(info(
                ReplayMessage::CredentialSwapped { what: what.clone() },
                Some(*origin),
            )),
            ReplayNote::FailedLoginMirrored { what, origin } => findings.push(info(
                ReplayMessage::FailedLoginMirrored { what: what.clone() },
                Some(*origin),
            )),
            ReplayNote::MalformedCredential {
                what,
                problem,
                origin,
            } => findings.push(info(
                ReplayMessage::MalformedCredential {
                    what: what.clone(),
                    problem: problem.clone(),
                },
                Some(*origin),
            )),
            ReplayNote::MechanismNotReplayed { mechanism, origin } => findings.push(info(
                ReplayMessage::MechanismNotReplayed {
                    mechanism: mechanism.clone(),
                },
                Some(*origin),
            )),
            ReplayNote::ApopRecomputed { origin } => {
                findings.push(info(ReplayMessage::ApopRecomputed, Some(*origin)))
            }
            ReplayNote::BodySupplied {
                size,
                from_scenario,
                origin,
            } => findings.push(info(
                ReplayMessage::BodySupplied {
                    stand_in: if *from_scenario {
                        StandIn::Scenario
                    } else {
                        StandIn::Default
                    },
                    size: *size,
                },
                Some(*origin),
            )),
            ReplayNote::MailboxSeeded { count, generated } => findings.push(info(
                ReplayMessage::MailboxSeeded {
                    count: *count,
                    generated: *generated,
                },
                None,
            )),
            ReplayNote::SeedFailed { detail } => findings.push(info(
                ReplayMessage::SeedFailed {
                    detail: detail.clone(),
                },
                None,
            )),
            ReplayNote::StoppedAtTls { origin } => {
                findings.push(info(ReplayMessage::StoppedAtTls, Some(*origin)))
            }
            ReplayNote::ServerClosed { unsent } => {
                findings.push(info(ReplayMessage::ServerClosed { unsent: *unsent }, None))
            }
            ReplayNote::Truncated { replayed, total } => findings.push(info(
                ReplayMessage::Truncated {
                    total: *total,
                    replayed: *replayed,
                },
                None,
            )),
            ReplayNote::Filler { what } => {
                findings.push(info(ReplayMessage::Filler { what: what.clone() }, None))
            }
        }
    }
    if unshown > 0 {
        findings.push(info(ReplayMessage::MoreNotListed { unshown }, None));
    }
    if !mapped.is_empty() {
        let mapped = mapped.into_list();
        findings.insert(0, info(ReplayMessage::AddressesMapped { mapped }, None));
    }
    if !skipped.is_empty() {
        let skipped = skipped.into_list();
        findings.push(info(ReplayMessage::NotSentAfterRefusal { skipped }, None));
    }
    // Places only: such a line may be a password, so it is never quoted.
    if let Some((protocol, places)) = not_commands {
        findings.push(info(
            ReplayMessage::NotCommands {
                protocol: protocol.name().to_ascii_uppercase(),
                places: places.into_list(),
            },
            None,
        ));
    }
    if let Some(readback) = &replayed.readback {
        findings.push(Finding {
            check: "send-then-read",
            severity: if readback.verified {
                FindingSeverity::Info
            } else {
                FindingSeverity::Error
            },
            message: {
                let detail = readback.detail.clone();
                if readback.verified {
                    ReplayMessage::ReadBack { detail }
                } else {
                    ReplayMessage::NotReadBack { detail }
                }
            }
            .text(),
            evidence: None,
        });
    }
    findings
}

#[cfg(test)]
#[path = "replay_findings_tests.rs"]
mod tests;
