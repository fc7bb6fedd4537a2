//! tshark's stream dumps: `-z follow,tcp,ascii` (a `Follow: tcp,ascii` header, `Node 0:` /
//! `Node 1:` lines, then chunks each after its byte count, the second node's counts indented
//! by a TAB) and `-z follow,tcp,yaml` (`peers:` and `packets:` with `peer: 0|1` and base64
//! `data: !!binary |`). Each side's bytes go to the protocol as they are.
//!
//! Node 0 is the side that spoke first in the capture, normally the client; when the other
//! side's first bytes are not a greeting but node 0's are, the sides are swapped.

use base64::Engine;

use crate::protocol::Direction;

use super::super::event::{Event, Located};
use super::super::lines::Line;

pub fn is_ascii(lines: &[Line]) -> bool {
    lines.iter().any(|l| l.text.trim() == "Follow: tcp,ascii")
}

pub fn is_yaml(lines: &[Line]) -> bool {
    let has = |wanted: &str| lines.iter().any(|l| l.text.trim_end() == wanted);
    has("peers:") && has("packets:")
}

/// A chunk of one node's bytes and the line it starts on.
struct Chunk {
    node: u8,
    line: u32,
    bytes: Vec<u8>,
}

/// `(host, port)` of each node, as the header or `peers:` list names them.
type Nodes = [Option<(String, Option<u16>, u32)>; 2];

fn endpoint(text: &str, line: u32) -> Option<(String, Option<u16>, u32)> {
    let (host, port) = text.trim().rsplit_once(':')?;
    Some((
        host.trim_matches(['[', ']']).to_string(),
        port.parse().ok(),
        line,
    ))
}

/// Splits a dump of several streams (`-z follow,…,0 -z follow,…,1`) at each stream's header.
fn streams<'a>(lines: &'a [Line], header: &str) -> Vec<&'a [Line]> {
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.text.trim_end() == header)
        .map(|(i, _)| i)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| &lines[start..starts.get(n + 1).copied().unwrap_or(lines.len())])
        .collect()
}

pub fn read_ascii(lines: &[Line]) -> Vec<Located> {
    streams(lines, "Follow: tcp,ascii")
        .into_iter()
        .flat_map(read_ascii_stream)
        .collect()
}

pub fn read_yaml(lines: &[Line]) -> Vec<Located> {
    streams(lines, "peers:")
        .into_iter()
        .flat_map(read_yaml_stream)
        .collect()
}

fn read_ascii_stream(lines: &[Line]) -> Vec<Located> {
    let mut nodes: Nodes = [None, None];
    for line in lines {
        if let Some(rest) = line.text.strip_prefix("Node 0:") {
            nodes[0] = endpoint(rest, line.number);
        } else if let Some(rest) = line.text.strip_prefix("Node 1:") {
            nodes[1] = endpoint(rest, line.number);
        }
    }
    let mut chunks = Vec::new();
    let mut index = lines
        .iter()
        .position(|l| l.text.starts_with("Node 1:"))
        .map_or(lines.len(), |i| i + 1);
    while index < lines.len() {
        let line = &lines[index];
        index += 1;
        let node = if line.text.starts_with('\t') { 1 } else { 0 };
        let Ok(count) = line.text.trim().parse::<usize>() else {
            continue;
        };
        let mut bytes = Vec::new();
        let mut first = None;
        while index < lines.len() && bytes.len() < count {
            let data = &lines[index];
            first.get_or_insert(data.number);
            index += 1;
            bytes.extend_from_slice(data.text.as_bytes());
            if bytes.len() >= count {
                break; // a partial line: its line end is tshark's separator
            }
            bytes.extend_from_slice(if data.end_len == 2 { b"\r\n" } else { b"\n" });
            if bytes.len() >= count {
                // a whole line: tshark's separator is the empty line after it
                if lines.get(index).is_some_and(|l| l.text.is_empty()) {
                    index += 1;
                }
            }
        }
        if let Some(line) = first {
            chunks.push(Chunk { node, line, bytes });
        }
    }
    located(chunks, nodes)
}

fn read_yaml_stream(lines: &[Line]) -> Vec<Located> {
    let mut nodes: Nodes = [None, None];
    let mut peer: Option<(usize, u32)> = None;
    let mut host = String::new();
    for line in lines.iter().take_while(|l| l.text.trim_end() != "packets:") {
        let text = line.text.trim();
        if let Some(n) = text.strip_prefix("- peer:") {
            peer = n
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n < 2)
                .map(|n| (n, line.number));
        } else if let Some(h) = text.strip_prefix("host:") {
            host = h.trim().to_string();
        } else if let (Some(p), Some((n, number))) = (text.strip_prefix("port:"), peer) {
            nodes[n] = Some((host.clone(), p.trim().parse().ok(), number));
        }
    }
    let mut chunks = Vec::new();
    let mut current: Option<(u32, u8)> = None;
    let mut data: Option<String> = None;
    let flush = |current: Option<(u32, u8)>, data: Option<String>, chunks: &mut Vec<Chunk>| {
        if let (Some((line, node)), Some(data)) = (current, data) {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) {
                chunks.push(Chunk { node, line, bytes });
            }
        }
    };
    let mut in_packets = false;
    for line in lines {
        let text = line.text.trim();
        if line.text.trim_end() == "packets:" {
            in_packets = true;
            continue;
        }
        if !in_packets {
            continue;
        }
        if text.starts_with("- packet:") {
            flush(current.take(), data.take(), &mut chunks);
            current = Some((line.number, 0));
        } else if let Some(peer) = text.strip_prefix("peer:") {
            if let Some((_, node)) = current.as_mut() {
                *node = u8::from(peer.trim() == "1");
            }
        } else if text.starts_with("data:") {
            data = Some(String::new());
        } else if let Some(data) = data.as_mut() {
            if !text.contains(':') {
                data.push_str(text);
            }
        }
    }
    flush(current, data, &mut chunks);
    located(chunks, nodes)
}

fn is_greeting(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    crate::protocol::is_greeting(&String::from_utf8_lossy(&bytes[..end.min(1024)]))
}

fn located(chunks: Vec<Chunk>, nodes: Nodes) -> Vec<Located> {
    let first_of = |node: u8| chunks.iter().find(|c| c.node == node).map(|c| &c.bytes[..]);
    let swapped = first_of(0).is_some_and(is_greeting) && !first_of(1).is_some_and(is_greeting);
    let [node0, node1] = nodes;
    let server = if swapped { node0 } else { node1 };
    let connect =
        server.map(|(host, port, line)| Located::new(Event::Connect { host, port }, line, 1));
    connect
        .into_iter()
        .chain(chunks.into_iter().map(|chunk| {
            let server = (chunk.node == 1) != swapped;
            let direction = if server {
                Direction::Server
            } else {
                Direction::Client
            };
            Located::new(
                Event::Bytes {
                    direction,
                    bytes: chunk.bytes,
                },
                chunk.line,
                1,
            )
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::super::lines::split_lines;
    use super::*;

    fn view(events: &[Located]) -> Vec<String> {
        events
            .iter()
            .map(|e| match &e.event {
                Event::Bytes { direction, bytes } => format!(
                    "{} {direction:?} {:?}",
                    e.origin,
                    String::from_utf8_lossy(bytes)
                ),
                Event::Connect { host, port } => format!("{} connect {host} {port:?}", e.origin),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn reads_follow_ascii() {
        let text = "\n===================================================================\n\
Follow: tcp,ascii\nFilter: tcp.stream eq 0\nNode 0: 10.0.0.2:5000\nNode 1: 10.0.0.1:25\n\
\t14\r\n220 hi there\r\n\n8\r\nEHLO x\r\n\n3\r\nQUI\n2\r\nT\r\n\n\
===================================================================\n";
        let (lines, _) = split_lines(text);
        assert!(is_ascii(&lines));
        assert_eq!(
            view(&read_ascii(&lines)),
            [
                "6 connect 10.0.0.1 Some(25)",
                "8 Server \"220 hi there\\r\\n\"",
                "11 Client \"EHLO x\\r\\n\"",
                "14 Client \"QUI\"",
                "16 Client \"T\\r\\n\"",
            ]
        );
    }

    #[test]
    fn reads_each_stream_of_a_dump() {
        let stream = |port: u16, greeting: &str| {
            format!(
                "===\nFollow: tcp,ascii\nFilter: x\nNode 0: 10.0.0.2:5000\nNode 1: 10.0.0.1:{port}\n\
\t{}\n{greeting}\r\n\n===\n",
                greeting.len() + 2
            )
        };
        let text = stream(25, "220 smtp") + &stream(110, "+OK pop");
        let (lines, _) = split_lines(&text);
        assert_eq!(
            view(&read_ascii(&lines)),
            [
                "5 connect 10.0.0.1 Some(25)",
                "7 Server \"220 smtp\\r\\n\"",
                "14 connect 10.0.0.1 Some(110)",
                "16 Server \"+OK pop\\r\\n\"",
            ]
        );
    }

    #[test]
    fn reads_follow_yaml() {
        let text = "peers:\n  - peer: 0\n    host: 10.0.0.2\n    port: 5000\n  - peer: 1\n    host: 10.0.0.1\n    port: 110\n\
packets:\n  - packet: 4\n    peer: 1\n    timestamp: 1.5\n    data: !!binary |\n      K09LIHJl\n      YWR5DQo=\n\
  - packet: 6\n    peer: 0\n    timestamp: 1.6\n    data: !!binary |\n      Q0FQQQ0K\n";
        let (lines, _) = split_lines(text);
        assert!(is_yaml(&lines));
        assert_eq!(
            view(&read_yaml(&lines)),
            [
                "5 connect 10.0.0.1 Some(110)",
                "9 Server \"+OK ready\\r\\n\"",
                "15 Client \"CAPA\\r\\n\"",
            ]
        );
    }
}
