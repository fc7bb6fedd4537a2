//! `mailgrade notify`: each student's feedback from a graded JSON result, e-mailed to the
//! address in the roster, in the student's language. A dry run (the messages exactly as they
//! would be sent) unless `--send`.

mod delivery;
mod letter;

use std::path::PathBuf;

use clap::Args;

use super::args::Lang;
use super::error::CliError;
use super::merge::{read_document, submission_grade};
use super::ExitCode;
use crate::i18n::messages::notify::LetterMessage;
use crate::ingest::archive::Roster;
use delivery::{Delivery, Security};
use letter::{feedback, Letter};

#[derive(Clone, Debug, Args)]
pub struct NotifyArgs {
    /// A `mailgrade grade --format json` result (or a merged one).
    pub results: PathBuf,
    /// The class list with `id` and `email` columns, and `lang` for students who read
    /// feedback in another language than --lang (see `grade --roster`).
    #[arg(long, value_name = "CSV")]
    pub roster: PathBuf,
    /// Send for real; without it, print every message exactly as it would be sent.
    #[arg(long)]
    pub send: bool,
    /// The SMTP server that delivers the feedback (the course's or university's).
    #[arg(long, value_name = "HOST", default_value = "localhost")]
    pub smtp_host: String,
    /// Its port [default: 587 with --tls starttls, 465 with implicit, 25 with none].
    #[arg(long, value_name = "PORT")]
    pub smtp_port: Option<u16>,
    /// How the connection is protected. `none` allows no --user unless the server is on this
    /// machine: the password never crosses a network in clear.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = Security::Starttls)]
    pub tls: Security,
    /// A PEM certificate to trust besides the system's (a campus CA, a self-signed server).
    #[arg(long, value_name = "PEM")]
    pub smtp_ca: Option<PathBuf>,
    /// The sender, e.g. `"Networks TA <ta@uni.test>"`.
    #[arg(long, value_name = "ADDRESS")]
    pub from: String,
    /// Log in to the SMTP server as this user; the password comes from --password-env or
    /// --password-file, never from the command line.
    #[arg(long)]
    pub user: Option<String>,
    /// The environment variable holding the SMTP password.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// A file whose first line is the SMTP password.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// The subject line for every student [default: "Email lab: your feedback", in each
    /// student's language].
    #[arg(long)]
    pub subject: Option<String>,
    /// Language of the feedback for students whose roster row names none.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

pub fn run(args: &NotifyArgs) -> i32 {
    let result = Delivery::from_args(args).and_then(|delivery| {
        let letters = letters(args)?;
        if args.send {
            delivery.send(letters)
        } else {
            dry_run(&delivery, &letters)
        }
    });
    match result {
        Ok(()) => ExitCode::Passed as i32,
        Err(error) => {
            eprint!("{}", error.render());
            error.exit_code() as i32
        }
    }
}

/// Every message as `--send` would hand it to the server: headers and body, encoded as sent
/// (line ends shown as `\n`). Date and Message-ID are made anew when sending.
fn dry_run(delivery: &Delivery, letters: &[Letter]) -> Result<(), CliError> {
    for (index, letter) in letters.iter().enumerate() {
        let message = letter
            .message(&delivery.from)
            .map_err(|e| CliError::usage(format!("{}: {e}", letter.id), None))?;
        println!(
            "=== {}/{}: {} ({}) <{}>",
            index + 1,
            letters.len(),
            letter.id,
            letter.lang.code(),
            letter.to
        );
        let wire = String::from_utf8_lossy(&message.formatted()).replace("\r\n", "\n");
        print!("{wire}");
        if !wire.ends_with('\n') {
            println!();
        }
        println!();
    }
    eprintln!(
        "dry run: {} message(s) would be sent to {}; add --send to send them",
        letters.len(),
        delivery.describe()
    );
    Ok(())
}

fn letters(args: &NotifyArgs) -> Result<Vec<Letter>, CliError> {
    let document = read_document(&args.results)?;
    let roster = Roster::load(&args.roster)?;
    let mut letters = Vec::new();
    for submission in document["submissions"].as_array().into_iter().flatten() {
        let id = submission["id"].as_str().unwrap_or_default();
        let passed = submission_grade(submission, &args.results)?.passed();
        match roster.by_id(id).filter(|row| !row.email.is_empty()) {
            Some(row) => {
                let lang = row.lang.unwrap_or(args.lang);
                letters.push(Letter {
                    to: row.email.clone(),
                    name: row.name.clone(),
                    id: id.to_string(),
                    lang,
                    subject: args
                        .subject
                        .clone()
                        .unwrap_or_else(|| LetterMessage::Subject.render(lang)),
                    body: feedback(submission, passed, row, lang),
                })
            }
            None => eprintln!("warning: {id}: no e-mail address in the roster; not notified"),
        }
    }
    Ok(letters)
}
