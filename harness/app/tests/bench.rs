//! The bench end to end through the `splatbench` binary: resume after `kill -9` without losing or duplicating runs,
//! identical metrics for identical CPU runs, and insta snapshots of the smoke suite's metrics on ndarray (the
//! method's, then each trivial reference's as `name.metric`), and the smoke report checked in headless Chromium.
//! Metrics are rounded for the snapshot (PSNR 0.01 dB, SSIM and LPIPS 1e-4): CPU runs are deterministic for a fixed
//! seed, the rounding only keeps the snapshot readable. Review changes with `cargo insta review`.

#[path = "../../../reports/tests/support/chromium.rs"]
mod chromium;
mod common;

use common::{records, splatbench};
use splatbench_record::RunStatus;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A small suite: 3 short roigs runs on the generated roi_toy scene, no LPIPS (these tests are about the bench, and
/// a requested metric that cannot be computed fails the bench).
fn tiny_suite(dir: &Path) -> PathBuf {
    let p = dir.join("tiny.toml");
    std::fs::write(
        &p,
        r#"
seeds = 1
lpips = []
[[entry]]
method = "roigs"
dataset = "gen:roi_toy"
config = { steps = 30 }
[entry.variants]
baseline = {}
laplacian = { laplacian = {} }
roi = { roi = {} }
"#,
    )
    .unwrap();
    p
}

#[test]
fn kill_dash_nine_then_rerun_loses_and_duplicates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let suite = tiny_suite(tmp.path());
    let out = tmp.path().join("bench");
    let mut cmd = splatbench();
    cmd.args(["bench", "--suite"]).arg(&suite).arg("--out").arg(&out);
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.stdout(std::process::Stdio::null()).spawn().unwrap();
    // Kill the whole process group (orchestrator and its run) once the first run is on disk.
    let start = Instant::now();
    while records(&out).is_empty() {
        assert!(start.elapsed() < Duration::from_secs(600), "no run finished in 10 minutes");
        if let Some(st) = child.try_wait().unwrap() {
            panic!("bench ended before it could be killed: {st}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let killed_with = records(&out).len();
    // libc directly, never `/usr/bin/kill -9 -PGID`: procps-ng 4.0 parses that as `kill(-1, SIGKILL)` and, as root,
    // kills every process on the machine.
    let pgid = i32::try_from(child.id()).unwrap();
    assert!(pgid > 1);
    // SAFETY: kill(2) with a negative pid signals exactly that process group, which `process_group(0)` made ours.
    assert_eq!(unsafe { libc::kill(-pgid, libc::SIGKILL) }, 0, "{}", std::io::Error::last_os_error());
    child.wait().unwrap();
    assert!(killed_with < 3, "the bench finished before the kill");

    let st = splatbench().args(["bench", "--suite"]).arg(&suite).arg("--out").arg(&out).output().unwrap();
    assert!(st.status.success(), "rerun failed: {}", String::from_utf8_lossy(&st.stderr));
    let stdout = String::from_utf8_lossy(&st.stdout);
    assert!(stdout.contains("already finished"), "the rerun did not skip finished runs:\n{stdout}");
    let recs = records(&out);
    let ids: Vec<&str> = recs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(recs.iter().all(|r| r.status == RunStatus::Ok), "{:?}", recs.iter().map(|r| &r.reason).collect::<Vec<_>>());
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "CSV has one header and one row per run:\n{csv}");
    assert!(out.join("report.html").exists());
    // No temporary files are left behind by atomic writes.
    let leftovers: Vec<_> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .flatten()
        .filter(|e| !e.path().extension().is_some_and(|x| x == "json"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn identical_cpu_runs_give_identical_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let suite = tiny_suite(tmp.path());
    let mut all = Vec::new();
    for k in 0..2 {
        let out = tmp.path().join(format!("b{k}"));
        let st = splatbench()
            .args(["bench", "--suite"])
            .arg(&suite)
            .args(["--method", "roigs", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
        all.push(records(&out));
    }
    assert_eq!(all[0].len(), 3);
    for (a, b) in all[0].iter().zip(&all[1]) {
        assert_eq!(a.status, RunStatus::Ok, "{}", a.reason);
        assert_eq!(a.aggregate, b.aggregate, "{}", a.id);
        assert_eq!(a.views, b.views, "{}", a.id);
        assert_eq!(a.loss_curve, b.loss_curve, "{}", a.id);
    }
}

#[test]
fn smoke_suite_metrics_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("smoke");
    let st = splatbench().args(["bench", "--suite", "smoke", "--out"]).arg(&out).output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let mut text = String::new();
    for r in records(&out) {
        assert_eq!(r.status, RunStatus::Ok, "{}: {}", r.id, r.reason);
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
    chromium::screenshot(&page, "smoke-report.png");
}

#[test]
fn unknown_suite_and_backend_exit_2_with_one_line() {
    for args in [
        vec!["bench", "--suite", "/nonexistent/suite.toml"],
        vec!["bench", "--backend", "cuda"],
        vec!["bench", "--method", "nosuch"],
        vec!["bench", "--device", "tpu:0"],
    ] {
        let out = splatbench().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn uncompiled_backend_is_reported_as_skipped_with_a_reason() {
    if cfg!(feature = "tch") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let suite = tiny_suite(tmp.path());
    let out = tmp.path().join("b");
    let st = splatbench()
        .args(["bench", "--suite"])
        .arg(&suite)
        .args(["--backend", "tch", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let recs = records(&out);
    assert_eq!(recs.len(), 3);
    assert!(recs.iter().all(|r| r.status == RunStatus::Skipped && r.reason.contains("not compiled in")));
}
