//! Helpers shared by the integration tests that drive a real browser.

use std::process::Command;

/// The first headless-capable Chromium on PATH (Debian's package is `chromium`).
pub fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}
