//! A submission read on a thread of its own, its sessions handed over as they are read, for
//! reports written while the files are still being read (`extract`): a capture's sessions
//! leave its reader as each ends, so memory follows the sessions open at once and the
//! reading and the writing share the machine's cores.
//!
//! A directory is read whole first, as [`super::read::read_submission`] reads it: a text
//! report shows a submission's problems before its sessions, and a later file's problem is
//! known only once it is read.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

use super::outcome::{Problem, SubmissionOutcome, SubmissionStream};
use super::read;
use super::SubmissionGrade;
use crate::session::Session;

/// Sessions read and not yet taken, at most: what the reader may run ahead of the writer.
const AHEAD: usize = 256;

/// A submission being read.
pub enum Reading {
    /// Read already (a directory, or a path that cannot be read): the sessions apart.
    Whole(Box<SubmissionOutcome>, std::vec::IntoIter<Session>),
    /// One file, being read: its sessions come from `sessions`, the rest from `finish`.
    Streaming {
        /// The submission's id and files, known before reading.
        id: String,
        files: Vec<PathBuf>,
        sessions: Receiver<Session>,
        thread: JoinHandle<SubmissionOutcome>,
    },
}

impl Reading {
    /// Starts reading `path` as [`read::read_submission_unhashed`] (or, with `hash`,
    /// [`read::read_submission`]) does.
    pub fn start(path: &Path, hash: bool) -> Reading {
        // A student's own zip is read in memory anyway (`read::read_submission`).
        if path.is_dir()
            || std::fs::metadata(path).is_err()
            || crate::ingest::archive::has_zip_name(path)
        {
            let mut submission = if hash {
                read::read_submission(path)
            } else {
                read::read_submission_unhashed(path)
            };
            let sessions = std::mem::take(&mut submission.sessions);
            return Reading::Whole(Box::new(submission), sessions.into_iter());
        }
        let (sender, sessions) = sync_channel(AHEAD);
        let owned = path.to_path_buf();
        let thread = std::thread::spawn(move || {
            // A writer that stopped (a closed pipe) drops the receiver: the rest is not sent.
            read::read_each(&owned, hash, &mut |session| {
                let _ = sender.send(session);
            })
        });
        Reading::Streaming {
            id: path.display().to_string(),
            files: vec![path.to_path_buf()],
            sessions,
            thread,
        }
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
            Reading::Streaming { sessions, .. } => sessions.recv().ok(),
        }
    }

    fn finish(self: Box<Self>) -> SubmissionOutcome {
        match *self {
            Reading::Whole(submission, _) => *submission,
            Reading::Streaming {
                sessions, thread, ..
            } => {
                drop(sessions);
                thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
        }
    }
}
