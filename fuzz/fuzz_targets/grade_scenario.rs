//! A scenario made from the input (steps with any repeat ranges, optional steps, argument
//! patterns) graded against a transcript made from the rest: validation refuses what
//! grading cannot afford, and whatever it accepts aligns without a panic, within the points.
#![no_main]

use libfuzzer_sys::fuzz_target;

const VERBS: [&str; 8] = ["EHLO", "HELO", "MAIL", "RCPT", "DATA", "NOOP", "RSET", "QUIT"];
const CODES: [&str; 6] = ["250", "2xx", "[250, 251]", "354", "221", "5xx"];
const REPEATS: [&str; 10] = [
    "", "1..", "0..", "2..3", "2", "0..100", "100", "101", "'100000000'", "3..1",
];

fuzz_target!(|data: &[u8]| {
    let Some((&count, rest)) = data.split_first() else {
        return;
    };
    let steps = usize::from(count % 12);
    let (spec, transcript) = rest.split_at((steps * 4).min(rest.len()));
    let mut yaml = String::from("id: fuzz\ntitle: { en: f, zh-CN: f }\nprotocol: smtp\nsteps:\n");
    yaml.push_str("  - { id: greeting, send: greeting, expect: 220, points: 1 }\n");
    for (i, step) in spec.chunks_exact(4).enumerate() {
        let verb = VERBS[usize::from(step[0]) % VERBS.len()];
        let code = CODES[usize::from(step[1]) % CODES.len()];
        let repeat = REPEATS[usize::from(step[2]) % REPEATS.len()];
        yaml.push_str(&format!(
            "  - {{ id: s{i}, send: {verb}, expect: {code}, points: {}",
            step[3] % 20
        ));
        if !repeat.is_empty() {
            yaml.push_str(&format!(", repeat: {repeat}"));
        }
        match step[3] % 5 {
            0 => yaml.push_str(", optional: true"),
            1 => yaml.push_str(", args: '(?i)^(to|from):'"),
            _ => {}
        }
        yaml.push_str(" }\n");
    }
    let scenario = match mailgrade::scenario::load_str("fuzz.yaml", &yaml) {
        Ok(scenario) => scenario,
        Err(errors) => {
            let _ = errors.render(mailgrade::diagnostic::Style::Plain);
            return;
        }
    };
    let Ok(read) = mailgrade::ingest::read_bytes(std::path::Path::new("t.txt"), transcript)
    else {
        return;
    };
    for (index, session) in read.sessions.iter().enumerate() {
        let grade = mailgrade::grade::grade(session, index, &scenario);
        assert!(grade.score <= grade.max_score, "{} > {}", grade.score, grade.max_score);
    }
});
