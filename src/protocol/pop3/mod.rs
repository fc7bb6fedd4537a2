//! POP3 (RFC 1939) with CAPA (RFC 2449), AUTH (RFC 5034) and STLS (RFC 2595).

mod receiver;
mod request;
mod response;
mod state;

pub use receiver::{ClientInput, ServerReceiver};
pub(crate) use request::parse_words;
pub use request::{grammar, parse_request, Request, SyntaxError};
pub use response::{
    indicator, is_status_line, line_status, parse_owned_status_line, parse_status,
    parse_status_line, Pop3Response, ResponseError, ResponseEvent, ResponseReceiver, StatusLine,
};
pub use state::{Pop3Phase, Pop3Rule, Pop3State};
