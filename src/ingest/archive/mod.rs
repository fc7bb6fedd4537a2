//! Whole classes: an LMS "download all submissions" zip or a folder of submissions, split
//! into one [`StudentFiles`] per student, read in memory (nothing is ever extracted).
//!
//! The rules (also in `docs/ta-guide.md`): each top-level entry of the class names its
//! student by the LMS naming scheme ([`names`]), else by its folder name; a roster
//! ([`roster`]) maps those keys to student ids and names.

mod class;
mod folder;
mod limits;
pub mod names;
pub mod roster;
mod zipped;

pub use class::{
    has_zip_name, open_student_zips, read_class, ClassRead, ClassWarning, StudentFiles,
    StudentProblem,
};
pub use limits::Limits;
pub use names::{looks_like_lms, parse_entry, EntryName, Lms};
pub use roster::{Roster, RosterError, RosterRow};
