use super::args::CheckArgs;
use super::batch::grade_units;
use super::error::CliError;
use super::grade_cmd::text_style;
use super::plan::plan;
use super::run::Output;
use super::ExitCode;
use crate::i18n::messages::report::ReportWord;
use crate::pipeline::Unit;
use crate::report::{self, Outcome};

/// `mailgrade check`: a student's own files, all one submission, as readable feedback.
pub fn run(args: &CheckArgs) -> Result<Output, CliError> {
    let (plan, jobs) = plan(&args.scenarios, args.lab.as_deref(), &args.replay)?;
    let server = plan.server.name();
    let units = vec![Unit::Paths(args.files.clone())];
    let bar = indicatif::ProgressBar::hidden();
    let submissions = grade_units(units, plan, jobs, &bar)?;
    let mut submission = submissions.into_iter().next().unwrap_or_default();
    if args.files.len() > 1 {
        submission.id = ReportWord::YourSubmission.get(args.output.lang).to_string();
    }
    let exit = ExitCode::from(submission.grade.verdict);
    let outcome = Outcome {
        server,
        submissions: vec![submission],
    };
    let text = report::text::render(&outcome, text_style(&args.output));
    Ok(Output {
        text: text.into(),
        exit,
        out: args.output.out.clone(),
    })
}
