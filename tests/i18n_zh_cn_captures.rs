//! Issue 16: what a capture's reading says reads in Chinese under `--lang zh-CN` — a TLS
//! handshake's summary (an alert, TLS 1.3's encrypted flight), where a capture file is cut
//! short, and the frames things came from. Protocol names (message types, suites, alert
//! descriptions, SNI) stay as they are; no English word is left around them. English output
//! is unchanged, and the JSON report keeps the English with both languages beside it.

#[path = "../benches/support/synth.rs"]
mod synth;

mod cli_support;

use std::net::IpAddr;
use std::path::Path;

use cli_support::mailgrade;
use synth::{Link, PcapWriter, Tcp};

const START: i64 = 1_650_000_000_000_000;

fn host(last: u8) -> IpAddr {
    IpAddr::from([172, 16, 0, last])
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path.to_string_lossy().into_owned()
}

fn stdout(args: &[&str]) -> String {
    let output = mailgrade(args);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A ClientHello record naming `sni`, offering TLS 1.3 and 1.2.
fn client_hello(sni: &str) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend([0u8; 32]);
    body.push(0); // no session id
    body.extend([0x00, 0x02, 0x13, 0x01]); // one suite
    body.extend([0x01, 0x00]); // null compression
    let mut name = vec![0u8];
    name.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    name.extend_from_slice(sni.as_bytes());
    let mut list = (name.len() as u16).to_be_bytes().to_vec();
    list.extend(name);
    let mut extensions = vec![0x00, 0x00];
    extensions.extend_from_slice(&(list.len() as u16).to_be_bytes());
    extensions.extend(list);
    extensions.extend([0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03]);
    body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
    body.extend(extensions);
    let mut handshake = vec![1, 0];
    handshake.extend_from_slice(&(body.len() as u16).to_be_bytes());
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend(handshake);
    record
}

/// A webmail connection the server refuses: ClientHello (frame 4), then a fatal
/// handshake_failure alert (frame 6).
fn alert_capture() -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), Link::Ethernet).expect("header");
    let mut tcp = Tcp::new(Link::Ethernet, (host(1), 50000), (host(2), 443), START, 7);
    tcp.handshake(&mut w);
    tcp.client_sends(&mut w, &client_hello("mail.lab.test"));
    tcp.server_sends(&mut w, &[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    tcp.close(&mut w);
    w.into_inner()
}

/// An SMTP capture and how many frames it has.
fn smtp_capture() -> (Vec<u8>, u64) {
    let mut w = PcapWriter::new(Vec::new(), Link::Ethernet).expect("header");
    let mut tcp = Tcp::new(Link::Ethernet, (host(1), 41000), (host(2), 25), START, 3);
    synth::smtp_session(&mut tcp, &mut w, 1, 2000);
    let frames = w.frames;
    (w.into_inner(), frames)
}

/// The lines of `text` that hold `needle`, each must be there.
fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` missing:\n{text}"))
}

/// Fails on any ASCII word of prose: a run of lower-case letters that is not part of a
/// protocol name (`handshake_failure`), a host name (`mail.lab.test`) or a CamelCase
/// message name (`ClientHello`). `notation` (a file path) is taken out first.
fn assert_no_english_words(line: &str, notation: &[&str]) {
    let mut rest = line.to_string();
    for n in notation {
        rest = rest.replace(n, "");
    }
    let words = rest.split(|c: char| !(c.is_ascii_alphanumeric() || "_.#-".contains(c)));
    for word in words {
        let prose = word.chars().any(|c| c.is_ascii_alphabetic())
            && word.chars().all(|c| c.is_ascii_lowercase());
        assert!(!prose, "English word `{word}` in a zh-CN line: {line}");
    }
}

#[test]
fn a_tls_alert_reads_in_chinese_with_its_protocol_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "refused.pcap", &alert_capture());

    let zh = stdout(&["extract", "--lang", "zh-CN", &file]);
    for (needle, exact) in [
        (
            "tls: ",
            "  tls: TLS（未协商出版本），SNI mail.lab.test，未完成",
        ),
        (
            "ClientHello",
            "       第 4 帧  C → ClientHello  SNI mail.lab.test",
        ),
        (
            "Alert",
            "       第 6 帧  ← S Alert  致命级告警 handshake_failure",
        ),
    ] {
        let line = line_with(&zh, needle);
        assert_eq!(line, exact, "{zh}");
        // `tls:` is the listing's protocol label, as `smtp` is.
        assert_no_english_words(line, &["tls: "]);
    }

    let en = stdout(&["extract", &file]);
    for exact in [
        "  tls: TLS (version not negotiated), SNI mail.lab.test, not completed",
        "     frame 4  C → ClientHello  SNI mail.lab.test",
        "     frame 6  ← S Alert  fatal handshake_failure",
    ] {
        assert!(en.lines().any(|l| l == exact), "`{exact}` missing:\n{en}");
    }

    // The JSON keeps the English `detail` and both languages beside it.
    let json = stdout(&["extract", "--format", "json", &file]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    let alert = &json["submissions"][0]["sessions"][0]["tls"]["messages"][1];
    assert_eq!(alert["name"], "Alert");
    assert_eq!(alert["detail"], "fatal handshake_failure");
    assert_eq!(alert["detail_text"]["en"], "fatal handshake_failure");
    assert_eq!(
        alert["detail_text"]["zh-CN"],
        "致命级告警 handshake_failure"
    );

    // Graded: the feedback names the frame and the alert in Chinese, and the HTML ladder
    // labels the arrow and its frame in Chinese.
    let graded = stdout(&[
        "grade",
        "--lang",
        "zh-CN",
        "--server",
        "none",
        "-s",
        "webmail-tls-handshake",
        &file,
    ]);
    for exact in [
        "连接以告警结束：致命级告警 handshake_failure。",
        "--> refused.pcap，第 6 帧  S→C Alert",
    ] {
        let shown = graded.replace(&format!("{}/", dir.path().display()), "");
        assert!(shown.contains(exact), "`{exact}` missing:\n{graded}");
    }
    assert!(!graded.contains("frame 4"), "{graded}");
    assert!(!graded.contains("fatal"), "{graded}");
    // A passed check's feedback (in the JSON) names its frame in each language.
    let json = stdout(&[
        "grade",
        "--server",
        "none",
        "-s",
        "webmail-tls-handshake",
        "--format",
        "json",
        &file,
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    let checks = json["submissions"][0]["grades"][0]["checks"]
        .as_array()
        .expect("checks");
    let hello = checks
        .iter()
        .find(|c| c["id"] == "client-hello")
        .expect("client-hello check");
    assert!(
        hello["feedback"]["zh-CN"]
            .as_str()
            .is_some_and(|f| f.starts_with("客户端以 Client Hello 开始握手（第 4 帧）")),
        "{hello}"
    );
    assert!(
        hello["feedback"]["en"].as_str().is_some_and(
            |f| f.starts_with("The client opens the handshake with Client Hello (frame 4)")
        ),
        "{hello}"
    );
    let html = stdout(&[
        "grade",
        "--lang",
        "zh-CN",
        "--server",
        "none",
        "-s",
        "webmail-tls-handshake",
        "--format",
        "html",
        &file,
    ]);
    for exact in ["Alert：致命级告警 handshake_failure", ">第 6 帧</text>"] {
        assert!(html.contains(exact), "`{exact}` missing:\n{html}");
    }
    for english in ["fatal handshake_failure", ">frame 6<", "not completed"] {
        assert!(
            !html.contains(english),
            "`{english}` in zh-CN HTML:\n{html}"
        );
    }
}

#[test]
fn the_encrypted_tls13_flight_reads_in_chinese() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tls/webmail_tls13.pcap"
    );
    let zh = stdout(&["extract", "--lang", "zh-CN", file]);
    let line = line_with(&zh, "EncryptedHandshake");
    assert_eq!(
        line.trim_start(),
        "第 6 帧  ← S EncryptedHandshake（加密）  EncryptedExtensions、Certificate、CertificateVerify、Finished（在 TLS 1.3 中加密）",
        "{zh}"
    );
    assert_no_english_words(line, &[]);
    let summary = line_with(&zh, "tls: ");
    assert_eq!(
        summary, "  tls: TLS 1.3 TLS_AES_256_GCM_SHA384，SNI wx.mail.qq.com，已完成",
        "{zh}"
    );
    assert_no_english_words(summary, &["tls: "]);

    let en = stdout(&["extract", file]);
    let line = line_with(&en, "EncryptedHandshake");
    assert_eq!(
        line.trim_start(),
        "frame 6  ← S EncryptedHandshake (encrypted)  EncryptedExtensions, Certificate, CertificateVerify, Finished (encrypted in TLS 1.3)",
        "{en}"
    );
}

#[test]
fn a_cut_capture_says_where_in_chinese() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (whole, frames) = smtp_capture();
    // The last frame loses its end: `frames - 1` frames are read.
    let file = write(dir.path(), "cut.pcap", &whole[..whole.len() - 40]);
    let read = frames - 1;

    let zh = stdout(&["grade", "--lang", "zh-CN", "--server", "none", &file]);
    let expected = format!(
        "抓包文件不完整：第 {read} 帧之后文件在一个数据块中间结束；从第 {} 帧起的帧都丢失了",
        read + 1
    );
    let line = line_with(&zh, "抓包文件不完整");
    assert!(line.contains(&expected), "`{expected}` missing:\n{zh}");
    assert_no_english_words(line, &[&file]);

    let en = stdout(&["grade", "--server", "none", &file]);
    let expected = format!(
        "the capture file is cut short: the file ends in the middle of a block after frame {read}; frames from {} on are lost",
        read + 1
    );
    assert!(en.contains(&expected), "`{expected}` missing:\n{en}");

    // Cut before its first frame ends: nothing to grade, and the problem says why in Chinese.
    let header_and_a_bit = write(dir.path(), "stub.pcap", &whole[..24 + 10]);
    let output = mailgrade(&[
        "check",
        "--lang",
        "zh-CN",
        "--server",
        "none",
        &header_and_a_bit,
    ]);
    let zh = String::from_utf8_lossy(&output.stdout).into_owned();
    let line = line_with(&zh, "文件不完整");
    assert!(
        line.contains("文件不完整（第一帧之前文件在一个数据块中间结束）"),
        "{zh}"
    );
    assert_no_english_words(line, &[&header_and_a_bit]);
    let output = mailgrade(&["check", "--server", "none", &header_and_a_bit]);
    let en = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        en.contains(
            "the file is cut short (the file ends in the middle of a block before the first frame)"
        ),
        "{en}"
    );
}

#[test]
fn frames_read_in_chinese_in_the_listing_and_english_is_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (whole, _) = smtp_capture();
    let file = write(dir.path(), "mail.pcap", &whole);
    let zh = stdout(&["extract", "--lang", "zh-CN", &file]);
    let greeting = line_with(&zh, "（问候）");
    assert!(
        greeting.trim_start().starts_with("第 4 帧  （问候）"),
        "{zh}"
    );
    assert_no_english_words(greeting.split('→').next().unwrap_or_default(), &[]);
    assert!(!zh.contains("frame "), "{zh}");
    let en = stdout(&["extract", &file]);
    let greeting = line_with(&en, "(greeting)");
    assert!(
        greeting.trim_start().starts_with("frame 4  (greeting)"),
        "{en}"
    );
}
