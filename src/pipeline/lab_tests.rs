//! The rule that makes a submission's grade out of a lab's total, and sessions given to tasks.

use super::*;
use crate::scenario::lab::TaskRule;

fn rule() -> LabRule {
    let task = |id: &str, points, required| TaskRule {
        id: id.into(),
        title: Text::new(id, id),
        points,
        required,
    };
    LabRule {
        id: "lab".into(),
        total: 100,
        pass_mark: 60,
        tasks: vec![
            task("send", 50, true),
            task("read", 30, true),
            task("extra", 20, false),
        ],
        late: None,
    }
}

fn fact(task: &str, scenario: &str, score: u32, max_score: u32, verdict: Verdict) -> GradeFacts {
    GradeFacts {
        scenario: scenario.into(),
        score,
        max_score,
        verdict,
        task: Some(TaskRef {
            id: task.into(),
            section: None,
        }),
    }
}

/// Each case: the grades, then each task's (score, status), the submission's verdict.
#[test]
fn the_rule_with_a_lab() {
    use TaskStatus::{Failed as TFailed, Missing, Passed as TPassed, Ungradable as TUngradable};
    use Verdict::{Failed, Passed, Ungradable};
    type Case = (
        &'static str,
        Vec<GradeFacts>,
        [(u32, TaskStatus); 3],
        Verdict,
    );
    let cases: Vec<Case> = vec![
        (
            "every task full: the lab's total",
            vec![
                fact("send", "a", 110, 110, Passed),
                fact("read", "b", 90, 90, Passed),
                fact("extra", "c", 40, 40, Passed),
            ],
            [(50, TPassed), (30, TPassed), (20, TPassed)],
            Passed,
        ),
        (
            "a task without evidence is missing and scores 0; an optional one may be",
            vec![
                fact("send", "a", 110, 110, Passed),
                fact("read", "b", 90, 90, Passed),
            ],
            [(50, TPassed), (30, TPassed), (0, Missing)],
            Passed,
        ),
        (
            "a required task missing fails whatever the score",
            vec![
                fact("send", "a", 110, 110, Passed),
                fact("extra", "c", 40, 40, Passed),
            ],
            [(50, TPassed), (0, Missing), (20, TPassed)],
            Failed,
        ),
        (
            "evidence that cannot be graded is ungradable, not missing",
            vec![
                fact("send", "a", 110, 110, Passed),
                fact("read", "b", 0, 90, Ungradable),
                fact("extra", "c", 40, 40, Passed),
            ],
            [(50, TPassed), (0, TUngradable), (20, TPassed)],
            Failed,
        ),
        (
            "an exploratory failed session does not cost a passing one its task",
            vec![
                fact("send", "a", 30, 110, Failed),
                fact("send", "a", 110, 110, Passed),
                fact("read", "b", 45, 90, Failed),
            ],
            [(50, TPassed), (15, TFailed), (0, Missing)],
            Passed,
        ),
        (
            "alternatives of different totals compare by share of the task",
            vec![
                fact("send", "a", 60, 110, Failed),
                fact("send", "z", 30, 40, Failed),
                fact("read", "b", 90, 90, Passed),
            ],
            [(38, TFailed), (30, TPassed), (0, Missing)],
            Passed,
        ),
        (
            "nothing at all: ungradable",
            vec![],
            [(0, Missing), (0, Missing), (0, Missing)],
            Ungradable,
        ),
    ];
    for (name, grades, tasks, verdict) in cases {
        let grade = SubmissionGrade::decide_lab(&rule(), grades, false);
        let got: Vec<(u32, TaskStatus)> = grade.tasks.iter().map(|t| (t.score, t.status)).collect();
        assert_eq!(got, tasks, "{name}");
        assert_eq!(grade.verdict, verdict, "{name}");
        assert_eq!(grade.max_score, 100, "{name}");
        assert_eq!(
            grade.score,
            tasks.iter().map(|t| t.0).sum::<u32>(),
            "{name}"
        );
        assert!(grade.tasks.iter().all(|t| t.score <= t.points), "{name}");
        assert_eq!(grade.basis.kind, BasisKind::Lab, "{name}");
    }
}

#[test]
fn a_share_of_points_is_never_above_them() {
    assert_eq!(scaled(110, 110, 30), 30);
    assert_eq!(scaled(55, 110, 30), 15);
    assert_eq!(scaled(1, 3, 10), 3);
    assert_eq!(scaled(2, 3, 10), 7);
    assert_eq!(scaled(500, 100, 30), 30);
    assert_eq!(scaled(0, 0, 30), 0);
    assert_eq!(scaled(u32::MAX, u32::MAX, u32::MAX), u32::MAX);
}

#[test]
fn a_late_policy_takes_its_share_then_its_cap_before_the_pass_mark() {
    use crate::scenario::lab::LatePolicy;
    let graded = || {
        vec![
            fact("send", "s", 50, 50, Verdict::Passed),
            fact("read", "r", 17, 30, Verdict::Failed),
        ]
    };
    let with = |deduct_percent, cap| LabRule {
        late: Some(LatePolicy {
            deduct_percent,
            cap,
        }),
        ..rule()
    };
    // On time: the policy does nothing.
    let on_time = SubmissionGrade::decide_lab(&with(10, None), graded(), false);
    assert_eq!((on_time.score, on_time.late.is_none()), (67, true));
    assert_eq!(on_time.verdict, Verdict::Passed);
    // 10 % of 67 is 6.7: 7 points off, and 60 is still the pass mark.
    let late = SubmissionGrade::decide_lab(&with(10, None), graded(), true);
    let deduction = late.late.as_ref().expect("a deduction");
    assert_eq!(
        (late.score, deduction.before, deduction.points),
        (60, 67, 7)
    );
    assert_eq!(late.verdict, Verdict::Passed);
    assert_eq!(
        deduction.reason,
        Text::new(
            "late: −7 points (10 % off a submission the LMS marked late)",
            "迟交：扣 7 分（LMS 标记为迟交的提交扣 10%）"
        )
    );
    // 20 %: 13.4 off, 54 left: below the pass mark.
    let later = SubmissionGrade::decide_lab(&with(20, None), graded(), true);
    assert_eq!((later.score, later.verdict), (54, Verdict::Failed));
    // A cap alone; a share and then a cap.
    let capped = SubmissionGrade::decide_lab(&with(0, Some(50)), graded(), true);
    assert_eq!((capped.score, capped.late.expect("late").points), (50, 17));
    let both = SubmissionGrade::decide_lab(&with(10, Some(55)), graded(), true);
    assert_eq!(both.score, 55);
    assert!(both
        .late
        .expect("late")
        .reason
        .en
        .contains("at most 55 points"));
    // Halves round in the student's favour: 10 % of 5 is 0.5, nothing off.
    assert_eq!(
        LatePolicy {
            deduct_percent: 10,
            cap: None
        }
        .apply(5),
        5
    );
    assert_eq!(
        LatePolicy {
            deduct_percent: 100,
            cap: None
        }
        .apply(67),
        0
    );
}
