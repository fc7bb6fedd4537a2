//! The rule that makes a submission's grade, and the steps before it on real files.

use super::*;

fn facts(scenario: &str, score: u32, verdict: Verdict) -> GradeFacts {
    GradeFacts {
        scenario: scenario.into(),
        score,
        max_score: 100,
        verdict,
    }
}

#[test]
fn a_passing_session_counts_over_a_failed_one_with_more_points() {
    // A strict scenario fails a session for an extra command whatever its points.
    let grade = SubmissionGrade::decide([
        facts("send", 95, Verdict::Failed),
        facts("send", 70, Verdict::Passed),
        facts("read", 80, Verdict::Passed),
    ]);
    assert_eq!(grade.verdict, Verdict::Passed);
    assert_eq!(
        grade
            .scenarios
            .iter()
            .map(|s| (s.scenario.as_str(), s.counted))
            .collect::<Vec<_>>(),
        [("send", 1), ("read", 2)]
    );
    assert_eq!((grade.score, grade.max_score), (150, 200));
}

#[test]
fn the_highest_score_counts_and_the_first_on_a_tie() {
    let grade = SubmissionGrade::decide([
        facts("send", 40, Verdict::Failed),
        facts("send", 55, Verdict::Failed),
        facts("send", 55, Verdict::Failed),
    ]);
    assert_eq!(grade.scenarios[0].counted, 1);
    assert_eq!(grade.verdict, Verdict::Failed);
    assert_eq!(grade.score, 55);
}

#[test]
fn every_scenario_must_pass() {
    let grade = SubmissionGrade::decide([
        facts("send", 100, Verdict::Passed),
        facts("read", 0, Verdict::Ungradable),
    ]);
    assert_eq!(grade.verdict, Verdict::Failed, "a scenario no session fits");
    assert_eq!((grade.score, grade.max_score), (100, 200));
    let grade = SubmissionGrade::decide([
        facts("read", 0, Verdict::Ungradable),
        facts("read", 60, Verdict::Passed),
    ]);
    assert_eq!(grade.verdict, Verdict::Passed);
    assert_eq!(grade.scenarios[0].counted, 1, "gradable over ungradable");
}

#[test]
fn nothing_gradable_is_no_score_not_a_zero() {
    assert_eq!(SubmissionGrade::default().verdict, Verdict::Ungradable);
    assert!(SubmissionGrade::default().scenarios.is_empty());
    let grade = SubmissionGrade::decide([facts("send", 0, Verdict::Ungradable)]);
    assert!(!grade.gradable());
    assert!(!grade.passed());
}

fn plan(scenarios: &[&str]) -> Plan {
    Plan {
        scenarios: if scenarios.is_empty() {
            crate::scenario::builtins()
        } else {
            scenarios
                .iter()
                .map(|id| crate::scenario::builtin(id).expect("built-in"))
                .collect()
        },
        explicit: !scenarios.is_empty(),
        server: ServerChoice::None,
    }
}

#[tokio::test]
async fn one_submission_through_every_step() {
    let plan = std::sync::Arc::new(plan(&["smtp-telnet-auth-send", "pop3-retrieve"]));
    let unit = Unit::Paths(vec!["examples/telnet-auth-login.txt".into()]);
    let submission = grade_submission(unit, &plan).await.expect("graded");
    // The SMTP session passes; no session fits the POP3 scenario, so it is ungradable and
    // the submission is below the pass mark, with the SMTP grade's points.
    assert_eq!(submission.grades.len(), 2);
    let grade = &submission.grade;
    assert_eq!(grade, &SubmissionGrade::of(&submission.grades));
    assert_eq!(grade.verdict, Verdict::Failed);
    assert_eq!(grade.scenarios.len(), 2);
    assert_eq!(grade.score, submission.grades[0].score);
    assert!(grade.score > 0);
}

#[test]
fn a_session_no_scenario_is_about_is_a_problem() {
    let plan = plan(&["pop3-retrieve"]);
    let plan = Plan {
        explicit: false,
        ..plan
    };
    let submission = read_and_grade(
        Unit::Paths(vec!["examples/telnet-auth-login.txt".into()]),
        &plan,
    );
    assert!(submission.grades.is_empty());
    assert!(
        submission.problems[0]
            .message
            .contains("no scenario is about the SMTP session(s) found"),
        "{:?}",
        submission.problems
    );
    assert_eq!(
        SubmissionGrade::of(&submission.grades).verdict,
        Verdict::Ungradable
    );
}
