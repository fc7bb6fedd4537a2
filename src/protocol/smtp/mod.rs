//! SMTP (RFC 5321) with AUTH (RFC 4954), STARTTLS (RFC 3207), PIPELINING (RFC 2920), BDAT (RFC 3030).

mod request;
mod state;

pub use request::{parse_request, Request, SyntaxError};
pub use state::{Rule, SmtpState};
