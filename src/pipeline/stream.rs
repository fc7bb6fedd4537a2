//! A submission read on a thread of its own, its sessions handed over as they are read, for
//! reports written while the files are still being read (`extract`): a capture's sessions
//! leave its reader as each ends, so memory follows the sessions open at once and the
//! reading and the writing share the machine's cores.
//!
//! A directory is read whole first, as [`super::read::read_submission`] reads it: a text
//! report shows a submission's problems before its sessions, and a later file's problem is
//! known only once it is read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

use super::core_split::CoreSplit;
use super::drop_behind::DropBehind;
use super::outcome::{Problem, SubmissionOutcome, SubmissionStream};
use super::read;
use super::submission::Deciding;
use super::submission::{self, Plan};
use super::SubmissionGrade;
use crate::grade::{self, Grade};
use crate::ingest::CaptureStages;
use crate::session::{Session, Source};

/// Sessions handed over and not yet taken, at most (at least one handover): with the
/// handover the reader is filling meanwhile, what it may run ahead of the writer.
const AHEAD: usize = 256;
/// Sessions the reader hands over at once to a writer. One at a time, a taker faster than
/// the reader slept and was woken for every session: a context switch per session.
const HANDED_OVER: usize = 32;
/// Sessions graded together, by one grading thread. The reader hands them over as one
/// batch, which the dealer passes on whole: handed over 32 at a time, the dealer woke for
/// every 32 and mostly took the reader's core to do it (on a 20,000-session capture the
/// reader was switched out about 480 times, now about 150; wall time did not measurably
/// change).
const BATCH: usize = 256;
/// Batches graded and not yet written, at most, per grading thread: what grading may run
/// ahead of the writer.
const GRADED_AHEAD: usize = 1;
/// Files from this size on are read on a core of their own where the caller asks for it
/// ([`ReaderCore::Own`]): the size from which a capture's reading would otherwise take two
/// threads (`CaptureStages::Apart`).
const SPLIT_CORES_FROM: u64 = 1 << 20;

/// A submission being read.
pub enum Reading {
    /// Read already (a directory, or a path that cannot be read): the sessions apart.
    Whole(Box<SubmissionOutcome>, std::vec::IntoIter<Session>),
    /// One file, being read: its sessions come from `sessions`, the rest from `finish`.
    Streaming {
        /// The submission's id and files, known before reading.
        id: String,
        files: Vec<PathBuf>,
        sessions: Receiver<Vec<Session>>,
        /// What is left of the sessions last handed over.
        taken: std::vec::IntoIter<Session>,
        thread: JoinHandle<SubmissionOutcome>,
        /// Sessions written, dropped on a thread of their own.
        written: DropBehind<Session>,
        /// The reader's core and the others; the caller's cores are given back when dropped.
        _cores: Option<CoreSplit>,
    },
}

/// Whether the thread that reads a file for [`Reading::for_grading`] gets a core of its
/// own, the graders, the writer and the rest kept on the others ([`CoreSplit`]). It pays
/// where the reading is the longest chain: text grades, a few bytes per session (`grade
/// --server none` of 71 MB: 4-14 % less wall time, issue 18). Where the writer is (JSON, a
/// report 4× the capture), the writer would share its cores with the graders while the
/// reader's core idled once the file is read: 9-13 % more wall time there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReaderCore {
    /// From [`SPLIT_CORES_FROM`] on, on Linux with two cores or more.
    Own,
    /// Wherever the kernel puts it.
    Shared,
}

impl Reading {
    /// Starts reading `path` as [`read::read_submission_unhashed`] (or, with `hash`,
    /// [`read::read_submission`]) does; `stages` as the writer's work on each session
    /// leaves a core for a capture's reading or not.
    pub fn start(path: &Path, hash: bool, stages: CaptureStages) -> Reading {
        Reading::handing_over(path, hash, HANDED_OVER, stages, ReaderCore::Shared)
    }

    /// A file to grade as it is read ([`grade_claimed_streamed`]), its sessions handed over
    /// a batch at a time. Grading takes the other core, so a capture is read on one thread;
    /// `core` says whether that thread gets a core of its own.
    pub fn for_grading(path: &Path, core: ReaderCore) -> Reading {
        Reading::handing_over(path, false, BATCH, CaptureStages::Together, core)
    }

    /// [`Reading::start`], a file's sessions handed over `at_once` at a time.
    fn handing_over(
        path: &Path,
        hash: bool,
        at_once: usize,
        stages: CaptureStages,
        core: ReaderCore,
    ) -> Reading {
        // A student's own zip is read in memory anyway (`read::read_submission`).
        let size = std::fs::metadata(path)
            .ok()
            .filter(|meta| !meta.is_dir() && !crate::ingest::archive::has_zip_name(path))
            .map(|meta| meta.len());
        let Some(size) = size else {
            let mut submission = if hash {
                read::read_submission(path)
            } else {
                read::read_submission_unhashed(path)
            };
            let sessions = std::mem::take(&mut submission.sessions);
            return Reading::Whole(Box::new(submission), sessions.into_iter());
        };
        let (sender, sessions) = sync_channel((AHEAD / at_once).max(1));
        let owned = path.to_path_buf();
        // A small file is read before a core of its own would tell.
        let cores = (core == ReaderCore::Own && size >= SPLIT_CORES_FROM)
            .then(CoreSplit::new)
            .flatten();
        let reader_cpu = cores.as_ref().map(CoreSplit::reader);
        let thread = std::thread::spawn(move || {
            if let Some(cpu) = reader_cpu {
                cpu.enter();
            }
            // A writer that stopped (a closed pipe) drops the receiver: the rest is not sent.
            let mut reading = Vec::with_capacity(at_once);
            let outcome = read::read_each(&owned, hash, stages, &mut |session| {
                reading.push(session);
                if reading.len() == at_once {
                    let full = std::mem::replace(&mut reading, Vec::with_capacity(at_once));
                    let _ = sender.send(full);
                }
            });
            if !reading.is_empty() {
                let _ = sender.send(reading);
            }
            outcome
        });
        Reading::Streaming {
            id: path.display().to_string(),
            files: vec![path.to_path_buf()],
            sessions,
            taken: Vec::new().into_iter(),
            thread,
            written: DropBehind::new(BATCH),
            _cores: cores,
        }
    }

    /// The next sessions, at most `most`: as the reader handed them over when it handed
    /// over no more, else taken one by one. Empty at the end.
    fn next_sessions(&mut self, most: usize) -> Vec<Session> {
        if let Reading::Streaming {
            sessions, taken, ..
        } = self
        {
            if taken.len() == 0 {
                match sessions.recv() {
                    Ok(handed) if handed.len() <= most => return handed,
                    Ok(handed) => *taken = handed.into_iter(),
                    Err(_) => return Vec::new(),
                }
            }
        }
        std::iter::from_fn(|| self.next_session())
            .take(most)
            .collect()
    }
}

impl SubmissionStream for Reading {
    fn id(&self) -> &str {
        match self {
            Reading::Whole(submission, _) => &submission.id,
            Reading::Streaming { id, .. } => id,
        }
    }

    fn files(&self) -> &[PathBuf] {
        match self {
            Reading::Whole(submission, _) => &submission.files,
            Reading::Streaming { files, .. } => files,
        }
    }

    /// Not graded: what `extract` reports.
    fn grade(&self) -> SubmissionGrade {
        SubmissionGrade::default()
    }

    fn problems_first(&mut self) -> Vec<Problem> {
        match self {
            Reading::Whole(submission, _) => std::mem::take(&mut submission.problems),
            Reading::Streaming { .. } => Vec::new(),
        }
    }

    fn next_session(&mut self) -> Option<Session> {
        match self {
            Reading::Whole(_, sessions) => sessions.next(),
            Reading::Streaming {
                sessions, taken, ..
            } => loop {
                if let Some(session) = taken.next() {
                    return Some(session);
                }
                *taken = sessions.recv().ok()?.into_iter();
            },
        }
    }

    fn give_back(&mut self, session: Session) {
        match self {
            Reading::Whole(..) => drop(session),
            Reading::Streaming { written, .. } => written.push(session),
        }
    }

    fn finish(self: Box<Self>) -> SubmissionOutcome {
        match *self {
            Reading::Whole(submission, _) => *submission,
            Reading::Streaming {
                sessions,
                thread,
                written,
                ..
            } => {
                drop(sessions);
                written.finish();
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
        }
    }
}

/// Whether [`grade_claimed_streamed`] grades a submission of `paths` as
/// `pipeline::submission::grade_claimed` would: one file, graded on its claimed replies
/// by the scenario that fits each session (no lab, no scenario named).
pub fn can_grade_streamed(paths: &[PathBuf], plan: &Plan) -> bool {
    matches!(plan.server, super::ServerChoice::None)
        && plan.lab.is_none()
        && !plan.explicit
        && matches!(paths, [one] if std::fs::metadata(one).is_ok_and(|m| m.is_file()))
}

/// `grade --server none` of one file (see [`can_grade_streamed`]) for a report written as the
/// file is read, from `reading` ([`Reading::for_grading`] of `path`, begun by the caller
/// while it made the plan): each session is graded as it comes (in batches, on every core), then handed
/// to `set_aside_session` (the caller writes it out), and every grade but the first to
/// `set_aside_grade`, so the submission's grade, which a report shows before the sessions,
/// is decided without holding the sessions or their grades. The [`Graded`] returned keeps
/// the first grade (where the file's notes go) and the rest of the submission.
///
/// Batches are graded on one thread per core, kept for the whole file, while the batch
/// before is written, so grading and writing (as much work again) share the cores; at most
/// [`GRADED_AHEAD`] graded batches per grading thread wait between them.
pub fn grade_claimed_streamed(
    mut reading: Reading,
    path: &Path,
    plan: &Plan,
    set_aside_session: &mut dyn FnMut(&Session) -> std::io::Result<()>,
    set_aside_grade: &mut dyn FnMut(&Grade, &Session) -> std::io::Result<()>,
) -> std::io::Result<Graded> {
    let mut kept = Vec::new();
    let mut first_source = None;
    let mut deciding = Deciding::default();
    let mut protocols = BTreeSet::new();
    let mut graded = 0;
    std::thread::scope(|scope| -> std::io::Result<()> {
        let reading = &mut reading;
        let scenarios = &plan.scenarios;
        // Freeing the sessions and grades was a fifth of the writer's work.
        let mut written = DropBehind::<(Vec<Session>, Vec<Grade>)>::new(1);
        // One grading thread per core for the whole file, each with its scenarios prepared
        // once: threads started for every batch cost the kernel and the allocator more than
        // preparing did. Batches are dealt to the graders in turn and taken back in the same
        // turn, so the grades come out in the sessions' order with no reordering.
        let graders = grade::cores();
        let mut to_graders = Vec::with_capacity(graders);
        let mut from_graders = Vec::with_capacity(graders);
        for _ in 0..graders {
            let (batch_sender, batches) = sync_channel::<Vec<Session>>(1);
            let (graded_sender, graded) =
                sync_channel::<(Vec<Session>, Vec<Option<Grade>>)>(GRADED_AHEAD);
            scope.spawn(move || {
                let grader = grade::SessionGrader::new(scenarios);
                for batch in batches {
                    let each = batch
                        .iter()
                        .enumerate()
                        .map(|(index, session)| grader.grade(session, index))
                        .collect();
                    // A writer that failed dropped the receiver: nothing more is graded.
                    if graded_sender.send((batch, each)).is_err() {
                        break;
                    }
                }
            });
            to_graders.push(batch_sender);
            from_graders.push(graded);
        }
        scope.spawn(move || {
            for turn in (0..graders).cycle() {
                let batch = reading.next_sessions(BATCH);
                if batch.is_empty() || to_graders[turn].send(batch).is_err() {
                    break;
                }
            }
            // Dropping the senders here ends the graders once their batches are done.
        });
        // The grader whose turn finds its channel closed has no batch: every batch before
        // it in turn has been taken, so the file is done.
        for turn in (0..graders).cycle() {
            let Ok((batch, each)) = from_graders[turn].recv() else {
                break;
            };
            for session in &batch {
                protocols.insert(session.protocol);
                set_aside_session(session)?;
            }
            let mut set_aside = Vec::with_capacity(each.len());
            for (session, grade) in batch.iter().zip(each) {
                let Some(mut grade) = grade else {
                    continue;
                };
                if let Some(graded_session) = &mut grade.session {
                    graded_session.index += graded;
                }
                deciding.push(&grade);
                if kept.is_empty() {
                    kept.push(grade);
                    first_source = Some(session.source.clone());
                } else {
                    set_aside_grade(&grade, session)?;
                    set_aside.push(grade);
                }
            }
            graded += batch.len();
            written.push((batch, set_aside));
        }
        written.finish();
        Ok(())
    })?;
    let mut outcome = Box::new(reading).finish();
    outcome.grades = kept;
    if deciding.is_empty() && graded > 0 {
        outcome
            .problems
            .push(submission::no_scenario_fits(path, &protocols));
    }
    // As `submission::finish`: the file's notes go on the first grade (every grade here
    // has a session, all from this one file), then the grade is decided on all of them.
    super::file_notes::attach(&mut outcome);
    // As `SubmissionGrade::for_plan_facts` without a lab (`can_grade_streamed`): no late
    // policy applies.
    debug_assert!(plan.lab.is_none(), "a lab's grades are not streamed");
    let decided = deciding.decide();
    outcome.grade = if plan.explicit {
        decided.named()
    } else {
        decided
    };
    Ok(Graded {
        outcome,
        first_source,
    })
}

/// A submission graded, its sessions and all grades but the first set aside.
pub struct Graded {
    outcome: SubmissionOutcome,
    /// Where the session of the grade kept came from (its session was set aside).
    first_source: Option<Source>,
}

impl Graded {
    /// The submission's grade.
    pub fn grade(&self) -> &SubmissionGrade {
        &self.outcome.grade
    }

    /// The submission, with the first grade only and no sessions, and where that grade's
    /// session came from.
    pub fn outcome(&self) -> (&SubmissionOutcome, Option<&Source>) {
        (&self.outcome, self.first_source.as_ref())
    }
}

impl SubmissionStream for Graded {
    fn id(&self) -> &str {
        &self.outcome.id
    }

    fn files(&self) -> &[PathBuf] {
        &self.outcome.files
    }

    fn grade(&self) -> SubmissionGrade {
        self.outcome.grade.clone()
    }

    fn problems_first(&mut self) -> Vec<Problem> {
        std::mem::take(&mut self.outcome.problems)
    }

    /// None: every session was set aside.
    fn next_session(&mut self) -> Option<Session> {
        None
    }

    fn finish(self: Box<Self>) -> SubmissionOutcome {
        self.outcome
    }
}
