//! Every human-readable report honours `--lang zh-CN` (issue 16 item 4): the seed and a
//! class, in each human-readable format, hold none of the English phrases the reports
//! used to leave untranslated. Verbs, reply codes, header names, step ids (`greeting`,
//! `auth-response`, `message`) and file names are notation and stay as they are.

use std::path::Path;

mod cli_support;
use cli_support::mailgrade;

const SEED: &str = "../shared/seed/email-lab-report.md";

/// English the zh-CN reports must not contain (each once came out in English).
const ENGLISH: &[&str] = &[
    "code block",
    "header equals",
    "header names a",
    "header present",
    "header (optional)",
    "(no reply)",
    " before ",
    "graded ",
    "submission",
    "passed",
    "below the pass mark",
    "ungradable",
    "missing",
    "Score",
    "points",
    "Task",
    "section",
    "out of",
];

fn class(dir: &Path) -> String {
    let passing = std::fs::read_to_string("examples/telnet-auth-login.txt").expect("example");
    // RCPT before MAIL and a QUIT never answered: wrong order, missing steps, "(no reply)".
    let failing = "S: 220 mail.lab.test ESMTP\nC: EHLO me\nS: 250 mail.lab.test\nC: RCPT TO:<b@lab.test>\nS: 503 5.5.1 Error: need MAIL command\nC: QUIT\n";
    for (student, text) in [("ann_1001", passing.as_str()), ("bo_1002", failing)] {
        std::fs::create_dir_all(dir.join(student)).expect("folder");
        std::fs::write(dir.join(student).join("dialogue.txt"), text).expect("write");
    }
    dir.to_string_lossy().into_owned()
}

fn assert_chinese(what: &str, text: &str) {
    for phrase in ENGLISH {
        assert!(
            !text.contains(phrase),
            "{what}: English `{phrase}` under --lang zh-CN:\n{text}"
        );
    }
}

#[test]
fn the_seed_and_a_class_read_in_chinese_in_every_human_readable_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let class = class(dir.path());
    let runs: [&[&str]; 3] = [
        &[SEED],
        &[SEED, "--lab", "email-lab"],
        &[class.as_str(), "--class"],
    ];
    for run in runs {
        for format in ["text", "markdown"] {
            let mut args = vec!["grade", "--lang", "zh-CN", "--server", "none"];
            args.extend_from_slice(run);
            args.extend_from_slice(&["--format", format]);
            let output = mailgrade(&args);
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{args:?}: {output:?}"
            );
            let what = format!("{run:?} --format {format}");
            assert_chinese(&what, &String::from_utf8_lossy(&output.stdout));
            assert_chinese(&what, &String::from_utf8_lossy(&output.stderr));
        }
    }
}

#[test]
fn english_is_still_english() {
    let dir = tempfile::tempdir().expect("temp dir");
    let class = class(dir.path());
    let output = mailgrade(&["grade", &class, "--class", "--server", "none"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("From header equals MAIL FROM"), "{stdout}");
    assert!(stdout.contains("QUIT → (no reply)"), "{stdout}");
    assert!(
        stderr.contains("graded 2 submissions: 1 passed"),
        "{stderr}"
    );
    let output = mailgrade(&["grade", SEED, "--server", "none"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("(code block 2)"), "{stdout}");
}

/// English of problems, hints and the `extract` listing that zh-CN output must not hold.
const ENGLISH_PROBLEMS: &[&str] = &[
    "no SMTP or POP3 dialogue found",
    "the file is empty",
    "no line reads as",
    "binary data",
    "near character",
    "zip inside a zip",
    "put the dialogue in",
    "hand in",
    "error:",
    "help:",
    "session 1",
    "(greeting)",
    "connects to",
    "sides from",
    "read as the",
    "lines, first line",
    "your submission",
];

fn assert_no_english_problems(what: &str, text: &str) {
    for phrase in ENGLISH_PROBLEMS {
        assert!(
            !text.contains(phrase),
            "{what}: English `{phrase}` under --lang zh-CN:\n{text}"
        );
    }
}

/// Files that cannot be used, as a student hands them in.
fn unusable_files(dir: &Path) -> [String; 3] {
    let empty = dir.join("empty.txt");
    let prose = dir.join("prose.txt");
    let binary = dir.join("binary.txt");
    std::fs::write(&empty, "").expect("write");
    std::fs::write(&prose, "we learnt SMTP\n").expect("write");
    std::fs::write(&binary, b"S: 220 a\n\x00\x01\x02binary\x00\x00\x00").expect("write");
    [empty, prose, binary].map(|p| p.to_string_lossy().into_owned())
}

#[test]
fn problems_and_hints_are_in_the_reports_language() {
    let dir = tempfile::tempdir().expect("temp dir");
    let [empty, prose, binary] = unusable_files(dir.path());
    let output = mailgrade(&[
        "check", "--lang", "zh-CN", "--server", "none", &empty, &prose, &binary,
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_no_english_problems("check", &stdout);
    for expected in [
        "你的提交",
        "empty.txt: 没有找到 SMTP 或 POP3 对话：文件是空的",
        "prose.txt: 没有找到 SMTP 或 POP3 对话：没有一行能读作 SMTP 或 POP3 的命令或回复",
        "binary.txt, 第 9 个字符附近: 二进制数据，不是文本记录",
        "建议: 把对话写成 C:/S: 行（C: 是你输入的内容，S: 是服务器的回复），或附上 .pcapng 抓包文件",
    ] {
        assert!(stdout.contains(expected), "`{expected}` missing:\n{stdout}");
    }
    // The same files in English say it in English.
    let output = mailgrade(&["check", "--server", "none", &empty, &prose]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("empty.txt: no SMTP or POP3 dialogue found: the file is empty"),
        "{stdout}"
    );
    assert!(stdout.contains("your submission"), "{stdout}");

    // A class: a refused nested zip, in every human-readable format, and the JSON keeps both.
    let nested = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/hostile/corpus/nested.zip"
    );
    for format in [
        "text",
        "markdown",
        "html",
        "junit",
        "gradescope",
        "prairielearn",
    ] {
        let output = mailgrade(&[
            "grade", "--lang", "zh-CN", "--server", "none", nested, "--format", format,
        ]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("不读取 zip 里面的 zip（只读取一层嵌套）"),
            "{format}:\n{stdout}"
        );
        assert!(!stdout.contains("zip inside a zip"), "{format}:\n{stdout}");
    }
    let output = mailgrade(&["grade", "--server", "none", nested, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let problem = &json["submissions"][0]["problems"][0];
    assert_eq!(
        problem["message"],
        "a zip inside a zip is not read (one level of nesting is)"
    );
    assert_eq!(
        problem["message_text"]["zh-CN"],
        "不读取 zip 里面的 zip（只读取一层嵌套）"
    );
    assert_eq!(
        problem["hint_text"]["zh-CN"],
        "请直接提交文件本身，或一个 .zip"
    );
}

#[test]
fn extract_lists_sessions_in_the_language_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let [empty, ..] = unusable_files(dir.path());
    let example = "examples/telnet-auth-login.txt";
    let output = mailgrade(&["extract", "--lang", "zh-CN", example, &empty]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_no_english_problems("extract", &stdout);
    for expected in [
        "收发双方依据 文件中的方向标记",
        "`C:` 读作客户端的行：它们能解析为命令（6 行中 6 行） [15 行，首行第 1 行]",
        "会话 1：SMTP — examples/telnet-auth-login.txt",
        "连接到 smtp.lab.test 端口 25",
        "（问候）",
        "错误: ",
        "empty.txt: 没有找到 SMTP 或 POP3 对话：文件是空的",
    ] {
        assert!(stdout.contains(expected), "`{expected}` missing:\n{stdout}");
    }
    let output = mailgrade(&["extract", example]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("session 1: SMTP — examples/telnet-auth-login.txt"),
        "{stdout}"
    );
    assert!(
        stdout.contains("connects to smtp.lab.test port 25"),
        "{stdout}"
    );
}

/// A scenario whose header check carries points, so a wrong From header is a loss the
/// HTML report lists by the check's name.
const FROM_CHECK: &str = "id: from-check
title: { en: From check, zh-CN: 发件人检查 }
protocol: smtp
pass_mark: 20
steps:
  - { id: greeting, send: greeting, expect: 220 }
  - { id: hello, send: [EHLO, HELO], expect: 250, points: 10 }
  - id: message
    send: message
    expect: 250
    points: 10
    checks:
      - { id: from-header, header: From, equals: mail-from, points: 10 }
";

#[test]
fn the_html_report_names_checks_in_the_reports_language() {
    let dir = tempfile::tempdir().expect("temp dir");
    let class = class(dir.path());
    let example = std::fs::read_to_string("examples/telnet-auth-login.txt").expect("example");
    let other_from = example.replace("C: From: student@lab.test", "C: From: someone@else.test");
    std::fs::create_dir_all(dir.path().join("cy_1003")).expect("folder");
    std::fs::write(dir.path().join("cy_1003/dialogue.txt"), other_from).expect("write");
    let scenario = dir.path().join("from-check.yaml");
    std::fs::write(&scenario, FROM_CHECK).expect("write");
    let scenario = scenario.to_string_lossy().into_owned();
    let html = |lang: &str| {
        let output = mailgrade(&[
            "grade",
            "--lang",
            lang,
            "--server",
            "none",
            &class,
            "--class",
            "--scenario",
            &scenario,
            "--format",
            "html",
        ]);
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let chinese = html("zh-CN");
    assert!(
        chinese.contains("<code>From 邮件头与 MAIL FROM 一致</code>"),
        "{chinese}"
    );
    for phrase in ["header equals", "code block", "(no reply)"] {
        assert!(
            !chinese.contains(phrase),
            "English `{phrase}` in zh-CN HTML:\n{chinese}"
        );
    }
    let english = html("en");
    assert!(
        english.contains("<code>From header equals MAIL FROM</code>"),
        "{english}"
    );
}

/// A transcript whose reading makes notes: a reply that answers a later command than the
/// one waiting (paired by the protocol), and a multi-line reply the file cuts off.
const NOTED: &str = "S: 220 mail.lab.test ESMTP\nC: EHLO me\nS: 250 mail.lab.test\nS: 250 2.1.0 Ok\nC: MAIL FROM:<a@lab.test>\nC: RCPT TO:<b@lab.test>\nS: 250 2.1.5 Ok\nC: QUIT\nS: 221-Bye\n";

/// The English of those notes, which zh-CN output must not hold.
const NOTE_ENGLISH: &[&str] = &[
    "note (",
    "the input ends inside",
    "paired by the protocol",
    "still waiting",
];

#[test]
fn notes_are_in_the_reports_language() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("noted.txt");
    std::fs::write(&file, NOTED).expect("write");
    let file = file.to_string_lossy().into_owned();

    let output = mailgrade(&["extract", "--lang", "zh-CN", &file]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "提示 (9:4): 输入在一条多行回复中间结束",
        "提示 (9:4): 9:4 处的回复回答的是 8:4 处的命令，而不是在它之前仍在等待的 6:4 处命令（那条命令不可能得到这个回复）；已按协议配对",
    ] {
        assert!(stdout.contains(expected), "`{expected}` missing:\n{stdout}");
    }
    for phrase in NOTE_ENGLISH {
        assert!(!stdout.contains(phrase), "English `{phrase}`:\n{stdout}");
    }

    // English is unchanged.
    let output = mailgrade(&["extract", &file]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("note (9:4): the input ends inside a multi-line reply"),
        "{stdout}"
    );

    // JSON: `detail` stays English, `detail_text` holds both.
    let output = mailgrade(&["grade", "--server", "none", "--format", "json", &file]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let notes = &json["submissions"][0]["sessions"][0]["notes"];
    let cut = notes
        .as_array()
        .expect("notes")
        .iter()
        .find(|n| n["kind"] == "truncated")
        .expect("a truncated note");
    assert_eq!(cut["detail"], "the input ends inside a multi-line reply");
    assert_eq!(
        cut["detail_text"]["en"],
        "the input ends inside a multi-line reply"
    );
    assert_eq!(cut["detail_text"]["zh-CN"], "输入在一条多行回复中间结束");
}

/// A note about the whole file (quote marks taken off) reaches the graded report as a
/// finding, in Chinese under zh-CN.
#[test]
fn file_notes_in_a_graded_report_are_in_the_reports_language() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("quoted.txt");
    let quoted: String = NOTED.lines().map(|l| format!("> {l}\n")).collect();
    std::fs::write(&file, quoted).expect("write");
    let file = file.to_string_lossy().into_owned();
    let output = mailgrade(&["grade", "--lang", "zh-CN", "--server", "none", &file]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("对话带有引用符号（`>`）；读取时去掉了它们"),
        "{stdout}"
    );
    assert!(!stdout.contains("it was read without them"), "{stdout}");
}
