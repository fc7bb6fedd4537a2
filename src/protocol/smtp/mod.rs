//! SMTP (RFC 5321) with AUTH (RFC 4954), STARTTLS (RFC 3207), PIPELINING (RFC 2920), BDAT (RFC 3030).

mod bdat;
mod params;
mod receiver;
mod reply;
mod request;
mod state;

pub use bdat::{BdatEvent, BdatReceiver};
pub use params::{parse_mail_param, parse_rcpt_param, MailParam, ParamError, RcptParam};
pub use receiver::{ClientInput, Limits, Phase, ServerReceiver};
pub use reply::{
    encode_reply, is_reply_line, parse_reply_line, reply_line_code, ReplyAssembler, ReplyError,
    ReplyEvent, ReplyLine, ReplyReceiver, SmtpReply, GREETING,
};
pub use request::{grammar, parse_request, Request, SyntaxError};
pub(crate) use request::{parse_words, split_verb};
pub use state::{Hello, Rule, SmtpState};
