//! A [`Grade`] as the JSON report shows it, written field by field into the [`JsonWriter`]:
//! the bytes of its derived `Serialize` (the tests compare the two on every fixture grade),
//! without serde's calls per field and per origin. A capture's grades are as much of its
//! report as its sessions.

use std::io::{self, Write};

use super::writer::JsonWriter;
use crate::grade::{
    Check, CheckKind, DiffLine, DiffTag, Evidence, Finding, FindingSeverity, Grade, Status, Verdict,
};
use crate::i18n::Text;
use crate::session::Source;

/// `grade` as a value at `depth`, in its fields' order.
pub fn write<W: Write>(json: &mut JsonWriter<W>, depth: usize, grade: &Grade) -> io::Result<()> {
    let inner = depth + 1;
    json.raw(b"{");
    json.plain_key(inner, true, "scenario");
    json.str(&grade.scenario);
    json.plain_key(inner, false, "title");
    text(json, inner, &grade.title);
    json.plain_key(inner, false, "protocol");
    json.str(grade.protocol.name());
    json.plain_key(inner, false, "score");
    json.u64(grade.score.into());
    json.plain_key(inner, false, "max_score");
    json.u64(grade.max_score.into());
    json.plain_key(inner, false, "pass_mark");
    json.u64(grade.pass_mark.into());
    json.plain_key(inner, false, "passed");
    json.bool(grade.passed);
    json.plain_key(inner, false, "verdict");
    json.str(verdict(grade.verdict));
    if let Some(reason) = &grade.reason {
        json.plain_key(inner, false, "reason");
        text(json, inner, reason);
    }
    json.plain_key(inner, false, "checks");
    array(json, inner, &grade.checks, check)?;
    json.plain_key(inner, false, "skeleton_diff");
    array(json, inner, &grade.skeleton_diff, |json, depth, line| {
        diff_line(json, depth, line);
        Ok(())
    })?;
    json.plain_key(inner, false, "findings");
    array(json, inner, &grade.findings, finding)?;
    if let Some(session) = &grade.session {
        json.plain_key(inner, false, "session");
        json.raw(b"{");
        json.plain_key(inner + 1, true, "source");
        source(json, inner + 1, &session.source)?;
        json.plain_key(inner + 1, false, "index");
        json.u64(session.index as u64);
        json.close(inner, true, b"}");
    }
    if let Some(server) = &grade.server {
        json.plain_key(inner, false, "server");
        json.str(server);
    }
    if let Some(task) = &grade.task {
        json.plain_key(inner, false, "task");
        json.raw(b"{");
        json.plain_key(inner + 1, true, "id");
        json.str(&task.id);
        if let Some(section) = &task.section {
            json.plain_key(inner + 1, false, "section");
            json.str(section);
        }
        json.close(inner, true, b"}");
    }
    json.close(depth, true, b"}");
    Ok(())
}

/// `items` as an array at `depth`, each written by `each` at `depth + 1`.
fn array<W: Write, T>(
    json: &mut JsonWriter<W>,
    depth: usize,
    items: &[T],
    mut each: impl FnMut(&mut JsonWriter<W>, usize, &T) -> io::Result<()>,
) -> io::Result<()> {
    json.raw(b"[");
    for (index, item) in items.iter().enumerate() {
        json.element(depth + 1, index == 0);
        each(json, depth + 1, item)?;
    }
    json.close(depth, !items.is_empty(), b"]");
    Ok(())
}

fn check<W: Write>(json: &mut JsonWriter<W>, depth: usize, check: &Check) -> io::Result<()> {
    let inner = depth + 1;
    json.raw(b"{");
    json.plain_key(inner, true, "id");
    json.str(&check.id);
    json.plain_key(inner, false, "kind");
    json.str(check_kind(check.kind));
    json.plain_key(inner, false, "name");
    json.str(&check.name);
    if let Some(title) = &check.title {
        json.plain_key(inner, false, "title");
        text(json, inner, title);
    }
    json.plain_key(inner, false, "status");
    json.str(status(check.status));
    json.plain_key(inner, false, "points");
    json.u64(check.points.into());
    json.plain_key(inner, false, "max_points");
    json.u64(check.max_points.into());
    if let Some(rule) = check.rule {
        json.plain_key(inner, false, "rule");
        json.str(rule);
    }
    if let Some(feedback) = &check.feedback {
        json.plain_key(inner, false, "feedback");
        text(json, inner, feedback);
    }
    if let Some(found) = &check.evidence {
        json.plain_key(inner, false, "evidence");
        evidence(json, inner, found)?;
    }
    json.close(depth, true, b"}");
    Ok(())
}

fn diff_line<W: Write>(json: &mut JsonWriter<W>, depth: usize, line: &DiffLine) {
    let inner = depth + 1;
    json.raw(b"{");
    json.plain_key(inner, true, "tag");
    json.str(diff_tag(line.tag));
    for (name, value) in [
        ("expected", &line.expected),
        ("actual", &line.actual),
        ("step", &line.step),
    ] {
        if let Some(value) = value {
            json.plain_key(inner, false, name);
            json.str(value);
        }
    }
    if let Some(origin) = &line.origin {
        json.plain_key(inner, false, "origin");
        json.origin(inner, origin);
    }
    json.close(depth, true, b"}");
}

fn finding<W: Write>(json: &mut JsonWriter<W>, depth: usize, finding: &Finding) -> io::Result<()> {
    let inner = depth + 1;
    json.raw(b"{");
    json.plain_key(inner, true, "check");
    json.str(finding.check);
    json.plain_key(inner, false, "severity");
    json.str(severity(finding.severity));
    json.plain_key(inner, false, "message");
    text(json, inner, &finding.message);
    if let Some(found) = &finding.evidence {
        json.plain_key(inner, false, "evidence");
        evidence(json, inner, found)?;
    }
    json.close(depth, true, b"}");
    Ok(())
}

fn evidence<W: Write>(json: &mut JsonWriter<W>, depth: usize, found: &Evidence) -> io::Result<()> {
    let inner = depth + 1;
    json.raw(b"{");
    json.plain_key(inner, true, "source");
    path(json, inner, &found.source)?;
    json.plain_key(inner, false, "origin");
    json.origin(inner, &found.origin);
    json.plain_key(inner, false, "exchange");
    json.str(&found.exchange);
    json.close(depth, true, b"}");
    Ok(())
}

/// A [`Text`] as its derived `Serialize` writes it: both languages, always.
fn text<W: Write>(json: &mut JsonWriter<W>, depth: usize, text: &Text) {
    json.raw(b"{");
    json.plain_key(depth + 1, true, "en");
    json.str(&text.en);
    json.plain_key(depth + 1, false, "zh-CN");
    json.str(&text.zh_cn);
    json.close(depth, true, b"}");
}

fn source<W: Write>(json: &mut JsonWriter<W>, depth: usize, source: &Source) -> io::Result<()> {
    json.raw(b"{");
    json.plain_key(depth + 1, true, "path");
    path(json, depth + 1, &source.path)?;
    if !source.label.is_empty() {
        json.plain_key(depth + 1, false, "label");
        json.str(&source.label);
    }
    json.close(depth, true, b"}");
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

fn status(status: Status) -> &'static str {
    match status {
        Status::Passed => "passed",
        Status::WrongReply => "wrong-reply",
        Status::WrongArguments => "wrong-arguments",
        Status::Missing => "missing",
        Status::OutOfOrder => "out-of-order",
        Status::Skipped => "skipped",
        Status::Failed => "failed",
        Status::NotChecked => "not-checked",
        Status::Unexpected => "unexpected",
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
    use crate::grade::{SessionRef, TaskRef};
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
                id: format!("step-{index}"),
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
