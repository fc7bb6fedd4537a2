use super::*;

#[test]
fn a_transcript_is_graded_on_its_claimed_replies_in_both_languages() {
    let bytes = std::fs::read("examples/telnet-auth-login.txt").expect("example");
    for lang in Lang::ALL {
        let graded =
            grade("telnet-auth-login.txt", bytes.clone(), lang, None, None).expect("graded");
        assert!(
            graded.text.contains("telnet-auth-login.txt"),
            "{}",
            graded.text
        );
        assert!(graded.html.contains("<svg") || graded.html.contains("<table"));
        assert!(graded.exit <= 2);
    }
}

#[test]
fn a_broken_scenario_file_is_the_answer_with_its_place() {
    let answer = grade_json(
        "a.txt",
        b"C: EHLO x\r\n".to_vec(),
        "en",
        None,
        Some(("s.yaml", "id: [")),
    );
    let value: serde_json::Value = serde_json::from_str(&answer).expect("json");
    assert_eq!(value["ok"], false);
    assert!(
        value["error"].as_str().unwrap().contains("s.yaml"),
        "{answer}"
    );
}

#[test]
fn the_page_texts_exist_in_both_languages() {
    let value: serde_json::Value = serde_json::from_str(&texts_json()).expect("json");
    let notice = &value["NothingUploaded"];
    assert!(notice["en"].as_str().unwrap().contains("uploaded"));
    assert!(notice["zh-CN"].as_str().unwrap().contains("上传"));
}

#[test]
fn the_built_in_lab_totals_the_grade_as_check_lab_does() {
    let bytes = std::fs::read("examples/telnet-auth-login.txt").expect("example");
    let labs: Vec<String> = serde_json::from_str(&labs_json()).expect("json");
    assert!(labs.iter().any(|l| l == "email-lab"), "{labs:?}");
    let with = grade("t.txt", bytes.clone(), Lang::En, Some("email-lab"), None).expect("graded");
    let without = grade("t.txt", bytes, Lang::En, None, None).expect("graded");
    assert_ne!(with.text, without.text, "the lab changes the total");
    let unknown = grade_json("t.txt", Vec::new(), "en", Some("emial-lab"), None);
    assert!(
        unknown.contains("email-lab"),
        "a near name is suggested: {unknown}"
    );
    let both = grade_json(
        "t.txt",
        Vec::new(),
        "en",
        Some("email-lab"),
        Some(("s.yaml", "")),
    );
    assert!(both.contains("\"ok\":false"), "{both}");
}
