//! How the letters reach the TA's server: TLS (STARTTLS or implicit), the login, and the
//! rule that the TA's password never crosses a network in clear.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use clap::ValueEnum;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::letter::Letter;
use super::NotifyArgs;
use crate::cli::error::CliError;
use crate::protocol::Verb;

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS before anything else; a server that does not
    /// offer it gets nothing (submission port 587).
    Starttls,
    /// TLS from the first byte (port 465, "SMTPS").
    Implicit,
    /// No TLS: only for a relay that needs no login, or one on this machine.
    None,
}

impl Security {
    pub fn default_port(self) -> u16 {
        match self {
            Security::Starttls => 587,
            Security::Implicit => 465,
            Security::None => 25,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Security::Starttls => Verb::StartTls.name(),
            Security::Implicit => "implicit TLS",
            Security::None => "no TLS",
        }
    }
}

/// Where and how to send, checked before anything is built or sent.
pub struct Delivery {
    pub from: Mailbox,
    host: String,
    port: u16,
    security: Security,
    ca: Option<PathBuf>,
    login: Option<Login>,
}

/// The TA's user name and where the password is; the password itself is read only to send.
struct Login {
    user: String,
    password: PasswordSource,
}

enum PasswordSource {
    Env(String),
    File(PathBuf),
}

impl Delivery {
    /// The settings of `args`, or the reason they cannot be used. A login over a plain
    /// connection is refused unless the server is on this machine (a local relay, a test).
    pub fn from_args(args: &NotifyArgs) -> Result<Delivery, CliError> {
        let from: Mailbox = args.from.parse().map_err(|e| {
            CliError::usage(
                format!("--from `{}` is not an address: {e}", args.from),
                Some("write it as `ta@uni.edu` or `\"Networks TA <ta@uni.edu>\"`"),
            )
        })?;
        let password = match (&args.password_env, &args.password_file) {
            (Some(var), None) => Some(PasswordSource::Env(var.clone())),
            (None, Some(file)) => Some(PasswordSource::File(file.clone())),
            (None, None) => None,
            (Some(_), Some(_)) => {
                return Err(CliError::usage(
                    "--password-env and --password-file both given",
                    Some("name one place for the password"),
                ))
            }
        };
        let login = match (&args.user, password) {
            (Some(user), Some(password)) => Some(Login {
                user: user.clone(),
                password,
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(CliError::usage(
                    "--user needs --password-env VAR or --password-file FILE",
                    Some("the password is never taken from the command line"),
                ))
            }
            (None, Some(_)) => {
                return Err(CliError::usage(
                    "--password-env / --password-file need --user",
                    None,
                ))
            }
        };
        let port = args.smtp_port.unwrap_or(args.tls.default_port());
        if args.tls == Security::None && login.is_some() && !is_loopback(&args.smtp_host) {
            return Err(CliError::usage(
                format!(
                    "refusing to send the password of `{}` over a plain connection to {}:{port}",
                    args.user.as_deref().unwrap_or_default(),
                    args.smtp_host
                ),
                Some(
                    "use --tls starttls (port 587, the default) or --tls implicit (port 465); \
                     a login without TLS is only allowed to a server on this machine \
                     (127.0.0.1, ::1, localhost)",
                ),
            ));
        }
        if args.tls == Security::None && args.smtp_ca.is_some() {
            return Err(CliError::usage(
                "--smtp-ca is for --tls starttls or implicit",
                None,
            ));
        }
        Ok(Delivery {
            from,
            host: args.smtp_host.clone(),
            port,
            security: args.tls,
            ca: args.smtp_ca.clone(),
            login,
        })
    }

    /// One line for the TA: where the letters go, how, and as whom (never the password).
    pub fn describe(&self) -> String {
        let mut text = format!("{}:{} ({})", self.host, self.port, self.security.describe());
        if let Some(login) = &self.login {
            let place = match &login.password {
                PasswordSource::Env(var) => format!("${var}"),
                PasswordSource::File(file) => file.display().to_string(),
            };
            text.push_str(&format!(
                ", logging in as {} (password from {place})",
                login.user
            ));
        }
        text
    }

    fn tls(&self) -> Result<Tls, CliError> {
        if self.security == Security::None {
            return Ok(Tls::None);
        }
        let mut builder = TlsParameters::builder(self.host.clone());
        if let Some(ca) = &self.ca {
            let pem = std::fs::read(ca).map_err(|source| CliError::Read {
                path: ca.clone(),
                source,
            })?;
            let certificate = Certificate::from_pem(&pem).map_err(|e| {
                CliError::usage(
                    format!("{}: not a PEM certificate: {e}", ca.display()),
                    None,
                )
            })?;
            builder = builder.add_root_certificate(certificate);
        }
        let parameters = builder
            .build_rustls()
            .map_err(|e| CliError::usage(format!("TLS setup failed: {e}"), None))?;
        Ok(match self.security {
            Security::Implicit => Tls::Wrapper(parameters),
            _ => Tls::Required(parameters),
        })
    }

    /// Sends every letter over one connection setup; failures are collected per letter with
    /// every form of the password taken out of the server's words. A failure that is not
    /// about the letter (no SMTP reply: the connection, TLS, a certificate; or the same
    /// words twice in a row, as a refused login gives) would meet every other letter too:
    /// it is said once, and the rest are counted, not tried.
    pub fn send(&self, letters: Vec<Letter>) -> Result<(), CliError> {
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(self.tls()?)
            .timeout(Some(Duration::from_secs(60)));
        let mut secrets = Vec::new();
        if let Some(login) = &self.login {
            let password = login.password.read()?;
            secrets = secret_forms(&login.user, &password);
            transport = transport.credentials(Credentials::new(login.user.clone(), password));
        }
        let transport = transport.build();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(CliError::Runtime)?;
        let (mut sent, mut failures) = (0, String::new());
        let total = letters.len();
        runtime.block_on(async {
            let mut previous: Option<String> = None;
            for (index, letter) in letters.iter().enumerate() {
                let (result, about_the_letter) = match letter.message(&self.from) {
                    Ok(message) => match transport.send(message).await {
                        Ok(_) => (Ok(()), true),
                        Err(e) => (Err(error_chain(&e)), e.status().is_some()),
                    },
                    Err(e) => (Err(e), true),
                };
                let error = match result {
                    Ok(()) => {
                        sent += 1;
                        previous = None;
                        continue;
                    }
                    Err(e) => redact(&e, &secrets),
                };
                let repeated = previous.as_ref() == Some(&error);
                if !repeated {
                    failures.push_str(&format!(
                        "error: {}: not sent to {}: {error}\n",
                        letter.id, letter.to
                    ));
                }
                if !about_the_letter || repeated {
                    let skipped = &letters[index + usize::from(!repeated)..];
                    failures.push_str(&not_tried(skipped, total));
                    break;
                }
                previous = Some(error);
            }
        });
        eprintln!("sent {sent} message(s) through {}", self.describe());
        if failures.is_empty() {
            return Ok(());
        }
        if self.security != Security::None {
            failures.push_str(
                "  help: STARTTLS is usually on port 587 (--tls starttls), implicit TLS on 465 \
                 (--tls implicit); a campus or self-signed certificate needs --smtp-ca FILE.pem\n",
            );
        }
        Err(CliError::NotSent(failures))
    }
}

impl PasswordSource {
    fn read(&self) -> Result<String, CliError> {
        let password = match self {
            PasswordSource::Env(var) => std::env::var(var).map_err(|_| {
                CliError::usage(
                    format!("environment variable {var} (--password-env) is not set"),
                    None,
                )
            })?,
            PasswordSource::File(path) => read_password_file(path)?,
        };
        if password.is_empty() {
            return Err(CliError::usage("the SMTP password is empty", None));
        }
        Ok(password)
    }
}

/// The first line of the file, without its line end (as `echo pw > file` writes it).
fn read_password_file(path: &Path) -> Result<String, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(text.lines().next().unwrap_or_default().to_string())
}

/// A host that is this machine: a loopback address, or `localhost` (RFC 6761).
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            host == "localhost" || host.ends_with(".localhost")
        }
    }
}

/// The error and its causes, as lettre words them (the TLS reason is in a source).
/// The letters left out after a failure every letter would meet, named (the first few).
fn not_tried(skipped: &[Letter], total: usize) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let named: Vec<&str> = skipped.iter().take(3).map(|l| l.to.as_str()).collect();
    let more = if skipped.len() > named.len() {
        ", …"
    } else {
        ""
    };
    format!(
        "error: {} more of the {total} message(s) not sent ({}{more}): the same failure \
         would stop each of them, so they were not tried\n",
        skipped.len(),
        named.join(", ")
    )
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let words = cause.to_string();
        if !text.contains(&words) {
            text.push_str(": ");
            text.push_str(&words);
        }
        source = cause.source();
    }
    text
}

/// The password as it could come back in a server's reply: as typed, and base64 alone or in
/// an AUTH PLAIN payload.
fn secret_forms(user: &str, password: &str) -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        password.to_string(),
        b64(password),
        b64(&format!("\0{user}\0{password}")),
        b64(&format!("{user}\0{user}\0{password}")),
    ]
}

fn redact(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_string(), |text, secret| {
            text.replace(secret.as_str(), "[redacted]")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_loopback() {
        for host in [
            "127.0.0.1",
            "127.8.9.1",
            "::1",
            "[::1]",
            "localhost",
            "LocalHost.",
            "a.localhost",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "10.0.0.1",
            "smtp.uni.edu",
            "localhost.uni.edu",
            "::",
            "0.0.0.0",
            "mylocalhost",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn the_password_is_taken_out_in_every_form() {
        let secrets = secret_forms("ta", "hunter2");
        let plain = base64::engine::general_purpose::STANDARD.encode("\0ta\0hunter2");
        let text = format!("535 bad: hunter2 {plain} aHVudGVyMg==");
        let redacted = redact(&text, &secrets);
        assert_eq!(redacted, "535 bad: [redacted] [redacted] [redacted]");
    }
}
