//! Loading scenarios: every built-in loads; every broken fixture fails with diagnostics that
//! point at the right place (snapshots in `snapshots/`).

use mailgrade::diagnostic::Style;
use mailgrade::scenario::{self, Label};
use mailgrade::session::Protocol;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/scenarios/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn every_builtin_loads() {
    for name in scenario::builtin_names() {
        let text = std::fs::read_to_string(format!(
            "{}/scenarios/{name}.yaml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("builtin file");
        if let Err(errors) = scenario::load_str(name, &text) {
            panic!("{}", errors.render(Style::Plain));
        }
    }
    assert_eq!(scenario::builtins().len(), scenario::builtin_names().len());
}

#[test]
fn builtins_have_the_expected_shape() {
    let cases = [
        ("smtp-telnet-auth-send", Protocol::Smtp, 100, 10),
        ("smtp-client-send", Protocol::Smtp, 100, 11),
        ("pop3-retrieve", Protocol::Pop3, 100, 7),
        ("pop3-delete", Protocol::Pop3, 100, 7),
        ("smtp-error-recovery", Protocol::Smtp, 100, 9),
    ];
    for (name, protocol, max, steps) in cases {
        let scenario = scenario::builtin(name).expect(name);
        assert_eq!(scenario.id, name);
        assert_eq!(scenario.protocol, protocol, "{name}");
        assert_eq!(scenario.max_score(), max, "{name}");
        assert_eq!(scenario.steps.len(), steps, "{name}");
        assert!(
            !scenario.title.zh_cn.is_empty(),
            "{name} has a Chinese title"
        );
    }
}

#[test]
fn resolve_finds_builtins_files_and_suggests_names() {
    assert_eq!(
        scenario::resolve("pop3-retrieve").expect("builtin").id,
        "pop3-retrieve"
    );
    let path = fixture("bad-regex.yaml");
    let errors = scenario::resolve(&path).expect_err("broken file");
    assert_eq!(errors.errors[0].code, "bad-regex");
    let errors = scenario::resolve("pop3-retreive").expect_err("unknown name");
    assert_eq!(
        errors.errors[0].help.as_deref(),
        Some("did you mean `pop3-retrieve`?")
    );
}

#[test]
fn step_fields_become_the_model() {
    let scenario = scenario::builtin("smtp-telnet-auth-send").expect("builtin");
    let hello = scenario.step("hello").expect("hello step");
    assert_eq!(
        hello.send,
        vec![Label::Verb("EHLO".into()), Label::Verb("HELO".into())]
    );
    assert_eq!(hello.skeleton_line(), "EHLO|HELO → 250");
    let rcpt = scenario.step("rcpt").expect("rcpt step");
    assert_eq!((rcpt.min, rcpt.max), (1, None));
    assert_eq!(rcpt.skeleton_line(), "RCPT → 250|251");
    let message = scenario.step("message").expect("message step");
    assert_eq!(message.checks.len(), 2);
    assert_eq!(scenario.pass_mark, 60);
    assert_eq!(scenario.harmless, ["NOOP", "RSET", "HELP"]);
}

/// Every error code a fixture must produce (all of them at once, not only the first).
#[test]
fn broken_fixtures_report_every_error() {
    let cases: &[(&str, &[&str])] = &[
        (
            "bad-ambiguous.yaml",
            &["ambiguous-steps", "ambiguous-steps"],
        ),
        (
            "bad-checks.yaml",
            &["bad-check", "bad-value", "greeting-not-first"],
        ),
        ("bad-duplicate-id.yaml", &["duplicate-id"]),
        ("bad-empty.yaml", &["empty"]),
        (
            "bad-impossible-code.yaml",
            &["impossible-code", "bad-code", "impossible-code", "bad-code"],
        ),
        ("bad-points.yaml", &["too-many-points"]),
        ("bad-pop3-code.yaml", &["impossible-code", "unknown-verb"]),
        ("bad-protocol.yaml", &["bad-value"]),
        ("bad-regex.yaml", &["bad-regex"]),
        (
            "bad-repeat.yaml",
            &["bad-pass-mark", "bad-repeat", "bad-repeat", "bad-repeat"],
        ),
        (
            "bad-repeat-limits.yaml",
            &["bad-repeat", "bad-repeat", "bad-repeat"],
        ),
        ("bad-repeat-total.yaml", &["too-many-counts"]),
        ("bad-syntax.yaml", &["yaml-syntax"]),
        ("bad-top-level.yaml", &["unknown-field", "unknown-verb"]),
        (
            "bad-types.yaml",
            &["bad-value", "bad-value", "missing-field"],
        ),
        (
            "bad-unknown-field.yaml",
            &["unknown-field", "unknown-field"],
        ),
        (
            "bad-unknown-verb.yaml",
            &["unknown-verb", "unknown-verb", "unknown-verb"],
        ),
    ];
    for (name, codes) in cases {
        let errors = scenario::load_file(std::path::Path::new(&fixture(name))).expect_err(name);
        let got: Vec<&str> = errors.errors.iter().map(|e| e.code).collect();
        assert_eq!(&got, codes, "{name}:\n{}", errors.render(Style::Plain));
        for error in &errors.errors {
            assert!(
                error.span.is_some(),
                "{name}: {} has no position",
                error.message
            );
        }
    }
}

#[test]
fn broken_fixture_diagnostics() {
    insta::with_settings!({snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"), prepend_module_to_snapshot => false}, {
        insta::glob!("fixtures/scenarios/bad-*.yaml", |path| {
            let text = std::fs::read_to_string(path).expect("fixture");
            let name = format!("tests/fixtures/scenarios/{}", path.file_name().and_then(|n| n.to_str()).unwrap_or_default());
            let errors = scenario::load_str(&name, &text).expect_err("fixture must fail");
            insta::assert_snapshot!(errors.render(Style::Plain));
        });
    });
}

/// The YAML is read once, with positions: what the reading refuses points at its node, and
/// what aliases repeat is read where it was written.
#[test]
fn yaml_problems_point_at_their_node() {
    let head = "id: a\ntitle: { en: T }\nprotocol: smtp\n";
    let aliased = format!(
        "{head}steps:\n  - {{ id: hello, send: &v EHLO, expect: 250, feedback: &f {{ en: x }} }}\n  - {{ id: again, send: *v, expect: 250, optional: true, feedback: *f }}\n"
    );
    let scenario = scenario::load_str("aliased.yaml", &aliased).expect("aliases load");
    assert_eq!(scenario.steps[1].send, vec![Label::Verb("EHLO".into())]);
    let cases = [
        (
            format!("{head}steps:\n  - id: hello\n    send: EHLO\n    id: again\n"),
            "yaml-syntax",
            (7, 5, 2),
        ),
        (
            format!("{head}steps: [{{ id: hello, send: EHLO, expect: 250 }}]\n---\nid: b\n"),
            "yaml-syntax",
            (5, 1, 3),
        ),
        (
            format!("{head}steps: &s [{{ id: hello, send: EHLO }}, *s]\n"),
            "yaml-syntax",
            (4, 39, 2),
        ),
        (
            format!("{head}steps:\n  - {{ id: hello, send: EHLO, expect: 250 }}\n  -\n"),
            "missing-field",
            (6, 4, 1),
        ),
    ];
    for (text, code, (line, column, len)) in cases {
        let errors = scenario::load_str("case.yaml", &text).expect_err(&text);
        let found: Vec<_> = errors
            .errors
            .iter()
            .map(|e| (e.code, e.span.map(|s| (s.line, s.column, s.len))))
            .collect();
        assert_eq!(found, [(code, Some((line, column, len)))], "{text}");
    }
}
