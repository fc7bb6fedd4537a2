use super::args::CheckArgs;
use super::batch::{grade_units, Unit};
use super::grade_cmd::text_style;
use super::grading::{exit_code, load_scenarios, Grading};
use super::run::Output;
use crate::report::{self, Outcome};

/// `mailgrade check`: a student's own files, all one submission, as readable feedback.
pub fn run(args: &CheckArgs) -> Result<Output, String> {
    let scenarios = load_scenarios(&args.scenarios)?;
    let explicit = !args.scenarios.is_empty();
    let grading = Grading::from_args(&args.replay)?;
    let units = vec![Unit::Paths(args.files.clone())];
    let bar = indicatif::ProgressBar::hidden();
    let submissions = grade_units(units, &scenarios, explicit, &grading, &bar)?;
    let mut submission = submissions.into_iter().next().unwrap_or_default();
    if args.files.len() > 1 {
        submission.id = "your submission".into();
    }
    let exit = exit_code(&submission);
    let outcome = Outcome {
        server: grading.server.name(),
        submissions: vec![submission],
    };
    let text = report::text::render(&outcome, text_style(&args.output));
    Ok(Output {
        text,
        exit,
        out: args.output.out.clone(),
    })
}
