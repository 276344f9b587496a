//! Headless Chromium for the report tests (`reports/tests/chromium.rs` and the smoke report in
//! `harness/app/tests/bench.rs`, which includes this file): the DOM after the page's scripts ran, the console
//! messages, and a screenshot kept as a CI artefact in `target/ci-artifacts/`. Chromium comes from
//! `cargo xtask setup --chromium` (done by `cargo xtask test`); without it the tests fail and say so.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if let Some(p) =
            std::env::var_os("PATH").and_then(|ps| std::env::split_paths(&ps).map(|d| d.join(c)).find(|p| p.exists()))
        {
            return p;
        }
    }
    panic!("Chromium not found: run `cargo xtask setup --chromium` (apt-get install chromium)");
}

/// Chromium with the flags a closed network needs (no background connections) and a fresh profile.
fn command(profile: &Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The rendered DOM of `page` and the console messages Chromium logged while loading it.
pub fn dom_and_console(page: &Path) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let out = command(profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("start chromium");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    let console = log.lines().filter(|l| l.contains("CONSOLE")).map(str::to_string).collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

/// A 1200×1600 screenshot of `page` as `target/ci-artifacts/<name>` of the workspace; returns its path.
pub fn screenshot(page: &Path, name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|d| d.join("Cargo.lock").exists())
        .expect("the workspace root")
        .to_path_buf();
    let artefacts = root.join("target/ci-artifacts");
    std::fs::create_dir_all(&artefacts).unwrap();
    let shot = artefacts.join(name);
    let profile = tempfile::tempdir().unwrap();
    let st = command(profile.path())
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1200,1600")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("start chromium");
    assert!(st.status.success() && shot.exists(), "screenshot failed: {}", String::from_utf8_lossy(&st.stderr));
    shot
}
