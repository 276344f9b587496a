//! The smoke suite end to end through the `splatbench` binary: insta snapshots of its metrics on ndarray (the
//! method's, then each trivial reference's as `name.metric`), `--check` against the committed baseline, and the smoke
//! report checked in headless Chromium against the report's acceptance criteria (issue #37,
//! `reports/tests/support/acceptance.rs`) on the report this bench really writes. Metrics are rounded for the snapshot (PSNR 0.01 dB, SSIM and LPIPS 1e-4):
//! CPU runs are deterministic for a fixed seed, the rounding only keeps the snapshot readable. Review changes with
//! `cargo insta review`.
//!
//! It trains every method of the suite, so it runs in release: `cargo xtask test` runs it in its release step, on
//! the binary that step builds anyway; the dev profile lists it as ignored.

#[path = "../../../reports/tests/support/acceptance.rs"]
mod acceptance;
#[path = "../../../reports/tests/support/chromium.rs"]
mod chromium;
mod common;

use common::{records, splatbench};
use splatbench_record::RunStatus;

#[cfg_attr(debug_assertions, ignore = "release only: cargo xtask test runs it in its release step")]
#[test]
fn smoke_suite_metrics_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("smoke");
    let st = splatbench().args(["bench", "--suite", "smoke", "--out"]).arg(&out).output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let mut text = String::new();
    for r in records(&out) {
        assert_eq!(r.status, RunStatus::Ok, "{}: {}", r.id, r.reason);
        // The onnxruntime LPIPS ran on, as a version (PyPI's build info names none; the library's file name does).
        let ort = r.environment.get("onnxruntime").map(String::as_str).unwrap_or("absent");
        assert!(ort.split('.').count() >= 2 && ort.split('.').all(|p| p.parse::<u32>().is_ok()), "onnxruntime {ort}");
        text += &format!("{}\n", r.id);
        let mut lines: Vec<(String, f64)> = r.aggregate.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for (name, rf) in &r.references {
            lines.extend(rf.aggregate.iter().map(|(k, v)| (format!("{name}.{k}"), *v)));
        }
        for (k, v) in lines {
            let digits = if k.contains("psnr") { 2 } else { 4 };
            text += &format!("  {k} = {v:.digits$}\n");
        }
    }
    insta::assert_snapshot!("smoke_ndarray_metrics", text);
    // Runs are processes of their own; the LPIPS memo file in the bench's cache carries the references that repeat
    // across runs (head's two variants score the same mean-colour image on the same views) from one to the next.
    let hits: f64 = records(&out).iter().map(|r| r.stats.get("lpips_memo_hits").copied().unwrap_or(0.0)).sum();
    assert!(hits > 0.0, "no run took an LPIPS distance from the memo of an earlier run");
    let memo_files = std::fs::read_dir(out.join("cache/lpips-memo")).map(|d| d.count()).unwrap_or(0);
    assert!(memo_files > 0, "no LPIPS memo file in {}", out.join("cache/lpips-memo").display());
    // The regression gate works on a fresh clone: the committed baseline (harness/baselines/smoke.json) passes
    // `--check` on the same results (every run is reused, so this only compares).
    let st = splatbench().args(["bench", "--suite", "smoke", "--check", "--out"]).arg(&out).output().unwrap();
    let stdout = String::from_utf8_lossy(&st.stdout);
    assert!(st.status.success(), "--check failed:\n{stdout}\n{}", String::from_utf8_lossy(&st.stderr));
    assert!(!stdout.contains("REGRESSED") && stdout.contains(" ok"), "{stdout}");
    // The smoke report opens in headless Chromium with no console message and shows the results matrix (sortable),
    // thumbnails, an ablation's before/after slider and the phase bars; its screenshot is a CI artefact.
    let page = out.join("report.html");
    let (dom, console) = chromium::dom_and_console(&page);
    assert!(console.is_empty(), "console messages: {console:?}");
    for expected in [
        "<table class=\"matrix\" data-sort",
        "class=\"grid thumbs\"",
        "class=\"slider\"",
        "<input type=\"range\"",
        "class=\"phases\"",
        "CPU-sized",
    ] {
        assert!(dom.contains(expected), "the smoke report lacks {expected}");
    }
    // The acceptance criteria on this real report (layout at 1280 px, chart ticks, legends and hover titles,
    // contents links, like-sized comparison images, integer counts, weight), then what only the smoke suite has:
    // the verdict of the `--check` that just ran, and nerf's side-by-side images against the control its suite
    // entry names.
    let ids: Vec<String> = records(&out).into_iter().map(|r| r.id).collect();
    let probe = acceptance::check(&page, &ids);
    let verdicts = probe["verdict"].to_string();
    assert!(verdicts.contains("--check passed against"), "no --check verdict at the top: {verdicts}");
    let nerf = "nerf on gen:blender_toy";
    let compared = probe["compares"].as_array().unwrap().iter().filter(|c| c["entry"] == nerf).count();
    assert!(compared > 0, "no side-by-side images under {nerf}: {}", probe["compares"]);
    let html = std::fs::read_to_string(&page).unwrap();
    let section = &html[html.find(&format!(">{nerf}</h3>")).expect("nerf's ablation heading")..];
    let section = &section[..section.find("<h3").unwrap_or(section.len())];
    assert!(section.contains("<p>Control: &quot;hierarchical&quot;.</p>"), "nerf's control is not the suite's");
    chromium::screenshot(&page, "smoke-report.png");
    // Past the embedding budget images load lazily from thumbs/; `report --embed-all` makes the single-file copy.
    assert!(html.contains("loading=\"lazy\""), "the smoke report no longer reaches the embedding budget");
    let st = splatbench().args(["report", "--embed-all", "--out"]).arg(&out).output().unwrap();
    assert!(st.status.success(), "report --embed-all: {}", String::from_utf8_lossy(&st.stderr));
    let single = std::fs::read_to_string(&page).unwrap();
    assert!(!single.contains("loading=\"lazy\"") && !single.contains("src=\"thumbs/"), "--embed-all left a lazy image");
}
