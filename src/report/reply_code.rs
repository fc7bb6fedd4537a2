//! A reply code's text as `ReplyCode`'s `Display` writes it, without core::fmt: the
//! reports write one per exchange, and `write!` cost more than the rest of the line.

use crate::session::ReplyCode;

/// `250`, `+OK`, `-ERR` or `+`; `digits` holds the number's text.
pub fn text(code: ReplyCode, digits: &mut itoa::Buffer) -> &str {
    match code {
        ReplyCode::Smtp(code) => digits.format(code.value()),
        ReplyCode::Pop3(status) => crate::protocol::pop3::indicator(status),
    }
}

#[cfg(test)]
mod tests {
    use crate::session::{Pop3Status, ReplyCode, SmtpCode};

    #[test]
    fn writes_every_code_as_display_does() {
        let mut digits = itoa::Buffer::new();
        let pop3 = [Pop3Status::Ok, Pop3Status::Err, Pop3Status::Continue].map(ReplyCode::Pop3);
        let smtp = (100..=599).filter_map(SmtpCode::new).map(ReplyCode::Smtp);
        for code in pop3.into_iter().chain(smtp) {
            assert_eq!(super::text(code, &mut digits), code.to_string());
        }
    }
}
