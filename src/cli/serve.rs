//! `mailgrade serve`: the embedded SMTP + POP3 server as a practice server for students.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;

use crate::server::embedded::{EmbeddedConfig, EmbeddedServer, Limits, SessionRecord};
use crate::server::{Account, MailServer};

/// The demo account used when no `--account` is given; its password is printed, since this
/// is a practice server.
const DEMO_USER: &str = "student";
const DEMO_PASSWORD: &str = "secret";
/// Accounts in the environment, one `USER:PASSWORD` a line, like `--accounts-file`.
pub const ACCOUNTS_ENV: &str = "MAILGRADE_ACCOUNTS";

/// Run a practice SMTP + POP3 server on loopback (Ctrl-C stops it).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address for SMTP.
    #[arg(long, default_value = "127.0.0.1:2525", value_name = "ADDR")]
    pub smtp: SocketAddr,
    /// Address for POP3.
    #[arg(long, default_value = "127.0.0.1:1110", value_name = "ADDR")]
    pub pop3: SocketAddr,
    /// A login for SMTP AUTH and POP3 (repeatable). Without any account: student / secret.
    /// The password shows in `ps`: prefer --accounts-file or MAILGRADE_ACCOUNTS.
    #[arg(long = "account", value_name = "USER:PASSWORD")]
    pub accounts: Vec<String>,
    /// Logins, one USER:PASSWORD a line (`#` comments and blank lines are skipped). The
    /// same lines can come from the environment variable MAILGRADE_ACCOUNTS.
    #[arg(long, value_name = "FILE")]
    pub accounts_file: Option<PathBuf>,
    /// MAILGRADE_ACCOUNTS: not an option to type, since a password on the command line is
    /// in the process list.
    #[arg(long = "accounts-from-env", env = ACCOUNTS_ENV, hide = true, hide_env_values = true)]
    pub accounts_env: Option<String>,
    /// The mail domain the server accepts mail for; nothing else is relayed.
    #[arg(long, default_value = "lab.test")]
    pub domain: String,
    /// Refuse recipients until the client has authenticated.
    #[arg(long)]
    pub require_auth: bool,
    /// Refuse unknown users instead of delivering them to the first account.
    #[arg(long)]
    pub no_catch_all: bool,
    /// Largest message in bytes.
    #[arg(long, default_value_t = Limits::default().max_message, value_name = "BYTES")]
    pub max_message: usize,
    /// Seconds a client may stay silent.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub idle_timeout: u64,
    /// Simultaneous sessions per protocol.
    #[arg(long, default_value_t = Limits::default().max_connections, value_name = "N")]
    pub max_connections: usize,
    /// Simultaneous sessions per protocol from one client address (loopback is exempt).
    #[arg(long, default_value_t = Limits::default().max_connections_per_client, value_name = "N")]
    pub max_per_client: usize,
    /// Bytes all stored messages may take together (a body counts once for all recipients).
    #[arg(long, default_value_t = Limits::default().max_store, value_name = "BYTES")]
    pub max_store: usize,
}

/// Runs the server until Ctrl-C; returns the process exit code (2 when it cannot start).
pub fn run(args: ServeArgs) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: failed to start the async runtime: {error}");
            return 2;
        }
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    runtime.block_on(serve(args, std::io::stdout(), std::io::stderr(), shutdown))
}

/// Serves until `shutdown` completes: the addresses and accounts go to `out`, one skeleton
/// line per finished session to `log`.
pub async fn serve(
    args: ServeArgs,
    mut out: impl Write,
    mut log: impl Write,
    shutdown: impl Future,
) -> i32 {
    if !args.accounts.is_empty() {
        let _ = writeln!(
            log,
            "warning: --account puts the password in the process list, where every user of \
             this machine can read it with `ps`; use --accounts-file FILE or {ACCOUNTS_ENV}"
        );
    }
    let (config, demo) = match config_from(&args) {
        Ok(config) => config,
        Err(message) => {
            let _ = writeln!(log, "error: {message}");
            return 2;
        }
    };
    let server = match EmbeddedServer::start(config).await {
        Ok(server) => server,
        Err(error) => {
            let _ = writeln!(log, "error: failed to start the server: {error}");
            return 2;
        }
    };
    // Polled once before the banner says "Press Ctrl-C": that arms the signal handler, so
    // a Ctrl-C right after the banner stops the server cleanly instead of killing it.
    let shutdown = futures::FutureExt::fuse(shutdown);
    tokio::pin!(shutdown);
    let stopped_early = futures::poll!(shutdown.as_mut()).is_ready();
    let _ = out.write_all(banner(&server, demo).as_bytes());
    let _ = out.flush();
    let mut records = server.sessions();
    if !stopped_early {
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                record = records.recv() => match record {
                    Ok(record) => {
                        let _ = writeln!(log, "{}", session_line(&record));
                    }
                    Err(RecvError::Lagged(missed)) => {
                        let _ = writeln!(log, "({missed} sessions not shown)");
                    }
                    Err(RecvError::Closed) => break,
                },
            }
        }
    }
    let _ = writeln!(log, "stopping…");
    let _ = server.stop().await;
    while let Ok(record) = records.try_recv() {
        let _ = writeln!(log, "{}", session_line(&record));
    }
    let _ = writeln!(log, "stopped");
    0
}

/// The configuration, and whether the demo account is in use. Errors never repeat a
/// password.
fn config_from(args: &ServeArgs) -> Result<(EmbeddedConfig, bool), String> {
    let mut accounts = Vec::new();
    for (n, value) in args.accounts.iter().enumerate() {
        let account = account_of(value).ok_or_else(|| {
            format!(
                "--account number {} is not USER:PASSWORD (e.g. --account alice:secret)",
                n + 1
            )
        })?;
        accounts.push(account);
    }
    if let Some(path) = &args.accounts_file {
        let text = std::fs::read_to_string(path).map_err(|error| {
            format!(
                "failed to read the accounts file {}: {error}",
                path.display()
            )
        })?;
        accounts.extend(accounts_in(&text, &path.display().to_string())?);
    }
    if let Some(text) = &args.accounts_env {
        accounts.extend(accounts_in(text, ACCOUNTS_ENV)?);
    }
    let demo = accounts.is_empty();
    if demo {
        accounts.push(Account::new(DEMO_USER, DEMO_PASSWORD));
    }
    let config = EmbeddedConfig {
        domain: args.domain.trim().to_ascii_lowercase(),
        accounts,
        require_auth: args.require_auth,
        catch_all_enabled: !args.no_catch_all,
        limits: Limits {
            max_message: args.max_message,
            idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
            max_connections: args.max_connections,
            max_connections_per_client: args.max_per_client,
            max_store: args.max_store,
            // A practice server may face a brute force: Postfix's and Dovecot's default
            // pacing (replay keeps the lab reference's, which has none).
            error_sleep: Duration::from_secs(1),
            auth_failure_delay: Duration::from_secs(2),
            ..Limits::default()
        },
        smtp_addr: args.smtp,
        pop3_addr: args.pop3,
        ..EmbeddedConfig::default()
    };
    Ok((config, demo))
}

/// `user:password`, the password whole (it may hold colons and spaces).
fn account_of(line: &str) -> Option<Account> {
    match line.split_once(':') {
        Some((user, password)) if !user.trim().is_empty() && !password.is_empty() => {
            Some(Account::new(user.trim(), password))
        }
        _ => None,
    }
}

/// The accounts in an accounts file or `MAILGRADE_ACCOUNTS`: one `USER:PASSWORD` a line,
/// blank lines and `#` comments skipped. An error names the line, never its text.
fn accounts_in(text: &str, source: &str) -> Result<Vec<Account>, String> {
    let mut accounts = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let account =
            account_of(line).ok_or_else(|| format!("{source}:{}: not USER:PASSWORD", n + 1))?;
        accounts.push(account);
    }
    Ok(accounts)
}

fn banner(server: &EmbeddedServer, demo: bool) -> String {
    let endpoints = server.endpoints();
    let config = server.config();
    let mut text = format!(
        "mailgrade practice mail server for {domain}\n  SMTP  {smtp}\n  POP3  {pop3}\naccounts:\n",
        domain = config.domain,
        smtp = endpoints.smtp,
        pop3 = endpoints.pop3,
    );
    for account in server.accounts() {
        if demo {
            text.push_str(&format!(
                "  {}  password: {}  (demo account)\n",
                account.address,
                account.password.expose()
            ));
        } else {
            text.push_str(&format!("  {}  (password as given)\n", account.address));
        }
    }
    if config.catch_all_enabled {
        if let Some(first) = server.accounts().first() {
            text.push_str(&format!(
                "Mail to any other address @{} goes to {}. Nothing is relayed.\n",
                config.domain, first.address
            ));
        }
    } else {
        text.push_str("Mail to unknown users is refused. Nothing is relayed.\n");
    }
    for addr in [endpoints.smtp, endpoints.pop3] {
        if !addr.ip().is_loopback() {
            text.push_str(&format!(
                "warning: {addr} is reachable from other machines; passwords travel in clear text\n"
            ));
        }
    }
    text.push_str("Press Ctrl-C to stop. Each session is logged below as it ends.\n");
    text
}

/// `smtp 127.0.0.1:50312 student@lab.test: greeting → 220, EHLO → 250, … (quit)`; a long
/// session shows its first and last exchanges and how many are left out.
fn session_line(record: &SessionRecord) -> String {
    let who = record.user.as_deref().unwrap_or("-");
    format!(
        "{} {} {}: {} ({})",
        record.protocol,
        record.peer,
        who,
        record.skeleton,
        record.ending.describe()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn args(line: &[&str]) -> ServeArgs {
        Cli::parse_from(std::iter::once("serve").chain(line.iter().copied())).serve
    }

    #[test]
    fn accounts_parse_and_bad_ones_do_not_echo_the_password() {
        let (config, demo) = config_from(&args(&["--account", "alice:pa:ss"])).unwrap();
        assert!(!demo);
        assert_eq!(config.accounts[0].address, "alice");
        assert_eq!(config.accounts[0].password.expose(), "pa:ss");
        let error = config_from(&args(&["--account", "hunter2"])).unwrap_err();
        assert!(!error.contains("hunter2"), "{error}");
        let error = config_from(&args(&["--account", ":hunter2"])).unwrap_err();
        assert!(!error.contains("hunter2"), "{error}");
        let (config, demo) = config_from(&args(&[])).unwrap();
        assert!(demo);
        assert_eq!(config.smtp_addr, "127.0.0.1:2525".parse().unwrap());
        assert_eq!(config.pop3_addr, "127.0.0.1:1110".parse().unwrap());
    }

    #[test]
    fn accounts_files_are_read_line_by_line_and_errors_name_the_line() {
        let text = "# lab accounts\r\nalice:pa ss:1\r\n\n  bob : x#y\n";
        let accounts = accounts_in(text, "accounts.txt").unwrap();
        let logins: Vec<(&str, &str)> = accounts
            .iter()
            .map(|a| (a.address.as_str(), a.password.expose()))
            .collect();
        assert_eq!(logins, [("alice", "pa ss:1"), ("bob", " x#y")]);
        let error = accounts_in("alice:ok\nhunter2\n", "accounts.txt").unwrap_err();
        assert_eq!(error, "accounts.txt:2: not USER:PASSWORD");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("accounts.txt");
        std::fs::write(&file, "carol:from-file\n").unwrap();
        let path = file.to_str().unwrap();
        let (config, demo) = config_from(&args(&["--accounts-file", path])).unwrap();
        assert!(!demo);
        assert_eq!(config.accounts[0].address, "carol");
        let missing = dir.path().join("missing.txt");
        let error =
            config_from(&args(&["--accounts-file", missing.to_str().unwrap()])).unwrap_err();
        assert!(
            error.starts_with("failed to read the accounts file "),
            "{error}"
        );
    }
}
