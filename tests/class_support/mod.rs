//! A generated class for the batch tests: several hundred students handing in transcripts
//! in several dialects (good, failing, ungradable, broken), a few captures, nested zips;
//! zipped the Moodle way and the Canvas way, with a roster.

#![allow(dead_code)]

#[path = "../../benches/support/synth.rs"]
mod synth;

use std::io::{Cursor, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Output;

use zip::write::SimpleFileOptions;

/// What a student's work should come to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Good,
    Failing,
    /// Prose with no dialogue: nothing to grade.
    Ungradable,
    /// Binary garbage and a truncated capture.
    Broken,
    /// A capture of a full SMTP session.
    Capture,
}

pub struct Student {
    pub id: String,
    pub name: String,
    pub lms_id: u32,
    pub kind: Kind,
    pub files: Vec<(String, Vec<u8>)>,
}

pub const FIRST: [&str; 8] = [
    "Li", "Wang", "Anna", "Chen", "Omar", "Zhang", "Maria", "Liu",
];
pub const LAST: [&str; 7] = ["Wei", "Fang", "Smith", "Jie", "Haddad", "Min", "Garcia"];

/// `count` students, deterministic for a seed.
pub fn class(count: usize) -> Vec<Student> {
    (0..count).map(student).collect()
}

fn student(n: usize) -> Student {
    let name = format!("{} {}{}", FIRST[n % 8], LAST[n % 7], n);
    let id = format!("2024{n:04}");
    let kind = match n % 10 {
        0..=4 => Kind::Good,
        5 | 6 => Kind::Failing,
        7 => Kind::Ungradable,
        8 => Kind::Broken,
        _ => Kind::Capture,
    };
    let files = match kind {
        Kind::Good => match n % 3 {
            0 => vec![("transcript.txt".to_string(), annotated(n))],
            1 => vec![("telnet.log".to_string(), raw_telnet(n))],
            _ => vec![
                ("report.md".to_string(), report(n)),
                (
                    "notes.txt".to_string(),
                    format!("notes of student {n}\n").into_bytes(),
                ),
            ],
        },
        Kind::Failing => vec![("smtp.txt".to_string(), failing(n))],
        Kind::Ungradable => vec![(
            "answers.md".to_string(),
            format!("# Lab\n\nI did not manage to connect, sorry ({n}).\n").into_bytes(),
        )],
        Kind::Broken => vec![
            ("capture.pcap".to_string(), truncated_pcap(n)),
            (
                "blob.txt".to_string(),
                (0..200u32).map(|i| (i * 7 + n as u32) as u8).collect(),
            ),
        ],
        Kind::Capture => vec![("smtp.pcap".to_string(), capture(n as u64))],
    };
    Student {
        id,
        name,
        lms_id: 50_000 + n as u32 * 3,
        kind,
        files,
    }
}

fn annotated(n: usize) -> Vec<u8> {
    let hello = if n % 2 == 0 { "EHLO" } else { "HELO" };
    format!(
        "C: telnet smtp.lab.test 25\n\
         S: 220 smtp.lab.test ESMTP Postfix\n\
         C: {hello} pc{n}\n\
         S: 250 smtp.lab.test\n\
         C: AUTH LOGIN\n\
         S: 334 VXNlcm5hbWU6\n\
         C: c3R1ZGVudEBsYWIudGVzdA==\n\
         S: 334 UGFzc3dvcmQ6\n\
         C: aHVudGVyMg==\n\
         S: 235 2.7.0 Authentication successful\n\
         C: MAIL FROM:<s{n}@lab.test>\n\
         S: 250 2.1.0 Ok\n\
         C: RCPT TO:<teacher@lab.test>\n\
         S: 250 2.1.5 Ok\n\
         C: DATA\n\
         S: 354 End data with <CR><LF>.<CR><LF>\n\
         C: Subject: lab {n}\n\
         C:\n\
         C: Hello from student {n}.\n\
         C: .\n\
         S: 250 2.0.0 Ok: queued as Q{n:05X}\n\
         C: QUIT\n\
         S: 221 2.0.0 Bye\n"
    )
    .into_bytes()
}

fn raw_telnet(n: usize) -> Vec<u8> {
    format!(
        "student@pc{n}:~$ telnet mail.lab.test 25\n\
         Trying 192.0.2.25...\n\
         Connected to mail.lab.test.\n\
         Escape character is '^]'.\n\
         220 mail.lab.test ESMTP Postfix\n\
         ehlo pc{n}\n\
         250-mail.lab.test\n\
         250 AUTH PLAIN LOGIN\n\
         auth login\n\
         334 VXNlcm5hbWU6\n\
         c3R1ZGVudA==\n\
         334 UGFzc3dvcmQ6\n\
         aHVudGVyMg==\n\
         235 2.7.0 Authentication successful\n\
         mail from:<s{n}@lab.test>\n\
         250 2.1.0 Ok\n\
         rcpt to:<teacher@lab.test>\n\
         250 2.1.5 Ok\n\
         data\n\
         354 End data with <CR><LF>.<CR><LF>\n\
         Subject: telnet {n}\n\
         \n\
         hi {n}\n\
         .\n\
         250 2.0.0 Ok: queued as R{n:05X}\n\
         quit\n\
         221 2.0.0 Bye\n\
         Connection closed by foreign host.\n"
    )
    .into_bytes()
}

fn report(n: usize) -> Vec<u8> {
    let mut text = format!("# E-mail lab, student {n}\n\nMy SMTP session:\n\n```\n").into_bytes();
    text.extend(annotated(n));
    text.extend(b"```\n\nIt worked.\n");
    text
}

fn failing(n: usize) -> Vec<u8> {
    format!(
        "C: telnet smtp.lab.test 25\n\
         S: 220 smtp.lab.test ESMTP Postfix\n\
         C: HELO pc{n}\n\
         S: 250 smtp.lab.test\n\
         C: MAIL FROM:<s{n}@lab.test>\n\
         S: 530 5.7.0 Authentication required\n\
         C: DATA\n\
         S: 503 5.5.1 Error: need RCPT command\n"
    )
    .into_bytes()
}

/// A full SMTP session as a small pcap; the same `seed` gives the same bytes.
pub fn capture(seed: u64) -> Vec<u8> {
    let mut writer = synth::PcapWriter::new(Vec::new(), synth::Link::Ethernet).unwrap();
    let client = (
        IpAddr::from([10, 1, 2, (seed % 250) as u8 + 1]),
        40_000 + seed as u16,
    );
    let server = (IpAddr::from([192, 168, 0, 25]), 25);
    let start = 1_700_000_000_000_000 + seed as i64 * 1_000_000;
    let mut tcp = synth::Tcp::new(
        synth::Link::Ethernet,
        client,
        server,
        start,
        seed as u32 * 7919,
    );
    synth::smtp_session(&mut tcp, &mut writer, seed, 300);
    writer.into_inner()
}

fn truncated_pcap(n: usize) -> Vec<u8> {
    let mut bytes = capture(n as u64);
    bytes.truncate(60 + n % 20);
    bytes
}

/// The Moodle "download all submissions" zip: a folder per student (blind marking for every
/// 13th, online text for every 11th), flat names for every 17th.
pub fn moodle_zip(students: &[Student]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    for student in students {
        let who = if student.lms_id % 13 == 0 {
            "Participant".to_string()
        } else {
            student.name.clone()
        };
        let n = student.lms_id;
        for (file, bytes) in &student.files {
            let name = if n % 17 == 0 {
                format!("{who}_{n}_assignsubmission_file_{file}")
            } else if n % 11 == 0 && file.ends_with(".md") {
                format!("{who}_{n}_assignsubmission_onlinetext_/onlinetext.html")
            } else {
                format!("{who}_{n}_assignsubmission_file_/{file}")
            };
            let html;
            let bytes = if name.ends_with("onlinetext.html") {
                html = online_text(bytes);
                &html
            } else {
                bytes
            };
            zip.start_file(name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

/// A report as Moodle's editor stores online text: paragraphs of `<br>`-separated lines,
/// with `<`, `>` and `&` escaped and spaces as `&nbsp;` here and there.
fn online_text(report: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(report);
    let mut html = String::new();
    for paragraph in text.split("\n\n") {
        let lines: Vec<String> = paragraph
            .lines()
            .map(|line| {
                line.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replacen(": ", ":&nbsp;", 1)
            })
            .collect();
        html.push_str(&format!("<p dir=\"ltr\">{}</p>\n", lines.join("<br>")));
    }
    html.into_bytes()
}

/// Canvas's zip: `name[_late]_<user id>_<file id>_<file>`.
pub fn canvas_zip(students: &[Student]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    let mut file_id = 900_000;
    for student in students {
        let login: String = student
            .name
            .split_whitespace()
            .rev()
            .collect::<String>()
            .to_lowercase();
        let late = if student.lms_id % 5 == 0 { "_late" } else { "" };
        for (file, bytes) in &student.files {
            file_id += 1;
            let name = format!("{login}{late}_{}_{file_id}_{file}", student.lms_id);
            zip.start_file(name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

/// `id,name,email,lms_id` for the students.
pub fn roster(students: &[Student]) -> String {
    let mut csv = String::from("id,name,email,lms_id\n");
    for s in students {
        csv.push_str(&format!(
            "{},{},{}@uni.test,{}\n",
            s.id, s.name, s.id, s.lms_id
        ));
    }
    csv
}

/// Runs the binary.
pub fn mailgrade(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("mailgrade runs")
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Submission ids of a JSON result, in order.
pub fn ids(document: &serde_json::Value) -> Vec<String> {
    document["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}
