//! The grade: what reports render and the JSON report embeds. Field names are stable.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::scenario::Text;
use crate::session::{Origin, Protocol, Source};

/// How a session did against a scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Grade {
    /// The scenario's id.
    pub scenario: String,
    pub title: Text,
    pub protocol: Protocol,
    pub score: u32,
    pub max_score: u32,
    pub pass_mark: u32,
    pub passed: bool,
    pub verdict: Verdict,
    /// Why the session could not be graded and how to fix that (ungradable only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Text>,
    /// One per step, content check, forbidden command and order rule, in scenario order.
    pub checks: Vec<Check>,
    /// Expected skeleton beside the student's, like a unified diff.
    pub skeleton_diff: Vec<DiffLine>,
    /// Integrity and content findings that cost no points.
    pub findings: Vec<Finding>,
    /// The session graded; none when no session fitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionRef>,
    /// The server whose replies were graded (`embedded`, `external …`); none: the replies
    /// the submission claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The lab task this grade is evidence for (graded with a lab), and the report heading
    /// that offered the session to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskRef>,
}

/// Which task of a lab a grade is evidence for, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRef {
    pub id: String,
    /// The report heading the session was under, when that heading named the task;
    /// none when the session was given to the task as its best fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Passed,
    Failed,
    /// Nothing to grade (no session of the protocol, an empty session): not a zero.
    Ungradable,
}

/// Which session of the submission a grade is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionRef {
    pub source: Source,
    /// Position in the list of sessions handed to the grader.
    pub index: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    Step,
    Content,
    Forbidden,
    Order,
    /// An exchange no step accounts for, in a `strict` scenario.
    Extra,
    /// A property of a TLS handshake (a `tls` scenario, or `tls:` on a STARTTLS step).
    Tls,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passed,
    /// The command was right, the reply was not the one expected.
    WrongReply,
    /// The command was right, its arguments were not.
    WrongArguments,
    /// Nothing in the session matches the step.
    Missing,
    /// The command is there, but where the scenario does not allow it.
    OutOfOrder,
    /// An optional step that was not taken: nothing lost.
    Skipped,
    /// A content, forbidden or order check that failed.
    Failed,
    /// The evidence is not in the submission (an elided message body).
    NotChecked,
    /// An exchange a strict scenario does not allow.
    Unexpected,
}

impl Status {
    /// Whether the check cost nothing.
    pub fn is_ok(self) -> bool {
        matches!(self, Status::Passed | Status::Skipped | Status::NotChecked)
    }
}

/// One graded item.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// The step or check id from the scenario (shared with the scenario's prepared ids, as a
    /// capture's thousands of grades name the same few steps).
    pub id: SharedLine,
    pub kind: CheckKind,
    /// What was expected, e.g. `EHLO|HELO → 250` (shared likewise).
    pub name: SharedLine,
    /// The name in words, in both languages, when it is not a skeleton line (a header
    /// check, an order rule); reports show [`Check::name_in`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    pub status: Status,
    pub points: u32,
    pub max_points: u32,
    /// The id of the protocol rule that explains a loss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// Why points were lost (or what was found), in both languages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

impl Check {
    /// The name a report shows in `lang`: the title in words when there is one, else the
    /// skeleton line.
    pub fn name_in(&self, lang: crate::i18n::Lang) -> &str {
        match &self.title {
            Some(title) => title.get(lang),
            None => &self.name,
        }
    }
}

/// Where in the submission a check or finding looked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub source: SharedPath,
    pub origin: Origin,
    /// The exchange as a skeleton line (`RCPT → 503`); never holds a secret.
    pub exchange: SharedLine,
}

/// A file's path, shared by every piece of evidence of a grade rather than copied into each
/// (a grade points at a dozen exchanges, and the copies were a tenth of grading a capture).
/// Reads as a [`Path`], serialised as one.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SharedPath(Arc<Path>);

impl std::ops::Deref for SharedPath {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl fmt::Debug for SharedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&Path> for SharedPath {
    fn from(path: &Path) -> Self {
        SharedPath(Arc::from(path))
    }
}

impl From<PathBuf> for SharedPath {
    fn from(path: PathBuf) -> Self {
        SharedPath(Arc::from(path))
    }
}

impl From<&str> for SharedPath {
    fn from(path: &str) -> Self {
        SharedPath::from(Path::new(path))
    }
}

impl PartialEq<Path> for SharedPath {
    fn eq(&self, other: &Path) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<PathBuf> for SharedPath {
    fn eq(&self, other: &PathBuf) -> bool {
        *self.0 == **other
    }
}

/// A line a grade shows many times and many grades show (a step's id and skeleton line, an
/// exchange's skeleton line), shared rather than copied. Reads as a `str`, serialised as
/// one.
///
/// Most are kept for the whole process ([`super::intern`]): a clone is then a copy of a
/// pointer. The others are counted (`Arc<str>`). Counted ones made a grading thread and the
/// thread that drops grades take turns at each line's count: a cache miss for every line
/// of every grade (issue 18).
#[derive(Clone)]
pub struct SharedLine(Shared);

#[derive(Clone)]
enum Shared {
    Kept(&'static str),
    Counted(Arc<str>),
}

impl SharedLine {
    /// A line kept for the whole process.
    pub(super) const fn kept(line: &'static str) -> Self {
        SharedLine(Shared::Kept(line))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Shared::Kept(line) => line,
            Shared::Counted(line) => line,
        }
    }
}

impl Default for SharedLine {
    fn default() -> Self {
        SharedLine::kept("")
    }
}

impl std::ops::Deref for SharedLine {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for SharedLine {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// As the `str`'s, so that a set of lines can be looked up by a `str` ([`std::borrow::Borrow`]).
impl std::hash::Hash for SharedLine {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Serialize for SharedLine {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Debug for SharedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl From<Arc<str>> for SharedLine {
    fn from(line: Arc<str>) -> Self {
        SharedLine(Shared::Counted(line))
    }
}

impl From<String> for SharedLine {
    fn from(line: String) -> Self {
        SharedLine(Shared::Counted(Arc::from(line)))
    }
}

impl From<&str> for SharedLine {
    fn from(line: &str) -> Self {
        SharedLine(Shared::Counted(Arc::from(line)))
    }
}

impl PartialEq for SharedLine {
    fn eq(&self, other: &SharedLine) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedLine {}

impl PartialEq<str> for SharedLine {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedLine {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SharedLine {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingSeverity {
    Info,
    Warning,
    Error,
}

/// Something worth telling beyond points: a doubtful transcript, a malformed AUTH payload, a
/// body that could not be checked.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The check that found it (`auth-base64`, `connect-target`, …).
    pub check: &'static str,
    pub severity: FindingSeverity,
    pub message: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffTag {
    /// As expected.
    Same,
    /// Expected, not in the session.
    Missing,
    /// In the session, not expected.
    Extra,
    /// Matched a step, but the reply or arguments differ.
    Changed,
}

/// One line of the skeleton diff. Its texts are shared ([`SharedLine`]):
/// a step's line and id with every grade against the scenario, an exchange's line with the
/// grade's other diff lines and evidence, so a diff line copies no text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    pub tag: DiffTag,
    /// The step's line, e.g. `EHLO|HELO → 250`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<SharedLine>,
    /// The session's line, e.g. `HELO → 250`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<SharedLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<SharedLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl Grade {
    /// The skeleton diff as text: `  ` same, `- ` expected only, `+ ` session only.
    pub fn unified_diff(&self) -> String {
        let mut out = String::new();
        for line in &self.skeleton_diff {
            let expected = line.expected.as_deref().unwrap_or("");
            let actual = line.actual.as_deref().unwrap_or("");
            let mut push = |mark: &str, text: &str| {
                out.push_str(mark);
                out.push_str(text);
                out.push('\n');
            };
            match line.tag {
                DiffTag::Same => push("  ", actual),
                DiffTag::Missing => push("- ", expected),
                DiffTag::Extra => push("+ ", actual),
                DiffTag::Changed => {
                    push("- ", expected);
                    push("+ ", actual);
                }
            }
        }
        out
    }

    /// The checks that lost points.
    pub fn losses(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.points < c.max_points)
    }
}
