//! The rule that makes a submission's grade, and the steps before it on real files.

use super::*;

/// Each case: the grades as (scenario, score, verdict), then which grade counts for each
/// scenario, the submission's verdict and its score of a maximum of 100 per scenario.
#[test]
fn the_rule() {
    use Verdict::{Failed, Passed, Ungradable};
    type Case = (
        &'static str,
        Vec<(&'static str, u32, Verdict)>,
        Vec<usize>,
        Verdict,
        u32,
    );
    let cases: Vec<Case> = vec![
        (
            // A strict scenario fails a session for an extra command whatever its points.
            "a passing session counts over a failed one with more points",
            vec![
                ("send", 95, Failed),
                ("send", 70, Passed),
                ("read", 80, Passed),
            ],
            vec![1, 2],
            Passed,
            150,
        ),
        (
            "the highest score counts, the first on a tie",
            vec![
                ("send", 40, Failed),
                ("send", 55, Failed),
                ("send", 55, Failed),
            ],
            vec![1],
            Failed,
            55,
        ),
        (
            "every scenario must pass, one no session fits too",
            vec![("send", 100, Passed), ("read", 0, Ungradable)],
            vec![0, 1],
            Failed,
            100,
        ),
        (
            "gradable over ungradable",
            vec![("read", 0, Ungradable), ("read", 60, Passed)],
            vec![1],
            Passed,
            60,
        ),
        (
            "nothing gradable: no score, not a zero",
            vec![("send", 0, Ungradable)],
            vec![0],
            Ungradable,
            0,
        ),
        ("no grades at all", vec![], vec![], Ungradable, 0),
    ];
    for (name, grades, counted, verdict, score) in cases {
        let max_score = 100 * counted.len() as u32;
        let grade =
            SubmissionGrade::decide(grades.into_iter().map(|(scenario, score, verdict)| {
                GradeFacts {
                    scenario: scenario.into(),
                    score,
                    max_score: 100,
                    verdict,
                    task: None,
                }
            }));
        let got: Vec<usize> = grade.scenarios.iter().map(|s| s.counted).collect();
        assert_eq!(got, counted, "{name}");
        assert_eq!(grade.verdict, verdict, "{name}");
        assert_eq!((grade.score, grade.max_score), (score, max_score), "{name}");
        assert_eq!(grade.passed(), verdict == Passed, "{name}");
        assert_eq!(grade.gradable(), verdict != Ungradable, "{name}");
    }
    assert_eq!(SubmissionGrade::default(), SubmissionGrade::decide([]));
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
        lab: None,
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
    assert_eq!(
        grade,
        &SubmissionGrade::for_plan(&submission.grades, &plan, false)
    );
    assert_eq!(grade.basis.kind, BasisKind::Scenarios);
    assert_eq!(grade.basis.total, grade.max_score);
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
            .en
            .contains("no scenario is about the SMTP session(s) found"),
        "{:?}",
        submission.problems
    );
    assert_eq!(
        SubmissionGrade::of(&submission.grades).verdict,
        Verdict::Ungradable
    );
}

#[test]
fn a_submission_whose_grading_broke_is_ungradable_out_of_the_labs_total() {
    let lab = crate::scenario::lab::builtin("email-lab").expect("the shipped lab");
    let with_lab = Plan {
        lab: Some(std::sync::Arc::new(lab)),
        ..plan(&[])
    };
    let broken = crate::pipeline::batch::broken("s1".into(), &with_lab);
    assert_eq!(broken.grade.verdict, Verdict::Ungradable);
    assert_eq!((broken.grade.score, broken.grade.max_score), (0, 100));
    assert_eq!(broken.grade.basis.kind, BasisKind::Lab);
    assert_eq!(broken.grade.tasks.len(), 5);
    assert!(broken
        .grade
        .tasks
        .iter()
        .all(|t| t.status == crate::pipeline::TaskStatus::Ungradable));
    assert!(broken.problems[0]
        .message
        .en
        .contains("failed unexpectedly"));
    // Without a lab it stays the ungradable grade of nothing.
    let broken = crate::pipeline::batch::broken("s1".into(), &plan(&[]));
    assert_eq!(broken.grade, SubmissionGrade::default());
}
