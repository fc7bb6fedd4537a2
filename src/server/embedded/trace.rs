//! What a delivering MTA prepends: `Return-Path:`, `Delivered-To:` and `Received:`
//! (RFC 5321 §4.4), with the date in RFC 5322 form.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

/// How the message came in, for the `with` clause (RFC 3848).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Smtp,
    Esmtp,
    Esmtpa,
}

pub struct Envelope<'a> {
    pub from: &'a str,
    pub helo: Option<&'a str>,
    pub peer: IpAddr,
    pub hostname: &'a str,
    pub via: Via,
    pub queue_id: &'a str,
}

/// The trace header block for one recipient, CRLF-ended, to go before the message.
pub fn trace_headers(envelope: &Envelope<'_>, recipient: &str, now: SystemTime) -> String {
    let with = match envelope.via {
        Via::Smtp => "SMTP",
        Via::Esmtp => "ESMTP",
        Via::Esmtpa => "ESMTPA",
    };
    format!(
        "Return-Path: <{from}>\r\nDelivered-To: {recipient}\r\n\
         Received: from {helo} (unknown [{peer}])\r\n\
         \tby {host} (mailgrade) with {with} id {id}\r\n\
         \tfor <{recipient}>; {date}\r\n",
        from = envelope.from,
        helo = envelope.helo.unwrap_or("unknown"),
        peer = envelope.peer,
        host = envelope.hostname,
        id = envelope.queue_id,
        date = rfc5322_date(now),
    )
}

/// `Thu, 26 Nov 2026 15:00:22 +0000 (UTC)`.
pub fn rfc5322_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {} {} {} {:02}:{:02}:{:02} +0000 (UTC)",
        WEEKDAYS[days.rem_euclid(7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month 1–12, day 1–31); Howard Hinnant's algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_read_like_postfix() {
        let cases = [
            (0, "Thu, 1 Jan 1970 00:00:00 +0000 (UTC)"),
            (1_795_705_222, "Thu, 26 Nov 2026 15:00:22 +0000 (UTC)"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000 (UTC)"),
        ];
        for (secs, expected) in cases {
            let time = UNIX_EPOCH + Duration::from_secs(secs);
            assert_eq!(rfc5322_date(time), expected);
        }
    }
}
