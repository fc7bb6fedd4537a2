//! Differential conformance: every dialogue of a corpus is replayed against the embedded
//! server and against the Postfix + Dovecot container, and the two must give the same reply
//! class (2xx/3xx/4xx/5xx, +OK/-ERR/+) exchange by exchange.
//!
//! The corpus: the built-in scenarios' good paths (`examples/`, `tests/fixtures/conformance/`,
//! the seed report), every reference transcript of ../shared/reference/postfix-dovecot
//! (clean and sloppy input) and every file of ../shared/corpus (transcripts and captures;
//! sessions encrypted from the start have nothing to replay). A difference is either a bug of
//! the embedded server (fixed there) or listed in [`ALLOWED`] with its reason, as in
//! docs/conformance.md. An allowance that no dialogue needs any more fails the test too, so
//! the table stays true.
//!
//! One container serves the whole test; each dialogue gets a fresh embedded server, and the
//! container's test mailbox is emptied before each POP3 dialogue so both start alike. With
//! `CI` set, a missing Docker engine or image fails the test; without, it prints a note.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use mailgrade::ingest::IngestError;
use mailgrade::replay::{
    generated_message, messages_needed, replay_session, ReplaySetup, Replayed, Timeouts,
};
use mailgrade::server::container::{ContainerConfig, ContainerError, ContainerServer};
use mailgrade::server::embedded::{EmbeddedConfig, EmbeddedServer};
use mailgrade::server::{Account, MailServer};
use mailgrade::session::{Exchange, Pop3Status, Protocol, ReplyCode, Session};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The account both servers know and replay logs in with.
const USER: &str = "student@lab.test";
const PASSWORD: &str = "secret";

/// An accepted difference: in `dialogue` (a file name, `#n` for its n-th session), the
/// exchange `label` (`greeting`, a verb, `auth-response`, `message`) gets class `embedded`
/// from the embedded server and `container` from Postfix/Dovecot, because of `why`.
struct Allowed {
    dialogue: &'static str,
    label: &'static str,
    embedded: &'static str,
    container: &'static str,
    why: &'static str,
}

/// Every accepted difference (kept in step with docs/conformance.md).
const ALLOWED: &[Allowed] = &[
    Allowed {
        dialogue: "smtp-bdat.txt",
        label: "BDAT",
        embedded: "5xx",
        container: "2xx",
        why: "the embedded server does not implement CHUNKING (RFC 3030) and does not advertise \
              it, so no client sends it BDAT; Postfix does. A replayed BDAT session gets 502 there",
    },
    Allowed {
        dialogue: "smtp-size-refused-then-mail.txt",
        label: "MAIL",
        embedded: "2xx",
        container: "5xx",
        why: "Postfix 3.7 keeps the SIZE= of a MAIL it refused (552) and refuses the next MAIL \
              without SIZE too, until RSET; the embedded server judges each MAIL on its own",
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_and_container_give_the_same_reply_classes() {
    let dialogues = corpus();
    assert!(
        dialogues.len() >= 60,
        "the corpus shrank to {} dialogues",
        dialogues.len()
    );
    let started = Instant::now();
    let Some(container) = start_container().await else {
        return;
    };
    let container_id = container.id().to_owned();
    let mut differences: Vec<Difference> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let (mut replayed, mut exchanges, mut nothing) = (0, 0, 0);
    for dialogue in &dialogues {
        if !has_commands(&dialogue.session) {
            nothing += 1;
            continue;
        }
        if dialogue.session.protocol == Protocol::Pop3 {
            let needed = messages_needed(&dialogue.session);
            if let Err(why) = reset_mailbox(&container_id, needed).await {
                problems.push(format!("{}: resetting the mailbox: {why}", dialogue.name));
            }
        }
        let embedded = match EmbeddedServer::start(embedded_config()).await {
            Ok(server) => server,
            Err(error) => panic!("embedded server did not start: {error}"),
        };
        let ours = replay_session(&embedded, &dialogue.session, &setup()).await;
        let _ = embedded.stop().await;
        let clock = Instant::now();
        let theirs = replay_session(&container, &dialogue.session, &setup()).await;
        if clock.elapsed() > Duration::from_secs(2) {
            eprintln!(
                "slow on the container: {} took {:.1} s",
                dialogue.name,
                clock.elapsed().as_secs_f64()
            );
        }
        match (ours, theirs) {
            (Ok(ours), Ok(theirs)) => {
                show(&dialogue.name, &ours, &theirs);
                replayed += 1;
                exchanges += ours.session.exchanges.len();
                differences.extend(compare(&dialogue.name, &ours, &theirs));
            }
            (ours, theirs) => problems.push(format!(
                "{}: replay failed: embedded {:?}, container {:?}",
                dialogue.name,
                ours.err().map(|e| e.to_string()),
                theirs.err().map(|e| e.to_string())
            )),
        }
    }
    let _ = container.stop().await;
    eprintln!(
        "conformance: {replayed} dialogues ({exchanges} exchanges) replayed on both servers, \
         {nothing} with nothing to replay, {} differences, in {:.1} s",
        differences.len(),
        started.elapsed().as_secs_f64()
    );

    let unexplained: Vec<String> = differences
        .iter()
        .filter(|d| allowance(d).is_none())
        .map(Difference::to_string)
        .collect();
    let unused: Vec<String> = ALLOWED
        .iter()
        .filter(|a| !differences.iter().any(|d| matches(a, d)))
        .map(|a| {
            format!(
                "{} {}: {} vs {}",
                a.dialogue, a.label, a.embedded, a.container
            )
        })
        .collect();
    for difference in &differences {
        if let Some(allowed) = allowance(difference) {
            eprintln!("allowed: {difference} ({})", allowed.why);
        }
    }
    assert!(
        unexplained.is_empty() && unused.is_empty() && problems.is_empty(),
        "{} unexplained difference(s):\n{}\n\n{} allowance(s) no dialogue needs:\n{}\n\n{} problem(s):\n{}",
        unexplained.len(),
        unexplained.join("\n"),
        unused.len(),
        unused.join("\n"),
        problems.len(),
        problems.join("\n")
    );
    assert!(
        replayed >= 50 && exchanges >= 400,
        "only {replayed} dialogues / {exchanges} exchanges were replayed"
    );
}

// ---- the corpus ------------------------------------------------------------------------

struct Dialogue {
    /// `file.txt` or `file.pcap#2` (the second session of the file).
    name: String,
    session: Session,
}

/// Every dialogue, SMTP first, so the container's deliveries are done before POP3 starts.
fn corpus() -> Vec<Dialogue> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [
        "examples",
        "tests/fixtures/conformance",
        "../shared/reference/postfix-dovecot/transcripts",
        "../shared/corpus/transcripts",
        "../shared/corpus/pcap",
    ] {
        files.extend(files_in(&Path::new(ROOT).join(dir)));
    }
    files.push(Path::new(ROOT).join("../shared/seed/email-lab-report.md"));
    let mut dialogues = Vec::new();
    for path in files {
        let read = match mailgrade::ingest::read_file(&path) {
            Ok(read) => read,
            // Implicit TLS only (bidoo_smtps465): nothing in clear to replay.
            Err(IngestError::NothingFound { .. }) => continue,
            Err(error) => panic!("{error}"),
        };
        let file = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let several = read.sessions.len() > 1;
        for (index, session) in read.sessions.into_iter().enumerate() {
            let name = if several {
                format!("{file}#{}", index + 1)
            } else {
                file.clone()
            };
            dialogues.push(Dialogue { name, session });
        }
    }
    dialogues.sort_by_key(|d| d.session.protocol == Protocol::Pop3);
    dialogues
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Sessions encrypted from the start (implicit TLS) or with replies only give nothing to send.
fn has_commands(session: &Session) -> bool {
    session.commands().next().is_some()
}

// ---- the servers -----------------------------------------------------------------------

async fn start_container() -> Option<ContainerServer> {
    let config = ContainerConfig {
        accounts: vec![Account::new(USER, PASSWORD)],
        ..ContainerConfig::default()
    };
    match ContainerServer::start(config).await {
        Ok(server) => Some(server),
        Err(
            error
            @ (ContainerError::DockerUnavailable { .. } | ContainerError::ImageMissing { .. }),
        ) if std::env::var_os("CI").is_none() => {
            eprintln!("note: conformance test not run: {error}");
            None
        }
        Err(error) => panic!("container server did not start: {error}"),
    }
}

fn embedded_config() -> EmbeddedConfig {
    EmbeddedConfig {
        accounts: vec![Account::new(USER, PASSWORD)],
        ..EmbeddedConfig::default()
    }
}

fn setup() -> ReplaySetup {
    let mut setup = ReplaySetup::new(Account::new(USER, PASSWORD), "lab.test");
    setup.timeouts = Timeouts {
        command: Duration::from_secs(5),
        session: Duration::from_secs(30),
    };
    setup
}

/// Waits until Postfix has delivered what earlier dialogues sent (its queue is empty), then
/// replaces the test mailbox with the `count` messages replay would seed (the ones it seeds
/// on the fresh embedded server), in one `docker exec`: seeding them one by one through
/// replay takes a `docker exec` each, 30 s for the 357 messages of one capture.
async fn reset_mailbox(container: &str, count: usize) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let queue = docker(&["exec", container, "postqueue", "-p"]).await?;
        if queue.contains("Mail queue is empty") {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("postfix queue not empty after 10 s: {queue}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let maildir = "/var/mail/vhosts/lab.test/student/Maildir";
    let mut script = format!("set -e\ncd {maildir}\nrm -f new/* cur/*\n");
    for n in 1..=count {
        // Maildir names in delivery order (Dovecot numbers new mail by the time in the name).
        let name = format!("{}.M0P1Q{n}.conformance", 1_700_000_000 + n);
        let message = String::from_utf8_lossy(&generated_message(n, USER)).replace("\r\n", "\n");
        let encoded = base64::engine::general_purpose::STANDARD.encode(message);
        script.push_str(&format!(
            "printf %s {encoded} | base64 -d > tmp/{name}\nchown 5000:5000 tmp/{name}\nmv tmp/{name} new/{name}\n"
        ));
    }
    docker_with_input(&["exec", "-i", container, "sh"], &script)
        .await
        .map(drop)
}

async fn docker(args: &[&str]) -> Result<String, String> {
    docker_with_input(args, "").await
}

/// Runs `docker` with `input` on its standard input; its standard output, or why it failed.
async fn docker_with_input(args: &[&str], input: &str) -> Result<String, String> {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new("docker")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("docker {}: {e}", args.join(" ")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .await
            .map_err(|e| format!("docker {}: writing its input: {e}", args.join(" ")))?;
    }
    let output = child
        .wait_with_output()
        .await
        .map_err(|e| format!("docker {}: {e}", args.join(" ")))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "docker {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

// ---- comparing -------------------------------------------------------------------------

struct Difference {
    dialogue: String,
    /// 1-based exchange number in the replayed session.
    number: usize,
    label: String,
    embedded: String,
    container: String,
    /// The command as sent (secrets redacted) and both replies' first lines.
    detail: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} exchange {} {}: embedded {} vs container {} — {}",
            self.dialogue, self.number, self.label, self.embedded, self.container, self.detail
        )
    }
}

fn compare(dialogue: &str, ours: &Replayed, theirs: &Replayed) -> Vec<Difference> {
    let (a, b) = (&ours.session.exchanges, &theirs.session.exchanges);
    let mut differences = Vec::new();
    for number in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(number), b.get(number));
        let (embedded, container) = (class(x), class(y));
        if embedded == container {
            continue;
        }
        let label = x.or(y).map_or("?", label_of).to_string();
        let command = x
            .or(y)
            .and_then(|e| e.command.as_ref())
            .map_or_else(String::new, |c| {
                let text = c.to_string();
                text.chars().take(60).collect::<String>()
            });
        differences.push(Difference {
            dialogue: dialogue.to_string(),
            number: number + 1,
            label,
            detail: format!(
                "{command:?}: embedded {:?}, container {:?}",
                reply_text(x),
                reply_text(y)
            ),
            embedded,
            container,
        });
    }
    differences
}

/// With `CONFORMANCE_SHOW=part-of-a-name`, prints both replays of the matching dialogues
/// side by side: the way to look into a difference.
fn show(dialogue: &str, ours: &Replayed, theirs: &Replayed) {
    let Some(wanted) = std::env::var_os("CONFORMANCE_SHOW") else {
        return;
    };
    if !dialogue.contains(wanted.to_string_lossy().as_ref()) {
        return;
    }
    eprintln!("== {dialogue}: embedded | container");
    let (a, b) = (&ours.session.exchanges, &theirs.session.exchanges);
    for number in 0..a.len().max(b.len()) {
        let command = a
            .get(number)
            .or(b.get(number))
            .and_then(|e| e.command.as_ref())
            .map_or_else(|| "(greeting)".to_string(), ToString::to_string);
        let command: String = command.chars().take(40).collect();
        eprintln!(
            "{:>3} {command:<40} | {:<40} | {}",
            number + 1,
            reply_text(a.get(number)),
            reply_text(b.get(number))
        );
    }
}

fn label_of(exchange: &Exchange) -> &str {
    exchange.command.as_ref().map_or("greeting", |c| c.label())
}

/// `2xx`, `+OK`, `-ERR`, `+`, or `no reply`. A command after the server hung up is recorded
/// without a reply or not at all, depending on whether replay saw the close before sending
/// it: both are `no reply`.
fn class(exchange: Option<&Exchange>) -> String {
    match exchange.map(|e| e.reply.as_ref()) {
        None | Some(None) => "no reply".into(),
        Some(Some(reply)) => match reply.code {
            ReplyCode::Smtp(code) => format!("{}xx", code.class()),
            ReplyCode::Pop3(Pop3Status::Ok) => "+OK".into(),
            ReplyCode::Pop3(Pop3Status::Err) => "-ERR".into(),
            ReplyCode::Pop3(Pop3Status::Continue) => "+".into(),
        },
    }
}

fn reply_text(exchange: Option<&Exchange>) -> String {
    exchange
        .and_then(|e| e.reply.as_ref())
        .map_or_else(String::new, |r| format!("{} {}", r.code, r.text()))
}

fn matches(allowed: &Allowed, difference: &Difference) -> bool {
    difference.dialogue == allowed.dialogue
        && difference.label.eq_ignore_ascii_case(allowed.label)
        && difference.embedded == allowed.embedded
        && difference.container == allowed.container
}

fn allowance(difference: &Difference) -> Option<&'static Allowed> {
    ALLOWED.iter().find(|a| matches(a, difference))
}
