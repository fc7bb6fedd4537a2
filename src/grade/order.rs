//! Which order rule each command of a session broke, found in one pass: the protocol's
//! state machine ([`SmtpState`], [`Pop3State`]) walks the claimed dialogue once and asks, at
//! every command, whether it was in order before applying its reply.
//!
//! Asking per refused command from the start cost the square of the session's length (4,000
//! refused commands took 50 s to grade).

use crate::protocol::pop3::Pop3State;
use crate::protocol::smtp::{self, SmtpState};
use crate::protocol::Request;
use crate::scenario::Label;
use crate::session::{Exchange, Pop3Status, Protocol, ReplyCode, Session};

/// The request of an exchange's command line, as the protocol read it.
fn request(exchange: &Exchange) -> Option<&Request> {
    exchange.command.as_ref()?.request()
}

/// For each exchange, the id of the order rule its command broke (POP3's with a `pop3-`
/// prefix), given everything before it.
pub(super) fn broken_rules(session: &Session) -> Vec<Option<String>> {
    match session.protocol {
        Protocol::Tls => vec![None; session.exchanges.len()],
        Protocol::Smtp => smtp_rules(&session.exchanges),
        Protocol::Pop3 => pop3_rules(&session.exchanges),
    }
}

fn smtp_rules(exchanges: &[Exchange]) -> Vec<Option<String>> {
    let mut state = SmtpState::helo_required();
    // AUTH waits for its final answer; 334 is a challenge.
    let mut auth: Option<smtp::Request> = None;
    exchanges
        .iter()
        .map(|exchange| {
            let request = match request(exchange) {
                Some(Request::Smtp(request)) => Some(request.clone()),
                _ => None,
            };
            let broken = request
                .as_ref()
                .and_then(|r| state.check(r).err())
                .map(|rule| rule.id().to_string());
            let code = exchange.reply.as_ref().and_then(|r| r.code.smtp());
            match (Label::of(exchange), request, code) {
                (Label::Verb(_), Some(request), Some(code)) => {
                    if matches!(request, smtp::Request::Auth { .. }) && code.value() == 334 {
                        auth = Some(request);
                    } else {
                        state.apply(&request, code);
                    }
                }
                (Label::AuthResponse, _, Some(code)) if code.value() != 334 => {
                    if let Some(request) = auth.take() {
                        state.apply(&request, code);
                    }
                }
                (Label::Message, _, Some(code)) => state.apply_message(code),
                _ => {}
            }
            broken
        })
        .collect()
}

fn pop3_rules(exchanges: &[Exchange]) -> Vec<Option<String>> {
    let mut state = Pop3State::new();
    exchanges
        .iter()
        .map(|exchange| {
            let request = match request(exchange) {
                Some(Request::Pop3(request)) => Some(request),
                _ => None,
            };
            let broken = request
                .as_ref()
                .and_then(|r| state.check(r).err())
                .map(|rule| format!("pop3-{}", rule.id()));
            if let (Some(request), Some(ReplyCode::Pop3(status))) =
                (&request, exchange.reply.as_ref().map(|r| r.code))
            {
                if status != Pop3Status::Continue {
                    state.apply(request, status);
                }
            }
            broken
        })
        .collect()
}
