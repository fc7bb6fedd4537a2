use super::args::CheckArgs;
use super::grade_cmd::text_style;
use super::grading::{exit_code, grade_groups, load_scenarios, Grading};
use super::run::Output;
use crate::report::{self, Outcome};

/// `mailgrade check`: a student's own files, all one submission, as readable feedback.
pub fn run(args: &CheckArgs) -> Result<Output, String> {
    let scenarios = load_scenarios(&args.scenarios)?;
    let explicit = !args.scenarios.is_empty();
    let grading = Grading::from_args(&args.replay)?;
    let submissions = grade_groups(vec![args.files.clone()], &scenarios, explicit, &grading)?;
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
