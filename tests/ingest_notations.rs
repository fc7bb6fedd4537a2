//! Transcripts in the notations tools and people really use (`tests/notations/`, one file
//! per notation): each reads into the sessions, verb order, reply codes and pairing it shows,
//! the reader says which markers it learned and how it read them, and no credential reaches
//! any output of `extract` or `grade`.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use mailgrade::ingest::read_file;
use mailgrade::session::{MarkerRole, NoteKind, Protocol, Session};

/// The corpus's account. Every file that logs in uses it, in whatever form the tool prints.
const USER: &str = "student@lab.test";
const PASSWORD: &str = "s3cret-Lab!";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notations")
}

/// One file: its sessions (protocol and skeleton), and the markers it should be read by
/// (marker as shown, and the side: `client`, `server`, `info`, `echo`, `both`).
struct Case {
    file: &'static str,
    sessions: &'static [(Protocol, &'static [&'static str])],
    markers: &'static [(&'static str, &'static str)],
}

const SMTP_AUTH_LOGIN_SEND: &[&str] = &[
    "greeting → 220",
    "EHLO → 250",
    "AUTH → 334",
    "auth-response → 334",
    "auth-response → 235",
    "MAIL → 250",
    "RCPT → 250",
    "DATA → 354",
    "message → 250",
    "QUIT → 221",
];

const SMTP_AUTH_PLAIN_SEND: &[&str] = &[
    "greeting → 220",
    "EHLO → 250",
    "AUTH → 235",
    "MAIL → 250",
    "RCPT → 250",
    "DATA → 354",
    "message → 250",
    "QUIT → 221",
];

const SMTP_SEND: &[&str] = &[
    "greeting → 220",
    "HELO → 250",
    "MAIL → 250",
    "RCPT → 250",
    "DATA → 354",
    "message → 250",
    "QUIT → 221",
];

const POP3_STAT: &[&str] = &[
    "greeting → +OK",
    "USER → +OK",
    "PASS → +OK",
    "STAT → +OK",
    "QUIT → +OK",
];

const CASES: &[Case] = &[
    Case {
        file: "aiosmtpd.log",
        sessions: &[(Protocol::Smtp, SMTP_AUTH_PLAIN_SEND)],
        markers: &[
            ("DEBUG:mail.log:('<ip>', #) <<", "server"),
            ("DEBUG:mail.log:_handle_client readline:", "client"),
            ("INFO:mail.log:('<ip>', #) >>", "echo"),
        ],
    },
    Case {
        file: "arrows-reversed.txt",
        sessions: &[(Protocol::Pop3, POP3_STAT)],
        markers: &[("<-", "server"), ("->", "client")],
    },
    Case {
        // `>>>` for the server and `<<<` for the client: arrows, not Markdown quote marks.
        file: "arrows-triple-server-first.txt",
        sessions: &[(Protocol::Smtp, SMTP_SEND)],
        markers: &[(">>>", "server"), ("<<<", "client")],
    },
    Case {
        file: "auth-typed-ahead.txt",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "EHLO → 250",
                "AUTH → 334",
                "auth-response → 334",
                "auth-response → 235",
                "QUIT → 221",
            ],
        )],
        markers: &[],
    },
    Case {
        file: "chinese-labels.txt",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "HELO → 250",
                "AUTH → 334",
                "auth-response → 334",
                "auth-response → 235",
                "QUIT → 221",
            ],
        )],
        markers: &[
            ("客户端:", "client"),
            ("服务器端:", "server"),
            ("回：", "server"),
            ("服务器：", "server"),
        ],
    },
    Case {
        file: "chinese-send-receive.txt",
        sessions: &[(Protocol::Pop3, POP3_STAT)],
        markers: &[("接收：", "server"), ("发送：", "client")],
    },
    Case {
        file: "curl-pop3.txt",
        sessions: &[(
            Protocol::Pop3,
            &[
                "greeting → +OK",
                "CAPA → +OK",
                "USER → +OK",
                "PASS → +OK",
                "STAT → +OK",
                "QUIT → +OK",
            ],
        )],
        markers: &[("*", "info"), ("<", "server"), (">", "client")],
    },
    Case {
        file: "curl-smtp.txt",
        sessions: &[(Protocol::Smtp, SMTP_AUTH_PLAIN_SEND)],
        markers: &[("*", "info"), ("<", "server"), (">", "client")],
    },
    Case {
        file: "glued-fence.md",
        sessions: &[
            (
                Protocol::Smtp,
                &[
                    "greeting → 220",
                    "HELO → 250",
                    "MAIL → 250",
                    "RCPT → 250",
                    "QUIT → 221",
                ],
            ),
            (
                Protocol::Pop3,
                &["greeting → +OK", "USER → +OK", "PASS → +OK", "QUIT → +OK"],
            ),
        ],
        markers: &[("S:", "server"), ("C:", "client")],
    },
    Case {
        file: "hmailserver.log",
        sessions: &[(Protocol::Smtp, SMTP_AUTH_LOGIN_SEND)],
        markers: &[
            ("\"SMTPD\" # # \"<date> <time>\" \"<ip>\" \"SENT:", "server"),
            (
                "\"SMTPD\" # # \"<date> <time>\" \"<ip>\" \"RECEIVED:",
                "client",
            ),
        ],
    },
    Case {
        file: "javamail.txt",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "EHLO → 250",
                "MAIL → 250",
                "RCPT → 250",
                "DATA → 354",
                "message → 250",
                "QUIT → 221",
            ],
        )],
        markers: &[("DEBUG:", "info"), ("DEBUG SMTP:", "info")],
    },
    Case {
        file: "mailhog.log",
        sessions: &[(Protocol::Smtp, SMTP_AUTH_PLAIN_SEND)],
        markers: &[
            ("<date> <time> [SMTP <ip>] Sent # bytes:", "server"),
            ("<date> <time> [SMTP <ip>]", "info"),
            ("<date> <time> [SMTP <ip>] Received # bytes:", "client"),
            ("<date> <time> [PROTO:", "info"),
            ("<date> <time> [PROTO: MAIL] Processing line:", "echo"),
            ("<date> <time> [PROTO: RCPT] Processing line:", "echo"),
        ],
    },
    Case {
        file: "nodemailer.txt",
        sessions: &[(Protocol::Smtp, SMTP_AUTH_PLAIN_SEND)],
        markers: &[
            ("[<date> <time>]", "info"),
            ("[<date> <time>] DEBUG [#] S:", "server"),
            ("[<date> <time>] DEBUG [#] C:", "client"),
        ],
    },
    Case {
        file: "one-arrow-both-sides.txt",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "HELO → 250",
                "MAIL → 250",
                "RCPT → 250",
                "QUIT → 221",
            ],
        )],
        markers: &[("=>", "both")],
    },
    Case {
        file: "phpmailer.txt",
        sessions: &[(Protocol::Smtp, SMTP_AUTH_LOGIN_SEND)],
        markers: &[
            ("<date> <time> Connection:", "info"),
            ("<date> <time> SERVER -> CLIENT:", "server"),
            ("<date> <time> CLIENT -> SERVER:", "client"),
        ],
    },
    Case {
        file: "postfix-verbose.log",
        sessions: &[(Protocol::Smtp, SMTP_AUTH_LOGIN_SEND)],
        markers: &[
            ("Mar # <time> mail postfix/smtpd[#]:", "info"),
            (
                "Mar # <time> mail postfix/smtpd[#]: > localhost[<ip>]:",
                "server",
            ),
            (
                "Mar # <time> mail postfix/smtpd[#]: < localhost[<ip>]:",
                "client",
            ),
        ],
    },
    Case {
        // Postfix with smtpd -v and Dovecot (SASL for Postfix, then POP3) in one syslog:
        // Dovecot's `client in: AUTH …` lines are its own, not the client's.
        file: "postfix-dovecot-mail.log",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "EHLO → 250",
                "AUTH → 235",
                "MAIL → 250",
                "RCPT → 250",
                "DATA → 354",
                "message → 250",
                "QUIT → 221",
            ],
        )],
        markers: &[
            ("Mar # <time> mail dovecot:", "info"),
            ("Mar # <time> mail postfix/smtpd[#]:", "info"),
            (
                "Mar # <time> mail postfix/smtpd[#]: > localhost[<ip>]:",
                "server",
            ),
            (
                "Mar # <time> mail postfix/smtpd[#]: < localhost[<ip>]:",
                "client",
            ),
        ],
    },
    Case {
        file: "pop3-auth-typed-ahead.txt",
        sessions: &[(
            Protocol::Pop3,
            &[
                "greeting → +OK",
                "AUTH → +",
                "auth-response → +OK",
                "STAT → +OK",
                "QUIT → +OK",
            ],
        )],
        markers: &[],
    },
    Case {
        file: "python-poplib.txt",
        sessions: &[(
            Protocol::Pop3,
            &[
                "USER → +OK",
                "PASS → +OK",
                "LIST → +OK",
                "RETR → +OK",
                "QUIT → +OK",
            ],
        )],
        markers: &[
            ("*cmd*", "client"),
            ("*put*", "echo"),
            ("*get*", "server"),
            ("*resp*", "echo"),
        ],
    },
    Case {
        file: "python-poplib-debuglevel1.txt",
        // At level 1 poplib prints its commands only (and STAT's split reply): no reply is
        // claimed, and none is made up.
        sessions: &[(
            Protocol::Pop3,
            &[
                "greeting → +OK",
                "USER → (no reply)",
                "PASS → (no reply)",
                "STAT → (no reply)",
                "RETR → (no reply)",
                "DELE → (no reply)",
                "QUIT → (no reply)",
            ],
        )],
        markers: &[("*cmd*", "client")],
    },
    Case {
        file: "python-poplib-debuglevel2.txt",
        sessions: &[(
            Protocol::Pop3,
            &[
                "greeting → +OK",
                "USER → +OK",
                "PASS → +OK",
                "STAT → +OK",
                "LIST → +OK",
                "RETR → +OK",
                "QUIT → +OK",
            ],
        )],
        markers: &[
            ("*cmd*", "client"),
            ("*put*", "echo"),
            ("*get*", "server"),
            ("*resp*", "echo"),
        ],
    },
    Case {
        file: "python-smtplib-debuglevel2.txt",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "EHLO → 250",
                "AUTH → 334",
                "auth-response → 235",
                "QUIT → 221",
            ],
        )],
        markers: &[
            ("connect:", "info"),
            ("reply:", "server"),
            ("reply:", "info"),
            ("send:", "client"),
        ],
    },
    Case {
        file: "python-smtplib.txt",
        sessions: &[(Protocol::Smtp, SMTP_AUTH_PLAIN_SEND)],
        markers: &[
            ("connect:", "info"),
            ("reply:", "server"),
            ("reply:", "info"),
            ("send:", "client"),
            ("data:", "info"),
        ],
    },
    Case {
        file: "replies-late.txt",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "EHLO → 250",
                "MAIL → 250",
                "RCPT → 250",
                "DATA → 354",
                "message → 250",
                "QUIT → 221",
            ],
        )],
        markers: &[("S:", "server"), ("C:", "client")],
    },
    Case {
        file: "replies-first.txt",
        sessions: &[(Protocol::Smtp, SMTP_SEND)],
        markers: &[("S:", "server"), ("C:", "client")],
    },
    Case {
        file: "reply-before-command.txt",
        sessions: &[(Protocol::Smtp, SMTP_SEND)],
        markers: &[],
    },
    Case {
        file: "ruby-net-pop3.txt",
        sessions: &[(
            Protocol::Pop3,
            &[
                "greeting → +OK",
                "USER → +OK",
                "PASS → +OK",
                "STAT → +OK",
                "LIST → +OK",
                "QUIT → +OK",
            ],
        )],
        markers: &[("->", "server"), ("<-", "client")],
    },
    Case {
        file: "ruby-net-smtp.txt",
        sessions: &[(Protocol::Smtp, SMTP_AUTH_PLAIN_SEND)],
        markers: &[("->", "server"), ("<-", "client")],
    },
    Case {
        file: "s-colon-no-space.txt",
        sessions: &[(
            Protocol::Smtp,
            &["greeting → 220", "HELO → 250", "MAIL → 250", "QUIT → 221"],
        )],
        markers: &[("S:", "server"), ("C:", "client")],
    },
    Case {
        file: "server-log-timestamps.txt",
        sessions: &[(Protocol::Smtp, SMTP_SEND)],
        markers: &[("Server:", "server"), ("Client:", "client")],
    },
    Case {
        file: "swaks-auth-failed.txt",
        sessions: &[(
            Protocol::Smtp,
            &["greeting → 220", "EHLO → 250", "AUTH → 535", "QUIT → 221"],
        )],
        markers: &[
            ("===", "info"),
            ("<-", "server"),
            ("->", "client"),
            ("<**", "server"),
        ],
    },
    Case {
        file: "swaks-dropped.txt",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "EHLO → 250",
                "MAIL → 501",
                "MAIL → 250",
                "RCPT → 421",
            ],
        )],
        markers: &[
            ("===", "info"),
            ("<-", "server"),
            ("->", "client"),
            ("<**", "server"),
        ],
    },
    Case {
        file: "swaks-html-escaped.txt",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "EHLO → 250",
                "MAIL → 250",
                "RCPT → 250",
                "DATA → 354",
                "message → 250",
                "QUIT → 221",
            ],
        )],
        markers: &[("<-", "server"), ("->", "client")],
    },
    Case {
        file: "swaks-relay-denied.txt",
        sessions: &[(
            Protocol::Smtp,
            &[
                "greeting → 220",
                "EHLO → 250",
                "AUTH → 334",
                "auth-response → 334",
                "auth-response → 235",
                "MAIL → 250",
                "RCPT → 554",
                "QUIT → 221",
            ],
        )],
        markers: &[
            ("===", "info"),
            ("<-", "server"),
            ("->", "client"),
            ("<**", "server"),
        ],
    },
    Case {
        // swaks --tls: `~>`/`<~` (and `<~*` for an error) once TLS is up; the part inside
        // TLS is a session of its own, as for `openssl s_client -starttls`.
        file: "swaks-starttls.txt",
        sessions: &[
            (
                Protocol::Smtp,
                &["greeting → 220", "EHLO → 250", "STARTTLS → 220"],
            ),
            (
                Protocol::Smtp,
                &[
                    "EHLO → 250",
                    "AUTH → 334",
                    "auth-response → 334",
                    "auth-response → 235",
                    "MAIL → 250",
                    "RCPT → 550",
                    "QUIT → 221",
                ],
            ),
        ],
        markers: &[
            ("===", "info"),
            ("<-", "server"),
            ("->", "client"),
            ("~>", "client"),
            ("<~", "server"),
            ("<~*", "server"),
        ],
    },
];

fn sessions_of(file: &str) -> Vec<Session> {
    read_file(&corpus().join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .sessions
}

fn role_name(role: &MarkerRole) -> &'static str {
    match role {
        MarkerRole::Client => "client",
        MarkerRole::Server => "server",
        MarkerRole::Both => "both",
        MarkerRole::Info => "info",
        MarkerRole::Echo { .. } => "echo",
    }
}

#[test]
fn every_file_of_the_corpus_has_its_expectations() {
    let mut files: Vec<String> = std::fs::read_dir(corpus())
        .expect("tests/notations")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected: Vec<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    expected.sort();
    assert_eq!(files, expected);
}

#[test]
fn every_notation_reads_as_its_sessions_verbs_codes_and_pairing() {
    for case in CASES {
        let sessions = sessions_of(case.file);
        let got: Vec<(Protocol, Vec<String>)> = sessions
            .iter()
            .map(|s| (s.protocol, s.skeleton()))
            .collect();
        let expected: Vec<(Protocol, Vec<String>)> = case
            .sessions
            .iter()
            .map(|(p, skeleton)| (*p, skeleton.iter().map(|l| l.to_string()).collect()))
            .collect();
        assert_eq!(got, expected, "{}", case.file);
    }
}

#[test]
fn the_reader_says_which_markers_it_learned_and_how_it_read_them() {
    for case in CASES {
        let sessions = sessions_of(case.file);
        for session in &sessions {
            let reading = session
                .reading
                .as_ref()
                .expect("a text session has a reading");
            let got: Vec<(&str, &str)> = reading
                .markers
                .iter()
                .map(|m| (m.marker.as_str(), role_name(&m.read_as)))
                .collect();
            assert_eq!(got, case.markers, "{}", case.file);
            let unsure = case.file == "one-arrow-both-sides.txt";
            assert_eq!(!reading.is_sure(), unsure, "{}: {reading:?}", case.file);
        }
    }
}

#[test]
fn messages_are_read_unquoted_and_unescaped() {
    let message = |file: &str| {
        let sessions = sessions_of(file);
        let content = sessions[0]
            .commands()
            .find_map(|c| match &c.kind {
                mailgrade::session::CommandKind::Message { content } => Some(content.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{file}: a message"));
        String::from_utf8(content.bytes.unwrap_or_default()).expect("utf-8")
    };
    assert_eq!(
        message("python-smtplib.txt"),
        "From: student@lab.test\r\nTo: teacher@lab.test\r\nSubject: lab 3\r\n\r\nhello\r\n"
    );
    assert_eq!(
        message("swaks-html-escaped.txt"),
        "Subject: test & more\r\n\r\nhello\r\n"
    );
    let phpmailer = message("phpmailer.txt");
    assert!(
        phpmailer.starts_with("Date: Fri, 1 Mar 2024"),
        "{phpmailer}"
    );
    assert!(
        phpmailer.ends_with("\r\n\r\nhello from PHPMailer\r\n\r\n"),
        "{phpmailer}"
    );
    assert!(message("mailhog.log").starts_with("From: student@lab.test\r\nSubject: lab 3"));
    let retr = sessions_of("python-poplib-debuglevel2.txt")[0].exchanges[5]
        .reply
        .clone()
        .and_then(|r| r.body)
        .and_then(|b| b.bytes)
        .expect("RETR's body");
    assert!(
        String::from_utf8_lossy(&retr).ends_with("Subject: lab 3\r\n\r\nhello\r\n"),
        "{retr:?}"
    );
    let ehlo = sessions_of("hmailserver.log")[0].exchanges[1]
        .reply
        .clone()
        .expect("EHLO answered");
    assert_eq!(
        ehlo.lines,
        ["mail.lab.test", "SIZE 20480000", "AUTH LOGIN", "HELP"]
    );
}

#[test]
fn re_pairings_leave_notes_that_name_lines_only() {
    for (file, paired) in [("replies-late.txt", 8), ("reply-before-command.txt", 8)] {
        let sessions = sessions_of(file);
        let notes: Vec<&str> = sessions[0]
            .notes
            .iter()
            .filter(|n| n.kind == NoteKind::Paired)
            .map(|n| n.detail.en.as_str())
            .collect();
        assert_eq!(notes.len(), 1, "{file}: {notes:?}");
        assert!(
            notes[0].contains(&format!("the reply at {paired}")),
            "{file}: {notes:?}"
        );
        for word in ["354", "End data", "DATA", "MAIL"] {
            assert!(!notes[0].contains(word), "{file}: the note quotes {word}");
        }
    }
    // A log that prints every reply before its command: each pairing is a re-pairing.
    let sessions = sessions_of("replies-first.txt");
    let notes: Vec<&str> = sessions[0]
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Paired)
        .map(|n| n.detail.en.as_str())
        .collect();
    assert_eq!(notes.len(), 6, "{notes:?}");
    assert!(notes
        .iter()
        .all(|n| n.contains("printed before the command")));
    // In line order, nothing is re-paired.
    for case in CASES.iter().filter(|c| !c.file.starts_with("repl")) {
        for session in sessions_of(case.file) {
            assert!(
                session.notes.iter().all(|n| n.kind != NoteKind::Paired),
                "{}: {:?}",
                case.file,
                session.notes
            );
        }
    }
}

fn mailgrade(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the mailgrade binary runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn no_password_or_auth_payload_in_any_output() {
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let secrets = [
        PASSWORD.to_string(),
        b64(PASSWORD),
        b64(USER),
        b64(&format!("\0{USER}\0{PASSWORD}")),
        // nodemailer logs AUTH PLAIN with the password replaced; still an AUTH payload.
        b64(&format!("\0{USER}\0/* secret */")),
    ];
    for case in CASES {
        let file = format!("tests/notations/{}", case.file);
        let file = file.as_str();
        let runs = [
            vec!["extract", file],
            vec!["extract", file, "--format", "json"],
            vec!["extract", file, "--format", "transcript"],
            vec!["grade", file, "--server", "none"],
            vec!["grade", file, "--server", "none", "--format", "json"],
            vec!["grade", file, "--server", "none", "--lang", "zh-CN"],
        ];
        for args in runs {
            let shown = mailgrade(&args);
            // Read, not refused: the dialogue's replies are in every output.
            assert!(
                shown.contains("250") || shown.contains("+OK"),
                "{args:?}: {shown}"
            );
            for secret in &secrets {
                assert!(
                    !shown.contains(secret.as_str()),
                    "{args:?} shows a credential"
                );
            }
        }
    }
}

#[test]
fn a_file_cut_at_the_line_cap_says_so_on_its_last_session() {
    let mut text = String::from("S: 220 a\nC: HELO x\nS: 250 ok\nC: QUIT\nS: 221 bye\n");
    text.push_str("S: 220 b\n");
    text.push_str(&"C: NOOP\nS: 250 ok\n".repeat(110_000));
    let read =
        mailgrade::ingest::read_bytes(Path::new("long.txt"), text.as_bytes()).expect("reads");
    assert_eq!(read.sessions.len(), 2);
    let cut = |session: &Session| {
        session
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Truncated && n.detail.en.contains("200000 lines"))
    };
    assert!(!cut(&read.sessions[0]));
    assert!(cut(&read.sessions[1]));
}

#[test]
fn a_reading_the_reader_is_unsure_of_is_a_finding_in_both_languages() {
    let scenario = mailgrade::scenario::builtin("smtp-error-recovery").expect("builtin");
    let finding = |file: &str| {
        let session = sessions_of(file).remove(0);
        let grade = mailgrade::grade::grade(&session, 0, &scenario);
        grade
            .findings
            .into_iter()
            .find(|f| f.check == "unsure-reading")
    };
    let unsure = finding("one-arrow-both-sides.txt").expect("an unsure-reading finding");
    assert!(
        unsure
            .message
            .get(mailgrade::i18n::Lang::En)
            .contains("`=>`"),
        "{unsure:?}"
    );
    assert!(
        unsure
            .message
            .get(mailgrade::i18n::Lang::ZhCn)
            .contains("无法确定"),
        "{unsure:?}"
    );
    for case in CASES
        .iter()
        .filter(|c| c.file != "one-arrow-both-sides.txt")
    {
        if case.sessions[0].0 == Protocol::Smtp {
            assert!(finding(case.file).is_none(), "{}", case.file);
        }
    }
}
