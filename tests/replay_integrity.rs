//! `replay-integrity`: a transcript whose claimed reply was edited gets a finding that names
//! the claimed line and the replayed place; an honest one gets none.

mod replay_support;

use mailgrade::grade::{grade_replayed, FindingSeverity};
use mailgrade::replay::replay_session;
use mailgrade::scenario;
use mailgrade::session::Protocol;
use replay_support::*;

fn integrity(grade: &mailgrade::grade::Grade) -> Vec<&mailgrade::grade::Finding> {
    grade
        .findings
        .iter()
        .filter(|f| f.check == "replay-integrity")
        .collect()
}

async fn replay_and_grade(name: &str, text: &str, scenario_id: &str) -> mailgrade::grade::Grade {
    let server = embedded().await;
    let protocol = if scenario_id.starts_with("pop3") {
        Protocol::Pop3
    } else {
        Protocol::Smtp
    };
    let claimed = session(protocol, name, text);
    let mut setup = setup();
    setup.mailbox = vec![b"Subject: one\r\n\r\nhi\r\n".to_vec()];
    let replayed = replay_session(&server, &claimed, &setup)
        .await
        .expect("replays");
    let scenario = scenario::builtin(scenario_id).expect("built-in scenario");
    grade_replayed(&claimed, &replayed.session, 0, &scenario)
}

#[tokio::test]
async fn honest_transcripts_get_no_integrity_findings() {
    let cases = [
        (
            telnet_auth_login("235 Authentication successful"),
            "smtp-telnet-auth-send",
        ),
        (
            telnet_auth_login("535 Error: authentication failed"),
            "smtp-telnet-auth-send",
        ),
        (pop3_retrieve(), "pop3-retrieve"),
    ];
    for (text, scenario) in cases {
        let grade = replay_and_grade("honest.txt", &text, scenario).await;
        let found = integrity(&grade);
        assert!(found.is_empty(), "{scenario}: {found:#?}");
    }
}

#[tokio::test]
async fn an_edited_reply_is_found_with_its_line_and_replay_place() {
    // RCPT before MAIL: a server says 503; the student wrote 250.
    let text = "S: 220 smtp.qq.com Esmtp QQ Mail Server\n\
                C: HELO qq.com\n\
                S: 250 OK\n\
                C: RCPT TO:<987654321@qq.com>\n\
                S: 250 OK\n\
                C: MAIL FROM:<877261793@qq.com>\n\
                S: 250 OK\n\
                C: QUIT\n\
                S: 221 Bye\n";
    let grade = replay_and_grade("edited.txt", text, "smtp-telnet-auth-send").await;
    let findings = integrity(&grade);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = findings[0];
    assert_eq!(finding.severity, FindingSeverity::Error);
    assert!(
        finding.message.en.contains("`250 OK` (edited.txt:5:4)"),
        "{}",
        finding.message.en
    );
    assert!(
        finding.message.en.contains("`503"),
        "{}",
        finding.message.en
    );
    assert!(
        finding.message.en.contains("(replay #2)"),
        "{}",
        finding.message.en
    );
    assert!(!finding.message.zh_cn.is_empty());
    let evidence = finding.evidence.as_ref().unwrap();
    assert_eq!(evidence.origin.to_string(), "5:4");
    assert_eq!(evidence.exchange, "RCPT → 250 (replayed: RCPT → 503)");
    assert_eq!(grade.server, None, "the caller says which server answered");
}

#[tokio::test]
async fn a_made_up_auth_success_is_found() {
    // The password is not base64: a server refuses it, the student claims 235.
    let text = telnet_auth_login("235 Authentication successful")
        .replace(&b64(STUDENT_PASSWORD), "my password!");
    let grade = replay_and_grade("forged.txt", &text, "smtp-telnet-auth-send").await;
    let findings = integrity(&grade);
    assert!(
        findings
            .iter()
            .any(|f| f.message.en.contains("`235 Authentication successful`")),
        "{findings:#?}"
    );
    for finding in &grade.findings {
        assert!(!finding.message.en.contains("my password!"));
        assert!(!finding.message.en.contains("lab-password"));
    }
}
