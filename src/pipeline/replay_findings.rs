//! What replay did differently from the submission, as findings in both languages, bounded
//! however many notes a session makes.

use std::collections::{HashMap, HashSet};

use crate::grade::{self, Evidence, Finding, FindingSeverity};
use crate::replay::{ReplayNote, Replayed};
use crate::scenario::Text;
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

    fn join(&self, separator: &str, lang: &str) -> String {
        let mut text = self.named.join(separator);
        let more = self.total - self.named.len();
        if more > 0 {
            text.push_str(&match lang {
                "zh-CN" => format!("{separator}另有 {more} 项"),
                _ => format!("{separator}and {more} more"),
            });
        }
        text
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
        message: Text::new(
            format!("Replay against the {server} server failed ({error}); this grade rests on the replies the submission claims."),
            format!("向 {server} 服务器重放失败（{error}）；本成绩依据的是提交记录中声称的回复。"),
        ),
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
    let info = |en: String, zh: String, origin: Option<Origin>| Finding {
        check: "replay",
        severity: FindingSeverity::Info,
        message: Text::new(en, zh),
        evidence: origin.map(|origin| Evidence {
            source: claimed.source.path.clone(),
            origin,
            exchange: commands
                .get(&origin_key(origin))
                .map_or_else(String::new, |&i| claimed.exchanges[i].skeleton_line()),
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
                format!("Replay logged in with the test account instead of yours ({what}); your credentials were never sent."),
                format!("重放时使用测试账号登录而非你的账号（{what}）；你的凭据从未被发送。"),
                Some(*origin),
            )),
            ReplayNote::FailedLoginMirrored { what, origin } => findings.push(info(
                format!("Your login ({what}) failed in the submission, so replay sent a wrong password to fail the same way."),
                format!("提交记录中你的登录（{what}）失败了，所以重放时故意发送错误密码，以得到同样的结果。"),
                Some(*origin),
            )),
            ReplayNote::MalformedCredential { what, problem, origin } => findings.push(info(
                format!("Your {what} credentials were malformed ({problem}); replay sent malformed ones too, so the server answers as it would have."),
                format!("你的 {what} 凭据格式有误（{problem}）；重放时同样发送格式错误的凭据，以得到服务器的真实反应。"),
                Some(*origin),
            )),
            ReplayNote::MechanismNotReplayed { mechanism, origin } => findings.push(info(
                format!("Replay cannot log in with AUTH {mechanism}; the exchange was cancelled on replay."),
                format!("重放不支持 AUTH {mechanism} 登录；重放时取消了该认证。"),
                Some(*origin),
            )),
            ReplayNote::ApopRecomputed { origin } => findings.push(info(
                "APOP was recomputed for the test account from the replay server's greeting.".into(),
                "已根据重放服务器的问候语为测试账号重新计算 APOP 摘要。".into(),
                Some(*origin),
            )),
            ReplayNote::BodySupplied { size, from_scenario, origin } => {
                let (en, zh) = if *from_scenario {
                    ("the scenario's", "场景提供的")
                } else {
                    ("a default", "默认的")
                };
                findings.push(info(
                    format!("The submission shows only the message's size, so replay sent {en} {size}-byte message instead."),
                    format!("提交记录只给出了邮件大小，重放时改为发送{zh} {size} 字节邮件。"),
                    Some(*origin),
                ))
            }
            ReplayNote::MailboxSeeded { count, generated } => findings.push(info(
                format!("Before the POP3 session the test mailbox was given {count} message(s) ({generated} generated)."),
                format!("POP3 会话前，测试邮箱中放入了 {count} 封邮件（其中 {generated} 封为生成的）。"),
                None,
            )),
            ReplayNote::SeedFailed { detail } => findings.push(info(
                format!("The replay server's mailbox could not be filled ({detail}); the messages the session reads may not exist there."),
                format!("无法向重放服务器的邮箱放入邮件（{detail}）；会话读取的邮件在那里可能不存在。"),
                None,
            )),
            ReplayNote::StoppedAtTls { origin } => findings.push(info(
                "Replay stopped at STARTTLS/STLS: TLS is not negotiated on replay, so what followed was not replayed.".into(),
                "重放在 STARTTLS/STLS 处停止：重放不进行 TLS 协商，之后的内容未重放。".into(),
                Some(*origin),
            )),
            ReplayNote::ServerClosed { unsent } => findings.push(info(
                format!("The replay server closed the connection; {unsent} command(s) were not sent."),
                format!("重放服务器关闭了连接；有 {unsent} 条命令未发送。"),
                None,
            )),
            ReplayNote::Truncated { replayed, total } => findings.push(info(
                format!("The session has {total} exchanges; replay sent the commands of the first {replayed} only, as many as are graded."),
                format!("会话共有 {total} 次交互；重放只发送了前 {replayed} 次中的命令，与评分范围相同。"),
                None,
            )),
            ReplayNote::Filler { what } => findings.push(info(
                format!("Replay sent {what} that the submission does not, to keep the dialogue in step."),
                format!("为保持对话同步，重放时额外发送了提交记录中没有的内容（{what}）。"),
                None,
            )),
        }
    }
    if unshown > 0 {
        findings.push(info(
            format!("Replay did {unshown} more thing(s) differently from the submission that are not listed one by one."),
            format!("重放时还有 {unshown} 处与提交记录不同，未逐一列出。"),
            None,
        ));
    }
    if !mapped.is_empty() {
        findings.insert(
            0,
            info(
                format!(
                    "Replay mapped envelope addresses to the lab domain: {}.",
                    mapped.join(", ", "en")
                ),
                format!(
                    "重放时将信封地址映射到实验域：{}。",
                    mapped.join("，", "zh-CN")
                ),
                None,
            ),
        );
    }
    if !skipped.is_empty() {
        findings.push(info(
            format!(
                "Not sent on replay, because the server refused what came before: {}.",
                skipped.join(", ", "en")
            ),
            format!(
                "因服务器拒绝了之前的命令，以下内容在重放时未发送：{}。",
                skipped.join("，", "zh-CN")
            ),
            None,
        ));
    }
    // Places only: such a line may be a password, so it is never quoted.
    if let Some((protocol, places)) = not_commands {
        let protocol = protocol.name().to_ascii_uppercase();
        findings.push(info(
            format!(
                "Not sent on replay, because they are no {protocol} commands (only the protocol's commands reach the server, with the test account's credentials): the lines at {}.",
                places.join(", ", "en")
            ),
            format!(
                "以下行不是 {protocol} 命令，重放时未发送（只有协议规定的命令才会发往服务器，且使用测试账号的凭据）：{}。",
                places.join("，", "zh-CN")
            ),
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
            message: if readback.verified {
                Text::new(
                    format!("The message sent over SMTP came back over POP3 unchanged on the replay server: {}.", readback.detail),
                    format!("在重放服务器上，通过 SMTP 发送的邮件经 POP3 取回后完全一致：{}。", readback.detail),
                )
            } else {
                Text::new(
                    format!("The message sent over SMTP did not come back unchanged over POP3 on the replay server: {}.", readback.detail),
                    format!("在重放服务器上，通过 SMTP 发送的邮件未能经 POP3 原样取回：{}。", readback.detail),
                )
            },
            evidence: None,
        });
    }
    findings
}

#[cfg(test)]
#[path = "replay_findings_tests.rs"]
mod tests;
