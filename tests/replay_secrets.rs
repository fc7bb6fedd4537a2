//! Replay sends only commands of the session's protocol, with the test account's
//! credentials: PASS or USER typed at an SMTP server, IMAP's LOGIN, a password typed as a
//! command and any other line the protocol does not define never reach the server. A
//! recording proxy in front of the embedded server keeps every byte replay sends.

mod replay_support;

use std::sync::Arc;

use mailgrade::replay::{replay_session, ReplayNote};
use mailgrade::server::MailServer;
use mailgrade::session::Protocol;
use replay_support::*;

/// Lines no mail protocol defines, each with a mark that must not be sent.
const NOT_A_COMMAND: &str = "HELLO-THERE from a student";

fn sent(log: &Log) -> String {
    String::from_utf8_lossy(&log.lock().unwrap()).into_owned()
}

fn not_a_command_notes(notes: &[ReplayNote]) -> usize {
    notes
        .iter()
        .filter(|n| matches!(n, ReplayNote::NotACommand { .. }))
        .count()
}

fn assert_no_student_secret(sent: &str) {
    for secret in student_secrets() {
        assert!(
            !sent.contains(&secret),
            "{secret} reached the server:\n{sent}"
        );
    }
}

#[tokio::test]
async fn pop3_lines_in_an_smtp_session_are_never_sent() {
    let server = embedded().await;
    let log: Log = Arc::default();
    let proxied = recorded(&server, &log).await;
    let text = format!(
        "S: 220 smtp.qq.com Esmtp QQ Mail Server\n\
         C: {STUDENT_PASSWORD}\n\
         S: 502 Error: command not implemented\n\
         C: EHLO qq.com\n\
         S: 250-smtp.qq.com\n\
         S: 250 AUTH LOGIN PLAIN\n\
         C: USER {STUDENT_USER}\n\
         S: 502 Error: command not implemented\n\
         C: PASS {STUDENT_PASSWORD}\n\
         S: 502 Error: command not implemented\n\
         C: a1 LOGIN {STUDENT_USER} {STUDENT_PASSWORD}\n\
         S: 502 Error: command not implemented\n\
         C: {NOT_A_COMMAND}\n\
         S: 502 Error: command not implemented\n\
         C: AUTH LOGIN\n\
         S: 334 VXNlcm5hbWU6\n\
         C: {}\n\
         S: 334 UGFzc3dvcmQ6\n\
         C: {}\n\
         S: 235 Authentication successful\n\
         C: QUIT\n\
         S: 221 Bye\n",
        b64(STUDENT_USER),
        b64(STUDENT_PASSWORD)
    );
    let claimed = session(Protocol::Smtp, "t.txt", &text);
    let replayed = replay_session(&proxied, &claimed, &setup())
        .await
        .expect("replays");
    let sent = sent(&log);
    assert_no_student_secret(&sent);
    for line in ["PASS", "USER", "LOGIN ", "HELLO-THERE"] {
        assert!(!sent.contains(line), "{line} was sent:\n{sent}");
    }
    // What the protocol defines is sent, with the test account's login.
    assert!(sent.starts_with("EHLO qq.com\r\nAUTH LOGIN\r\n"), "{sent}");
    assert!(sent.contains(&b64("student@lab.test")));
    assert!(sent.contains(&b64("lab-password")));
    assert_eq!(
        replayed.session.skeleton(),
        [
            "greeting → 220",
            "EHLO → 250",
            "AUTH → 334",
            "auth-response → 334",
            "auth-response → 235",
            "QUIT → 221"
        ]
    );
    assert_eq!(
        not_a_command_notes(&replayed.notes),
        5,
        "{:?}",
        replayed.notes
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn pop3_sends_no_bare_password_and_no_imap_login() {
    let server = embedded().await;
    let log: Log = Arc::default();
    let proxied = recorded(&server, &log).await;
    let text = format!(
        "S: +OK QQMail POP3 Server v1.0 Service Ready\n\
         C: a1 LOGIN {STUDENT_USER} {STUDENT_PASSWORD}\n\
         S: -ERR Unknown command\n\
         C: USER {STUDENT_USER}\n\
         S: +OK\n\
         C: {STUDENT_PASSWORD}\n\
         S: -ERR Unknown command\n\
         C: PASS {STUDENT_PASSWORD}\n\
         S: +OK\n\
         C: {NOT_A_COMMAND}\n\
         S: -ERR Unknown command\n\
         C: STAT\n\
         S: +OK 0 0\n\
         C: QUIT\n\
         S: +OK bye\n"
    );
    let claimed = session(Protocol::Pop3, "p.txt", &text);
    let replayed = replay_session(&proxied, &claimed, &setup())
        .await
        .expect("replays");
    let sent = sent(&log);
    assert_no_student_secret(&sent);
    // The login that worked is replayed as one that works: the bare line after PASS is no
    // part of it, so no failed login is mirrored.
    assert_eq!(
        sent,
        "USER student@lab.test\r\nPASS lab-password\r\nSTAT\r\nQUIT\r\n"
    );
    assert_eq!(
        replayed.session.skeleton(),
        [
            "greeting → +OK",
            "USER → +OK",
            "PASS → +OK",
            "STAT → +OK",
            "QUIT → +OK"
        ]
    );
    assert_eq!(
        not_a_command_notes(&replayed.notes),
        3,
        "{:?}",
        replayed.notes
    );
    assert!(!replayed
        .notes
        .iter()
        .any(|n| matches!(n, ReplayNote::FailedLoginMirrored { .. })));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_line_read_as_a_response_after_the_login_ended_is_not_sent() {
    // After 235 the AUTH exchange is over: the bare line that follows is a password typed
    // where a command belonged, not a third AUTH LOGIN response.
    let server = embedded().await;
    let log: Log = Arc::default();
    let proxied = recorded(&server, &log).await;
    let text = format!(
        "S: 220 x\nC: EHLO x\nS: 250 AUTH LOGIN\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n\
         C: {}\nS: 334 UGFzc3dvcmQ6\nC: {}\nS: 235 ok\nC: {STUDENT_PASSWORD}\n\
         S: 502 Error: command not implemented\nC: QUIT\nS: 221 bye\n",
        b64(STUDENT_USER),
        b64(STUDENT_PASSWORD)
    );
    let claimed = session(Protocol::Smtp, "t.txt", &text);
    let replayed = replay_session(&proxied, &claimed, &setup())
        .await
        .expect("replays");
    let sent = sent(&log);
    assert_no_student_secret(&sent);
    assert!(sent.contains(&b64("lab-password")), "{sent}");
    assert!(
        !sent.contains("not-the-password"),
        "a failed login mirrored"
    );
    assert!(replayed
        .session
        .skeleton()
        .contains(&"auth-response → 235".to_string()));
    assert_eq!(not_a_command_notes(&replayed.notes), 1);
    server.stop().await.unwrap();
}
