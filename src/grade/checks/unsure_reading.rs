//! `unsure-reading`: the reader was not sure which lines of a transcript are the client's.
//!
//! **What**: reading a text file, ingest learns its direction markers and records doubts: a
//! marker whose lines parse as both commands and replies, many lines whose side was guessed
//! from the protocol, many client lines that are no command where no marker told the sides.
//!
//! **Why**: a grade on a misread dialogue loses or gives points for what the student never
//! did; saying so lets the student or TA check the reading (`mailgrade extract`) instead of
//! trusting a silent guess.
//!
//! **Example**: a log whose `>` lines are commands on one page and replies on the next.

use super::{CheckFn, Context};
use crate::grade::evidence::evidence;
use crate::grade::model::{Finding, FindingSeverity};
use crate::scenario::Text;
use crate::session::Doubt;

pub const CHECK: CheckFn = CheckFn {
    id: "unsure-reading",
    run,
};

/// A doubt in Chinese (the English is the doubt's `Display`).
fn zh(doubt: &Doubt) -> String {
    match doubt {
        Doubt::MixedMarker {
            marker,
            commands,
            replies,
        } => format!("`{marker}` 后面的行既像命令（{commands} 行）又像回复（{replies} 行）"),
        Doubt::GuessedSides { guessed, exchanges } => {
            format!("有 {guessed} 行的收发方向是按协议推测的（共读出 {exchanges} 个交互）")
        }
        Doubt::UnknownCommands { unknown, commands } => {
            format!("客户端的 {commands} 行中有 {unknown} 行不是该协议的命令")
        }
    }
}

fn run(context: &Context<'_>) -> Vec<Finding> {
    let session = context.submitted();
    let Some(reading) = session.reading.as_ref().filter(|r| !r.is_sure()) else {
        return Vec::new();
    };
    let en: Vec<String> = reading.doubts.iter().map(Doubt::to_string).collect();
    let zh: Vec<String> = reading.doubts.iter().map(zh).collect();
    vec![Finding {
        check: CHECK.id,
        severity: FindingSeverity::Warning,
        message: Text::new(
            format!(
                "mailgrade was not sure which lines of this transcript are the client's and which the server's ({}), so this grade may rest on a misreading. Check the dialogue with `mailgrade extract` and mark the lines C:/S: if it was read wrong.",
                en.join("; ")
            ),
            format!(
                "mailgrade 无法确定这份记录中哪些行是客户端发出的、哪些是服务器的回复（{}），本次评分可能基于错误的解读。请用 `mailgrade extract` 检查读出的对话；如有读错，请在各行前标上 C:/S:。",
                zh.join("；")
            ),
        ),
        evidence: evidence(session, 0),
    }]
}
