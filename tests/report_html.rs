//! The HTML report: escaping of hostile student text, no outside resources, and the ladder
//! diagrams as a real browser (headless Chromium) builds them.

mod common;
mod report_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::chromium;
use mailgrade::pipeline::Student;
use mailgrade::report::{html, Outcome};
use report_support::*;

fn failing() -> Outcome {
    outcome(vec![submission(FAILING, Some("smtp-telnet-auth-send"))])
}

#[test]
fn hostile_transcript_text_comes_out_inert() {
    for lang in mailgrade::i18n::Lang::ALL {
        let page = html::render(&failing(), lang);
        assert!(
            !page.to_lowercase().contains("<script"),
            "a script element got through"
        );
        assert!(page.contains("HELO &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&lt;script&gt;alert(&#39;greeting&#39;)"));
    }
    let mut hostile = failing();
    hostile.submissions[0].id = "\"><img src=x onerror=alert(1)>".into();
    let page = html::render(&hostile, mailgrade::i18n::Lang::En);
    assert!(
        !page.contains("<img"),
        "an attribute or element got through"
    );
}

#[test]
fn page_loads_nothing_from_outside() {
    let page = html::render(&class(), mailgrade::i18n::Lang::En);
    let without_svg_namespace = page.replace(r#"xmlns="http://www.w3.org/2000/svg""#, "");
    for outside in [
        "http:", "https:", "<link", "<script", "@import", "url(", " src=",
    ] {
        assert!(
            !without_svg_namespace.contains(outside),
            "the page refers to {outside}"
        );
    }
    assert!(page.contains("Content-Security-Policy"));
}

#[test]
fn failing_page_snapshot() {
    snapshots(|| {
        insta::assert_snapshot!(
            "report_html_failing",
            html::render(&failing(), mailgrade::i18n::Lang::En)
        );
        insta::assert_snapshot!(
            "report_html_failing_zh",
            html::render(&failing(), mailgrade::i18n::Lang::ZhCn)
        );
    });
}

/// The arrows a ladder must have: one per command and one per reply.
fn expected_arrows(outcome: &Outcome) -> usize {
    outcome
        .submissions
        .iter()
        .flat_map(|s| &s.sessions)
        .flat_map(|s| &s.exchanges)
        .map(|e| usize::from(e.command.is_some()) + usize::from(e.reply.is_some()))
        .sum()
}

fn headless(browser: &str, args: &[&str], page: &Path) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn chromium_draws_every_arrow_and_the_class_overview() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is needed for the HTML test in CI"
        );
        eprintln!("note: no chromium found; the browser check of the HTML report is skipped");
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report_html");
    std::fs::create_dir_all(&dir).expect("target dir");
    let mut class = class();
    class.submissions.push(submission(SEED, None));
    let cases = [("failing", failing(), false), ("class", class, true)];
    for (name, outcome, overview) in cases {
        let page = dir.join(format!("{name}.html"));
        std::fs::write(&page, html::render(&outcome, mailgrade::i18n::Lang::En))
            .expect("write page");
        let dom = headless(browser, &["--dump-dom"], &page);
        let dom = String::from_utf8_lossy(&dom.stdout);
        assert!(dom.contains("</svg>"), "{name}: no DOM:\n{dom}");
        let arrows = count(&dom, r#"<g class="arrow "#);
        assert_eq!(arrows, expected_arrows(&outcome), "{name}");
        let ladders = count(&dom, r#"<svg class="ladder""#);
        let sessions: usize = outcome.submissions.iter().map(|s| s.sessions.len()).sum();
        assert_eq!(ladders, sessions, "{name}");
        assert!(!dom.contains("<script"), "{name}");
        assert_eq!(
            count(&dom, r#"<g class="bin""#),
            if overview { 10 } else { 0 }
        );
        if name == "failing" {
            // MAIL → 530, auth-response → 535 and DATA → 503 lost points; RCPT and the
            // message are missing.
            assert_eq!(count(&dom, " fail\" data-exchange="), 3, "{dom}");
            assert_eq!(count(&dom, r#"<g class="missing">"#), 2);
        }
        let screenshot = dir.join(format!("{name}.png"));
        let shot = headless(
            browser,
            &[
                &format!("--screenshot={}", screenshot.display()),
                "--window-size=1100,1800",
            ],
            &page,
        );
        assert!(shot.status.success(), "{name}: screenshot failed");
        let png = std::fs::read(&screenshot).expect("screenshot written");
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}");
        eprintln!("screenshot: {}", screenshot.display());
    }
}

/// A class with roster names: one long, one Chinese, and an id with no place to break.
fn named_class() -> Outcome {
    let mut class = class();
    class.submissions.push(submission(SEED, None));
    let names = [
        "Anna Smith",
        "李伟",
        "Maximiliane Wilhelmina Alexandra von Hohenzollern-Sigmaringen",
    ];
    for (submission, name) in class.submissions.iter_mut().zip(names) {
        submission.student = Some(Student {
            name: Some(name.to_string()),
            ..Student::default()
        });
    }
    class.submissions[3].id = "2024-networks-lab-group-seventeen-student-0000000042".into();
    class
}

#[test]
fn roster_names_stand_beside_the_ids() {
    let class = named_class();
    for lang in mailgrade::i18n::Lang::ALL {
        let page = html::render(&class, lang);
        let header = if lang == mailgrade::i18n::Lang::En {
            "<th>Name</th>"
        } else {
            "<th>姓名</th>"
        };
        assert!(page.contains(header), "{page}");
        assert!(page.contains(r#"<td>李伟</td>"#), "the students table");
        assert!(
            page.contains(&format!(
                r#"<h2>{} <span class="name">Anna Smith</span> — "#,
                esc_id(&class.submissions[0].id)
            )),
            "the student's heading"
        );
        // A student without a name gets an empty cell, not another student's name.
        assert_eq!(page.matches("<td></td>").count(), 3);
    }
    let unnamed = html::render(&self::class(), mailgrade::i18n::Lang::En);
    assert!(!unnamed.contains("<th>Name</th>"), "no roster, no column");
}

fn esc_id(id: &str) -> String {
    mailgrade::report::escape::html(id)
}

/// A page that shows `report` in a 390 px frame, as a phone's screen would (headless
/// Chromium's window is at least 500 px wide), and writes what the browser measured inside
/// it into its own DOM. The report itself stays as written: no script, its CSP intact.
fn phone_frame(report: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><body style="margin:0">
<iframe id="phone" src="{report}" style="width:390px;height:1600px;border:0"></iframe>
<script>
document.getElementById('phone').onload = function () {{
  var w = this.contentWindow, d = this.contentDocument, wide = [];
  d.querySelectorAll('body *').forEach(function (e) {{
    if (e.closest('.scroll') && !e.classList.contains('scroll')) return;
    var r = e.getBoundingClientRect();
    if (r.right > w.innerWidth + 0.5) wide.push(e.tagName + '.' + (e.getAttribute('class') || '') + ':' + Math.round(r.right));
  }});
  var m = document.createElement('pre');
  m.id = 'measure';
  m.textContent = 'viewport=' + w.innerWidth + ' scrollWidth=' + d.documentElement.scrollWidth + ' wide=' + wide.join(',');
  document.body.appendChild(m);
}};
</script></body></html>"#
    )
}

/// A 390 px wide phone: nothing makes the page scroll sideways. Tables scroll in their own
/// box, the histogram and the ladders scale.
#[test]
fn chromium_fits_the_report_on_a_390_px_phone() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is needed for the HTML test in CI"
        );
        eprintln!("note: no chromium found; the phone-width check of the HTML report is skipped");
        return;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report_html");
    std::fs::create_dir_all(&dir).expect("target dir");
    let single = outcome(vec![submission(SEED, None)]);
    for (name, outcome) in [
        ("single", single),
        ("failing", failing()),
        ("class", named_class()),
    ] {
        for lang in mailgrade::i18n::Lang::ALL {
            let report = html::render(&outcome, lang);
            let stem = format!("phone-{name}-{}", lang.code());
            let page = dir.join(format!("{stem}.html"));
            std::fs::write(&page, &report).expect("write page");
            let frame = dir.join(format!("{stem}-frame.html"));
            std::fs::write(&frame, phone_frame(&format!("{stem}.html"))).expect("write frame");
            let dom = headless(
                browser,
                &["--allow-file-access-from-files", "--dump-dom"],
                &frame,
            );
            let dom = String::from_utf8_lossy(&dom.stdout);
            let line = dom
                .split("<pre id=\"measure\">")
                .nth(1)
                .and_then(|rest| rest.split("</pre>").next())
                .unwrap_or_else(|| panic!("{stem}: no measure in the DOM:\n{dom}"));
            let field = |key: &str| -> String {
                line.split(' ')
                    .find_map(|w| w.strip_prefix(key))
                    .unwrap_or_default()
                    .to_string()
            };
            assert_eq!(field("viewport="), "390", "{stem}: {line}");
            let width: u32 = field("scrollWidth=").parse().expect("a number");
            assert!(width <= 390, "{stem} is {width} px wide: {line}");
            assert_eq!(field("wide="), "", "{stem}: elements wider than the screen");
            let screenshot = dir.join(format!("{stem}.png"));
            let shot = headless(
                browser,
                &[
                    &format!("--screenshot={}", screenshot.display()),
                    "--window-size=500,1600",
                ],
                &frame,
            );
            assert!(shot.status.success(), "{stem}: screenshot failed");
        }
    }
}
