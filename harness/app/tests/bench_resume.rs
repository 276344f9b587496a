//! The bench end to end through the `splatbench` binary: resume after `kill -9` without losing or duplicating runs,
//! identical metrics for identical CPU runs, bad suites and uncompiled backends.

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
fn uncompiled_backend_is_refused_before_any_run() {
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
    assert_eq!(st.status.code(), Some(2), "{}", String::from_utf8_lossy(&st.stderr));
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(
        err.trim().lines().count() == 1 && err.contains("not compiled in") && err.contains("--features tch"),
        "{err}"
    );
    assert!(!out.exists(), "refused before any run: nothing is written");
}
