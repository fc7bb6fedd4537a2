//! Exports with a structure of their own (packet lists, stream dumps), each read into
//! [`Located`] events. Everything else is a transcript in some notation, read by the
//! markers learned from the file ([`notation`](super::notation)).

mod follow;
mod packet_list;

use super::event::Located;
use super::lines::Line;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// A transcript: `C:`/`S:`, arrows, a library's debug output, a raw terminal log …
    Transcript,
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
    Dialect::Transcript
}

/// The events of a region in an export's dialect; `None` for a transcript.
pub fn read(dialect: Dialect, lines: &[Line]) -> Option<Vec<Located>> {
    Some(match dialect {
        Dialect::Transcript => return None,
        Dialect::PacketListText => packet_list::read_text(lines),
        Dialect::PacketListCsv => packet_list::read_csv(lines),
        Dialect::FollowAscii => follow::read_ascii(lines),
        Dialect::FollowYaml => follow::read_yaml(lines),
    })
}

#[cfg(test)]
mod tests {
    use super::super::lines::split_lines;
    use super::*;

    #[test]
    fn detects_each_dialect() {
        let cases = [
            ("C: HELO x\nS: 250 ok\n", Dialect::Transcript),
            ("220 hi\nHELO x\n250 ok\n", Dialect::Transcript),
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
