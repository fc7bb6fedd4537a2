//! How LMS exports name each student's files.
//!
//! - Moodle, folders: `Full Name_<participant>_assignsubmission_file_/lab.md`, online text
//!   `…_assignsubmission_onlinetext_/onlinetext.html`; blind marking puts `Participant` in
//!   place of the name; team submissions put the group before it (`Team A-Full Name_…`).
//! - Moodle, flat ("download submissions in folders" off):
//!   `Full Name_<participant>_assignsubmission_file_lab.md`.
//! - Canvas: `name[_late]_<user id>_<file id>_<file>` and `name[_late]_<user id>_text.html`.

use std::sync::OnceLock;

use regex::Regex;

/// The LMS whose naming scheme an entry follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lms {
    Moodle,
    Canvas,
}

/// What a top-level entry's name says about its student.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryName {
    pub lms: Lms,
    /// Moodle's participant number or Canvas's user id.
    pub key: String,
    /// The student's name as the LMS wrote it (`Participant` under blind marking).
    pub name: String,
    /// The file's own name after the LMS prefix (flat Moodle and Canvas); empty for a folder.
    pub file: String,
    /// The LMS marked the file late (Canvas's `_late`; Moodle's names never say).
    pub late: bool,
}

fn moodle() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(.*)_(\d+)_assignsubmission_(?:file|onlinetext|[a-z]+)_(.*)$")
            .expect("the pattern is valid")
    })
}

fn canvas_file() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^([^_]+?)(_late)?_(\d+)_(?:(\d+)_(.+)|text\.html?)$")
            .expect("the pattern is valid")
    })
}

/// The student an LMS-named top-level entry belongs to; `None` for any other name.
pub fn parse_entry(name: &str) -> Option<EntryName> {
    if let Some(found) = moodle().captures(name) {
        return Some(EntryName {
            lms: Lms::Moodle,
            key: found[2].to_string(),
            name: found[1].to_string(),
            file: found[3].to_string(),
            late: false,
        });
    }
    let found = canvas_file().captures(name)?;
    let file = match found.get(5) {
        Some(file) => file.as_str().to_string(),
        None => "text.html".to_string(),
    };
    Some(EntryName {
        lms: Lms::Canvas,
        key: found[3].to_string(),
        name: found[1].to_string(),
        file,
        late: found.get(2).is_some(),
    })
}

/// Whether a name follows an LMS scheme: what makes a folder a class without `--class`.
pub fn looks_like_lms(name: &str) -> bool {
    parse_entry(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lms_names() {
        type Expected = Option<(Lms, &'static str, &'static str, &'static str)>;
        let cases: &[(&str, Expected)] = &[
            (
                "Li Wei_123456_assignsubmission_file_",
                Some((Lms::Moodle, "123456", "Li Wei", "")),
            ),
            (
                "Li Wei_123456_assignsubmission_onlinetext_",
                Some((Lms::Moodle, "123456", "Li Wei", "")),
            ),
            (
                "Li_Wei_77_assignsubmission_file_smtp.pcap",
                Some((Lms::Moodle, "77", "Li_Wei", "smtp.pcap")),
            ),
            (
                "Participant_4411_assignsubmission_file_",
                Some((Lms::Moodle, "4411", "Participant", "")),
            ),
            (
                "Team A-Li Wei_88_assignsubmission_file_",
                Some((Lms::Moodle, "88", "Team A-Li Wei", "")),
            ),
            (
                "liwei_late_5512_990011_lab report.md",
                Some((Lms::Canvas, "5512", "liwei", "lab report.md")),
            ),
            (
                "liwei_5512_990011_smtp_1.pcapng",
                Some((Lms::Canvas, "5512", "liwei", "smtp_1.pcapng")),
            ),
            (
                "liwei_5512_text.html",
                Some((Lms::Canvas, "5512", "liwei", "text.html")),
            ),
            ("alice", None),
            ("lab_report.md", None),
            ("smtp_2024.txt", None),
        ];
        for (name, expected) in cases {
            let got = parse_entry(name).map(|e| (e.lms, e.key, e.name, e.file));
            let expected =
                expected.map(|(l, k, n, f)| (l, k.to_string(), n.to_string(), f.to_string()));
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn canvas_late_flag() {
        let late = |name: &str| parse_entry(name).map(|e| e.late);
        assert_eq!(late("liwei_late_5512_990011_lab report.md"), Some(true));
        assert_eq!(late("liwei_late_5512_text.html"), Some(true));
        assert_eq!(late("liwei_5512_990011_lab report.md"), Some(false));
        assert_eq!(late("Li Wei_77_assignsubmission_file_"), Some(false));
    }
}
