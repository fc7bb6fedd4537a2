//! The reference server (Postfix + Dovecot in Docker) against the recorded reference
//! transcripts in ../shared/reference/postfix-dovecot/transcripts.
//!
//! One container serves the dialogue checks: it starts once in `reference_server_dialogues`,
//! whose steps run in order (later steps read the mailbox earlier ones filled) and all report
//! before the test fails. Other tests start containers of their own: `require_auth` mode,
//! cleanup on drop, and cleanup on Ctrl-C of a process that holds one. With `CI` set, a
//! missing Docker engine or image fails the tests; without, they print a note and pass.

use std::time::Duration;

use mailgrade::protocol::pop3::{self, Pop3Response, ResponseEvent, ResponseReceiver};
use mailgrade::protocol::smtp::{ReplyEvent, ReplyReceiver};
use mailgrade::server::container::{ContainerConfig, ContainerError, ContainerServer};
use mailgrade::server::{Account, MailServer, ServerError};
use mailgrade::session::Pop3Status;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TRANSCRIPTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/postfix-dovecot/transcripts"
);

/// Starts the server, or explains why not and returns None (only when CI is unset).
async fn start_or_note(config: ContainerConfig) -> Option<ContainerServer> {
    match ContainerServer::start(config).await {
        Ok(server) => Some(server),
        Err(
            error
            @ (ContainerError::DockerUnavailable { .. } | ContainerError::ImageMissing { .. }),
        ) if std::env::var_os("CI").is_none() => {
            eprintln!("note: container tests not run: {error}");
            None
        }
        Err(error) => panic!("container server did not start: {error}"),
    }
}

fn lab_config() -> ContainerConfig {
    ContainerConfig {
        accounts: vec![
            Account::new("student@lab.test", "secret"),
            Account::new("other@lab.test", "pw2"),
        ],
        ..ContainerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_server_dialogues() {
    let started = std::time::Instant::now();
    let Some(server) = start_or_note(lab_config()).await else {
        return;
    };
    let as_trait: &dyn MailServer = &server;
    assert_eq!(as_trait.endpoints().smtp, server.smtp_addr());
    assert_eq!(as_trait.endpoints().pop3, server.pop3_addr());
    assert_eq!(as_trait.accounts(), lab_config().accounts);
    assert_eq!(server.domain(), "lab.test");
    assert_eq!(server.name(), "container mailgrade/mailserver:bookworm-1");
    eprintln!(
        "container server ready (both greetings) after {} ms",
        started.elapsed().as_millis()
    );
    let mut failures = Vec::new();
    macro_rules! step {
        ($name:literal, $call:expr) => {
            if let Err(why) = $call.await {
                failures.push(format!("{}: {why}", $name));
            }
        };
    }
    for name in [
        "smtp-auth-login-ok",
        "smtp-student-telnet-ok",
        "smtp-sloppy-addresses",
        "smtp-relay-denied",
        "smtp-bad-sequence",
        "smtp-unknown-command",
        "smtp-auth-wrong-password",
        "smtp-header-as-command",
    ] {
        if let Err(why) = replay_smtp(&server, name).await {
            failures.push(format!("{name}: {why}"));
        }
    }
    step!(
        "sent messages retrieved over POP3",
        retrieve_sent_messages(&server)
    );
    step!(
        "pop3-empty-after-dele",
        replay_pop3(&server, "pop3-empty-after-dele")
    );
    step!("seeded mailbox", seed_and_inspect(&server));
    step!(
        "pop3-wrong-password",
        replay_pop3(&server, "pop3-wrong-password")
    );
    step!(
        "pop3-sloppy-commands",
        replay_pop3(&server, "pop3-sloppy-commands")
    );
    step!(
        "second account and catch-all",
        second_account_and_catch_all(&server)
    );
    step!("lettre sends with AUTH LOGIN", lettre_send(&server));
    let id = server.id().to_owned();
    step!("stop, twice, then no exec", stop_twice(&server));
    step!("container gone after stop", container_gone(&id));
    assert!(
        failures.is_empty(),
        "{} step(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `require_auth` reaches Postfix: RCPT without AUTH is refused, as recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_auth_mode() {
    let config = ContainerConfig {
        require_auth: true,
        ..ContainerConfig::default()
    };
    let Some(server) = start_or_note(config).await else {
        return;
    };
    let outcome = replay_smtp(&server, "smtp-require-auth-mode").await;
    let stopped = server.stop().await;
    assert!(outcome.is_ok(), "smtp-require-auth-mode: {outcome:?}");
    assert!(stopped.is_ok(), "stop: {stopped:?}");
}

#[tokio::test]
async fn missing_image_names_the_build_command() {
    let config = ContainerConfig {
        image: "mailgrade/mailserver:no-such-tag".into(),
        ..ContainerConfig::default()
    };
    match ContainerServer::start(config).await {
        Err(ContainerError::ImageMissing { image }) => {
            let message = ContainerError::ImageMissing { image }.to_string();
            assert!(
                message.contains("bash ci/mailserver/build-offline.sh"),
                "{message}"
            );
            assert!(
                message.contains("mailgrade/mailserver:no-such-tag"),
                "{message}"
            );
        }
        Err(error @ ContainerError::DockerUnavailable { .. })
            if std::env::var_os("CI").is_none() =>
        {
            eprintln!("note: not run: {error}");
        }
        other => panic!("expected ImageMissing, got {other:?}"),
    }
}

/// Dropping the server (no `stop`) removes its container: testcontainers' drop, here on a
/// current-thread runtime, where it hands the removal to a thread of its own.
#[tokio::test]
async fn drop_removes_the_container() {
    let Some(server) = start_or_note(ContainerConfig::default()).await else {
        return;
    };
    let id = server.id().to_owned();
    drop(server);
    let gone = container_gone(&id).await;
    if gone.is_err() {
        let _ = tokio::process::Command::new("docker")
            .args(["rm", "-f", &id])
            .output()
            .await;
    }
    assert!(gone.is_ok(), "after drop: {gone:?}");
}

/// Set in the child process of [`ctrl_c_removes_the_container`].
const CHILD: &str = "MAILGRADE_CTRL_C_CHILD";

/// Ctrl-C (SIGINT) to a process that holds a server removes the container before the process
/// ends by the signal, and starting the server left the process's `DOCKER_HOST` as it was.
/// The test runs itself again as that process: the child starts a server, says its id, and
/// waits to be interrupted.
#[test]
fn ctrl_c_removes_the_container() {
    if std::env::var_os(CHILD).is_some() {
        hold_a_server_until_interrupted();
        return;
    }
    use std::io::BufRead;
    use std::os::unix::process::ExitStatusExt;
    let docker_host = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "-".into());
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["ctrl_c_removes_the_container", "--exact", "--nocapture"])
        .env(CHILD, "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the test binary runs again");
    let stdout = child.stdout.take().expect("piped stdout");
    let (lines, said) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines.send(line);
        }
    });
    let mut report = None;
    while let Ok(line) = said.recv_timeout(Duration::from_secs(60)) {
        if ["CONTAINER ", "UNAVAILABLE ", "FAILED "]
            .iter()
            .any(|word| line.starts_with(word))
        {
            report = Some(line);
            break;
        }
    }
    let Some(report) = report else {
        let _ = child.kill();
        panic!("the child said nothing within 60 s");
    };
    if let Some(why) = report.strip_prefix("FAILED ") {
        let _ = child.wait();
        panic!("container server did not start: {why}");
    }
    if let Some(why) = report.strip_prefix("UNAVAILABLE ") {
        let _ = child.wait();
        assert!(
            std::env::var_os("CI").is_none(),
            "container server did not start: {why}"
        );
        eprintln!("note: Ctrl-C test not run: {why}");
        return;
    }
    let mut words = report.split(' ').skip(1);
    let (id, child_docker_host) = (
        words.next().unwrap_or_default().to_owned(),
        words.next().unwrap_or_default().to_owned(),
    );
    // SAFETY: kill(2) on the pid of our own child, which has not been waited for.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0, "kill(SIGINT) failed");
    let mut status = None;
    for _ in 0..300 {
        if let Some(exited) = child.try_wait().expect("wait for the child") {
            status = Some(exited);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let gone = runtime.block_on(container_gone(&id));
    if status.is_none() || gone.is_err() {
        let _ = child.kill();
        let _ = std::process::Command::new("docker")
            .args(["rm", "-f", &id])
            .output();
    }
    let status = status.expect("the child did not end within 30 s of SIGINT");
    assert_eq!(
        status.signal(),
        Some(libc::SIGINT),
        "child ended with {status:?}"
    );
    assert!(gone.is_ok(), "after SIGINT: {gone:?}");
    assert_eq!(
        child_docker_host, docker_host,
        "starting the server changed DOCKER_HOST"
    );
}

/// The child of [`ctrl_c_removes_the_container`]: says `CONTAINER <id> <DOCKER_HOST or ->`
/// and waits (the parent interrupts it long before the two minutes are up), or says
/// `UNAVAILABLE`/`FAILED` and why no server started.
fn hold_a_server_until_interrupted() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let server = match ContainerServer::start(ContainerConfig::default()).await {
            Ok(server) => server,
            Err(
                error @ (ContainerError::DockerUnavailable { .. }
                | ContainerError::ImageMissing { .. }),
            ) => {
                println!("UNAVAILABLE {error}");
                return;
            }
            Err(error) => {
                println!("FAILED {error}");
                return;
            }
        };
        let docker_host = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "-".into());
        println!("CONTAINER {} {docker_host}", server.id());
        tokio::time::sleep(Duration::from_secs(120)).await;
        drop(server);
    });
}

// ---- transcripts ------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Turn {
    Client(String),
    Server(String),
}

/// Reads a reference transcript: `C:`/`S:` lines, or swaks' ` -> `/`<-  `; drops the
/// annotations the recorder added (`    ({b64:...})` after client lines, `  [+0.50s]` after
/// server lines) and `===` connection notes.
fn transcript(name: &str) -> Vec<Turn> {
    let path = format!("{TRANSCRIPTS}/{name}.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut turns = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line
            .strip_prefix("C:")
            .or_else(|| line.strip_prefix(" -> "))
        {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            let rest = rest.split_once("    (").map_or(rest, |(client, _)| client);
            turns.push(Turn::Client(rest.to_owned()));
        } else if let Some(rest) = line
            .strip_prefix("S:")
            .or_else(|| line.strip_prefix("<-  "))
        {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            let rest = match rest.rfind("  [+") {
                Some(at) if rest.ends_with("s]") => &rest[..at],
                _ => rest,
            };
            turns.push(Turn::Server(rest.trim_end().to_owned()));
        }
    }
    assert!(!turns.is_empty(), "{path} has no dialogue");
    turns
}

/// Server lines that vary from run to run: queue ids.
fn normalise(line: &str) -> String {
    match line.find("queued as ") {
        Some(at) => format!("{}queued as <id>", &line[..at]),
        None => line.to_owned(),
    }
}

// ---- a telnet-like client ---------------------------------------------------------------

/// Sends lines and frames the answers with the protocol module's receivers.
struct Client {
    stream: TcpStream,
    unread: Vec<u8>,
    smtp: ReplyReceiver,
    pop3: ResponseReceiver,
}

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> Result<Self, String> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        Ok(Client {
            stream,
            unread: Vec::new(),
            smtp: ReplyReceiver::default(),
            pop3: ResponseReceiver::default(),
        })
    }

    async fn send(&mut self, line: &str) -> Result<(), String> {
        self.stream
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .map_err(|e| e.to_string())
    }

    async fn fill(&mut self) -> Result<(), String> {
        let mut chunk = [0u8; 4096];
        let read = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut chunk))
            .await
            .map_err(|_| "no answer within 10 s".to_owned())?
            .map_err(|e| e.to_string())?;
        if read == 0 {
            return Err("connection closed".into());
        }
        self.unread.extend_from_slice(&chunk[..read]);
        Ok(())
    }

    /// One SMTP reply, as its wire lines (without CRLF).
    async fn smtp_reply(&mut self) -> Result<Vec<String>, String> {
        loop {
            let mut input = self.unread.as_slice();
            let event = self.smtp.ingest(&mut input);
            let consumed = self.unread.len() - input.len();
            self.unread.drain(..consumed);
            match event {
                ReplyEvent::Reply(reply) => {
                    return Ok(reply.to_wire().lines().map(str::to_owned).collect())
                }
                ReplyEvent::Malformed(error, line) => return Err(format!("{error}: {line:?}")),
                ReplyEvent::NeedsMoreData => self.fill().await?,
            }
        }
    }

    /// One POP3 response; `multiline` when the command has a multi-line positive answer.
    async fn pop3_response(&mut self, multiline: bool) -> Result<Pop3Response, String> {
        loop {
            let mut input = self.unread.as_slice();
            let event = self.pop3.ingest(&mut input, multiline);
            let consumed = self.unread.len() - input.len();
            self.unread.drain(..consumed);
            match event {
                ResponseEvent::Response(response) => return Ok(response),
                ResponseEvent::Malformed(error, line) => return Err(format!("{error}: {line:?}")),
                ResponseEvent::NeedsMoreData => self.fill().await?,
            }
        }
    }

    /// Sends a POP3 command and reads its response, multi-line or not as the command says.
    async fn pop3(&mut self, line: &str) -> Result<Pop3Response, String> {
        let multiline =
            pop3::parse_request(line).is_ok_and(|request| request.has_multiline_response());
        self.send(line).await?;
        self.pop3_response(multiline).await
    }
}

/// `+OK text` as it was on the wire.
fn status_line(response: &Pop3Response) -> String {
    let indicator = if response.status == Pop3Status::Ok {
        "+OK"
    } else {
        "-ERR"
    };
    if response.text.is_empty() {
        indicator.to_owned()
    } else {
        format!("{indicator} {}", response.text)
    }
}

/// Sends the transcript's client lines one at a time, as telnet would, and compares every
/// reply line with the transcript's (queue ids aside).
async fn replay_smtp(server: &ContainerServer, name: &str) -> Result<(), String> {
    let turns = transcript(name);
    let mut client = Client::connect(server.smtp_addr()).await?;
    let mut got = client.smtp_reply().await?;
    let mut in_data = false;
    for turn in &turns {
        let Turn::Client(line) = turn else { continue };
        client.send(line).await?;
        if in_data && line != "." {
            continue;
        }
        let reply = client.smtp_reply().await?;
        in_data = reply.last().is_some_and(|l| l.starts_with("354"));
        got.extend(reply);
    }
    let expected: Vec<String> = turns
        .iter()
        .filter_map(|t| {
            if let Turn::Server(l) = t {
                Some(normalise(l))
            } else {
                None
            }
        })
        .collect();
    let got: Vec<String> = got.iter().map(|l| normalise(l)).collect();
    if got != expected {
        return Err(format!(
            "replies differ\n  expected: {expected:?}\n  got:      {got:?}"
        ));
    }
    Ok(())
}

/// Replays a POP3 transcript; compares each command's status line: `+OK`/`-ERR` always, the
/// whole line when it has no digits (counts and sizes depend on the mailbox).
async fn replay_pop3(server: &ContainerServer, name: &str) -> Result<(), String> {
    let turns = transcript(name);
    let mut client = Client::connect(server.pop3_addr()).await?;
    // The first server line of each group of server lines is the status line.
    let mut expected = Vec::new();
    let mut previous_was_server = false;
    for turn in &turns {
        if let Turn::Server(line) = turn {
            if !previous_was_server {
                expected.push(line.clone());
            }
        }
        previous_was_server = matches!(turn, Turn::Server(_));
    }
    let mut got = vec![status_line(&client.pop3_response(false).await?)];
    for turn in &turns {
        let Turn::Client(line) = turn else { continue };
        got.push(status_line(&client.pop3(line).await?));
    }
    if got.len() != expected.len() {
        return Err(format!(
            "{} status lines, transcript has {}: {got:?}",
            got.len(),
            expected.len()
        ));
    }
    for (got, expected) in got.iter().zip(&expected) {
        let same_status = got.split(' ').next() == expected.split(' ').next();
        let same_text = expected.contains(|c: char| c.is_ascii_digit()) || got == expected;
        if !same_status || !same_text {
            return Err(format!("expected {expected:?}, got {got:?}"));
        }
    }
    Ok(())
}

// ---- mailbox steps ----------------------------------------------------------------------

async fn wait_for_messages(
    server: &ContainerServer,
    address: &str,
    count: usize,
) -> Result<(), String> {
    for _ in 0..100 {
        let messages = server.mailbox(address).await.map_err(|e| e.to_string())?;
        if messages.len() >= count {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "{address} did not receive {count} message(s) within 10 s"
    ))
}

/// The three messages the SMTP transcripts sent (all to lab.test addresses that are not
/// accounts: the catch-all puts them in student's mailbox), read back with RETR and deleted.
async fn retrieve_sent_messages(server: &ContainerServer) -> Result<(), String> {
    wait_for_messages(server, "student@lab.test", 3).await?;
    let mut client = Client::connect(server.pop3_addr()).await?;
    client.pop3_response(false).await?;
    let mut subjects = Vec::new();
    let mut bodies = Vec::new();
    for command in [
        "USER student@lab.test",
        "PASS secret",
        "STAT",
        "RETR 1",
        "RETR 2",
        "RETR 3",
        "DELE 1",
        "DELE 2",
        "DELE 3",
    ] {
        let response = client.pop3(command).await?;
        if response.status != Pop3Status::Ok {
            return Err(format!("{command}: {}", status_line(&response)));
        }
        if command == "STAT" && !response.text.starts_with("3 ") {
            return Err(format!(
                "STAT: expected 3 messages, got {:?}",
                response.text
            ));
        }
        let lines = response.body_lines();
        subjects.extend(lines.iter().filter(|l| l.starts_with("Subject: ")).cloned());
        bodies.extend(lines);
    }
    subjects.sort();
    let expected = [
        "Subject: hello from telnet",
        "Subject: sloppy addresses",
        "Subject: swaks AUTH LOGIN test",
    ];
    if subjects != expected {
        return Err(format!("subjects {subjects:?}"));
    }
    for body_line in [
        "This is the body typed by a student.",
        "Second line.",
        "Line 2: intact?",
    ] {
        if !bodies.iter().any(|l| l == body_line) {
            return Err(format!("body line {body_line:?} not retrieved"));
        }
    }
    let bye = status_line(&client.pop3("QUIT").await?);
    if bye != "+OK Logging out, messages deleted." {
        return Err(format!("QUIT: {bye:?}"));
    }
    let left = server
        .mailbox("student@lab.test")
        .await
        .map_err(|e| e.to_string())?;
    if !left.is_empty() {
        return Err(format!("{} message(s) left after DELE", left.len()));
    }
    Ok(())
}

/// Seeding stores the message as given (LF line ends, as Postfix stores them); the
/// `MailServer` view of the mailbox is what POP3 RETR serves, byte for byte.
async fn seed_and_inspect(server: &ContainerServer) -> Result<(), String> {
    let message = b"From: a@lab.test\r\nTo: b@lab.test\r\nSubject: seeded\r\n\r\n.dot line\r\nseeded body\r\n";
    server
        .seed("student@lab.test", vec![message.to_vec()])
        .await
        .map_err(|e| e.to_string())?;
    let stored = server
        .stored_messages("STUDENT")
        .await
        .map_err(|e| e.to_string())?;
    let expected = b"From: a@lab.test\nTo: b@lab.test\nSubject: seeded\n\n.dot line\nseeded body\n";
    match stored.as_slice() {
        [only] if only.bytes == expected => {}
        other => return Err(format!("mailbox holds {other:?}")),
    }
    let as_retrieved = server
        .mailbox("student@lab.test")
        .await
        .map_err(|e| e.to_string())?;
    let mut client = Client::connect(server.pop3_addr()).await?;
    client.pop3_response(false).await?;
    client.pop3("USER student@lab.test").await?;
    client.pop3("PASS secret").await?;
    let retr = client.pop3("RETR 1").await?;
    client.pop3("QUIT").await?;
    let retrieved = as_retrieved.first().map(|m| m.to_vec());
    if retr.body != retrieved || as_retrieved.len() != 1 {
        return Err(format!(
            "RETR served {:?}, mailbox() gave {as_retrieved:?}",
            retr.body.map(|b| String::from_utf8_lossy(&b).into_owned())
        ));
    }
    match server.seed("nobody@lab.test", vec![message.to_vec()]).await {
        Err(ServerError::UnknownMailbox { .. }) => Ok(()),
        other => Err(format!("seeding a non-account gave {other:?}")),
    }
}

/// Mail for the second account lands in its own mailbox; an unknown lab.test address in the
/// first account's.
async fn second_account_and_catch_all(server: &ContainerServer) -> Result<(), String> {
    let before = server
        .mailbox("student@lab.test")
        .await
        .map_err(|e| e.to_string())?
        .len();
    let mut client = Client::connect(server.smtp_addr()).await?;
    client.smtp_reply().await?;
    for line in [
        "HELO client",
        "MAIL FROM:<a@lab.test>",
        "RCPT TO:<other@lab.test>",
        "DATA",
        "Subject: for other\r\n\r\nhi\r\n.",
        "MAIL FROM:<a@lab.test>",
        "RCPT TO:<nobody-in-particular@lab.test>",
        "DATA",
        "Subject: for anyone\r\n\r\nhi\r\n.",
        "QUIT",
    ] {
        client.send(line).await?;
        let reply = client.smtp_reply().await?;
        let code = reply
            .last()
            .map(|l| &l[..3.min(l.len())])
            .unwrap_or_default();
        if !matches!(code, "250" | "354" | "221") {
            return Err(format!("{line:?}: {reply:?}"));
        }
    }
    wait_for_messages(server, "other@lab.test", 1).await?;
    wait_for_messages(server, "student@lab.test", before + 1).await?;
    let mut client = Client::connect(server.pop3_addr()).await?;
    client.pop3_response(false).await?;
    for (command, expected) in [
        ("USER other@lab.test", "+OK"),
        ("PASS pw2", "+OK Logged in."),
        ("STAT", "+OK 1 "),
    ] {
        let status = status_line(&client.pop3(command).await?);
        if !status.starts_with(expected) {
            return Err(format!("{command}: expected {expected:?}, got {status:?}"));
        }
    }
    Ok(())
}

/// A real client (lettre: EHLO, AUTH LOGIN, MAIL, RCPT, DATA, QUIT) delivers to the second
/// account.
async fn lettre_send(server: &ContainerServer) -> Result<(), String> {
    use lettre::transport::smtp::authentication::{Credentials, Mechanism};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    let message = Message::builder()
        .from("student@lab.test".parse().map_err(|e| format!("{e}"))?)
        .to("other@lab.test".parse().map_err(|e| format!("{e}"))?)
        .subject("from lettre")
        .body("sent by a real client".to_owned())
        .map_err(|e| e.to_string())?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.smtp_addr().port())
        .credentials(Credentials::new("student@lab.test".into(), "secret".into()))
        .authentication(vec![Mechanism::Login])
        .build();
    let response = transport.send(message).await.map_err(|e| e.to_string())?;
    if response.code().to_string() != "250" {
        return Err(format!("lettre got {}", response.code()));
    }
    wait_for_messages(server, "other@lab.test", 2).await?;
    let messages = server
        .mailbox("other@lab.test")
        .await
        .map_err(|e| e.to_string())?;
    let delivered = messages.iter().any(|m| {
        let text = m.text();
        text.contains("Subject: from lettre") && text.contains("sent by a real client")
    });
    if !delivered {
        return Err("the lettre message is not in other's mailbox".into());
    }
    Ok(())
}

async fn stop_twice(server: &ContainerServer) -> Result<(), String> {
    server
        .stop()
        .await
        .map_err(|e| format!("first stop: {e}"))?;
    server
        .stop()
        .await
        .map_err(|e| format!("second stop: {e}"))?;
    match server.mailbox("student").await {
        Err(ServerError::Stopped) => Ok(()),
        other => Err(format!("mailbox after stop gave {other:?}")),
    }
}

async fn container_gone(id: &str) -> Result<(), String> {
    let output = tokio::process::Command::new("docker")
        .args(["ps", "-aq", "--no-trunc", "--filter", &format!("id={id}")])
        .output()
        .await
        .map_err(|e| format!("docker ps: {e}"))?;
    let listed = String::from_utf8_lossy(&output.stdout);
    if listed.trim().is_empty() {
        Ok(())
    } else {
        Err(format!("container {id} still exists"))
    }
}

/// A labelled container whose owner process is gone is removed; one whose owner lives stays.
#[tokio::test]
async fn stale_containers_are_swept() {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_owned());
    let Ok(host) = host else {
        panic!("no /proc/sys/kernel/hostname: the sweep only works on Linux");
    };
    // A pid that no process has right now.
    let dead_pid = (100_000..4_000_000u32)
        .rev()
        .find(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists())
        .expect("some pid is free");
    let create = |pid: u32| {
        let host = host.clone();
        async move {
            let output = tokio::process::Command::new("docker")
                .args(["create", "--label", "mailgrade.role=replay-server"])
                .args(["--label", &format!("mailgrade.owner-pid={pid}")])
                .args(["--label", &format!("mailgrade.owner-host={host}")])
                .arg(mailgrade::server::container::IMAGE)
                .output()
                .await;
            match output {
                Ok(out) if out.status.success() => {
                    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
                }
                Ok(out) => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
                Err(e) => Err(e.to_string()),
            }
        }
    };
    let stale = match create(dead_pid).await {
        Ok(id) => id,
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!("note: sweep test not run (docker create failed): {why}");
            return;
        }
        Err(why) => panic!("docker create failed: {why}"),
    };
    let live = create(std::process::id())
        .await
        .expect("second docker create");
    let swept = mailgrade::server::container::sweep_stale_containers().await;
    let stale_gone = container_gone(&stale).await;
    let live_gone = container_gone(&live).await;
    let _ = tokio::process::Command::new("docker")
        .args(["rm", "-f", &live, &stale])
        .output()
        .await;
    assert!(swept.is_ok(), "sweep: {swept:?}");
    assert!(stale_gone.is_ok(), "{stale_gone:?}");
    assert!(live_gone.is_err(), "the live owner's container was removed");
}
