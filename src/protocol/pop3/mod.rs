//! POP3 (RFC 1939) with CAPA (RFC 2449), AUTH (RFC 5034) and STLS (RFC 2595).

mod request;

pub use request::{parse_request, Request, SyntaxError};
