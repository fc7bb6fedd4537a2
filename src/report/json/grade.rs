//! A [`Grade`] as the JSON report shows it, written field by field into the [`JsonWriter`]:
//! the bytes of its derived `Serialize` (the tests compare the two on every fixture grade),
//! without serde's calls per field and per origin. A capture's grades are as much of its
//! report as its sessions, and mostly keys: each object's keys (with the bracket that
//! opens it, and the one that closes it) are made once per writer, as [`Keys`], and copied
//! whole.

use std::io::{self, Write};

use super::writer::{JsonWriter, Keys, Layout};
use crate::grade::{
    Check, CheckKind, DiffLine, DiffTag, Evidence, Finding, FindingSeverity, Grade, Verdict,
};
use crate::i18n::Text;
use crate::session::Source;

/// The keys of a grade's objects, for grades at `depth`.
pub struct Templates {
    depth: usize,
    /// At `depth + 1`.
    grade: Keys<15>,
    /// A title or reason, at `depth + 2`.
    text: Keys<2>,
    session: Keys<2>,
    task: Keys<2>,
    /// At `depth + 3`.
    check: Keys<10>,
    diff: Keys<5>,
    finding: Keys<4>,
    source: Keys<2>,
    /// Inside a check or finding, at `depth + 4`.
    inner_text: Keys<2>,
    evidence: Keys<3>,
}

const GRADE: [&str; 15] = [
    "scenario",
    "title",
    "protocol",
    "score",
    "max_score",
    "pass_mark",
    "passed",
    "verdict",
    "reason",
    "checks",
    "skeleton_diff",
    "findings",
    "session",
    "server",
    "task",
];
const TEXT: [&str; 2] = ["en", "zh-CN"];
const SESSION: [&str; 2] = ["source", "index"];
const TASK: [&str; 2] = ["id", "section"];
const CHECK: [&str; 10] = [
    "id",
    "kind",
    "name",
    "title",
    "status",
    "points",
    "max_points",
    "rule",
    "feedback",
    "evidence",
];
const DIFF: [&str; 5] = ["tag", "expected", "actual", "step", "origin"];
const FINDING: [&str; 4] = ["check", "severity", "message", "evidence"];
const SOURCE: [&str; 2] = ["path", "label"];
const EVIDENCE: [&str; 3] = ["source", "origin", "exchange"];

impl Templates {
    pub fn new(layout: Layout, depth: usize) -> Templates {
        Templates {
            depth,
            grade: Keys::new(layout, depth + 1, GRADE),
            text: Keys::new(layout, depth + 2, TEXT),
            session: Keys::new(layout, depth + 2, SESSION),
            task: Keys::new(layout, depth + 2, TASK),
            check: Keys::new(layout, depth + 3, CHECK),
            diff: Keys::new(layout, depth + 3, DIFF),
            finding: Keys::new(layout, depth + 3, FINDING),
            source: Keys::new(layout, depth + 3, SOURCE),
            inner_text: Keys::new(layout, depth + 4, TEXT),
            evidence: Keys::new(layout, depth + 4, EVIDENCE),
        }
    }

    pub fn depth(&self) -> usize {
        self.depth
    }
}

/// `grade` as a value at `depth`, in its fields' order.
pub fn write<W: Write>(json: &mut JsonWriter<W>, depth: usize, grade: &Grade) -> io::Result<()> {
    let templates = json.grade_templates(depth);
    let written = write_with(json, &templates, grade);
    json.keep_grade_templates(templates);
    written
}

fn write_with<W: Write>(json: &mut JsonWriter<W>, t: &Templates, grade: &Grade) -> io::Result<()> {
    let keys = &t.grade;
    let inner = t.depth + 1;
    json.key_of(keys, 0);
    json.str(&grade.scenario);
    json.key_of(keys, 1);
    text(json, &t.text, &grade.title);
    json.key_of(keys, 2);
    json.str(grade.protocol.name());
    json.key_of(keys, 3);
    json.u64(grade.score.into());
    json.key_of(keys, 4);
    json.u64(grade.max_score.into());
    json.key_of(keys, 5);
    json.u64(grade.pass_mark.into());
    json.key_of(keys, 6);
    json.bool(grade.passed);
    json.key_of(keys, 7);
    json.str(verdict(grade.verdict));
    if let Some(reason) = &grade.reason {
        json.key_of(keys, 8);
        text(json, &t.text, reason);
    }
    json.key_of(keys, 9);
    array(json, inner, &grade.checks, |json, each| {
        check(json, t, each)
    })?;
    json.key_of(keys, 10);
    array(json, inner, &grade.skeleton_diff, |json, line| {
        diff_line(json, t, line);
        Ok(())
    })?;
    json.key_of(keys, 11);
    array(json, inner, &grade.findings, |json, each| {
        finding(json, t, each)
    })?;
    if let Some(session) = &grade.session {
        json.key_of(keys, 12);
        json.key_of(&t.session, 0);
        source(json, &t.source, &session.source)?;
        json.key_of(&t.session, 1);
        json.u64(session.index as u64);
        json.close_of(&t.session);
    }
    if let Some(server) = &grade.server {
        json.key_of(keys, 13);
        json.str(server);
    }
    if let Some(task) = &grade.task {
        json.key_of(keys, 14);
        json.key_of(&t.task, 0);
        json.str(&task.id);
        if let Some(section) = &task.section {
            json.key_of(&t.task, 1);
            json.str(section);
        }
        json.close_of(&t.task);
    }
    json.close_of(keys);
    Ok(())
}

/// `items` as an array at `depth`, each written by `each` at `depth + 1`.
fn array<W: Write, T>(
    json: &mut JsonWriter<W>,
    depth: usize,
    items: &[T],
    mut each: impl FnMut(&mut JsonWriter<W>, &T) -> io::Result<()>,
) -> io::Result<()> {
    json.raw(b"[");
    for (index, item) in items.iter().enumerate() {
        json.element(depth + 1, index == 0);
        each(json, item)?;
    }
    json.close(depth, !items.is_empty(), b"]");
    Ok(())
}

fn check<W: Write>(json: &mut JsonWriter<W>, t: &Templates, check: &Check) -> io::Result<()> {
    let keys = &t.check;
    json.key_of(keys, 0);
    json.str(&check.id);
    json.key_of(keys, 1);
    json.str(check_kind(check.kind));
    json.key_of(keys, 2);
    json.str(&check.name);
    if let Some(title) = &check.title {
        json.key_of(keys, 3);
        text(json, &t.inner_text, title);
    }
    json.key_of(keys, 4);
    json.str(crate::report::summary::status_id(check.status));
    json.key_of(keys, 5);
    json.u64(check.points.into());
    json.key_of(keys, 6);
    json.u64(check.max_points.into());
    if let Some(rule) = check.rule {
        json.key_of(keys, 7);
        json.str(rule);
    }
    if let Some(feedback) = &check.feedback {
        json.key_of(keys, 8);
        text(json, &t.inner_text, feedback);
    }
    if let Some(found) = &check.evidence {
        json.key_of(keys, 9);
        evidence(json, t, found)?;
    }
    json.close_of(keys);
    Ok(())
}

fn diff_line<W: Write>(json: &mut JsonWriter<W>, t: &Templates, line: &DiffLine) {
    let keys = &t.diff;
    json.key_of(keys, 0);
    json.str(diff_tag(line.tag));
    for (index, value) in [(1, &line.expected), (2, &line.actual), (3, &line.step)] {
        if let Some(value) = value {
            json.key_of(keys, index);
            json.str(value);
        }
    }
    if let Some(origin) = &line.origin {
        json.key_of(keys, 4);
        json.origin(t.depth + 3, origin);
    }
    json.close_of(keys);
}

fn finding<W: Write>(json: &mut JsonWriter<W>, t: &Templates, finding: &Finding) -> io::Result<()> {
    let keys = &t.finding;
    json.key_of(keys, 0);
    json.str(finding.check);
    json.key_of(keys, 1);
    json.str(severity(finding.severity));
    json.key_of(keys, 2);
    text(json, &t.inner_text, &finding.message);
    if let Some(found) = &finding.evidence {
        json.key_of(keys, 3);
        evidence(json, t, found)?;
    }
    json.close_of(keys);
    Ok(())
}

/// Evidence, in a check or a finding.
fn evidence<W: Write>(json: &mut JsonWriter<W>, t: &Templates, found: &Evidence) -> io::Result<()> {
    let keys = &t.evidence;
    json.key_of(keys, 0);
    path(json, t.depth + 4, &found.source)?;
    json.key_of(keys, 1);
    json.origin(t.depth + 4, &found.origin);
    json.key_of(keys, 2);
    json.str(&found.exchange);
    json.close_of(keys);
    Ok(())
}

/// A [`Text`] as its derived `Serialize` writes it: both languages, always.
fn text<W: Write>(json: &mut JsonWriter<W>, keys: &Keys<2>, text: &Text) {
    json.key_of(keys, 0);
    json.str(&text.en);
    json.key_of(keys, 1);
    json.str(&text.zh_cn);
    json.close_of(keys);
}

fn source<W: Write>(json: &mut JsonWriter<W>, keys: &Keys<2>, source: &Source) -> io::Result<()> {
    json.key_of(keys, 0);
    path(json, keys.depth(), &source.path)?;
    if !source.label.is_empty() {
        json.key_of(keys, 1);
        json.str(&source.label);
    }
    json.close_of(keys);
    Ok(())
}

/// A path as serde writes it: its text, or (not UTF-8) serde's error.
fn path<W: Write>(
    json: &mut JsonWriter<W>,
    depth: usize,
    path: &std::path::Path,
) -> io::Result<()> {
    match path.to_str() {
        Some(text) => {
            json.str(text);
            Ok(())
        }
        None => json.value(depth, path),
    }
}

// The names serde's `rename_all` gives each variant (the tests compare them).

fn verdict(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "passed",
        Verdict::Failed => "failed",
        Verdict::Ungradable => "ungradable",
    }
}

fn check_kind(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Step => "step",
        CheckKind::Content => "content",
        CheckKind::Forbidden => "forbidden",
        CheckKind::Order => "order",
        CheckKind::Extra => "extra",
        CheckKind::Tls => "tls",
    }
}

fn severity(severity: FindingSeverity) -> &'static str {
    match severity {
        FindingSeverity::Info => "info",
        FindingSeverity::Warning => "warning",
        FindingSeverity::Error => "error",
    }
}

fn diff_tag(tag: DiffTag) -> &'static str {
    match tag {
        DiffTag::Same => "same",
        DiffTag::Missing => "missing",
        DiffTag::Extra => "extra",
        DiffTag::Changed => "changed",
    }
}

#[cfg(test)]
mod tests {
    //! The grades' derived `Serialize`, as the report was written before: what
    //! [`super::write`] must give byte for byte.

    use super::super::writer::{JsonWriter, Layout};
    use super::*;
    use crate::grade::{SessionRef, Status, TaskRef};
    use crate::session::Origin;

    fn ours(grade: &Grade, layout: Layout) -> String {
        let mut json = JsonWriter::new(Vec::new(), layout);
        super::write(&mut json, 0, grade).expect("written");
        String::from_utf8(json.into_inner().expect("flushed")).expect("UTF-8")
    }

    fn same_as_serde(grade: &Grade) {
        assert_eq!(
            ours(grade, Layout::Pretty),
            serde_json::to_string_pretty(grade).expect("serde_json")
        );
        assert_eq!(
            ours(grade, Layout::Compact),
            serde_json::to_string(grade).expect("serde_json")
        );
    }

    /// Deeper than the indentation copied whole, as inside a document.
    fn same_as_serde_deep(grade: &Grade) {
        for layout in [Layout::Pretty, Layout::Compact] {
            let mut ours = JsonWriter::new(Vec::new(), layout);
            super::write(&mut ours, 30, grade).expect("written");
            let mut serde = JsonWriter::new(Vec::new(), layout);
            serde.value(30, grade).expect("written");
            assert_eq!(
                String::from_utf8(ours.into_inner().expect("flushed")),
                String::from_utf8(serde.into_inner().expect("flushed"))
            );
        }
    }

    /// Every fixture session graded against every built-in scenario (passes, losses,
    /// findings, TLS checks), each submission's grades per scenario (ungradable ones with
    /// their reasons), and each grade again with a server, a task and odd texts.
    #[test]
    fn writes_every_fixture_grade_as_its_derived_serialize() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let scenarios = crate::scenario::builtins();
        let mut seen = 0;
        for folder in ["transcripts", "tls", "conformance"] {
            let submission = crate::pipeline::read::read_submission_unhashed(&root.join(folder));
            let mut grades = crate::grade::grade_submission(&submission.sessions, &scenarios);
            for (index, session) in submission.sessions.iter().enumerate() {
                for scenario in &scenarios {
                    grades.push(crate::grade::grade(session, index, scenario));
                }
            }
            for (index, grade) in grades.iter().enumerate() {
                same_as_serde(grade);
                let mut changed = grade.clone();
                changed.server = Some("external \"mx\"\n".into());
                changed.task = Some(TaskRef {
                    id: "task-1".into(),
                    section: (index % 2 == 0).then(|| "## Task 1 \\ SMTP".into()),
                });
                changed.reason = Some(Text::new("why\t", ""));
                changed.title = Text::new("", "标题 \u{1}");
                if let Some(session) = &mut changed.session {
                    session.source.label = "tcp 10.0.0.1:1 → 10.0.0.2:25".into();
                }
                same_as_serde(&changed);
                same_as_serde_deep(&changed);
                seen += 1;
            }
        }
        assert!(seen > 100, "only {seen} grades made");
    }

    /// Every variant of the enums a grade names, and every optional field.
    #[test]
    fn writes_every_variant_and_optional_field_as_its_derived_serialize() {
        let statuses = [
            Status::Passed,
            Status::WrongReply,
            Status::WrongArguments,
            Status::Missing,
            Status::OutOfOrder,
            Status::Skipped,
            Status::Failed,
            Status::NotChecked,
            Status::Unexpected,
        ];
        let kinds = [
            CheckKind::Step,
            CheckKind::Content,
            CheckKind::Forbidden,
            CheckKind::Order,
            CheckKind::Extra,
            CheckKind::Tls,
        ];
        let tags = [
            DiffTag::Same,
            DiffTag::Missing,
            DiffTag::Extra,
            DiffTag::Changed,
        ];
        let severities = [
            FindingSeverity::Info,
            FindingSeverity::Warning,
            FindingSeverity::Error,
        ];
        let origins = [
            Origin::line(3),
            Origin::frame(5, -1),
            Origin::Replay { index: 2 },
            Origin::Synthetic,
        ];
        let evidence = |index: usize| Evidence {
            source: "a/b \"c\".pcap".into(),
            origin: origins[index % origins.len()],
            exchange: "RCPT → 503".into(),
        };
        let checks: Vec<Check> = statuses
            .iter()
            .enumerate()
            .map(|(index, &status)| Check {
                id: format!("step-{index}").into(),
                kind: kinds[index % kinds.len()],
                name: "EHLO|HELO → 250".into(),
                title: (index % 2 == 0).then(|| Text::new("a title", "")),
                status,
                points: index as u32,
                max_points: u32::MAX,
                rule: (index % 3 == 0).then_some("smtp-rule"),
                feedback: (index % 3 == 1).then(|| Text::from("feedback\n")),
                evidence: (index % 4 != 3).then(|| evidence(index)),
            })
            .collect();
        let skeleton_diff: Vec<DiffLine> = (0..8)
            .map(|index| DiffLine {
                tag: tags[index % tags.len()],
                expected: (index % 2 == 0).then(|| "EHLO → 250".into()),
                actual: (index % 3 == 0).then(|| "HELO → 5\"0".into()),
                step: (index % 4 != 0).then(|| "hello".into()),
                origin: (index % 5 != 0).then(|| origins[index % origins.len()]),
            })
            .collect();
        let findings: Vec<Finding> = severities
            .iter()
            .enumerate()
            .map(|(index, &severity)| Finding {
                check: "auth-base64",
                severity,
                message: Text::new("m", "消息"),
                evidence: (index != 1).then(|| evidence(index)),
            })
            .collect();
        for verdict in [Verdict::Passed, Verdict::Failed, Verdict::Ungradable] {
            let grade = Grade {
                scenario: "smtp-x".into(),
                title: Text::new("T", "题"),
                protocol: crate::session::Protocol::Pop3,
                score: 0,
                max_score: 100,
                pass_mark: 60,
                passed: verdict == Verdict::Passed,
                verdict,
                reason: None,
                checks: Vec::new(),
                skeleton_diff: Vec::new(),
                findings: Vec::new(),
                session: None,
                server: None,
                task: None,
            };
            same_as_serde(&grade);
            same_as_serde_deep(&grade);
            let full = Grade {
                checks: checks.clone(),
                skeleton_diff: skeleton_diff.clone(),
                findings: findings.clone(),
                session: Some(SessionRef {
                    source: Source {
                        path: "x.pcap".into(),
                        label: String::new(),
                    },
                    index: usize::MAX,
                }),
                task: Some(TaskRef {
                    id: "t".into(),
                    section: None,
                }),
                ..grade
            };
            same_as_serde(&full);
            same_as_serde_deep(&full);
        }
    }
}
