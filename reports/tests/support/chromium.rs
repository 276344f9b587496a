//! Headless Chromium for the report tests (`reports/tests/chromium.rs` and the smoke report in
//! `harness/app/tests/bench.rs`, which includes this file): the DOM after the page's scripts ran, the console
//! messages, a probe script's measurements of the page (`probe.js`, asserted on by `acceptance.rs`), and a
//! screenshot kept as a CI artefact in `target/ci-artifacts/`. Chromium comes from
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

/// What `script` measured in `page` at a 1280 px wide window, and the console messages of that load. The script
/// runs in a copy of the page beside it (so the page's relative image paths still resolve) and must write its
/// result into `<pre id="probe">` as JSON; Chromium's virtual time lets it wait for images without the test sleeping.
pub fn probe(page: &Path, script: &str) -> (serde_json::Value, Vec<String>) {
    let copy = page.with_extension("probe.html");
    let html = std::fs::read_to_string(page).expect("read the page");
    // After `</html>` the parser still puts the script into the body, so the page itself is left untouched.
    std::fs::write(&copy, format!("{html}<script>{script}</script>\n")).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = command(profile.path())
        .args(["--dump-dom", "--virtual-time-budget=5000", "--window-size=1280,2000"])
        .arg(format!("file://{}", copy.display()))
        .output()
        .expect("start chromium");
    std::fs::remove_file(&copy).ok();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    let console = log.lines().filter(|l| l.contains("CONSOLE")).map(str::to_string).collect();
    let dom = String::from_utf8_lossy(&out.stdout);
    // The last one: the script's own text, dumped with the page, names the tag too.
    let start = dom.rfind("<pre id=\"probe\">").unwrap_or_else(|| panic!("the probe wrote no result: {console:?}"));
    let body = &dom[start + "<pre id=\"probe\">".len()..];
    let text = &body[..body.find("</pre>").expect("</pre>")];
    // A text node serialises with these four escaped (HTML spec, "escaping a string").
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u{a0}").replace("&amp;", "&");
    (serde_json::from_str(&text).unwrap_or_else(|e| panic!("probe result {text}: {e}")), console)
}

/// A 1280×1600 screenshot of `page` as `target/ci-artifacts/<name>` of the workspace; returns its path.
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
        .arg("--window-size=1280,1600")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("start chromium");
    assert!(st.status.success() && shot.exists(), "screenshot failed: {}", String::from_utf8_lossy(&st.stderr));
    shot
}
