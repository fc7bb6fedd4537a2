use super::args::CheckArgs;
use super::grade_cmd::text_style;
use super::grading::{exit_code, grade_path, load_scenarios};
use super::run::Output;
use crate::report::{self, Outcome};

/// `mailgrade check`: a student's own files, all one submission, as readable feedback.
pub fn run(args: &CheckArgs) -> Result<Output, String> {
    let scenarios = load_scenarios(&args.scenarios)?;
    let explicit = !args.scenarios.is_empty();
    let mut submissions = args
        .files
        .iter()
        .map(|path| grade_path(path, &scenarios, explicit));
    let mut submission = submissions.next().unwrap_or_default();
    for other in submissions {
        submission.merge(other);
    }
    if args.files.len() > 1 {
        submission.id = "your submission".into();
    }
    let exit = exit_code(&submission);
    let outcome = Outcome {
        server: "none".into(),
        submissions: vec![submission],
    };
    let text = report::text::render(&outcome, text_style(&args.output));
    Ok(Output {
        text,
        exit,
        out: args.output.out.clone(),
    })
}
