//! The sans-IO receivers a server and a client read with: SMTP and POP3 server receivers
//! (switching phase the way a server would), the SMTP reply and POP3 response receivers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailgrade::protocol::{pop3, smtp};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    // Feed in chunks whose size the mode byte picks, so splits land everywhere.
    let chunk = usize::from(mode >> 2).max(1);
    match mode & 3 {
        0 => smtp_server(bytes, chunk),
        1 => pop3_server(bytes, chunk),
        2 => {
            let mut replies = smtp::ReplyReceiver::new(512);
            for piece in bytes.chunks(chunk) {
                let mut input = piece;
                while !input.is_empty() {
                    if let smtp::ReplyEvent::NeedsMoreData = replies.ingest(&mut input) {
                        break;
                    }
                }
            }
        }
        _ => {
            let mut responses = pop3::ResponseReceiver::new(512, 4096);
            for (i, piece) in bytes.chunks(chunk).enumerate() {
                let mut input = piece;
                while !input.is_empty() {
                    if let pop3::ResponseEvent::NeedsMoreData =
                        responses.ingest(&mut input, i % 2 == 0)
                    {
                        break;
                    }
                }
            }
        }
    }
});

fn smtp_server(bytes: &[u8], chunk: usize) {
    let mut receiver = smtp::ServerReceiver::new(smtp::Limits {
        max_line_len: 512,
        max_message_size: 4096,
    });
    for piece in bytes.chunks(chunk) {
        let mut input = piece;
        while !input.is_empty() {
            match receiver.ingest(&mut input) {
                smtp::ClientInput::NeedsMoreData => break,
                smtp::ClientInput::Request {
                    request: Ok(request),
                } => match request {
                    smtp::Request::Data => receiver.expect_message(),
                    smtp::Request::Bdat { size, last } => receiver.expect_chunk(size, last),
                    smtp::Request::Auth { .. } => receiver.expect_auth_response(),
                    _ => {}
                },
                _ => {}
            }
        }
    }
}

fn pop3_server(bytes: &[u8], chunk: usize) {
    let mut receiver = pop3::ServerReceiver::new(255);
    for piece in bytes.chunks(chunk) {
        let mut input = piece;
        while !input.is_empty() {
            match receiver.ingest(&mut input) {
                pop3::ClientInput::NeedsMoreData => break,
                pop3::ClientInput::Request {
                    request: Ok(pop3::Request::Auth { .. }),
                } => receiver.expect_auth_response(),
                _ => {}
            }
        }
    }
}
