//! The scenario loader on any text: a scenario or located errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(errors) = mailgrade::scenario::load_str("fuzz.yaml", &text) {
        // Rendering points into the text: it must not panic on odd positions either.
        let _ = errors.render(mailgrade::diagnostic::Style::Plain);
    }
});
