//! The text dialects students hand in, each read into [`Located`] events.

mod follow;
pub(super) mod marked;
mod packet_list;
mod raw;

use super::event::Located;
use super::lines::Line;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `C:` / `S:` lines, swaks arrows, Wireshark's Info-column style.
    Marked,
    /// No marks: sides inferred from the protocol.
    Raw,
    PacketListText,
    PacketListCsv,
    FollowAscii,
    FollowYaml,
}

/// Which dialect a region is written in.
pub fn detect(lines: &[Line]) -> Dialect {
    if follow::is_ascii(lines) {
        return Dialect::FollowAscii;
    }
    if follow::is_yaml(lines) {
        return Dialect::FollowYaml;
    }
    if packet_list::is_csv(lines) {
        return Dialect::PacketListCsv;
    }
    if packet_list::is_text_list(lines) {
        return Dialect::PacketListText;
    }
    let (client, server) = marked::count_marks(lines);
    let nonblank = lines.iter().filter(|l| !l.text.trim().is_empty()).count();
    let marked = client + server;
    if (client > 0 && server > 0 && marked >= 2) || (marked > 0 && marked * 2 >= nonblank) {
        Dialect::Marked
    } else {
        Dialect::Raw
    }
}

pub fn read(dialect: Dialect, lines: &[Line]) -> Vec<Located> {
    match dialect {
        Dialect::Marked => marked::read(lines),
        Dialect::Raw => raw::read(lines),
        Dialect::PacketListText => packet_list::read_text(lines),
        Dialect::PacketListCsv => packet_list::read_csv(lines),
        Dialect::FollowAscii => follow::read_ascii(lines),
        Dialect::FollowYaml => follow::read_yaml(lines),
    }
}

#[cfg(test)]
mod tests {
    use super::super::lines::split_lines;
    use super::*;

    #[test]
    fn detects_each_dialect() {
        let cases = [
            ("C: HELO x\nS: 250 ok\n", Dialect::Marked),
            ("c:helo x\nprose\ns:250 ok\n", Dialect::Marked),
            ("C: QUIT\n", Dialect::Marked),
            ("220 hi\nHELO x\n250 ok\n", Dialect::Raw),
            ("Server said 220\nS: 250 once\nmore\nprose\n", Dialect::Raw),
            ("\"No.\",\"Time\",\"Info\",\"Protocol\"\n\"1\",\"0\",\"S: 220\",\"SMTP\"\n", Dialect::PacketListCsv),
            (
                "No.     Time           Source                Destination           Protocol Length Info\n",
                Dialect::PacketListText,
            ),
            ("===\nFollow: tcp,ascii\nNode 0: a:1\nNode 1: b:25\n", Dialect::FollowAscii),
            ("peers:\n  - peer: 0\npackets:\n", Dialect::FollowYaml),
        ];
        for (text, expected) in cases {
            let (lines, _) = split_lines(text);
            assert_eq!(detect(&lines), expected, "{text:?}");
        }
    }
}
