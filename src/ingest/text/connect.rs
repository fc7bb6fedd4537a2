//! Lines about the connection rather than in it: `telnet host 25`, `nc`, `openssl s_client`,
//! swaks' `=== Trying host:port...`, and the terminal's own chatter (`Trying …`,
//! `Connected to …`, `Escape character is '^]'.`, `Connection closed by foreign host.`).

use std::sync::LazyLock;

use regex::Regex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Aside {
    /// The student opened a connection: a new session starts.
    Connect {
        host: String,
        port: Option<u16>,
        /// `openssl s_client -starttls`: the tool spoke EHLO/STARTTLS itself, before the dialogue.
        starttls: bool,
    },
    /// The terminal's own output, not part of the dialogue.
    Noise,
    /// The connection ended: the session is over.
    Closed,
}

static TELNET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|[\s$#%>\]])(?:telnet|nc|ncat|netcat|open)\s+(?:-\S+\s+)*(\[[^\]]*\]|[^\s\[\]]+?)(?:(?:\s+|:)(\d{1,5}))?\s*$",
    )
    .expect("valid regex")
});
static OPENSSL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bs_client\b.*-connect\s+(\[[^\]]*\]|[^\s:]+)(?::(\d{1,5}))?")
        .expect("valid regex")
});
static SWAKS_TRYING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^===\s+Trying\s+(\[[^\]]*\]|[^\s:]+):(\d{1,5})\.\.\.").expect("valid regex")
});
static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:Trying\s+\S+\.\.\.|Connected to\s|Escape character is|CONNECTED\(|正在连接|===\s|\*\*\*\s|depth=\d|verify return:)",
    )
    .expect("valid regex")
});
static CLOSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:Connection closed by foreign host|Connection closed\.?$|Connection to host lost|遗失了跟主机的连接|失去了跟主机的连接|===\s+Connection closed|<connection closed|DONE$)",
    )
    .expect("valid regex")
});

/// What a line says about the connection, if it is about the connection.
pub fn aside(text: &str) -> Option<Aside> {
    let text = text.trim();
    if let Some(caps) = SWAKS_TRYING.captures(text) {
        return Some(connect(&caps[1], caps.get(2).map(|m| m.as_str()), false));
    }
    if CLOSED.is_match(text) {
        return Some(Aside::Closed);
    }
    if NOISE.is_match(text) {
        return Some(Aside::Noise);
    }
    if let Some(caps) = OPENSSL.captures(text) {
        let starttls = text.to_ascii_lowercase().contains("-starttls");
        return Some(connect(&caps[1], caps.get(2).map(|m| m.as_str()), starttls));
    }
    if let Some(caps) = TELNET.captures(text) {
        return Some(connect(&caps[1], caps.get(2).map(|m| m.as_str()), false));
    }
    None
}

fn connect(host: &str, port: Option<&str>, starttls: bool) -> Aside {
    Aside::Connect {
        host: host.to_string(),
        port: port.and_then(|p| p.parse().ok()),
        starttls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(host: &str, port: Option<u16>) -> Option<Aside> {
        Some(Aside::Connect {
            host: host.into(),
            port,
            starttls: false,
        })
    }

    #[test]
    fn recognises_connection_lines() {
        let cases = [
            ("telnet imap.qq.com 25", c("imap.qq.com", Some(25))),
            (
                "[quix@quixel osi-model]$ nc localhost 25",
                c("localhost", Some(25)),
            ),
            (
                "glrh11@glrh11-ThinkPad-T460:~/Downloads$ telnet pop.163.com 110",
                c("pop.163.com", Some(110)),
            ),
            (
                "midoks@midoks ~ % telnet 127.0.0.1 25",
                c("127.0.0.1", Some(25)),
            ),
            ("telnet [servername/ip] 25", c("[servername/ip]", Some(25))),
            (
                "Microsoft Telnet> open smtp.163.com 25",
                c("smtp.163.com", Some(25)),
            ),
            ("nc -C mail.lab.test 2525", c("mail.lab.test", Some(2525))),
            ("telnet smtp.qq.com", c("smtp.qq.com", None)),
            ("=== Trying 127.0.0.1:2525...", c("127.0.0.1", Some(2525))),
            (
                "openssl s_client -starttls smtp -crlf -connect mail.example.com:587",
                Some(Aside::Connect {
                    host: "mail.example.com".into(),
                    port: Some(587),
                    starttls: true,
                }),
            ),
            ("Trying 240e:ff:f100:8019::6a...", Some(Aside::Noise)),
            ("Connected to smtp.qq.com.", Some(Aside::Noise)),
            ("Escape character is '^]'.", Some(Aside::Noise)),
            ("=== Connected to 127.0.0.1.", Some(Aside::Noise)),
            ("Connection closed by foreign host.", Some(Aside::Closed)),
            (
                "=== Connection closed with remote host.",
                Some(Aside::Closed),
            ),
            ("EHLO localhost", None),
            ("250 OK", None),
            ("What you type is in bold. Use telnet to port 110", None),
        ];
        for (line, expected) in cases {
            assert_eq!(aside(line), expected, "{line:?}");
        }
    }
}
