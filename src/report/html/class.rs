//! The class overview: the score distribution as an SVG histogram, the checks lost most
//! often, and a list of students.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::report::escape::html as esc;
use crate::report::summary::{self, say};
use crate::report::Outcome;

/// Ten bins of ten percent; 100 % falls into the last.
fn histogram_bins(outcome: &Outcome) -> [u32; 10] {
    let mut bins = [0u32; 10];
    for submission in &outcome.submissions {
        let totals = summary::totals(submission);
        if totals.gradable {
            let bin = ((totals.fraction() * 10.0).floor() as usize).min(9);
            bins[bin] += 1;
        }
    }
    bins
}

fn histogram(outcome: &Outcome, lang: &str) -> String {
    let bins = histogram_bins(outcome);
    let highest = bins.iter().copied().max().unwrap_or(0).max(1);
    let (left, bottom, bar, gap, tall) = (40u32, 170u32, 44u32, 8u32, 130u32);
    let width = left + 10 * (bar + gap) + 20;
    let mut svg = format!(
        r#"<svg class="histogram" xmlns="http://www.w3.org/2000/svg" width="{width}" height="210" viewBox="0 0 {width} 210" role="img" aria-label="{}">"#,
        say(lang, "Score distribution", "分数分布")
    );
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{left}" y1="{bottom}" x2="{}" y2="{bottom}"/>"#,
        width - 10
    );
    for (i, count) in bins.iter().enumerate() {
        let x = left + i as u32 * (bar + gap);
        let h = count * tall / highest;
        let _ = write!(
            svg,
            r#"<g class="bin" data-count="{count}"><title>{}–{}%: {count}</title><rect x="{x}" y="{}" width="{bar}" height="{h}"/><text class="count" x="{}" y="{}" text-anchor="middle">{count}</text><text class="tick" x="{}" y="{}" text-anchor="middle">{}</text></g>"#,
            i * 10,
            if i == 9 { 100 } else { i * 10 + 9 },
            bottom - h,
            x + bar / 2,
            bottom - h - 4,
            x + bar / 2,
            bottom + 16,
            i * 10,
        );
    }
    let _ = write!(
        svg,
        r#"<text class="tick" x="{}" y="{}" text-anchor="middle">%</text></svg>"#,
        left + 10 * (bar + gap) + 6,
        bottom + 16
    );
    svg
}

/// (scenario title, check name) → (times lost, points lost), most frequent first.
fn common_mistakes(outcome: &Outcome, lang: &str) -> Vec<(String, String, u32, u32)> {
    let mut counts: BTreeMap<(String, String), (u32, u32)> = BTreeMap::new();
    for submission in &outcome.submissions {
        for grade in summary::counted_grades(submission) {
            for check in grade.losses() {
                let entry = counts
                    .entry((grade.title.get(lang).to_string(), check.name.clone()))
                    .or_default();
                entry.0 += 1;
                entry.1 += check.max_points - check.points;
            }
        }
    }
    let mut list: Vec<_> = counts
        .into_iter()
        .map(|((scenario, check), (times, points))| (scenario, check, times, points))
        .collect();
    list.sort_by(|a, b| b.2.cmp(&a.2).then(b.3.cmp(&a.3)));
    list.truncate(10);
    list
}

pub fn render(outcome: &Outcome, lang: &str) -> String {
    let mut out = format!(
        r#"<section class="class"><h2>{}</h2>"#,
        say(lang, "Class overview", "全班概览")
    );
    let gradable: Vec<_> = outcome
        .submissions
        .iter()
        .map(summary::totals)
        .filter(|t| t.gradable)
        .collect();
    let passed = gradable.iter().filter(|t| t.passed).count();
    let counts = if summary::is_zh(lang) {
        format!(
            "{} 份提交，{} 份已评分，{} 份通过。",
            outcome.submissions.len(),
            gradable.len(),
            passed
        )
    } else {
        format!(
            "{} submissions, {} graded, {} passed.",
            outcome.submissions.len(),
            gradable.len(),
            passed
        )
    };
    let _ = write!(out, "<p>{counts}</p>");
    let _ = write!(
        out,
        "<h3>{}</h3>{}",
        say(lang, "Score distribution", "分数分布"),
        histogram(outcome, lang)
    );
    let mistakes = common_mistakes(outcome, lang);
    let _ = write!(
        out,
        "<h3>{}</h3>",
        say(lang, "Most common mistakes", "最常见的错误")
    );
    if mistakes.is_empty() {
        let _ = write!(
            out,
            "<p>{}</p>",
            say(lang, "No points were lost.", "没有失分。")
        );
    } else {
        let _ = write!(
            out,
            r#"<table class="mistakes"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"#,
            say(lang, "Scenario", "场景"),
            say(lang, "Check", "检查项"),
            say(lang, "Students", "人数"),
            say(lang, "Points lost", "失分合计"),
        );
        for (scenario, check, times, points) in &mistakes {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td><code>{}</code></td><td class="num">{times}</td><td class="num">{points}</td></tr>"#,
                esc(scenario),
                esc(check)
            );
        }
        out.push_str("</table>");
    }
    let _ = write!(
        out,
        r#"<h3>{}</h3><table class="students"><tr><th>{}</th><th>{}</th><th>{}</th></tr>"#,
        say(lang, "Students", "学生"),
        say(lang, "Submission", "提交"),
        say(lang, "Score", "得分"),
        say(lang, "Result", "结果"),
    );
    for (index, submission) in outcome.submissions.iter().enumerate() {
        let totals = summary::totals(submission);
        let _ = write!(
            out,
            r##"<tr><td><a href="#s{}">{}</a></td><td class="num">{}</td><td>{}</td></tr>"##,
            index + 1,
            esc(&submission.id),
            summary::score_text(&totals),
            summary::verdict_word(&totals, lang)
        );
    }
    out.push_str("</table></section>");
    out
}
