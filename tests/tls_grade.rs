//! Grading TLS handshakes: the shipped `webmail-tls-handshake` scenario on loopback captures
//! of TLS 1.2 and 1.3 (made by `tests/fixtures/tls/generate.sh`), SNI matching, a
//! STARTTLS step that requires a completed handshake, and the handshake in `extract` and the
//! HTML ladder.

use std::path::{Path, PathBuf};
use std::process::Command;

use mailgrade::grade::{self, CheckKind, Grade, Status, Verdict};
use mailgrade::i18n::Lang;
use mailgrade::ingest::{read_bytes, read_file};
use mailgrade::scenario::{self, TlsRequirement, TlsSpec};
use mailgrade::session::{Protocol, Session, TlsVersion};

fn fixture(name: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls")).join(name)
}

fn corpus(name: &str) -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/pcap"
    ))
    .join(name)
}

fn sessions(path: &Path) -> Vec<Session> {
    read_file(path).expect("readable capture").sessions
}

fn check<'a>(grade: &'a Grade, id: &str) -> &'a grade::Check {
    grade
        .checks
        .iter()
        .find(|c| &*c.id == id)
        .unwrap_or_else(|| panic!("no check {id}: {:#?}", grade.checks))
}

fn feedback(grade: &Grade, id: &str, lang: Lang) -> String {
    check(grade, id)
        .feedback
        .as_ref()
        .map(|t| t.get(lang).to_string())
        .unwrap_or_default()
}

#[test]
fn webmail_handshakes_of_both_versions_get_full_marks_and_are_explained() {
    let scenario = scenario::builtin("webmail-tls-handshake").expect("shipped scenario");
    // (fixture, version, key exchange phrase, certificate phrase)
    let cases = [
        (
            "webmail_tls12.pcap",
            TlsVersion::Tls12,
            "Server Key Exchange (frame",
            "subject CN=mail.qq.com",
        ),
        (
            "webmail_tls13.pcap",
            TlsVersion::Tls13,
            "TLS 1.3 has no Server Key Exchange",
            "Certificate is encrypted",
        ),
    ];
    for (name, version, kx, cert) in cases {
        let found = sessions(&fixture(name));
        assert_eq!(found.len(), 1, "{name}");
        assert_eq!(found[0].protocol, Protocol::Tls, "{name}");
        let tls = found[0].tls.as_ref().expect("handshake");
        assert_eq!(tls.version, Some(version), "{name}");
        assert_eq!(tls.sni.as_deref(), Some("wx.mail.qq.com"), "{name}");
        assert!(tls.completed, "{name}");
        let grade = grade::best_session(&found, &scenario);
        assert_eq!(
            (grade.score, grade.max_score),
            (100, 100),
            "{name}: {grade:#?}"
        );
        assert_eq!(grade.verdict, Verdict::Passed);
        assert!(grade.checks.iter().all(|c| c.kind == CheckKind::Tls));
        assert!(
            feedback(&grade, "key-exchange", Lang::En).contains(kx),
            "{name}"
        );
        assert!(
            feedback(&grade, "certificate", Lang::En).contains(cert),
            "{name}"
        );
        assert!(
            feedback(&grade, "sni", Lang::ZhCn).contains("wx.mail.qq.com"),
            "{name}"
        );
        let evidence = check(&grade, "client-hello")
            .evidence
            .as_ref()
            .expect("evidence");
        assert_eq!(evidence.origin.to_string(), "frame 4", "{name}");
    }
}

#[test]
fn a_handshake_with_another_host_loses_the_sni_points() {
    let yaml = r#"
id: webmail-other
title: { en: Other webmail, zh-CN: 其他网页邮箱 }
protocol: tls
tls:
  host: mail.163.com
  checks:
    - { id: sni, require: sni, points: 50 }
    - { id: done, require: completed, points: 50 }
"#;
    let scenario = scenario::load_str("other.yaml", yaml).expect("loads");
    let grade = grade::best_session(&sessions(&fixture("webmail_tls13.pcap")), &scenario);
    assert_eq!(grade.score, 50);
    assert_eq!(check(&grade, "sni").status, Status::Failed);
    assert!(feedback(&grade, "sni", Lang::En).contains("with wx.mail.qq.com, not mail.163.com"));
}

#[test]
fn hosts_match_case_insensitively_and_by_subdomain_only() {
    let spec = |host: &str| TlsSpec {
        host: Some(host.to_string()),
        checks: Vec::new(),
    };
    let cases = [
        ("mail.qq.com", "mail.qq.com", true),
        ("mail.qq.com", "WX.Mail.QQ.com", true),
        ("Mail.QQ.com.", "wx.mail.qq.com", true),
        ("mail.qq.com", "evilmail.qq.com", false),
        ("mail.qq.com", "qq.com", false),
        ("mail.qq.com", "mail.qq.com.evil.org", false),
    ];
    for (host, sni, expected) in cases {
        assert_eq!(spec(host).host_matches(sni), expected, "{host} vs {sni}");
    }
}

const STARTTLS_SCENARIO: &str = r#"
id: smtp-starttls
title: { en: Start TLS, zh-CN: 启动 TLS }
protocol: smtp
steps:
  - { id: greeting, send: greeting, expect: 220, points: 10 }
  - { id: hello, send: [EHLO, HELO], expect: 250, points: 10 }
  - id: starttls
    send: STARTTLS
    expect: 220
    points: 10
    tls: { require: completed, points: 20 }
"#;

#[test]
fn a_starttls_step_can_require_the_handshake_after_it() {
    let scenario = scenario::load_str("starttls.yaml", STARTTLS_SCENARIO).expect("loads");
    assert_eq!(scenario.max_score(), 50);
    let captured = sessions(&corpus("ndpi_smtp_starttls_ipv4-and-ipv6.pcap"));
    let grade = grade::best_session(&captured, &scenario);
    assert_eq!(grade.score, 50, "{grade:#?}");
    let tls = check(&grade, "starttls-tls");
    assert_eq!((tls.kind, tls.status), (CheckKind::Tls, Status::Passed));

    // A transcript shows no handshake: not checked rather than failed.
    let transcript = "S: 220 mx ESMTP\nC: EHLO pc\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 go ahead\n";
    let read = read_bytes(Path::new("t.txt"), transcript.as_bytes()).expect("transcript");
    let grade = grade::best_session(&read.sessions, &scenario);
    let tls = check(&grade, "starttls-tls");
    assert_eq!(tls.status, Status::NotChecked, "{grade:#?}");
    assert_eq!(grade.score, grade.max_score, "{grade:#?}");
}

#[test]
fn tls_in_the_wrong_place_is_a_scenario_error() {
    let cases = [
        (
            "tls-without-starttls",
            "id: a\ntitle: { en: a }\nprotocol: smtp\nsteps:\n  - { id: g, send: greeting, expect: 220, tls: { require: completed } }\n",
        ),
        (
            "missing-tls",
            "id: a\ntitle: { en: a }\nprotocol: tls\n",
        ),
        (
            "tls-on-mail",
            "id: a\ntitle: { en: a }\nprotocol: smtp\ntls: { checks: [ { require: sni } ] }\nsteps:\n  - { id: g, send: greeting, expect: 220 }\n",
        ),
    ];
    for (code, yaml) in cases {
        let errors = scenario::load_str("bad.yaml", yaml).expect_err(code);
        let rendered = format!("{errors:?}");
        assert!(rendered.contains(code), "{code}: {rendered}");
    }
    // Every requirement has a name a scenario can write.
    let names: Vec<&str> = [
        TlsRequirement::ClientHello,
        TlsRequirement::Sni,
        TlsRequirement::ServerHello,
        TlsRequirement::KeyExchange,
        TlsRequirement::Certificate,
        TlsRequirement::Order,
        TlsRequirement::Completed,
        TlsRequirement::ApplicationData,
    ]
    .iter()
    .map(|r| r.name())
    .collect();
    for name in names {
        let yaml = format!(
            "id: a\ntitle: {{ en: a }}\nprotocol: tls\ntls: {{ checks: [ {{ require: {name}, points: 1 }} ] }}\n"
        );
        assert!(scenario::load_str("ok.yaml", &yaml).is_ok(), "{name}");
    }
}

fn mailgrade(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args(args)
        .output()
        .expect("runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn extract_and_the_html_ladder_show_the_handshake() {
    let path = corpus("zeek_pop3_stls_cyrus_nullloopback.pcap");
    let path = path.to_str().expect("utf-8 path");
    let json: serde_json::Value =
        serde_json::from_str(&mailgrade(&["extract", "--format", "json", path])).expect("json");
    let tls = &json["submissions"][0]["sessions"][0]["tls"];
    assert_eq!(tls["version"], "TLS 1.2");
    assert_eq!(tls["cipher_suite"], "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
    assert_eq!(tls["key_exchange"], "DHE");
    assert_eq!(tls["completed"], true);
    assert_eq!(tls["messages"][0]["name"], "ClientHello");
    assert_eq!(tls["messages"][0]["origin"]["frame"], 11);
    assert!(
        tls["certificate"]["subject"]
            .as_str()
            .is_some_and(|s| s.contains("CN=chimaera.lilawelt.de")),
        "{tls}"
    );

    let text = mailgrade(&["extract", path]);
    assert!(
        text.contains("tls: TLS 1.2 TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, completed"),
        "{text}"
    );
    assert!(text.contains("frame 13  ← S ServerKeyExchange"), "{text}");

    let webmail = fixture("webmail_tls12.pcap");
    let html = mailgrade(&[
        "grade",
        "--server",
        "none",
        "-s",
        "webmail-tls-handshake",
        "--format",
        "html",
        webmail.to_str().expect("utf-8 path"),
    ]);
    for label in [
        "ClientHello: SNI wx.mail.qq.com",
        "ServerKeyExchange",
        "Finished (encrypted)",
    ] {
        assert!(
            html.contains("<g class=\"arrow tls") && html.contains(label),
            "{label} missing from the ladder"
        );
    }
}
