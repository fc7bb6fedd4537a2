//! A class on the command line: `--shard`, `--roster` and the other class options, a
//! progress bar on stderr, and the one-line summary.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::i18n::messages::report::RunMessage;
use crate::i18n::Lang;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::error::CliError;
use crate::grade::Verdict;
use crate::pipeline::{self, Plan, SubmissionOutcome, Unit};

/// How a batch is read, split and checked.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Class")]
pub struct BatchArgs {
    /// Read each folder as a whole class: one submission per student folder or LMS-named
    /// file. Without it a `.zip`, or a folder of Moodle/Canvas-named entries, is a class too.
    #[arg(long)]
    pub class: bool,
    /// CSV with `id,name,email[,lms_id]`: maps LMS participants / folders to student ids;
    /// students with nothing handed in get an empty submission.
    #[arg(long, value_name = "CSV")]
    pub roster: Option<PathBuf>,
    /// Grade only shard K of N (1-based), chosen by a stable hash of the student id, for CI
    /// matrices; join the JSON results with `mailgrade merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// A previous `--format json` result: every student whose score dropped is listed on
    /// stderr (a regrade check).
    #[arg(long, value_name = "JSON")]
    pub compare: Option<PathBuf>,
    /// Write the similarity report (shared captures, queue ids, Message-IDs, identical
    /// transcripts) here: JSON when the name ends in `.json`, else text.
    #[arg(long, value_name = "FILE")]
    pub similarity: Option<PathBuf>,
}

/// Shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| "expected K/N, e.g. 2/4".to_string())?;
    let index: u32 = k
        .trim()
        .parse()
        .map_err(|_| format!("`{k}` is not a number"))?;
    let count: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a number"))?;
    if count == 0 || index == 0 || index > count {
        return Err(format!("shard {index}/{count}: K must be between 1 and N"));
    }
    Ok(Shard { index, count })
}

impl Shard {
    /// Whether a student id falls in this shard: the first 8 bytes of its SHA-256 modulo N,
    /// so a student stays in the same shard whoever else is in the class.
    pub fn holds(&self, id: &str) -> bool {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(id.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// A bar on stderr, drawn only when stderr is a terminal.
pub fn progress(total: usize) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(total as u64), target);
    bar.set_style(
        ProgressStyle::with_template("{spinner} grading {pos}/{len} [{bar:30}] {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Grades units `jobs` at a time through the pipeline, the bar counting them.
pub fn grade_units(
    units: Vec<Unit>,
    plan: Plan,
    jobs: usize,
    bar: &ProgressBar,
) -> Result<Vec<SubmissionOutcome>, CliError> {
    let tick = bar.clone();
    let graded = pipeline::batch::grade_all(units, plan, jobs, move || tick.inc(1));
    bar.finish_and_clear();
    Ok(graded?)
}

/// `graded 312 submissions: 280 passed, 25 below the pass mark, 7 ungradable in 4.2 s`
pub fn summary_line(submissions: &[SubmissionOutcome], elapsed: Duration, lang: Lang) -> String {
    let (mut passed, mut failed, mut ungradable) = (0, 0, 0);
    for submission in submissions {
        match submission.grade.verdict {
            Verdict::Passed => passed += 1,
            Verdict::Failed => failed += 1,
            Verdict::Ungradable => ungradable += 1,
        }
    }
    let seconds = format!("{:.1}", elapsed.as_secs_f64());
    match submissions.len() {
        1 => RunMessage::GradedOne {
            passed,
            failed,
            ungradable,
            seconds,
        },
        count => RunMessage::Graded {
            count,
            passed,
            failed,
            ungradable,
            seconds,
        },
    }
    .render(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards() {
        assert_eq!(parse_shard("2/4"), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x/2", "3"] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
        let ids: Vec<String> = (0..200).map(|i| format!("s{i}")).collect();
        let shards: Vec<Shard> = (1..=3).map(|index| Shard { index, count: 3 }).collect();
        for id in &ids {
            assert_eq!(shards.iter().filter(|s| s.holds(id)).count(), 1, "{id}");
        }
        assert!(shards
            .iter()
            .all(|s| ids.iter().filter(|id| s.holds(id)).count() > 30));
    }
}
