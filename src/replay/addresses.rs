//! Envelope addresses mapped to the lab domain: `RCPT TO:<987654321@qq.com>` becomes
//! `RCPT TO:<987654321@lab.test>`, so the lab server delivers instead of refusing to relay.

use super::credentials::with_args;
use crate::protocol::{smtp, Request};
use crate::session::{Args, Command};

/// The command with its MAIL FROM / RCPT TO path or VRFY address at `domain`, and the
/// mapping made; `None` when there is nothing to map.
pub(crate) fn map_envelope(
    command: &Command,
    args: &Args,
    domain: &str,
) -> Option<(Command, String, String)> {
    let Request::Smtp(request) = command.request()? else {
        return None;
    };
    let address = match request {
        smtp::Request::Mail { from, .. } => from.clone(),
        smtp::Request::Rcpt { to, .. } => to.clone(),
        smtp::Request::Vrfy { arg } => arg.trim_matches(['<', '>']).to_string(),
        _ => return None,
    };
    let mapped = map_address(&address, domain)?;
    let text = args.text.replacen(&address, &mapped, 1);
    (text != args.text).then(|| {
        let sent = with_args(
            command,
            Args {
                text,
                secret: args.secret.clone(),
            },
        );
        (sent, address, mapped)
    })
}

/// `local@elsewhere` → `local@domain`; `None` for the null path, a bare name or an address
/// already at `domain`.
pub(crate) fn map_address(address: &str, domain: &str) -> Option<String> {
    let (local, host) = address.rsplit_once('@')?;
    // A source route (`@a,@b:user@c`) keeps only the mailbox.
    let local = local.rsplit_once(':').map_or(local, |(_, l)| l);
    if local.is_empty() || host.eq_ignore_ascii_case(domain) {
        return None;
    }
    Some(format!("{local}@{domain}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{CommandKind, Origin, Protocol};

    fn line(verb: &str, text: &str) -> Command {
        Command::new(
            CommandKind::line(Protocol::Smtp, verb, Args::plain(text)),
            Origin::line(1),
        )
    }

    #[test]
    fn maps_envelope_addresses_keeping_the_local_part() {
        let cases = [
            (
                "RCPT",
                "TO:<987654321@qq.com>",
                Some("TO:<987654321@lab.test>"),
            ),
            (
                "rcpt",
                "to: <A.B@QQ.com> NOTIFY=NEVER",
                Some("to: <A.B@lab.test> NOTIFY=NEVER"),
            ),
            (
                "MAIL",
                "FROM:<877261793@qq.com> SIZE=100",
                Some("FROM:<877261793@lab.test> SIZE=100"),
            ),
            ("MAIL", "FROM:<>", None),
            ("MAIL", "FROM:<student@lab.test>", None),
            ("MAIL", "FROM:<student@LAB.TEST>", None),
            ("RCPT", "TO:postmaster", None),
            ("VRFY", "<bob@example.org>", Some("<bob@lab.test>")),
            ("VRFY", "bob", None),
            ("EHLO", "qq.com", None),
        ];
        for (verb, text, expected) in cases {
            let command = line(verb, text);
            let mapped = map_envelope(&command, command.args().unwrap(), "lab.test");
            let got = mapped
                .as_ref()
                .map(|(c, _, _)| c.args().unwrap().text.as_str());
            assert_eq!(got, expected, "{verb} {text}");
        }
    }
}
