//! Issue 16: what the grader says about a lost point reads in Chinese under `--lang zh-CN`,
//! with no English word left in it — a step's alternatives (`RCPT 或 DATA`), "at least N",
//! a missing reply, the compiler-style diagnostics (`Grade::diagnostics`), a claimed reply
//! shown beside the replayed one, what replay sent to keep in step or logged in as, and a
//! message listed by its size. English is unchanged.
//!
//! Notation stays as it is in both languages: verbs, reply codes, the scenario's step labels
//! (`greeting`, `message`, `auth-response`, `auth-cancel`), file names, addresses and what a
//! server said (quoted in backticks).

mod cli_support;
mod grade_support;

use std::path::Path;

use cli_support::mailgrade;
use grade_support::session;
use mailgrade::diagnostic::{render, SourceFile, Style};
use mailgrade::grade;
use mailgrade::i18n::Lang;
use mailgrade::scenario;
use mailgrade::session::{Origin, Protocol};

const SEED: &str = "../shared/seed/email-lab-report.md";

/// The scenario's labels for what is no command line: identifiers, like verbs.
const LABELS: [&str; 4] = ["greeting", "message", "auth-response", "auth-cancel"];

/// Fails on any ASCII word of prose in `line`: a run of lower-case letters that is not a
/// step label. `notation` (file paths) and what backticks quote are taken out first.
fn assert_no_english_words(line: &str, notation: &[&str]) {
    let mut rest = line.to_string();
    for n in notation {
        rest = rest.replace(n, "");
    }
    let unquoted: String = rest
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, part)| part)
        .collect::<Vec<_>>()
        .join(" ");
    for word in unquoted.split(|c: char| !(c.is_ascii_alphanumeric() || "_.@-".contains(c))) {
        let prose = word.chars().any(|c| c.is_ascii_alphabetic())
            && word.chars().all(|c| c.is_ascii_lowercase());
        assert!(
            !prose || LABELS.contains(&word),
            "English word `{word}` in a zh-CN line: {line}"
        );
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

fn stdout(args: &[&str]) -> String {
    let output = mailgrade(args);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {output:?}"
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The lines of a text report that say something about a check or finding: its feedback
/// and where it looked, not the skeleton listing.
fn feedback_lines(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|l| l.starts_with("        ") && !l.starts_with("        ✓"))
        .filter(|l| !l.trim_start().starts_with(['+', '-']) || l.contains("-->"))
        .collect()
}

/// A session that never provokes the error `smtp-error-recovery` asks for.
const NO_ERROR: &str = "S: 220 mail.lab.test ESMTP\nC: EHLO me\nS: 250 mail.lab.test\nC: MAIL FROM:<a@lab.test>\nS: 250 OK\nC: RCPT TO:<b@lab.test>\nS: 250 OK\nC: DATA\nS: 354 go ahead\nC: Subject: hi\nC:\nC: hello\nC: .\nS: 250 queued\nC: QUIT\nS: 221 bye\n";

#[test]
fn a_steps_alternatives_are_joined_in_the_reports_language() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "no-error.txt", NO_ERROR);
    let args = |lang: &'static str| {
        vec![
            "grade",
            "--lang",
            lang,
            "--server",
            "none",
            "-s",
            "smtp-error-recovery",
            file.as_str(),
        ]
    };
    let zh = stdout(&args("zh-CN"));
    assert!(
        zh.contains(
            "        会话中没有 RCPT 或 DATA 或 MAIL 或 AUTH 或 auth-response → 503|535|530|501。"
        ),
        "{zh}"
    );
    let path = format!("{}/", dir.path().display());
    for line in feedback_lines(&zh) {
        assert_no_english_words(line, &[&path]);
    }
    let en = stdout(&args("en"));
    assert!(
        en.contains(
            "        The session has no RCPT or DATA or MAIL or AUTH or auth-response → 503|535|530|501."
        ),
        "{en}"
    );
}

#[test]
fn too_few_repeats_read_in_chinese() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = write(
        dir.path(),
        "two.yaml",
        "id: two-recipients\ntitle: { en: Two recipients, zh-CN: 两个收件人 }\nprotocol: smtp\npass_mark: 30\nsteps:\n  - { id: greeting, send: greeting, expect: 220, points: 10 }\n  - { id: hello, send: [EHLO, HELO], expect: 250, points: 10 }\n  - { id: mail, send: MAIL, expect: 250, points: 10 }\n  - { id: rcpt, send: RCPT, repeat: 2.., expect: 250, points: 10 }\n  - { id: quit, send: QUIT, expect: 221, points: 10 }\n",
    );
    let file = write(
        dir.path(),
        "one.txt",
        "S: 220 mail.lab.test ESMTP\nC: EHLO me\nS: 250 mail.lab.test\nC: MAIL FROM:<a@lab.test>\nS: 250 OK\nC: RCPT TO:<b@lab.test>\nS: 250 OK\nC: QUIT\nS: 221 bye\n",
    );
    let run = |lang: &str| {
        stdout(&[
            "grade", "--lang", lang, "--server", "none", "-s", &scenario, &file,
        ])
    };
    let zh = run("zh-CN");
    assert!(
        zh.contains("        会话中没有 RCPT 250（至少 2 次）。\n"),
        "{zh}"
    );
    let en = run("en");
    assert!(
        en.contains("        The session has no RCPT 250 (at least 2).\n"),
        "{en}"
    );
}

/// Commands a replay server answers differently, and an AUTH it challenges that the
/// submission says was refused, so replay cancels the challenge with `*`.
const DIFFERS: &str = "S: 220 mail.lab.test ESMTP\nC: HELO me\nS: 250 mail.lab.test\nC: AUTH PLAIN\nS: 504 unrecognized\nC: MAIL FROM:<student@lab.test>\nS: 501 syntax\nC: QUIT\nS: 221 bye\n";

#[test]
fn replay_findings_read_in_chinese() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "differs.txt", DIFFERS);
    let path = format!("{}/", dir.path().display());
    let zh = stdout(&["check", "--lang", "zh-CN", &file]).replace(&path, "");
    for exact in [
        "        --> differs.txt:5:4  AUTH → 504（重放：AUTH → 334）",
        "    提示: 为保持对话同步，重放时额外发送了提交记录中没有的内容（用 `*` 取消认证质询）。",
    ] {
        assert!(zh.lines().any(|l| l == exact), "`{exact}` missing:\n{zh}");
    }
    for line in zh.lines().filter(|l| l.contains("重放")) {
        assert_no_english_words(line, &[]);
    }
    let en = stdout(&["check", &file]).replace(&path, "");
    for exact in [
        "        --> differs.txt:5:4  AUTH → 504 (replayed: AUTH → 334)",
        "    note: Replay sent `*` to cancel a challenge that the submission does not, to keep the dialogue in step.",
    ] {
        assert!(en.lines().any(|l| l == exact), "`{exact}` missing:\n{en}");
    }

    // The JSON keeps the evidence as English notation and the finding in both languages.
    let json = stdout(&["grade", "--format", "json", &file]);
    assert!(json.contains("AUTH → 504 (replayed: AUTH → 334)"), "{json}");
    assert!(json.contains("（用 `*` 取消认证质询）"), "{json}");
}

#[test]
fn replay_names_the_test_account_in_chinese() {
    let zh = stdout(&["check", "--lang", "zh-CN", SEED]);
    let line = zh
        .lines()
        .find(|l| l.contains("测试账号"))
        .unwrap_or_else(|| panic!("no credential note:\n{zh}"));
    assert_eq!(
        line.trim(),
        "提示: 重放时使用测试账号登录而非你的账号（AUTH LOGIN，测试账号 student@lab.test）；你的凭据从未被发送。"
    );
    assert_no_english_words(line, &[]);
    let en = stdout(&["check", SEED]);
    assert!(
        en.contains("(AUTH LOGIN (as student@lab.test)); your credentials were never sent."),
        "{en}"
    );
}

#[test]
fn a_message_known_by_its_size_is_listed_in_chinese() {
    let zh = stdout(&["extract", "--lang", "zh-CN", SEED]);
    assert!(
        zh.lines()
            .any(|l| l.starts_with("  100:4  <邮件，2429 字节>  ")),
        "{zh}"
    );
    let en = stdout(&["extract", SEED]);
    assert!(
        en.lines()
            .any(|l| l.starts_with("  100:4  <message, 2429 bytes>  ")),
        "{en}"
    );
    // The HTML ladder labels the message, and names the dialogue's code block, likewise.
    let html = stdout(&[
        "grade", "--lang", "zh-CN", "--server", "none", "--format", "html", SEED,
    ]);
    assert!(html.contains("&lt;邮件，2429 字节&gt;"), "{html}");
    assert!(!html.contains("bytes&gt;"), "{html}");
    assert!(html.contains("（代码块 1）\""), "{html}");
    assert!(!html.contains("(code block"), "{html}");
}

const SCRIPT: &str = "S: 554 go away\nC: EHLO me\nS: 250 mail.lab.test\nC: MAIL FROM:<a@lab.test>\nS: 250 OK\nC: RCPT TO:<b@lab.test>\nS: 250 OK\nC: DATA\n";

/// The diagnostics of a session that lost points: a missing step, one answered wrongly, a
/// command sent with no reply. The exchanges are put at capture frames, so each
/// diagnostic names its place in a note.
fn failing_grade(frames: bool) -> grade::Grade {
    let scenario = scenario::builtin("smtp-error-recovery").expect("builtin");
    let mut session = session(Protocol::Smtp, SCRIPT);
    if frames {
        let at_frame = |origin: &mut Origin| {
            if let Origin::Line { line, .. } = *origin {
                *origin = Origin::frame(u64::from(line), 0);
            }
        };
        for exchange in &mut session.exchanges {
            if let Some(command) = &mut exchange.command {
                at_frame(&mut command.origin);
            }
            if let Some(reply) = &mut exchange.reply {
                at_frame(&mut reply.origin);
            }
        }
    }
    grade::grade(&session, 0, &scenario)
}

#[test]
fn diagnostics_read_in_the_language_asked_for() {
    let grade = failing_grade(false);
    // The renderer's own words (`error`, `help`) are its notation, as rustc's are; what
    // the grade says is checked field by field below.
    let file = SourceFile {
        name: "transcript.txt",
        text: SCRIPT,
    };
    let zh = grade.diagnostics(Lang::ZhCn);
    let rendered: Vec<String> = zh.iter().map(|d| render(d, file, Style::Plain)).collect();
    let rendered = rendered.join("\n\n");
    for exact in [
        "error[wrong-reply]: 步骤 `greeting`（greeting → 220）：回复不对，0/5 分",
        "error[step-missing]: 步骤 `error`（RCPT|DATA|MAIL|AUTH|auth-response → 503|535|530|501）：缺失，0/30 分",
        "  = help: 服务器对 greeting 回复了 554；本场景期望 220。",
    ] {
        assert!(
            rendered.lines().any(|l| l == exact),
            "`{exact}` missing:\n{rendered}"
        );
    }
    for diagnostic in &zh {
        let texts = [&diagnostic.title, &diagnostic.label]
            .into_iter()
            .chain(&diagnostic.help)
            .chain(&diagnostic.notes);
        for text in texts {
            assert_no_english_words(text, &[]);
        }
    }
    let en: Vec<String> = grade
        .diagnostics(Lang::En)
        .iter()
        .map(|d| d.title.clone())
        .collect();
    assert!(
        en.contains(&"step `greeting` (greeting → 220): wrong reply, 0/5 points".to_string()),
        "{en:#?}"
    );
}

#[test]
fn diagnostics_name_a_capture_frame_in_the_language_asked_for() {
    let grade = failing_grade(true);
    let notes = |lang| -> Vec<String> {
        grade
            .diagnostics(lang)
            .into_iter()
            .flat_map(|d| d.notes)
            .collect()
    };
    let zh = notes(Lang::ZhCn);
    assert!(
        zh.contains(&"位于第 1 帧：greeting → 554".to_string()),
        "{zh:#?}"
    );
    assert!(
        zh.contains(&"位于第 8 帧：DATA → （无回复）".to_string()),
        "{zh:#?}"
    );
    for note in &zh {
        assert_no_english_words(note, &[]);
    }
    let en = notes(Lang::En);
    assert!(
        en.contains(&"at frame 1: greeting → 554".to_string()),
        "{en:#?}"
    );
    assert!(
        en.contains(&"at frame 8: DATA → (no reply)".to_string()),
        "{en:#?}"
    );
}
