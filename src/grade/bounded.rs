//! A budget of findings per grade: a check that fires on every exchange of a long session
//! (20,000 edited replies) names the first few and counts the rest, so every report stays
//! readable and its size follows the session's, not findings × formats × sessions.

use std::collections::HashMap;

use super::model::{Finding, FindingSeverity};
use crate::i18n::messages::grade::GradeMessage;

/// Findings of one check kept in one grade; the rest are counted in one more.
pub const MAX_FINDINGS_PER_CHECK: usize = 20;

/// Keeps the first [`MAX_FINDINGS_PER_CHECK`] findings of each check, in order, and adds one
/// finding per check that had more, saying how many were left out.
pub fn bound_findings(findings: Vec<Finding>) -> Vec<Finding> {
    // No check can be over its budget: kept as they are (most grades have a few findings).
    if findings.len() <= MAX_FINDINGS_PER_CHECK {
        return findings;
    }
    let mut kept: HashMap<&'static str, usize> = HashMap::new();
    // Per check, in order of first appearance: how many were left out, the worst of them.
    let mut dropped: Vec<(&'static str, usize, FindingSeverity)> = Vec::new();
    let mut out = Vec::with_capacity(findings.len().min(64));
    for finding in findings {
        let count = kept.entry(finding.check).or_default();
        if *count < MAX_FINDINGS_PER_CHECK {
            *count += 1;
            out.push(finding);
            continue;
        }
        match dropped
            .iter_mut()
            .find(|(check, _, _)| *check == finding.check)
        {
            Some((_, more, worst)) => {
                *more += 1;
                *worst = worse(*worst, finding.severity);
            }
            None => dropped.push((finding.check, 1, finding.severity)),
        }
    }
    for (check, more, severity) in dropped {
        out.push(Finding {
            check,
            severity,
            message: GradeMessage::MoreFindings {
                more,
                check: check.to_string(),
            }
            .text(),
            evidence: None,
        });
    }
    out
}

fn worse(a: FindingSeverity, b: FindingSeverity) -> FindingSeverity {
    let rank = |s| match s {
        FindingSeverity::Info => 0,
        FindingSeverity::Warning => 1,
        FindingSeverity::Error => 2,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(check: &'static str, severity: FindingSeverity) -> Finding {
        Finding {
            check,
            severity,
            message: crate::i18n::Text::new("x", "x"),
            evidence: None,
        }
    }

    #[test]
    fn each_check_keeps_its_first_findings_and_counts_the_rest() {
        let mut findings = Vec::new();
        for i in 0..10_000 {
            let severity = if i == 9_999 {
                FindingSeverity::Error
            } else {
                FindingSeverity::Warning
            };
            findings.push(finding("impossible-reply", severity));
            if i < 3 {
                findings.push(finding("auth-base64", FindingSeverity::Info));
            }
        }
        let bounded = bound_findings(findings);
        assert_eq!(bounded.len(), MAX_FINDINGS_PER_CHECK + 3 + 1);
        let last = bounded.last().expect("summary");
        assert_eq!(last.check, "impossible-reply");
        assert_eq!(last.severity, FindingSeverity::Error);
        assert!(last.message.en.contains("9980 more"), "{}", last.message.en);
        assert!(
            last.message.zh_cn.contains("9980"),
            "{}",
            last.message.zh_cn
        );
        assert_eq!(
            bounded.iter().filter(|f| f.check == "auth-base64").count(),
            3
        );
    }
}
