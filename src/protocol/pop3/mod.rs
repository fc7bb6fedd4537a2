//! POP3 (RFC 1939) with CAPA (RFC 2449), AUTH (RFC 5034) and STLS (RFC 2595).

mod request;
mod response;

pub use request::{grammar, parse_request, Request, SyntaxError};
pub use response::{
    is_status_line, parse_status_line, Pop3Response, ResponseError, ResponseEvent,
    ResponseReceiver, StatusLine,
};
