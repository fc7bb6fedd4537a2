//! The seed report's AUTH credentials, read from the report itself (in place, from
//! ../shared) rather than written into the project: the tests that grade the seed assert
//! that none of these ever appears in an output.

use base64::Engine;

pub const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/seed/email-lab-report.md"
);

/// Every form of the seed's credentials an output must not show: the password as the
/// student typed it (base64) and decoded, the first half of each (a cut excerpt), and the
/// AUTH user name as base64.
pub fn seed_secrets() -> Vec<String> {
    let text = std::fs::read_to_string(SEED).expect("the seed report is readable");
    let typed = |label: &str| {
        text.lines()
            .find_map(|line| {
                let rest = line.trim_start().strip_prefix("C:")?.trim_start();
                let value = rest.strip_prefix(label)?.split_whitespace().next()?;
                Some(value.to_string())
            })
            .unwrap_or_else(|| panic!("the seed has a `C: {label}` line"))
    };
    let password = typed("Pass:");
    let user = typed("User:");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&password)
        .expect("the seed's password is base64");
    let decoded = String::from_utf8(decoded).expect("the seed's password is text");
    let halves = [&password, &decoded].map(|whole| whole[..whole.len() / 2].to_string());
    let [password_half, decoded_half] = halves;
    vec![password, decoded, password_half, decoded_half, user]
}
