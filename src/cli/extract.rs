use super::args::{ExtractArgs, ExtractFormat};
use super::run::{Output, Report};
use super::ExitCode;
use crate::pipeline::read::read_submission_unhashed;
use crate::report::{self, Outcome};

pub fn run(args: &ExtractArgs) -> Output {
    let submissions: Vec<_> = args
        .files
        .iter()
        .map(|path| read_submission_unhashed(path))
        .collect();
    let exit = if submissions.iter().all(|s| s.sessions.is_empty()) {
        ExitCode::Unusable
    } else {
        ExitCode::Passed
    };
    let outcome = Outcome {
        server: "none".into(),
        submissions,
    };
    let lang = args.lang;
    let text = match args.format {
        ExtractFormat::Text => Report::Write(Box::new(move |out| {
            report::sessions_text::write(&outcome, lang, out)
        })),
        ExtractFormat::Json => {
            Report::Write(Box::new(move |out| report::json::write(&outcome, out)))
        }
        ExtractFormat::Transcript => outcome
            .submissions
            .iter()
            .flat_map(|s| &s.sessions)
            .map(|session| {
                format!(
                    "# {}\n{}",
                    session.source,
                    report::transcript::render(session)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
            .into(),
    };
    Output {
        text,
        exit,
        out: None,
    }
}
