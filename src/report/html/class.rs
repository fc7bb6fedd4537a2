//! The class overview: the score distribution as an SVG histogram, the checks lost most
//! often, and a list of students.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::page;
use crate::i18n::messages::report::{ReportMessage, ReportWord};
use crate::i18n::Lang;
use crate::report::escape::html as esc;
use crate::report::summary;
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

fn histogram(outcome: &Outcome, lang: Lang) -> String {
    let bins = histogram_bins(outcome);
    let highest = bins.iter().copied().max().unwrap_or(0).max(1);
    let (left, bottom, bar, gap, tall) = (40u32, 170u32, 44u32, 8u32, 130u32);
    let width = left + 10 * (bar + gap) + 20;
    let mut svg = format!(
        r#"<svg class="histogram" xmlns="http://www.w3.org/2000/svg" width="{width}" height="210" viewBox="0 0 {width} 210" role="img" aria-label="{}">"#,
        ReportWord::ScoreDistribution.get(lang)
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
fn common_mistakes(outcome: &Outcome, lang: Lang) -> Vec<(String, String, u32, u32)> {
    let mut counts: BTreeMap<(String, String), (u32, u32)> = BTreeMap::new();
    for submission in &outcome.submissions {
        for grade in summary::counted_grades(submission) {
            for check in grade.losses() {
                let entry = counts
                    .entry((
                        grade.title.get(lang).to_string(),
                        check.name_in(lang).to_string(),
                    ))
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

pub fn render(outcome: &Outcome, lang: Lang) -> String {
    let mut out = format!(
        r#"<section class="class"><h2>{}</h2>"#,
        ReportWord::ClassOverview.get(lang)
    );
    let gradable: Vec<_> = outcome
        .submissions
        .iter()
        .map(summary::totals)
        .filter(|t| t.gradable)
        .collect();
    let passed = gradable.iter().filter(|t| t.passed).count();
    let counts = ReportMessage::ClassCounts {
        submissions: outcome.submissions.len(),
        graded: gradable.len(),
        passed,
    }
    .render(lang);
    let _ = write!(out, "<p>{counts}</p>");
    let _ = write!(
        out,
        "<h3>{}</h3>{}",
        ReportWord::ScoreDistribution.get(lang),
        histogram(outcome, lang)
    );
    let mistakes = common_mistakes(outcome, lang);
    let _ = write!(out, "<h3>{}</h3>", ReportWord::MostCommonMistakes.get(lang));
    if mistakes.is_empty() {
        let _ = write!(out, "<p>{}</p>", ReportWord::NoPointsLost.get(lang));
    } else {
        let _ = write!(
            out,
            r#"<div class="scroll"><table class="mistakes"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"#,
            ReportWord::Scenario.get(lang),
            ReportWord::Check.get(lang),
            ReportWord::StudentCount.get(lang),
            ReportWord::PointsLost.get(lang),
        );
        for (scenario, check, times, points) in &mistakes {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td><code>{}</code></td><td class="num">{times}</td><td class="num">{points}</td></tr>"#,
                esc(scenario),
                esc(check)
            );
        }
        out.push_str("</table></div>");
    }
    let names = outcome.submissions.iter().any(|s| page::name(s).is_some());
    let _ = write!(
        out,
        r#"<h3>{}</h3><div class="scroll"><table class="students"><tr><th>{}</th>{}<th>{}</th><th>{}</th></tr>"#,
        ReportWord::Students.get(lang),
        ReportWord::Submission.get(lang),
        if names {
            format!("<th>{}</th>", ReportWord::StudentName.get(lang))
        } else {
            String::new()
        },
        ReportWord::Score.get(lang),
        ReportWord::Result.get(lang),
    );
    for (index, submission) in outcome.submissions.iter().enumerate() {
        let totals = summary::totals(submission);
        let name = if names {
            format!(
                "<td>{}</td>",
                esc(page::name(submission).unwrap_or_default())
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            r##"<tr><td><a href="#s{}">{}</a></td>{name}<td class="num">{}</td><td>{}</td></tr>"##,
            index + 1,
            esc(&submission.id),
            summary::score_text(&totals),
            summary::verdict_word(&totals, lang)
        );
    }
    out.push_str("</table></div></section>");
    out
}
