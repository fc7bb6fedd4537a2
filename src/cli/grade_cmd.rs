use std::io::IsTerminal;

use super::args::{Format, GradeArgs, Lang, OutputArgs};
use super::grading::{exit_code, grade_groups, load_scenarios, Grading};
use super::run::Output;
use super::ExitCode;
use crate::report::{self, text::TextStyle, Outcome};

/// `mailgrade grade`: every path is one submission.
pub fn run(args: &GradeArgs) -> Result<Output, String> {
    let scenarios = load_scenarios(&args.scenarios)?;
    let explicit = !args.scenarios.is_empty();
    let grading = Grading::from_args(&args.replay)?;
    let groups = args.paths.iter().map(|path| vec![path.clone()]).collect();
    let submissions = grade_groups(groups, &scenarios, explicit, &grading)?;
    let exit = submissions
        .iter()
        .map(exit_code)
        .fold(ExitCode::Passed, ExitCode::worst);
    let outcome = Outcome {
        server: grading.server.name(),
        submissions,
    };
    let text = match args.format {
        Format::Text => report::text::render(&outcome, text_style(&args.output)),
        Format::Json => report::json::render(&outcome),
    };
    Ok(Output {
        text,
        exit,
        out: args.output.out.clone(),
    })
}

/// The language and colour of terminal text: colour only on a terminal without `NO_COLOR`.
pub fn text_style(output: &OutputArgs) -> TextStyle<'static> {
    let lang = match output.lang {
        Lang::En => "en",
        Lang::ZhCn => "zh-CN",
    };
    let color = output.out.is_none()
        && std::env::var_os("NO_COLOR").is_none()
        && std::io::stdout().is_terminal();
    TextStyle { lang, color }
}
