//! Wireshark's packet list exported as text ("Export Packet Dissections → As Plain Text",
//! or tshark's default one-line-per-frame output) or as CSV. Only SMTP, POP and IMF rows
//! matter; their Info column says `S: …` / `C: …` (older versions `Response: …` /
//! `Request: …`), and when it does not, the side is the row's Source against the server's
//! address (the side that sent the first `S:` row, or the `220` / `+OK` greeting).

use std::sync::LazyLock;

use regex::Regex;

use crate::protocol::Direction;

use super::super::event::{Event, Located};
use super::super::lines::Line;

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*No\.\s+Time\s+Source\s+Destination\s+Protocol\s+Length\s+Info\s*$")
        .expect("valid regex")
});
/// A TCP row opening a connection: `50311 → 25 [SYN] …`.
static SYN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d+\s*(?:→|->)\s*(\d+)\s+\[SYN\]").expect("valid regex"));
static ARROW_ROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\d+\s+\d+\.\d+\s+\S+\s+(?:→|->)\s+\S+\s+\S+\s+\d+\s").expect("valid regex")
});

/// One row of the packet list that matters here.
struct Row {
    line: u32,
    column: u32,
    source: String,
    destination: String,
    /// Ports, when the export has port columns.
    ports: Option<(String, String)>,
    protocol: String,
    info: String,
}

pub fn is_text_list(lines: &[Line]) -> bool {
    lines.iter().any(|l| HEADER.is_match(&l.text))
        || lines.iter().filter(|l| ARROW_ROW.is_match(&l.text)).count() >= 2
}

pub fn is_csv(lines: &[Line]) -> bool {
    let Some(first) = lines.iter().find(|l| !l.text.trim().is_empty()) else {
        return false;
    };
    let header = first.text.trim_start_matches('\u{feff}');
    header.contains(',')
        && header.contains("Info")
        && (header.contains("No.") || header.contains("frame.number"))
}

pub fn read_text(lines: &[Line]) -> Vec<Located> {
    let rows = lines.iter().filter_map(text_row).collect();
    events(rows)
}

/// A row of the text list: the protocol is the first word after the addresses that is
/// followed by a length, and the Info column is the rest of the line.
fn text_row(line: &Line) -> Option<Row> {
    let text = &line.text;
    let mut tokens: Vec<(usize, &str)> = Vec::new();
    let mut rest = text.as_str();
    let mut offset = 0;
    while tokens.len() < 12 {
        let trimmed = rest.trim_start();
        offset += rest.len() - trimmed.len();
        if trimmed.is_empty() {
            break;
        }
        let len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        tokens.push((offset, &trimmed[..len]));
        offset += len;
        rest = &trimmed[len..];
    }
    if !tokens.first()?.1.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let is_protocol = |t: &str| {
        t.starts_with(|c: char| c.is_ascii_alphabetic())
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "./_-".contains(c))
    };
    let index = (3..tokens.len().saturating_sub(1)).find(|&i| {
        is_protocol(tokens[i].1) && tokens[i + 1].1.bytes().all(|b| b.is_ascii_digit())
    })?;
    let destination = tokens[index - 1].1;
    let source = match tokens[index - 2].1 {
        "→" | "->" if index >= 4 => tokens[index - 3].1,
        other => other,
    };
    let info_start = tokens.get(index + 2).map_or(text.len(), |t| t.0);
    Some(Row {
        line: line.number,
        column: text[..info_start].chars().count() as u32 + 1,
        source: source.to_string(),
        destination: destination.to_string(),
        ports: None,
        protocol: tokens[index].1.to_string(),
        info: text[info_start..].trim_end().to_string(),
    })
}

pub fn read_csv(lines: &[Line]) -> Vec<Located> {
    let joined: String = lines
        .iter()
        .map(|l| l.text.trim_start_matches('\u{feff}'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(joined.as_bytes());
    let Ok(headers) = reader.headers().cloned() else {
        return Vec::new();
    };
    let find = |names: &[&str]| {
        headers.iter().position(|h| {
            let h = h.trim().to_ascii_lowercase();
            names.iter().any(|n| h == *n)
        })
    };
    let (Some(info), Some(protocol)) = (
        find(&["info", "_ws.col.info"]),
        find(&["protocol", "_ws.col.protocol"]),
    ) else {
        return Vec::new();
    };
    let source = find(&["source", "src", "ip.src", "ipv6.src"]);
    let destination = find(&["destination", "dst", "ip.dst", "ipv6.dst"]);
    let source_port = find(&["source port", "src port", "srcport", "tcp.srcport"]);
    let destination_port = find(&["destination port", "dst port", "dstport", "tcp.dstport"]);
    let mut rows = Vec::new();
    for record in reader.records() {
        let Ok(record) = record else { continue };
        let index = record
            .position()
            .map_or(0, |p| p.line().saturating_sub(1) as usize);
        let Some(line) = lines.get(index) else {
            continue;
        };
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim();
        let ports = match (field(source_port), field(destination_port)) {
            ("", _) | (_, "") => None,
            (s, d) => Some((s.to_string(), d.to_string())),
        };
        let info_text = field(Some(info));
        let column = line
            .text
            .find(info_text)
            .map_or(1, |offset| line.text[..offset].chars().count() as u32 + 1);
        rows.push(Row {
            line: line.number,
            column,
            source: field(source).to_string(),
            destination: field(destination).to_string(),
            ports,
            protocol: field(Some(protocol)).to_string(),
            info: info_text.to_string(),
        });
    }
    events(rows)
}

/// `S: …` and friends: the side a Wireshark Info column names, and the text after it.
fn info_side(info: &str) -> Option<(Direction, &str)> {
    const PREFIXES: [(&str, Direction); 4] = [
        ("S: ", Direction::Server),
        ("C: ", Direction::Client),
        ("Response: ", Direction::Server),
        ("Request: ", Direction::Client),
    ];
    PREFIXES
        .iter()
        .find_map(|(prefix, side)| info.strip_prefix(prefix).map(|rest| (*side, rest)))
}

fn is_mail_protocol(protocol: &str) -> bool {
    let p = protocol.to_ascii_uppercase();
    p.contains("SMTP") || p.contains("POP") || p.contains("IMF")
}

impl Row {
    fn from(&self) -> String {
        match &self.ports {
            Some((port, _)) => format!("{}:{port}", self.source),
            None => self.source.clone(),
        }
    }

    fn to(&self) -> String {
        match &self.ports {
            Some((_, port)) => format!("{}:{port}", self.destination),
            None => self.destination.clone(),
        }
    }

    /// The two ends, in an order that does not depend on the direction.
    fn conversation(&self) -> (String, String) {
        let (a, b) = (self.from(), self.to());
        if a <= b {
            (a, b)
        } else {
            (b, a)
        }
    }

    /// The server's port when this row opens a connection.
    fn syn_port(&self) -> Option<Option<u16>> {
        let caps = SYN.captures(&self.info)?;
        Some(caps[1].parse().ok())
    }
}

/// Rows to events. With port columns, each TCP conversation becomes its own run of events
/// (interleaved connections are pulled apart); without, rows stay in order and a SYN row
/// starts a new connection.
fn events(rows: Vec<Row>) -> Vec<Located> {
    if rows
        .iter()
        .filter(|r| is_mail_protocol(&r.protocol))
        .all(|r| r.ports.is_some())
    {
        let mut conversations: Vec<((String, String), Vec<Row>)> = Vec::new();
        for row in rows {
            let key = row.conversation();
            match conversations.iter_mut().find(|(k, _)| *k == key) {
                Some((_, rows)) => rows.push(row),
                None => conversations.push((key, vec![row])),
            }
        }
        return conversations
            .into_iter()
            .flat_map(|(_, rows)| conversation_events(rows, true))
            .collect();
    }
    conversation_events(rows, false)
}

fn conversation_events(rows: Vec<Row>, one_connection: bool) -> Vec<Located> {
    let mail: Vec<&Row> = rows
        .iter()
        .filter(|r| is_mail_protocol(&r.protocol))
        .collect();
    let server_row = mail
        .iter()
        .find(|r| matches!(info_side(&r.info), Some((Direction::Server, _))))
        .or_else(|| mail.iter().find(|r| crate::protocol::is_greeting(&r.info)));
    let server = server_row.map(|r| r.from());
    let mut events = Vec::new();
    if one_connection {
        if let Some(first) = mail.first() {
            let (host, port) = match server_row {
                Some(r) => (r.source.clone(), r.ports.as_ref().map(|p| p.0.clone())),
                None => (
                    first.destination.clone(),
                    first.ports.as_ref().map(|p| p.1.clone()),
                ),
            };
            let connect = Event::Connect {
                host,
                port: port.and_then(|p| p.parse().ok()),
            };
            events.push(Located::new(connect, first.line, 1));
        }
    }
    for row in &rows {
        if !is_mail_protocol(&row.protocol) {
            if let Some(port) = row.syn_port().filter(|_| !one_connection) {
                let connect = Event::Connect {
                    host: row.destination.clone(),
                    port,
                };
                events.push(Located::new(connect, row.line, row.column));
            }
            continue;
        }
        let imf = row.protocol.to_ascii_uppercase().contains("IMF");
        let event = match info_side(&row.info) {
            Some((direction, text)) => Event::Line {
                direction,
                text: text.to_string(),
            },
            None if imf => Event::Summary {
                text: row.info.clone(),
            },
            None => match server.as_deref() {
                // Loopback captures without ports: both ends have one address.
                Some(server) if !row.source.is_empty() && row.from() != row.to() => Event::Line {
                    direction: if row.from() == server {
                        Direction::Server
                    } else {
                        Direction::Client
                    },
                    text: row.info.clone(),
                },
                _ => Event::Unmarked {
                    text: row.info.clone(),
                    infer: true,
                },
            },
        };
        let column = match info_side(&row.info) {
            Some((_, text)) => {
                row.column + (row.info.chars().count() - text.chars().count()) as u32
            }
            None => row.column,
        };
        events.push(Located::new(event, row.line, column));
    }
    events
}

#[cfg(test)]
mod tests {
    use super::super::super::lines::split_lines;
    use super::*;

    fn view(events: &[Located]) -> Vec<String> {
        events
            .iter()
            .map(|e| {
                let crate::session::Origin::Line { line, column } = e.origin else {
                    unreachable!()
                };
                match &e.event {
                    Event::Line { direction, text } => {
                        format!("{line}:{column} {direction:?} {text}")
                    }
                    Event::Summary { text } => format!("{line}:{column} IMF {text}"),
                    Event::Unmarked { text, .. } => format!("{line}:{column} ? {text}"),
                    Event::Connect { host, port } => {
                        format!("{line}:{column} connect {host} {port:?}")
                    }
                    other => format!("{other:?}"),
                }
            })
            .collect()
    }

    #[test]
    fn reads_text_exports() {
        let text = "\
No.     Time           Source                Destination           Protocol Length Info
      1 0.000000       10.0.0.2              10.0.0.1              TCP      74     51000 → 25 [SYN] Seq=0
      4 0.000302       10.0.0.1              10.0.0.2              SMTP     105    S: 220 mail.lab.test ESMTP
      6 0.050668       10.0.0.2              10.0.0.1              SMTP     79     C: helo qq.com
     36 0.619210       10.0.0.2              10.0.0.1              SMTP/IMF 69     subject: hi, , body
     38 0.624588       10.0.0.1              10.0.0.2              SMTP     103    250 2.0.0 Ok
";
        let (lines, _) = split_lines(text);
        assert!(is_text_list(&lines));
        assert_eq!(
            view(&read_text(&lines)),
            [
                "2:84 connect 10.0.0.1 Some(25)",
                "3:87 Server 220 mail.lab.test ESMTP",
                "4:87 Client helo qq.com",
                "5:84 IMF subject: hi, , body",
                "6:84 Server 250 2.0.0 Ok",
            ]
        );
        let tshark = "\
    4   0.000302    127.0.0.1 → 127.0.0.1    SMTP 105 S: 220 mail.lab.test ESMTP Postfix (lab)
    5   0.000311    127.0.0.1 → 127.0.0.1    TCP 66 47734 → 25 [ACK] Seq=1 Ack=40
    6   0.050668    127.0.0.1 → 127.0.0.1    SMTP 79 C: helo qq.com
";
        let (lines, _) = split_lines(tshark);
        assert!(is_text_list(&lines));
        assert_eq!(
            view(&read_text(&lines)),
            [
                "1:54 Server 220 mail.lab.test ESMTP Postfix (lab)",
                "3:57 Client helo qq.com"
            ]
        );
    }

    #[test]
    fn reads_older_request_response_prefixes() {
        let text = "No.,Source,Destination,Protocol,Info\n\
1,10.0.0.1,10.0.0.9,SMTP,Response: 220 hi\n\
2,10.0.0.9,10.0.0.1,SMTP,Request: EHLO x\n\
3,10.0.0.1,10.0.0.9,SMTP,250 ok\n";
        let (lines, _) = split_lines(text);
        assert_eq!(
            view(&read_csv(&lines)),
            [
                "2:36 Server 220 hi",
                "3:35 Client EHLO x",
                "4:26 Server 250 ok"
            ]
        );
    }

    #[test]
    fn pulls_interleaved_conversations_apart() {
        let text = "No.,Source,Destination,Protocol,Src Port,Dst Port,Info\n\
1,10.0.0.1,10.0.0.9,SMTP,25,5001,S: 220 one\n\
2,10.0.0.1,10.0.0.9,SMTP,25,5002,S: 220 two\n\
3,10.0.0.9,10.0.0.1,SMTP,5002,25,C: EHLO b\n\
4,10.0.0.9,10.0.0.1,SMTP,5001,25,C: EHLO a\n";
        let (lines, _) = split_lines(text);
        assert!(is_csv(&lines));
        assert_eq!(
            view(&read_csv(&lines)),
            [
                "2:1 connect 10.0.0.1 Some(25)",
                "2:37 Server 220 one",
                "5:37 Client EHLO a",
                "3:1 connect 10.0.0.1 Some(25)",
                "3:37 Server 220 two",
                "4:37 Client EHLO b",
            ]
        );
    }

    #[test]
    fn reads_csv_exports_with_any_column_order() {
        let text = "\u{feff}\"No.\",\"Info\",\"Time\",\"Source\",\"Destination\",\"Protocol\",\"Length\"\n\
\"1\",\"S: 220 hi, there\",\"0.1\",\"10.0.0.1\",\"10.0.0.2\",\"SMTP\",\"80\"\n\
\"2\",\"47734 → 25 [ACK]\",\"0.2\",\"10.0.0.2\",\"10.0.0.1\",\"TCP\",\"60\"\n\
\"3\",\"EHLO x\",\"0.3\",\"10.0.0.2\",\"10.0.0.1\",\"SMTP\",\"70\"\n\
\"4\",\"250 ok\",\"0.4\",\"10.0.0.1\",\"10.0.0.2\",\"SMTP\",\"70\"\n";
        let (lines, _) = split_lines(text);
        assert!(is_csv(&lines));
        assert_eq!(
            view(&read_csv(&lines)),
            [
                "2:9 Server 220 hi, there",
                "4:6 Client EHLO x",
                "5:6 Server 250 ok"
            ]
        );
    }
}
