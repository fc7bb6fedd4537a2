//! The session pass that removes known secrets (`protocol::redact`), side by side for
//! sessions of growing size and growing numbers of secrets:
//!
//! ```text
//! cargo bench --bench redact -- [--runs 5]
//! ```
//!
//! Each session is POP3: `secrets` logins (`USER` / `PASS pw-n`), then exchanges up to
//! `lines` reply lines, every tenth echoing one of the passwords, and a 64 KiB body. Each
//! text is scanned once by one automaton, so a line costs the same whatever the number of
//! secrets: the last column (the cost of the 90,000 lines the larger session adds, per line)
//! stays flat down the table. What grows with the secrets is the automaton's construction,
//! linear in their total size.
//!
//! Not a timed test: it prints a table and never fails on speed.

use std::time::{Duration, Instant};

use mailgrade::protocol::redact::redact_dialogue;
use mailgrade::session::{
    Args, Command, CommandKind, Content, Exchange, Note, Origin, Pop3Status, Protocol, Reply,
    ReplyCode, ReplyLines, Secret,
};

fn line(verb: &str, args: Args) -> CommandKind {
    CommandKind::line(Protocol::Pop3, verb, args)
}

fn exchange(kind: CommandKind, reply: String) -> Exchange {
    Exchange {
        command: Some(Command::new(kind, Origin::Synthetic)),
        reply: Some(Reply::new(
            ReplyCode::Pop3(Pop3Status::Ok),
            ReplyLines::one(reply),
            Origin::Synthetic,
        )),
    }
}

/// A session of about `lines` reply lines with `secrets` different passwords.
fn session(lines: usize, secrets: usize) -> Vec<Exchange> {
    let password = |n: usize| format!("pw-{n:06}-Secret");
    let mut exchanges = Vec::with_capacity(lines + 2 * secrets);
    for n in 0..secrets {
        exchanges.push(exchange(
            line("USER", Args::plain("student")),
            String::new(),
        ));
        let args = Args {
            text: String::new(),
            secret: Some(Secret::new(password(n))),
        };
        exchanges.push(exchange(line("PASS", args), "logged in".into()));
    }
    for n in 0..lines {
        let text = if n % 10 == 0 {
            format!("message {n} mentions {} in passing", password(n % secrets))
        } else {
            format!("message {n} is an ordinary reply line of some length")
        };
        exchanges.push(exchange(line("NOOP", Args::default()), text));
    }
    let body = "Subject: a long body\r\n\r\n"
        .bytes()
        .chain((0..64 << 10).map(|i| b"abcdefghij\r\n"[i % 12]))
        .collect();
    exchanges.push(exchange(line("RETR", Args::plain("1")), "64 KiB".into()));
    if let Some(reply) = exchanges.last_mut().and_then(|e| e.reply.as_mut()) {
        reply.body = Some(Box::new(Content::from_bytes(body)));
    }
    exchanges
}

/// Best of `runs` of the pass over a fresh session.
fn best(lines: usize, secrets: usize, runs: u32) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let mut exchanges = session(lines, secrets);
        let mut notes: Vec<Note> = Vec::new();
        let started = Instant::now();
        redact_dialogue(Protocol::Pop3, &mut exchanges, &mut notes);
        best = best.min(started.elapsed());
        std::hint::black_box(&exchanges);
    }
    best
}

fn main() {
    let runs = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(5u32);
    let (small, large) = (10_000, 100_000);
    println!(
        "{:>8} {:>14} {:>14} {:>16}",
        "secrets", "10k lines ms", "100k lines ms", "ns / added line"
    );
    for secrets in [1, 100, 1_000] {
        let (a, b) = (best(small, secrets, runs), best(large, secrets, runs));
        let slope = (b.as_nanos() as f64 - a.as_nanos() as f64) / (large - small) as f64;
        println!(
            "{secrets:>8} {:>14.2} {:>14.2} {:>16.0}",
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            slope
        );
    }
}
