use super::args::{ExtractArgs, ExtractFormat};
use super::error::CliError;
use super::run::{Output, Report};
use super::ExitCode;
use crate::ingest::CaptureStages;
use crate::pipeline::read::read_submission_unhashed;
use crate::pipeline::stream::Reading;
use crate::report::{self, SubmissionStream};

pub fn run(args: &ExtractArgs) -> Result<Output, CliError> {
    if args.compact && args.format != ExtractFormat::Json {
        return Err(CliError::usage(
            "--compact writes the JSON document without whitespace, so it goes with --format json",
            Some("add --format json, or leave --compact out"),
        ));
    }
    let text = match args.format {
        ExtractFormat::Text => streamed(args, false),
        ExtractFormat::Json => streamed(args, true),
        ExtractFormat::Transcript => return Ok(transcripts(args)),
    };
    Ok(Output {
        text,
        // Kept only when writing the report fails: the stream decides.
        exit: ExitCode::Passed,
        out: None,
    })
}

/// Text and JSON are written while the files are read, one submission after another, each
/// session as it comes (`pipeline::stream`); unusable when no submission had a session.
fn streamed(args: &ExtractArgs, json: bool) -> Report {
    let paths = args.files.clone();
    let lang = args.lang;
    let layout = super::grade_cmd::layout(args.compact);
    // Writing JSON keeps a core busy; writing text leaves one for a capture's reading.
    let stages = if json {
        CaptureStages::Together
    } else {
        CaptureStages::Apart
    };
    Report::Stream(Box::new(move |out| {
        let mut submissions = paths
            .iter()
            .map(|path| Box::new(Reading::start(path, false, stages)) as Box<dyn SubmissionStream>);
        let written = if json {
            let mut submissions = submissions.map(|stream| report::json::Streamed {
                stream,
                sessions: None,
                grades: None,
            });
            report::json::write_stream("none", layout, &mut submissions, out)?
        } else {
            report::sessions_text::write_stream(&mut submissions, lang, out)?
        };
        Ok(if written == 0 {
            ExitCode::Unusable
        } else {
            ExitCode::Passed
        })
    }))
}

fn transcripts(args: &ExtractArgs) -> Output {
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
    let text = submissions
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
        .join("\n");
    Output {
        text: text.into(),
        exit,
        out: None,
    }
}
