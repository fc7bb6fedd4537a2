//! `mailgrade notify`: each student's feedback from a graded JSON result, e-mailed to the
//! address in the roster. A dry run (what would be sent) unless `--send`.

use std::path::PathBuf;

use clap::Args;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;

use super::args::Lang;
use super::error::CliError;
use super::merge::{read_document, submission_grade};
use super::ExitCode;
use crate::grade::Verdict;
use crate::i18n::messages::notify::LetterMessage;
use crate::ingest::archive::{Roster, RosterRow};
use crate::report::summary;

#[derive(Clone, Debug, Args)]
pub struct NotifyArgs {
    /// A `mailgrade grade --format json` result (or a merged one).
    pub results: PathBuf,
    /// The class list with `id` and `email` columns (see `grade --roster`).
    #[arg(long, value_name = "CSV")]
    pub roster: PathBuf,
    /// Send for real; without it, print what would be sent.
    #[arg(long)]
    pub send: bool,
    /// The SMTP server that delivers the feedback (plain SMTP, e.g. the course relay).
    #[arg(long, value_name = "HOST", default_value = "localhost")]
    pub smtp_host: String,
    /// Its port.
    #[arg(long, value_name = "PORT", default_value_t = 25)]
    pub smtp_port: u16,
    /// The sender, e.g. `"Networks TA <ta@uni.test>"`; required with --send.
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,
    /// Log in to the SMTP server as this user (AUTH); the password comes from --password-env.
    #[arg(long, requires = "password_env")]
    pub user: Option<String>,
    /// The environment variable holding the SMTP password (never pass it on the command line).
    #[arg(long, value_name = "VAR", requires = "user")]
    pub password_env: Option<String>,
    /// The subject line.
    #[arg(long, default_value = "Email lab: your feedback")]
    pub subject: String,
    /// Language of the feedback.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

/// One e-mail to one student.
struct Letter {
    to: String,
    name: String,
    id: String,
    body: String,
}

pub fn run(args: &NotifyArgs) -> i32 {
    match letters(args) {
        Err(error) => {
            eprint!("{}", error.render());
            error.exit_code() as i32
        }
        Ok(letters) if !args.send => {
            for letter in &letters {
                println!("to: {} <{}> ({})", letter.name, letter.to, letter.id);
                println!("subject: {}", args.subject);
                for line in letter.body.lines().take(6) {
                    println!("  {line}");
                }
                println!();
            }
            eprintln!(
                "dry run: {} message(s) would be sent; add --send to send them",
                letters.len()
            );
            ExitCode::Passed as i32
        }
        Ok(letters) => match send(args, letters) {
            Ok(()) => ExitCode::Passed as i32,
            Err(error) => {
                eprint!("{}", error.render());
                error.exit_code() as i32
            }
        },
    }
}

fn letters(args: &NotifyArgs) -> Result<Vec<Letter>, CliError> {
    let document = read_document(&args.results)?;
    let roster = Roster::load(&args.roster)?;
    let lang = args.lang;
    let mut letters = Vec::new();
    for submission in document["submissions"].as_array().into_iter().flatten() {
        let id = submission["id"].as_str().unwrap_or_default();
        let passed = submission_grade(submission, &args.results)?.passed();
        match roster.by_id(id).filter(|row| !row.email.is_empty()) {
            Some(row) => letters.push(Letter {
                to: row.email.clone(),
                name: row.name.clone(),
                id: id.to_string(),
                body: feedback(submission, passed, row, lang),
            }),
            None => eprintln!("warning: {id}: no e-mail address in the roster; not notified"),
        }
    }
    Ok(letters)
}

fn send(args: &NotifyArgs, letters: Vec<Letter>) -> Result<(), CliError> {
    let from: Mailbox = args
        .from
        .as_deref()
        .ok_or_else(|| CliError::usage("--send needs --from ADDRESS", None))?
        .parse()
        .map_err(|e| CliError::usage(format!("--from is not an address: {e}"), None))?;
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&args.smtp_host)
        .port(args.smtp_port);
    if let (Some(user), Some(var)) = (&args.user, &args.password_env) {
        let password = std::env::var(var).map_err(|_| {
            CliError::usage(
                format!("environment variable {var} (--password-env) is not set"),
                None,
            )
        })?;
        transport = transport.credentials(Credentials::new(user.clone(), password));
    }
    let transport = transport.build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let (mut sent, mut failures) = (0, String::new());
    runtime.block_on(async {
        for letter in letters {
            let to = match format!("{} <{}>", letter.name, letter.to).parse::<Mailbox>() {
                Ok(to) => to,
                Err(_) => match letter.to.parse::<Mailbox>() {
                    Ok(to) => to,
                    Err(e) => {
                        failures.push_str(&format!(
                            "error: {}: bad address {}: {e}\n",
                            letter.id, letter.to
                        ));
                        continue;
                    }
                },
            };
            let message = Message::builder()
                .from(from.clone())
                .to(to)
                .subject(&args.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(letter.body);
            let result = match message {
                Ok(message) => transport
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match result {
                Ok(()) => sent += 1,
                Err(e) => failures.push_str(&format!(
                    "error: {}: not sent to {}: {e}\n",
                    letter.id, letter.to
                )),
            }
        }
    });
    eprintln!(
        "sent {sent} message(s) through {}:{}",
        args.smtp_host, args.smtp_port
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(CliError::NotSent(failures))
    }
}

/// The feedback of one JSON submission as plain text: totals, each scenario's losses with
/// their feedback, and the files that could not be used. Findings meant for the TA only
/// (similar submissions) are left out.
fn feedback(submission: &Value, passed: bool, row: &RosterRow, lang: Lang) -> String {
    let text = |value: &Value| -> String {
        value[lang.code()]
            .as_str()
            .filter(|s| !s.is_empty())
            .or_else(|| value["en"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut out = String::new();
    let name = if row.name.is_empty() {
        &row.id
    } else {
        &row.name
    };
    let greeting = LetterMessage::Greeting { name: name.clone() };
    let result = if passed {
        LetterMessage::Passed
    } else {
        LetterMessage::NotPassed
    };
    out.push_str(&format!(
        "{}\n\n{}\n",
        greeting.render(lang),
        result.render(lang)
    ));
    for grade in submission["grades"].as_array().into_iter().flatten() {
        // The JSON spells the verdict in English; the letter says it in `lang`.
        let verdict = match serde_json::from_value::<Verdict>(grade["verdict"].clone()) {
            Ok(verdict) => summary::verdict_of_grade(verdict).get(lang),
            Err(_) => grade["verdict"].as_str().unwrap_or_default(),
        };
        out.push_str(&format!(
            "\n{}: {}/{} ({})\n",
            text(&grade["title"]),
            grade["score"],
            grade["max_score"],
            verdict
        ));
        if grade["verdict"] == "ungradable" {
            out.push_str(&format!("  {}\n", text(&grade["reason"])));
        }
        for check in grade["checks"].as_array().into_iter().flatten() {
            let (points, max) = (check["points"].as_u64(), check["max_points"].as_u64());
            if points < max {
                out.push_str(&format!(
                    "  - {} ({}/{}): {}\n",
                    check["name"].as_str().unwrap_or_default(),
                    points.unwrap_or(0),
                    max.unwrap_or(0),
                    text(&check["feedback"])
                ));
            }
        }
        for finding in grade["findings"].as_array().into_iter().flatten() {
            if finding["check"] != "similar-submission" {
                out.push_str(&format!("  * {}\n", text(&finding["message"])));
            }
        }
    }
    let problems = submission["problems"].as_array().into_iter().flatten();
    for (index, problem) in problems.enumerate() {
        if index == 0 {
            out.push_str(&format!("\n{}\n", LetterMessage::FilesNotUsed.render(lang)));
        }
        out.push_str(&format!(
            "  - {}: {}\n",
            problem["file"].as_str().unwrap_or_default(),
            problem["message"].as_str().unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "\n{}\n",
        LetterMessage::CheckYourself.render(lang)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_letter_says_each_verdict_in_its_language() {
        let row = RosterRow {
            id: "20240001".into(),
            name: "Li Wei".into(),
            email: "li@lab.test".into(),
            lms_id: String::new(),
        };
        let submission = serde_json::json!({
            "grades": [{
                "title": { "en": "Send a mail", "zh-CN": "发送邮件" },
                "score": 40, "max_score": 100, "verdict": "failed",
                "checks": [], "findings": []
            }],
            "problems": []
        });
        let zh = feedback(&submission, false, &row, Lang::ZhCn);
        assert!(zh.contains("发送邮件: 40/100 (未通过)"), "{zh}");
        let en = feedback(&submission, false, &row, Lang::En);
        assert!(en.contains("Send a mail: 40/100 (failed)"), "{en}");
    }
}
