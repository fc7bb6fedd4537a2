use std::io::IsTerminal;
use std::path::Path;

use super::args::{Format, GradeArgs, OutputArgs, ServerKind};
use super::error::CliError;
use super::plan::plan;
use super::run::{Output, Report};
use super::ExitCode;
use super::{batch, merge, similarity_report};
use crate::i18n::messages::pipeline::PipelineWord;
use crate::i18n::messages::report::{ReportWord, WorksheetMessage};
use crate::i18n::Lang;
use crate::ingest::archive::Roster;
use crate::pipeline::stream;
use crate::pipeline::{classes, Plan};
use crate::report::moodle_worksheet::Worksheet;
use crate::report::{self, text::TextStyle, Outcome};

/// `mailgrade grade`: every path is one submission, or a class of them (see
/// [`classes::is_class`]).
pub fn run(args: &GradeArgs) -> Result<Output, CliError> {
    let started = std::time::Instant::now();
    // A file graded as it is read starts being read before the plan is made: loading the
    // built-in scenarios (YAML and regex, a few milliseconds) came first otherwise, with
    // every other core idle (issue 18).
    // A text report's reading is the longest chain: it gets a core of its own.
    let core = match args.format {
        Format::Text => stream::ReaderCore::Own,
        _ => stream::ReaderCore::Shared,
    };
    let reading = streamed_file(args).map(|path| stream::Reading::for_grading(path, core));
    let (plan, jobs) = plan(&args.scenarios, args.lab.as_deref(), &args.replay)?;
    if args.batch.roster.is_some() && args.format == Format::MoodleCsv {
        return Err(CliError::usage(
            "--format moodle-csv matches rows by Moodle participant number, and --roster \
             replaces those with student ids",
            Some("write the Moodle worksheet without --roster"),
        ));
    }
    if args.compact && args.format != Format::Json {
        return Err(CliError::usage(
            "--compact writes the JSON report without whitespace, so it goes with --format json",
            Some("add --format json, or leave --compact out"),
        ));
    }
    let worksheet = match &args.moodle_worksheet {
        Some(path) => Some(read_worksheet(path, args.format, args.output.lang)?),
        None => None,
    };
    let roster = match &args.batch.roster {
        Some(path) => Some(Roster::load(path)?),
        None => None,
    };
    let classes::Units {
        mut units,
        warnings,
        class,
    } = classes::units(&args.paths, args.batch.class, roster.as_ref())?;
    for (file, why) in warnings {
        eprintln!(
            "{}: {}: {}",
            PipelineWord::Warning.get(args.output.lang),
            file.display(),
            why.get(args.output.lang)
        );
    }
    if let Some(shard) = args.batch.shard {
        units.retain(|unit| shard.holds(&unit.id()));
    }
    let server = plan.server.name();
    if let Some(reading) = reading {
        return streamed(args, &plan, reading);
    }
    let bar = batch::progress(units.len());
    let mut submissions = batch::grade_units(units, plan, jobs, &bar)?;
    if class || args.batch.similarity.is_some() {
        let groups = similarity_report::annotate(&mut submissions);
        if let Some(path) = &args.batch.similarity {
            std::fs::write(path, similarity_report::render(&groups, path)).map_err(|source| {
                CliError::Write {
                    path: path.clone(),
                    source,
                }
            })?;
        }
        if !groups.is_empty() {
            eprintln!(
                "note: {} thing(s) shared between submissions (files, queue ids, Message-IDs, \
                 dialogues): see the similar-submission findings{}",
                groups.len(),
                if args.batch.similarity.is_some() {
                    " and the --similarity report"
                } else {
                    ""
                }
            );
        }
    }
    if let Some(previous) = &args.batch.compare {
        for line in merge::dropped(previous, &submissions)? {
            eprintln!("{line}");
        }
    }
    if class || submissions.len() > 1 || args.batch.shard.is_some() {
        eprintln!(
            "{}",
            batch::summary_line(&submissions, started.elapsed(), args.output.lang)
        );
    }
    let exit = submissions
        .iter()
        .map(|s| ExitCode::from(s.grade.verdict))
        .fold(ExitCode::Passed, ExitCode::worst);
    let outcome = Outcome {
        server,
        submissions,
    };
    let lang = args.output.lang;
    let text = match args.format {
        Format::Text => report::text::render(&outcome, text_style(&args.output)),
        Format::Json => {
            let layout = layout(args.compact);
            return Ok(Output {
                text: Report::Write(Box::new(move |out| {
                    report::json::write(&outcome, layout, out)
                })),
                exit,
                out: args.output.out.clone(),
            });
        }
        Format::Gradescope => {
            let one = only_submission(&outcome, "gradescope")?;
            report::gradescope::render(one, &outcome.server, lang)
        }
        Format::PrairieLearn => {
            report::prairielearn::render(only_submission(&outcome, "prairielearn")?, lang)
        }
        Format::Autolab => {
            let one = only_submission(&outcome, "autolab")?;
            report::autolab::render(one, &outcome.server, lang)
        }
        Format::GithubClassroom => {
            report::github_classroom::render(only_submission(&outcome, "github-classroom")?, lang)
        }
        Format::Junit => report::junit::render(&outcome, lang),
        Format::CanvasCsv => report::canvas_csv::render(
            &outcome,
            report::canvas_csv::Assignment {
                title: &args.assignment,
                id: args.assignment_id.as_deref(),
            },
        ),
        Format::MoodleCsv => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let Some(worksheet) = worksheet else {
                return Ok(Output {
                    text: report::moodle_csv::render_at(&outcome, lang, Some(now)).into(),
                    exit,
                    out: args.output.out.clone(),
                });
            };
            let filled = worksheet.fill(&outcome, lang, now);
            for warning in &filled.warnings {
                eprintln!(
                    "{}: {}",
                    PipelineWord::Warning.get(lang),
                    warning.render(lang)
                );
            }
            let bytes = filled.bytes;
            return Ok(Output {
                text: Report::Write(Box::new(move |out| out.write_all(&bytes))),
                exit,
                out: args.output.out.clone(),
            });
        }
        Format::Markdown => report::markdown::render(&outcome, lang),
        Format::Github => report::github::render(&outcome, lang),
        Format::Html => report::html::render(&outcome, lang),
    };
    Ok(Output {
        text: text.into(),
        exit,
        out: args.output.out.clone(),
    })
}

/// The `--moodle-worksheet` read and its columns found before anything is graded, so a file
/// that cannot be filled costs no grading run.
fn read_worksheet(path: &Path, format: Format, lang: Lang) -> Result<Worksheet, CliError> {
    if format != Format::MoodleCsv {
        return Err(CliError::usage(
            "--moodle-worksheet fills in a Moodle grading worksheet, so it goes with \
             --format moodle-csv",
            Some("add --format moodle-csv, or leave --moodle-worksheet out"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Worksheet::read(&path.display().to_string(), &bytes).map_err(|message| {
        CliError::Worksheet(format!(
            "{}: {}\n  {}: {}\n",
            ReportWord::Error.get(lang),
            message.render(lang),
            ReportWord::Help.get(lang),
            WorksheetMessage::DownloadAgain.render(lang)
        ))
    })
}

/// The file `grade` grades as it is read ([`streamed`]): one file, no class, graded on its
/// claimed replies by the scenario that fits each session (no scenario named, no lab) into
/// text or JSON, with no batch option that looks across submissions, splits them or names
/// their students. Decided from the arguments alone, so reading can start before the plan
/// is made.
fn streamed_file(args: &GradeArgs) -> Option<&Path> {
    let batch = &args.batch;
    let [path] = args.paths.as_slice() else {
        return None;
    };
    let alone = batch.similarity.is_none()
        && batch.compare.is_none()
        && batch.shard.is_none()
        && batch.roster.is_none()
        && !classes::is_class(path, batch.class);
    let claimed =
        args.replay.server == ServerKind::None && args.scenarios.is_empty() && args.lab.is_none();
    let into = matches!(args.format, Format::Json | Format::Text);
    (alone && claimed && into && path.is_file()).then_some(path.as_path())
}

/// One file graded on its claimed replies into text or JSON ([`streamed_file`]) is graded as
/// the file is read (`pipeline::stream::grade_claimed_streamed`), every grade but the first
/// (and for JSON its sessions) written to temporary files as they are graded, then copied
/// into the report once what comes before them (the submission's grade; in text, the file's
/// problems and the first grade, where the file's notes go) is decided: no session or grade
/// is held longer than it takes to grade and write it.
fn streamed(args: &GradeArgs, plan: &Plan, reading: stream::Reading) -> Result<Output, CliError> {
    let paths = args.paths.as_slice();
    debug_assert!(stream::can_grade_streamed(paths, plan));
    let spill_error = |source| CliError::Write {
        path: std::env::temp_dir(),
        source,
    };
    let server = plan.server.name();
    if args.format == Format::Text {
        let file = tempfile::tempfile().map_err(spill_error)?;
        let mut grades = report::text::TextSpill::new(file, text_style(&args.output));
        let graded = stream::grade_claimed_streamed(
            reading,
            &paths[0],
            plan,
            &mut |_| Ok(()),
            &mut |grade, session| grades.push_grade(grade, session),
        )
        .map_err(spill_error)?;
        return Ok(Output {
            exit: ExitCode::from(graded.grade().verdict),
            text: Report::Write(Box::new(move |out| {
                let (submission, first_source) = graded.outcome();
                grades.write(submission, first_source, &server, out)
            })),
            out: args.output.out.clone(),
        });
    }
    let layout = layout(args.compact);
    let spill = || -> Result<report::json::Spill, CliError> {
        Ok(report::json::Spill::new(
            tempfile::tempfile().map_err(spill_error)?,
            layout,
        ))
    };
    let (mut sessions, mut grades) = (spill()?, spill()?);
    let graded = stream::grade_claimed_streamed(
        reading,
        &paths[0],
        plan,
        &mut |session| sessions.push_session(session),
        &mut |grade, _| grades.push_grade(grade),
    )
    .map_err(spill_error)?;
    let exit = ExitCode::from(graded.grade().verdict);
    Ok(Output {
        text: Report::Write(Box::new(move |out| {
            let mut one = std::iter::once(report::json::Streamed {
                stream: Box::new(graded),
                sessions: Some(sessions),
                grades: Some(grades),
            });
            report::json::write_stream(&server, layout, &mut one, out).map(drop)
        })),
        exit,
        out: args.output.out.clone(),
    })
}

/// The JSON report's layout: `--compact` or pretty.
pub fn layout(compact: bool) -> report::json::Layout {
    if compact {
        report::json::Layout::Compact
    } else {
        report::json::Layout::Pretty
    }
}

/// The one submission of a format an LMS runs once per submission.
fn only_submission<'a>(
    outcome: &'a Outcome,
    format: &str,
) -> Result<&'a report::SubmissionOutcome, CliError> {
    match outcome.submissions.as_slice() {
        [one] => Ok(one),
        many => Err(CliError::usage(
            format!(
                "--format {format} reports on exactly one submission (the platform runs the \
                 grader once per submission), got {}",
                many.len()
            ),
            Some(
                "run mailgrade once per submission, or use --format junit, canvas-csv, \
                 moodle-csv, markdown or html for a class",
            ),
        )),
    }
}

/// The language and colour of terminal text: colour only on a terminal without `NO_COLOR`.
pub fn text_style(output: &OutputArgs) -> TextStyle {
    let lang = output.lang;
    let color = output.out.is_none()
        && std::env::var_os("NO_COLOR").is_none()
        && std::io::stdout().is_terminal();
    TextStyle { lang, color }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::{Cli, Command};
    use clap::Parser;

    /// The file `grade` with these words after it would stream, if any.
    fn streams(words: &[&str]) -> Option<std::path::PathBuf> {
        let cli = Cli::try_parse_from(["mailgrade", "grade"].iter().chain(words)).expect("parses");
        let Command::Grade(args) = cli.command else {
            unreachable!("a grade command")
        };
        streamed_file(&args).map(Path::to_path_buf)
    }

    #[test]
    fn only_a_lone_file_graded_on_its_claimed_replies_into_text_or_json_streams() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("lab.pcap");
        std::fs::write(&file, b"not read here").expect("write");
        let file = file.to_str().expect("utf-8 path");
        let zip = dir.path().join("class.zip");
        std::fs::write(&zip, b"").expect("write");
        let folder = dir.path().to_str().expect("utf-8 path");
        let zip = zip.to_str().expect("utf-8 path");

        assert_eq!(
            streams(&["--server", "none", file]).as_deref(),
            Some(Path::new(file))
        );
        let json = ["--server", "none", "--format", "json", file];
        assert_eq!(streams(&json).as_deref(), Some(Path::new(file)));
        let not_streamed: [&[&str]; 11] = [
            &[file],
            &["--server", "none", "--scenario", "smtp-telnet-send", file],
            &["--server", "none", "--lab", "email-lab", file],
            &["--server", "none", "--format", "junit", file],
            &["--server", "none", "--shard", "1/2", file],
            &["--server", "none", "--similarity", "s.txt", file],
            &["--server", "none", "--compare", "old.json", file],
            &["--server", "none", "--roster", "roster.csv", file],
            &["--server", "none", file, file],
            &["--server", "none", zip],
            &["--server", "none", folder],
        ];
        for words in not_streamed {
            assert_eq!(streams(words), None, "{words:?}");
        }
    }
}
