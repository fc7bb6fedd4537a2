//! Replays the client side of every reference transcript (Postfix 3.7 + Dovecot 2.3, recorded
//! in ../shared/reference/postfix-dovecot/transcripts) against the embedded server, the way
//! the reference client typed it, and compares the reply codes. Deliberate differences are
//! listed in `ALLOWED` with the reason (and in docs/server.md).

#[path = "server_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};

use mailgrade::server::embedded::EmbeddedConfig;
use mailgrade::server::{Endpoints, MailServer};
use support::Client;

const TRANSCRIPTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/postfix-dovecot/transcripts"
);

/// (transcript, client line, reference code, our code, why).
const ALLOWED: &[(&str, &str, &str, &str, &str)] = &[];

#[derive(Debug)]
enum Step {
    Client(String),
    /// The reply lines the reference server sent after the last client line(s).
    Server(Vec<String>),
    Closed,
}

/// Reads `C:`/`S:` transcripts and swaks' `->`/`<-` logs; drops timing and decoding notes.
fn steps(text: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for raw in text.lines() {
        let (client, rest) = if let Some(rest) = raw.strip_prefix("C: ") {
            (true, rest)
        } else if raw == "C:" {
            (true, "")
        } else if let Some(rest) = raw.strip_prefix(" -> ") {
            (true, rest)
        } else if let Some(rest) = raw.strip_prefix("S: ") {
            (false, rest)
        } else if let Some(rest) = raw.strip_prefix("<-  ") {
            (false, rest)
        } else {
            continue;
        };
        if client {
            let line = strip_note(rest, "    (");
            steps.push(Step::Client(line.to_string()));
        } else if rest == "<connection closed by server>" {
            steps.push(Step::Closed);
        } else {
            let line = strip_note(rest, "  [+").to_string();
            match steps.last_mut() {
                Some(Step::Server(lines)) => lines.push(line),
                _ => steps.push(Step::Server(vec![line])),
            }
        }
    }
    steps
}

/// `c2VjcmV0    ({b64:secret})` → `c2VjcmV0`; `+OK  [+0.50s]` → `+OK`.
fn strip_note<'a>(line: &'a str, marker: &str) -> &'a str {
    match line.find(marker) {
        Some(at) if line.ends_with(')') || line.ends_with(']') => &line[..at],
        _ => line,
    }
}

/// The codes of the replies in one run of reference server lines: SMTP replies end at a
/// `ddd ` line; a POP3 run is one response.
fn reply_codes(lines: &[String], pop3: bool) -> Vec<String> {
    if pop3 {
        let status = lines[0].split(' ').next().unwrap_or("").to_string();
        return vec![status];
    }
    lines
        .iter()
        .filter(|l| l.len() == 3 || l.as_bytes().get(3) == Some(&b' '))
        .map(|l| l[..3].to_string())
        .collect()
}

struct Replay {
    pop3: bool,
    client: Client,
    last_command: String,
}

impl Replay {
    async fn our_code(&mut self) -> String {
        if self.pop3 {
            let multiline = mailgrade::protocol::pop3::parse_request(&self.last_command)
                .map(|r| r.has_multiline_response())
                .unwrap_or(false);
            let (status, _) = self.client.pop3_response(multiline).await;
            status.split(' ').next().unwrap_or("").to_string()
        } else {
            self.client.smtp_code().await.to_string()
        }
    }
}

/// How many messages the reference mailbox held: the first `STAT` answer's count.
fn reference_message_count(steps: &[Step]) -> usize {
    for pair in steps.windows(2) {
        if let [Step::Client(cmd), Step::Server(lines)] = pair {
            if cmd.eq_ignore_ascii_case("stat") {
                return lines[0]
                    .split(' ')
                    .nth(1)
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
            }
        }
    }
    0
}

async fn replay(path: &Path) -> (usize, Vec<String>) {
    let name = path.file_stem().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(path).expect("transcript readable");
    let steps = steps(&text);
    let pop3 = name.contains("pop3");
    let config = EmbeddedConfig {
        require_auth: name.contains("require-auth"),
        ..EmbeddedConfig::default()
    };
    let server = support::start(config).await;
    let messages = (0..reference_message_count(&steps))
        .map(|i| format!("Subject: seeded {i}\r\n\r\nbody {i}\r\n.leading dot\r\n").into_bytes())
        .collect();
    server.seed("student@lab.test", messages).await.unwrap();
    let Endpoints {
        smtp,
        pop3: pop3_addr,
    } = server.endpoints();
    let client = Client::connect(if pop3 { pop3_addr } else { smtp }).await;
    let mut replay = Replay {
        pop3,
        client,
        last_command: String::new(),
    };
    let mut differences = Vec::new();
    let mut compared = 0;
    for step in &steps {
        match step {
            Step::Client(line) => {
                replay.client.send(line).await;
                replay.last_command = line.clone();
            }
            Step::Server(lines) => {
                for theirs in reply_codes(lines, pop3) {
                    let ours = replay.our_code().await;
                    compared += 1;
                    if ours != theirs {
                        let command = replay.last_command.clone();
                        let allowed = ALLOWED.iter().any(|(file, cmd, t, o, _)| {
                            *file == name && *cmd == command && *t == theirs && *o == ours
                        });
                        if !allowed {
                            differences.push(format!(
                                "{name}: after {command:?} reference {theirs}, ours {ours}"
                            ));
                        }
                    }
                }
            }
            Step::Closed => {
                if !replay.client.is_closed().await {
                    differences.push(format!("{name}: reference closed, ours stayed open"));
                }
            }
        }
    }
    server.stop().await.unwrap();
    (compared, differences)
}

fn transcripts() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(TRANSCRIPTS)
        .expect("reference transcripts present in ../shared")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
}

#[tokio::test]
async fn reply_codes_agree_with_postfix_and_dovecot() {
    let paths = transcripts();
    assert!(paths.len() >= 20, "found only {} transcripts", paths.len());
    let mut differences = Vec::new();
    let mut compared = 0;
    for path in &paths {
        let (count, found) = replay(path).await;
        assert!(count > 0, "{}: no reply compared", path.display());
        compared += count;
        differences.extend(found);
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // 25 transcripts, about 330 replies: a reader that silently skipped most would show here.
    assert!(compared >= 250, "only {compared} replies compared");
    eprintln!("{compared} reply codes agree");
}

#[test]
fn transcript_reader_sees_both_sides() {
    let steps = steps("S: 220 hi\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: c2VjcmV0    ({b64:secret})\nS: +OK  [+0.50s]\n");
    let kinds: Vec<String> = steps
        .iter()
        .map(|s| match s {
            Step::Client(l) => format!("C {l}"),
            Step::Server(l) => format!("S {}", l.join("|")),
            Step::Closed => "closed".to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "S 220 hi",
            "C AUTH LOGIN",
            "S 334 VXNlcm5hbWU6",
            "C c2VjcmV0",
            "S +OK"
        ]
    );
}
