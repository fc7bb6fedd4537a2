//! Replay against the real embedded server over real sockets: honest transcripts replay to
//! the same skeleton, student credentials never reach the server (a recording proxy keeps
//! every byte sent), mailboxes are seeded, and send-then-read reads the message back.

mod replay_support;

use std::sync::Arc;

use mailgrade::replay::{replay_session, ReplayNote};
use mailgrade::server::MailServer;
use mailgrade::session::Protocol;
use replay_support::*;

#[tokio::test]
async fn smtp_auth_login_replays_honestly_and_no_student_credential_reaches_the_server() {
    let server = embedded().await;
    let log: Log = Arc::default();
    let proxied = recorded(&server, &log).await;
    let claimed = session(
        Protocol::Smtp,
        "t.txt",
        &telnet_auth_login("235 Authentication successful"),
    );
    let replayed = replay_session(&proxied, &claimed, &setup())
        .await
        .expect("replays");
    assert_eq!(replayed.session.skeleton(), claimed.skeleton());
    let sent = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    for secret in student_secrets() {
        assert!(
            !sent.contains(&secret),
            "{secret} reached the server: {sent}"
        );
    }
    assert!(sent.contains(&b64("student@lab.test")));
    assert!(sent.contains("RCPT TO:<987654321@lab.test>"));
    // Delivered to the catch-all (the test account), byte for byte after the trace headers.
    let mailbox = server.mailbox("student@lab.test").await.unwrap();
    assert_eq!(mailbox.len(), 1);
    assert!(mailbox[0].ends_with(b"Subject: hello\r\n\r\n.a line with a dot\r\n"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_failed_login_fails_on_replay_too() {
    let server = embedded().await;
    let claimed = session(
        Protocol::Smtp,
        "t.txt",
        &telnet_auth_login("535 Error: authentication failed"),
    );
    let replayed = replay_session(&server, &claimed, &setup()).await.unwrap();
    assert!(replayed
        .session
        .skeleton()
        .contains(&"auth-response → 535".to_string()));
    assert!(replayed
        .notes
        .iter()
        .any(|n| matches!(n, ReplayNote::FailedLoginMirrored { .. })));
}

#[tokio::test]
async fn auth_plain_with_an_initial_response_is_swapped() {
    let server = embedded().await;
    let log: Log = Arc::default();
    let proxied = recorded(&server, &log).await;
    let text = format!(
        "S: 220 x\nC: EHLO x\nS: 250 ok\nC: AUTH PLAIN {}\nS: 235 ok\nC: QUIT\nS: 221 bye\n",
        b64(&format!("\0{STUDENT_USER}\0{STUDENT_PASSWORD}"))
    );
    let claimed = session(Protocol::Smtp, "t.txt", &text);
    let replayed = replay_session(&proxied, &claimed, &setup()).await.unwrap();
    assert_eq!(
        replayed.session.skeleton(),
        ["greeting → 220", "EHLO → 250", "AUTH → 235", "QUIT → 221"]
    );
    let sent = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    for secret in student_secrets() {
        assert!(!sent.contains(&secret), "{secret} reached the server");
    }
}

#[tokio::test]
async fn pop3_retrieve_is_seeded_and_replays_to_the_same_skeleton() {
    let server = embedded().await;
    let log: Log = Arc::default();
    let claimed = session(Protocol::Pop3, "p.txt", &pop3_retrieve());
    let mut setup = setup();
    setup.mailbox =
        vec![b"From: <teacher@lab.test>\r\nSubject: Welcome\r\n\r\nHello!\r\n".to_vec()];
    // Seeding goes to the server itself; the session through the recording proxy.
    let endpoints = server.endpoints();
    let smtp = recording_proxy(endpoints.smtp, Arc::clone(&log)).await;
    let pop3 = recording_proxy(endpoints.pop3, Arc::clone(&log)).await;
    struct Seeded<'a>(
        &'a mailgrade::server::embedded::EmbeddedServer,
        mailgrade::server::Endpoints,
    );
    #[async_trait::async_trait]
    impl MailServer for Seeded<'_> {
        fn name(&self) -> String {
            self.0.name()
        }
        fn endpoints(&self) -> mailgrade::server::Endpoints {
            self.1
        }
        fn domain(&self) -> String {
            self.0.domain()
        }
        fn accounts(&self) -> Vec<mailgrade::server::Account> {
            self.0.accounts()
        }
        async fn seed(
            &self,
            user: &str,
            messages: Vec<Vec<u8>>,
        ) -> Result<(), mailgrade::server::ServerError> {
            self.0.seed(user, messages).await
        }
        async fn mailbox(
            &self,
            user: &str,
        ) -> Result<Vec<mailgrade::server::MailboxMessage>, mailgrade::server::ServerError>
        {
            self.0.mailbox(user).await
        }
        async fn stop(&self) -> Result<(), mailgrade::server::ServerError> {
            Ok(())
        }
    }
    let through = Seeded(&server, mailgrade::server::Endpoints { smtp, pop3 });
    let replayed = replay_session(&through, &claimed, &setup).await.unwrap();
    assert_eq!(replayed.server, "embedded");
    assert_eq!(replayed.session.skeleton(), claimed.skeleton());
    assert!(replayed.notes.contains(&ReplayNote::MailboxSeeded {
        count: 2,
        generated: 1
    }));
    let retr = &replayed.session.exchanges[5];
    let body = retr.reply.as_ref().unwrap().body.as_ref().unwrap();
    assert!(String::from_utf8_lossy(body.bytes.as_deref().unwrap()).contains("lab message 2"));
    let sent = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    for secret in student_secrets() {
        assert!(!sent.contains(&secret), "{secret} reached the server");
    }
    assert!(sent.contains("USER student@lab.test\r\n"));
    // DELE 2 + QUIT: the message is gone.
    assert_eq!(server.mailbox("student@lab.test").await.unwrap().len(), 1);
}

#[tokio::test]
async fn send_then_read_reads_the_message_back_unchanged() {
    let server = embedded().await;
    let claimed = session(Protocol::Smtp, "t.txt", &telnet_auth_login("235 ok"));
    let mut setup = setup();
    setup.send_then_read = true;
    let replayed = replay_session(&server, &claimed, &setup).await.unwrap();
    let readback = replayed.readback.expect("read back");
    assert!(readback.verified, "{}", readback.detail);
}

#[tokio::test]
async fn send_then_read_fails_when_nothing_was_delivered() {
    let server = embedded().await;
    let claimed = session(Protocol::Smtp, "t.txt", &telnet_auth_login("235 ok"));
    let mut setup = setup();
    setup.send_then_read = true;
    // Kept addresses at qq.com are not the lab's: nothing is delivered.
    setup.keep_addresses = true;
    let replayed = replay_session(&server, &claimed, &setup).await.unwrap();
    let readback = replayed.readback.expect("read back");
    assert!(!readback.verified);
}
