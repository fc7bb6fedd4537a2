//! `DialogueBuilder` driven by a script of calls: bytes and lines from either side, SASL
//! summaries, elided messages, TLS and gaps, in any order and chunking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailgrade::protocol::{DialogueBuilder, Direction};
use mailgrade::session::{Origin, Protocol, Secret};

fuzz_target!(|data: &[u8]| {
    let Some((&first, mut script)) = data.split_first() else {
        return;
    };
    let protocol = if first & 1 == 0 {
        Protocol::Smtp
    } else {
        Protocol::Pop3
    };
    let mut dialogue = DialogueBuilder::new(protocol);
    let mut frame = 0u64;
    while let [op, len, rest @ ..] = script {
        let len = usize::from(*len).min(rest.len());
        let (payload, rest) = rest.split_at(len);
        script = rest;
        frame += 1;
        let origin = Origin::frame(frame, 0);
        let text = String::from_utf8_lossy(payload);
        match op % 10 {
            0 | 1 => dialogue.client_bytes(payload, origin),
            2 | 3 => dialogue.server_bytes(payload, origin),
            4 => dialogue.client_line(&text, origin),
            5 => dialogue.server_line(&text, origin),
            6 => dialogue.client_auth_response(Secret::new(text), origin),
            7 => match op / 10 % 3 {
                0 => dialogue.client_message_elided(Some(len as u64), origin),
                1 => dialogue.server_body_elided(None, origin),
                _ => dialogue.message_summary(&text),
            },
            8 => {
                let direction = if op / 10 % 2 == 0 {
                    Direction::Client
                } else {
                    Direction::Server
                };
                dialogue.gap(direction, origin, "fuzz gap".to_string());
            }
            _ => dialogue.tls_started(origin),
        }
        let _ = dialogue.expect();
    }
    let finished = dialogue.finish();
    for exchange in &finished.exchanges {
        let _ = exchange.skeleton_line();
        if let Some(command) = &exchange.command {
            let _ = command.to_string();
        }
    }
});
