//! `grade FILE --roster r.csv` on single files (not a class): the roster knows a file by its
//! name (the student id, the LMS id, or an LMS-named file), so reports show the student's
//! name, exports its ids, and the roster's `late` applies (issue 16, noticed at stop 22).

use std::process::Command;

#[test]
fn a_single_file_gets_its_students_name_from_the_roster() {
    let dir = tempfile::tempdir().expect("temp dir");
    let example = std::fs::read("examples/telnet-auth-login.txt").expect("example");
    let by_id = dir.path().join("2021001.txt");
    let by_canvas_name = dir.path().join("wangfang_5513_902_telnet.txt");
    let unknown = dir.path().join("someone.txt");
    for path in [&by_id, &by_canvas_name, &unknown] {
        std::fs::write(path, &example).expect("written");
    }
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "id,name,lms_id\n2021001,李伟,5512\n2021002,王芳,5513\n",
    )
    .expect("written");
    let path = |p: &std::path::Path| p.to_string_lossy().into_owned();
    let html = Command::new(env!("CARGO_BIN_EXE_mailgrade"))
        .args([
            "grade",
            &path(&by_id),
            &path(&by_canvas_name),
            &path(&unknown),
            "--roster",
            &path(&roster),
            "--server",
            "none",
            "--format",
            "html",
        ])
        .output()
        .expect("runs");
    let page = String::from_utf8_lossy(&html.stdout);
    assert!(page.contains(r#"<span class="name">李伟</span>"#), "{page}");
    assert!(page.contains(r#"<span class="name">王芳</span>"#), "{page}");
    assert_eq!(page.matches(r#"<span class="name">"#).count(), 2, "{page}");
}
