use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::i18n::Lang;

/// Grades SMTP and POP3 labs from transcripts and captures.
#[derive(Debug, Parser)]
#[command(name = "mailgrade", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check your own submission before handing it in: readable feedback.
    Check(CheckArgs),
    /// Grade submissions against scenarios.
    Grade(GradeArgs),
    /// Show every SMTP/POP3 session found in files, like Follow Stream for all of them.
    Extract(ExtractArgs),
    /// List, show and validate scenarios.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Run the embedded SMTP + POP3 server to practise the lab with telnet.
    Serve(super::serve::ServeArgs),
    /// Join the JSON results of several `grade --shard` runs into one gradebook.
    Merge(super::merge::MergeArgs),
    /// E-mail each student their feedback from a graded JSON file (dry run unless --send).
    Notify(super::notify::NotifyArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Transcripts, lab reports, Wireshark exports or captures.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Scenario names or YAML files; by default every built-in scenario, best fit per session.
    #[arg(long = "scenario", short = 's')]
    pub scenarios: Vec<String>,
    /// A lab (shipped name such as `email-lab`, or a YAML file): each session is evidence
    /// for one of its tasks, and every submission is out of the lab's total.
    #[arg(long, value_name = "NAME|FILE")]
    pub lab: Option<String>,
    #[command(flatten)]
    pub replay: ReplayArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// Submissions: files, a directory per student, or whole classes (an LMS `.zip`, a
    /// folder of Moodle/Canvas downloads, any folder with --class).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Scenario names or YAML files; by default every built-in scenario, best fit per session.
    #[arg(long = "scenario", short = 's')]
    pub scenarios: Vec<String>,
    /// A lab (shipped name such as `email-lab`, or a YAML file): each session is evidence
    /// for one of its tasks, and every submission is out of the lab's total.
    #[arg(long, value_name = "NAME|FILE")]
    pub lab: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// With `--format json`: the same document without whitespace (a third of the size).
    #[arg(long)]
    pub compact: bool,
    /// The assignment's title in the Canvas CSV header.
    #[arg(long, default_value = "Email lab")]
    pub assignment: String,
    /// The Canvas assignment id, so the import updates that assignment.
    #[arg(long)]
    pub assignment_id: Option<String>,
    /// With `--format moodle-csv`: fill in this grading worksheet, downloaded from the
    /// assignment in Moodle ("Download grading worksheet"), instead of writing one. Its
    /// headers, rows and other cells stay as Moodle wrote them, in any language.
    #[arg(long, value_name = "FILE")]
    pub moodle_worksheet: Option<PathBuf>,
    #[command(flatten)]
    pub batch: super::batch::BatchArgs,
    #[command(flatten)]
    pub replay: ReplayArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where the graded replies come from.
#[derive(Debug, Args)]
#[command(next_help_heading = "Replay")]
pub struct ReplayArgs {
    /// Replay each submission against this server and grade its replies; `none` grades the
    /// replies the submission claims.
    #[arg(long, value_enum, default_value_t = ServerKind::Embedded)]
    pub server: ServerKind,
    /// SMTP address of the external server (with `--server external`).
    #[arg(long, value_name = "HOST:PORT", required_if_eq("server", "external"))]
    pub smtp: Option<String>,
    /// POP3 address of the external server (with `--server external`).
    #[arg(long, value_name = "HOST:PORT", required_if_eq("server", "external"))]
    pub pop3: Option<String>,
    /// The Postfix + Dovecot image (with `--server container`) [default: mailgrade/mailserver:bookworm-1].
    #[arg(long, value_name = "NAME:TAG")]
    pub image: Option<String>,
    /// Submissions replayed at once [default: the number of cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ServerKind {
    /// An in-process SMTP + POP3 server per submission, on loopback.
    Embedded,
    /// No replay: grade the replies the submission claims.
    None,
    /// A host you run (`--smtp`, `--pop3`); it cannot be seeded, and submissions share it.
    External,
    /// One Postfix + Dovecot container (built by `bash ci/mailserver/build-offline.sh`) for
    /// the whole batch; submissions take turns on it. Needs Docker.
    Container,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ExtractFormat::Text)]
    pub format: ExtractFormat,
    /// With `--format json`: the same document without whitespace (a third of the size).
    #[arg(long)]
    pub compact: bool,
    /// Language of the listing's words and of problems (the JSON keeps both languages).
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Language of feedback.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// Write the report here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// The built-in scenarios.
    List,
    /// A scenario's YAML (built-in name or file).
    Show { name: String },
    /// Load scenario files and report every error in them.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// Gradescope `results.json` (one submission).
    Gradescope,
    /// PrairieLearn external-grader `results.json` (one submission).
    #[value(name = "prairielearn")]
    PrairieLearn,
    /// Autolab: a report, then the `{"scores": …}` line (one submission).
    Autolab,
    /// GitHub Classroom runner result, base64 (one submission).
    GithubClassroom,
    /// JUnit XML.
    Junit,
    /// Canvas gradebook import CSV.
    CanvasCsv,
    /// Moodle grading worksheet CSV.
    MoodleCsv,
    /// Markdown, e.g. for `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// GitHub Actions annotations, then Markdown.
    Github,
    /// Self-contained HTML with ladder diagrams and a class overview.
    Html,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    /// A readable list of sessions.
    Text,
    /// The JSON v1 document with sessions only.
    Json,
    /// `C:` / `S:` transcripts that mailgrade itself reads back.
    Transcript,
}

/// `--lang` is parsed here, once, into the library's [`Lang`], which every renderer takes.
impl ValueEnum for Lang {
    fn value_variants<'a>() -> &'a [Self] {
        &Lang::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let value = PossibleValue::new(self.code());
        Some(match self {
            Lang::En => value,
            Lang::ZhCn => value.alias("zh"),
        })
    }
}
