//! JUnit XML for CI test views (GitLab, Jenkins, GitHub test reporters): one `<testsuite>`
//! per submission and scenario, one `<testcase>` per check (its `classname`
//! `<student>.<scenario>`, so a class's cases stay apart), the graded dialogue (secrets
//! redacted) in `<system-out>`. Messages and POP3 bodies appear there by size only: CI logs
//! are kept and shared, and what a student's mail said is not theirs to keep.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::summary;
use super::transcript::{self, Bodies};
use super::{escape, Outcome, SubmissionOutcome};
use crate::grade::{Grade, Status, Verdict};
use crate::i18n::messages::report::ReportWord;
use crate::i18n::Lang;

type Xml = Writer<Vec<u8>>;

/// The whole outcome as a JUnit XML document, messages in `lang`.
pub fn render(outcome: &Outcome, lang: Lang) -> String {
    let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
    emit(
        &mut xml,
        Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)),
    );
    let (tests, failures, errors) = outcome
        .submissions
        .iter()
        .map(counts_of_submission)
        .fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    let mut root = BytesStart::new("testsuites");
    push(&mut root, "name", "mailgrade");
    push(&mut root, "tests", &tests.to_string());
    push(&mut root, "failures", &failures.to_string());
    push(&mut root, "errors", &errors.to_string());
    emit(&mut xml, Event::Start(root));
    for submission in &outcome.submissions {
        write_submission(&mut xml, submission, lang);
    }
    emit(&mut xml, Event::End(BytesEnd::new("testsuites")));
    let mut text = String::from_utf8(xml.into_inner()).expect("the writer only writes UTF-8");
    text.push('\n');
    text
}

/// Writing into memory cannot fail.
fn emit(xml: &mut Xml, event: Event<'_>) {
    xml.write_event(event)
        .expect("writing to memory cannot fail");
}

/// Adds an attribute; the writer escapes it, controls XML forbids are replaced first.
fn push(start: &mut BytesStart<'_>, name: &str, value: &str) {
    start.push_attribute((name, escape::xml_chars(value).as_str()));
}

fn text(xml: &mut Xml, value: &str) {
    let value = escape::xml_chars(value);
    emit(xml, Event::Text(BytesText::new(&value)));
}

/// (tests, failures, errors) of one grade; an attempt that another one superseded (not the
/// grade that counts for its scenario or task) fails nothing: its cases are skipped.
fn counts(grade: &Grade, superseded: bool) -> (usize, usize, usize) {
    if superseded {
        return (grade.checks.len().max(1), 0, 0);
    }
    if grade.verdict == Verdict::Ungradable {
        return (1, 0, 1);
    }
    let failures = grade.checks.iter().filter(|c| !c.status.is_ok()).count();
    (grade.checks.len(), failures, 0)
}

fn counts_of_submission(submission: &SubmissionOutcome) -> (usize, usize, usize) {
    let problems = submission.problems.len();
    submission
        .grades
        .iter()
        .enumerate()
        .map(|(index, grade)| counts(grade, superseded(submission, index)))
        .fold((problems, 0, problems), |a, b| {
            (a.0 + b.0, a.1 + b.1, a.2 + b.2)
        })
}

fn write_submission(xml: &mut Xml, submission: &SubmissionOutcome, lang: Lang) {
    if !submission.problems.is_empty() {
        let mut suite = BytesStart::new("testsuite");
        push(&mut suite, "name", &format!("{} / input", submission.id));
        let count = submission.problems.len().to_string();
        push(&mut suite, "tests", &count);
        push(&mut suite, "failures", "0");
        push(&mut suite, "errors", &count);
        emit(xml, Event::Start(suite));
        for problem in &submission.problems {
            let mut case = BytesStart::new("testcase");
            push(&mut case, "name", &problem.file.display().to_string());
            push(&mut case, "classname", &submission.id);
            emit(xml, Event::Start(case));
            let mut error = BytesStart::new("error");
            push(&mut error, "message", &summary::problem_line(problem, lang));
            push(&mut error, "type", "input");
            match &problem.hint {
                Some(hint) => {
                    emit(xml, Event::Start(error));
                    text(xml, hint.get(lang));
                    emit(xml, Event::End(BytesEnd::new("error")));
                }
                None => emit(xml, Event::Empty(error)),
            }
            emit(xml, Event::End(BytesEnd::new("testcase")));
        }
        emit(xml, Event::End(BytesEnd::new("testsuite")));
    }
    for (index, grade) in submission.grades.iter().enumerate() {
        write_grade(xml, submission, grade, superseded(submission, index), lang);
    }
}

/// Whether the grade at `index` is an attempt another grade superseded: the submission has
/// a grade that counts for its scenario (or lab task), and it is not this one.
fn superseded(submission: &SubmissionOutcome, index: usize) -> bool {
    let counted = &submission.grade.scenarios;
    let grade = &submission.grades[index];
    let rival = |s: &crate::pipeline::ScenarioGrade| match &grade.task {
        Some(task) => {
            submission
                .grades
                .get(s.counted)
                .and_then(|g| g.task.as_ref())
                .map(|t| &t.id)
                == Some(&task.id)
        }
        None => s.scenario == grade.scenario,
    };
    !counted.iter().any(|s| s.counted == index) && counted.iter().any(rival)
}

fn write_grade(
    xml: &mut Xml,
    submission: &SubmissionOutcome,
    grade: &Grade,
    superseded: bool,
    lang: Lang,
) {
    let (tests, failures, errors) = counts(grade, superseded);
    let skipped = if superseded {
        tests
    } else {
        grade
            .checks
            .iter()
            .filter(|c| matches!(c.status, Status::Skipped | Status::NotChecked))
            .count()
    };
    let classname = format!("{}.{}", submission.id, grade.scenario);
    let session = grade
        .session
        .as_ref()
        .and_then(|s| submission.graded_session(s.index));
    let mut suite = BytesStart::new("testsuite");
    push(
        &mut suite,
        "name",
        &format!("{} / {}", submission.id, grade.scenario),
    );
    push(&mut suite, "tests", &tests.to_string());
    push(&mut suite, "failures", &failures.to_string());
    push(&mut suite, "errors", &errors.to_string());
    push(&mut suite, "skipped", &skipped.to_string());
    emit(xml, Event::Start(suite));

    emit(xml, Event::Start(BytesStart::new("properties")));
    let mut properties = vec![
        ("scenario", grade.scenario.clone()),
        ("title", grade.title.get(lang).to_string()),
        ("score", grade.score.to_string()),
        ("max_score", grade.max_score.to_string()),
        ("pass_mark", grade.pass_mark.to_string()),
        (
            "verdict",
            summary::grade_verdict_word(grade, Lang::En).to_string(),
        ),
    ];
    if let Some(session) = session {
        properties.push(("session", session.source.to_string()));
    }
    for (name, value) in properties {
        let mut property = BytesStart::new("property");
        push(&mut property, "name", name);
        push(&mut property, "value", &value);
        emit(xml, Event::Empty(property));
    }
    emit(xml, Event::End(BytesEnd::new("properties")));

    if superseded {
        let word = ReportWord::Superseded.get(lang);
        let cases: Vec<&str> = if grade.checks.is_empty() {
            vec![grade.title.get(lang)]
        } else {
            grade.checks.iter().map(|c| c.name_in(lang)).collect()
        };
        for name in cases {
            let mut case = BytesStart::new("testcase");
            push(&mut case, "name", name);
            push(&mut case, "classname", &classname);
            emit(xml, Event::Start(case));
            let mut skipped = BytesStart::new("skipped");
            push(&mut skipped, "message", word);
            emit(xml, Event::Empty(skipped));
            emit(xml, Event::End(BytesEnd::new("testcase")));
        }
    } else if grade.verdict == Verdict::Ungradable {
        let mut case = BytesStart::new("testcase");
        push(&mut case, "name", grade.title.get(lang));
        push(&mut case, "classname", &classname);
        emit(xml, Event::Start(case));
        let mut error = BytesStart::new("error");
        push(
            &mut error,
            "message",
            &summary::ungradable_reason(grade, lang),
        );
        push(&mut error, "type", "ungradable");
        emit(xml, Event::Empty(error));
        emit(xml, Event::End(BytesEnd::new("testcase")));
    }
    for check in grade.checks.iter().filter(|_| !superseded) {
        let mut case = BytesStart::new("testcase");
        push(&mut case, "name", check.name_in(lang));
        push(&mut case, "classname", &classname);
        let status = check.status;
        if status == Status::Passed {
            emit(xml, Event::Empty(case));
            continue;
        }
        emit(xml, Event::Start(case));
        if status.is_ok() {
            let mut skipped = BytesStart::new("skipped");
            push(&mut skipped, "message", summary::status_word(status, lang));
            emit(xml, Event::Empty(skipped));
        } else {
            let mut failure = BytesStart::new("failure");
            push(
                &mut failure,
                "message",
                &summary::check_message(check, lang),
            );
            push(&mut failure, "type", summary::status_id(status));
            emit(xml, Event::Start(failure));
            let mut body = format!(
                "{} ({}/{})",
                summary::status_word(status, lang),
                check.points,
                check.max_points
            );
            if let Some(evidence) = &check.evidence {
                body.push_str(&format!(
                    "\n--> {}",
                    summary::evidence_place_in(evidence, lang)
                ));
            }
            text(xml, &body);
            emit(xml, Event::End(BytesEnd::new("failure")));
        }
        emit(xml, Event::End(BytesEnd::new("testcase")));
    }
    if let Some(session) = session {
        emit(xml, Event::Start(BytesStart::new("system-out")));
        text(xml, &transcript::render_with(session, Bodies::Sizes));
        emit(xml, Event::End(BytesEnd::new("system-out")));
    }
    if !grade.findings.is_empty() {
        let lines: Vec<String> = grade
            .findings
            .iter()
            .map(|f| {
                let label = summary::severity_word(f.severity, lang);
                format!("{label}: {}", f.message.get(lang))
            })
            .collect();
        emit(xml, Event::Start(BytesStart::new("system-err")));
        text(xml, &lines.join("\n"));
        emit(xml, Event::End(BytesEnd::new("system-err")));
    }
    emit(xml, Event::End(BytesEnd::new("testsuite")));
}
