//! The bench's protocol through the `splatbench` binary: stale records are redone, bad suites and baselines stop
//! the bench before any run, failures give exit 1, one bench per results directory, per-run timeouts, and
//! `report --merge` that only reads its inputs.
//!
//! Runs are 5-step roigs fits on the generated roi_toy scene; `SPLATBENCH_TEST_SLEEP` (see `run_one.rs`) makes a
//! chosen run hang.

mod common;

use common::{records, splatbench};
use splatbench_record::RunStatus;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A suite of short roigs runs, one per variant name (each variant sets `extra`, TOML inline-table body).
fn suite(dir: &Path, file: &str, head: &str, variants: &[&str], extra: &str) -> PathBuf {
    let p = dir.join(file);
    let vs: String = variants.iter().map(|v| format!("{v} = {{ {extra} }}\n")).collect();
    // The first variant is the control (an entry of several variants without `baseline` must name one).
    let control = variants.first().map(|v| format!("control = \"{v}\"\n")).unwrap_or_default();
    std::fs::write(
        &p,
        format!(
            "{head}\nlpips = []\n[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\n{control}\
             config = {{ steps = 5, densify = {{ max_points = 500 }} }}\n[entry.variants]\n{vs}"
        ),
    )
    .unwrap();
    p
}

fn bench(suite: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = splatbench();
    cmd.args(["bench", "--suite"]).arg(suite).arg("--out").arg(out).args(extra);
    cmd
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn last_line(s: &str) -> &str {
    s.trim_end().lines().last().unwrap_or("")
}

#[test]
fn a_changed_config_is_redone_not_served_from_the_old_record() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let s = suite(tmp.path(), "s.toml", "", &["baseline"], "");
    let first = bench(&s, &out, &[]).output().unwrap();
    assert!(first.status.success(), "{:?}", text(&first));
    let rec = &records(&out)[0];
    assert_eq!(rec.status, RunStatus::Ok, "{}", rec.reason);
    let t = &rec.timing;
    assert!(t.score_s > 0.0 && t.wall_s >= t.train_s + t.score_s, "{t:?}");
    // The ok run's log says what it did; no empty folder is left for it.
    let log = std::fs::read_to_string(out.join("logs").join(format!("{}.log", rec.id))).unwrap();
    for what in ["started", "loaded gen:roi_toy", "/5 loss", "trained: 5 steps", "scored"] {
        assert!(log.contains(what), "the log lacks {what:?}:\n{log}");
    }
    let artifacts = out.join("artifacts").join(&rec.id);
    assert!(!artifacts.exists() || std::fs::read_dir(&artifacts).unwrap().next().is_some(), "empty {artifacts:?}");
    // The record holds the resolved config, defaults included, and its provenance.
    assert!(rec.spec.config.get("ssim_weight").is_some(), "{}", rec.spec.config);
    assert!(rec.provenance.dataset.starts_with("generator v") && rec.provenance.method_version > 0);

    let again = bench(&s, &out, &[]).output().unwrap();
    let (stdout, _) = text(&again);
    assert!(again.status.success() && stdout.contains("already finished, reused"), "{stdout}");

    // Same suite, same run id, more steps: the old numbers must not be reused.
    let s = suite(tmp.path(), "s.toml", "", &["baseline"], "steps = 6");
    let changed = bench(&s, &out, &[]).output().unwrap();
    let (stdout, stderr) = text(&changed);
    assert!(changed.status.success(), "{stderr}");
    assert!(stdout.contains("1 redone (1 config changed)"), "{stdout}");
    assert_eq!(records(&out)[0].spec.config["steps"], 6);
    assert_eq!(records(&out)[0].timing.steps, 6);

    let forced = bench(&s, &out, &["--force"]).output().unwrap();
    let (stdout, _) = text(&forced);
    assert!(forced.status.success() && stdout.contains("1 redone (1 --force)"), "{stdout}");
}

#[test]
fn a_misspelled_key_or_a_missing_baseline_stops_the_bench_before_any_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let s = suite(tmp.path(), "typo.toml", "", &["baseline"], "densify = { max_pionts = 9 }");
    let o = bench(&s, &out, &[]).output().unwrap();
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("typo.toml") && stderr.contains("max_pionts"), "{stderr}");
    assert!(!out.exists(), "the bench started before the suite was checked");

    let s = suite(tmp.path(), "ok.toml", "", &["baseline"], "");
    let missing = tmp.path().join("no-such-baseline.json");
    let o = bench(&s, &out, &["--check", "--baseline"]).arg(&missing).output().unwrap();
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no-such-baseline.json"), "{stderr}");
    assert!(!out.exists(), "the bench started before the baseline was checked");
}

#[test]
fn a_hung_run_times_out_as_failed_the_next_still_runs_and_the_bench_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let s = suite(tmp.path(), "s.toml", "timeout_s = 1800", &["hangs", "works"], "");
    let t = Instant::now();
    let o = bench(&s, &out, &["--timeout", "20"]).env("SPLATBENCH_TEST_SLEEP", "__hangs__:300").output().unwrap();
    let (_, stderr) = text(&o);
    assert!(t.elapsed() < Duration::from_secs(200), "the hung run was not killed");
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(last_line(&stderr).contains("1 of 2 runs failed") && last_line(&stderr).contains("hangs"), "{stderr}");
    let recs = records(&out);
    let hung = recs.iter().find(|r| r.spec.variant == "hangs").unwrap();
    let next = recs.iter().find(|r| r.spec.variant == "works").unwrap();
    assert_eq!((hung.status, hung.reason.as_str()), (RunStatus::Failed, "timeout after 20 s"));
    assert_eq!(next.status, RunStatus::Ok, "the run after the hung one: {}", next.reason);
    // The failed run's log is kept and linked from the report; the CSV was still written.
    let log = std::fs::read_to_string(out.join("logs").join(format!("{}.log", hung.id))).unwrap();
    assert!(log.contains("SPLATBENCH_TEST_SLEEP") && log.contains("timeout after 20 s"), "{log}");
    assert!(!out.join("artifacts").join(&hung.id).exists(), "the killed run left its artifacts folder");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(&format!("href=\"logs/{}.log\"", hung.id)));
    assert_eq!(std::fs::read_to_string(out.join("results.csv")).unwrap().lines().count(), 3);
}

#[test]
fn a_requested_metric_that_cannot_be_computed_is_a_failure_not_a_blank() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let s = suite(tmp.path(), "s.toml", "", &["baseline"], "");
    let text_with_vgg = std::fs::read_to_string(&s).unwrap().replace("lpips = []", "lpips = [\"vgg\"]");
    std::fs::write(&s, text_with_vgg).unwrap();
    let o = bench(&s, &out, &[]).env("SPLATBENCH_LPIPS_DIR", tmp.path().join("nowhere")).output().unwrap();
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(last_line(&stderr).contains("lpips_vgg") && last_line(&stderr).contains("nowhere"), "{stderr}");
    let rec = &records(&out)[0];
    assert!(rec.failed_metrics.contains_key("lpips_vgg"), "{:?}", rec.failed_metrics);
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains("lpips_vgg"), "{csv}");

    // Not finished: with the model back, the rerun scores the run again instead of reusing the stale error.
    let o = bench(&s, &out, &[]).output().unwrap();
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("redone: a requested metric was not computed"), "{stdout}");
    let rec = &records(&out)[0];
    assert!(rec.failed_metrics.is_empty() && rec.aggregate.contains_key("lpips_vgg"), "{:?}", rec.failed_metrics);
}

/// Whether a `bench-run` child writing into `out` is alive.
fn run_alive(out: &Path) -> bool {
    let needle = out.to_string_lossy().into_owned();
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let cmd = String::from_utf8_lossy(&cmd);
        cmd.contains("bench-run") && cmd.contains(&needle)
    })
}

#[test]
fn one_bench_per_directory_and_a_killed_bench_leaves_no_writer_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let s = suite(tmp.path(), "s.toml", "", &["baseline"], "");
    let mut first =
        bench(&s, &out, &[]).env("SPLATBENCH_TEST_SLEEP", "__baseline__:8").stdout(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    while !run_alive(&out) {
        assert!(start.elapsed() < Duration::from_secs(300), "the run never started");
        assert!(first.try_wait().unwrap().is_none(), "the bench ended early");
        std::thread::sleep(Duration::from_millis(100));
    }
    let second = bench(&s, &out, &[]).output().unwrap();
    let (_, stderr) = text(&second);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&*out.to_string_lossy()) && stderr.contains("another bench"), "{stderr}");

    // Kill only the orchestrator: its run must die with it and write nothing.
    first.kill().unwrap();
    first.wait().unwrap();
    let start = Instant::now();
    while run_alive(&out) {
        assert!(start.elapsed() < Duration::from_secs(5), "the run outlived its bench");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(9));
    assert!(records(&out).is_empty(), "an orphaned run wrote a record");
    // The lock died with its holder: the directory can be benched at once.
    let rerun = bench(&s, &out, &[]).output().unwrap();
    assert!(rerun.status.success(), "{:?}", text(&rerun));
    assert_eq!(records(&out).len(), 1);
}

#[test]
fn report_merge_reads_its_inputs_and_refuses_a_missing_one() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = tmp.path().join("shard");
    let s = suite(tmp.path(), "s.toml", "", &["baseline"], "");
    assert!(bench(&s, &shard, &[]).status().unwrap().success());
    let before: Vec<_> = walk(&shard);

    let typo = tmp.path().join("shrad");
    let merged = tmp.path().join("merged");
    let o = splatbench().args(["report", "--merge"]).arg(&shard).arg(&typo).arg("--out").arg(&merged).output().unwrap();
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("shrad"), "{stderr}");
    assert!(!typo.exists() && !merged.exists(), "a failed merge created directories");

    let o = splatbench().args(["report", "--merge"]).arg(&shard).arg("--out").arg(&merged).output().unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(walk(&shard), before, "merge wrote into its input");
    let id = &records(&merged)[0].id;
    assert!(merged.join("logs").join(format!("{id}.log")).is_file(), "the run's log was not merged");

    // The same run in two inputs with the same content is one run, not a conflict.
    let twin = tmp.path().join("twin");
    std::fs::create_dir_all(twin.join("runs")).unwrap();
    let rec = format!("runs/{id}.json");
    std::fs::copy(shard.join(&rec), twin.join(&rec)).unwrap();
    let again = tmp.path().join("again");
    let o = splatbench().args(["report", "--merge"]).arg(&shard).arg(&twin).arg("--out").arg(&again).output().unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(records(&again).len(), 1);
}

/// Every file under `dir` with its size and mtime.
fn walk(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let m = e.metadata().unwrap();
        if m.is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push((e.path(), m.len(), m.modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn the_views_describe_the_current_suite_and_list_other_records_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let both = suite(tmp.path(), "both.toml", "", &["baseline", "laplacian"], "");
    assert!(bench(&both, &out, &[]).status().unwrap().success());
    let one = suite(tmp.path(), "one.toml", "", &["baseline"], "");
    let o = bench(&one, &out, &[]).output().unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    assert_eq!(records(&out).len(), 2, "the other suite's record stays on disk");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "one header and the one run of this suite:\n{csv}");
    assert!(csv.contains("__baseline__") && !csv.contains("__laplacian__"), "{csv}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let apart = html.split("not in this suite").nth(1).expect("the report lists the other record apart");
    assert!(apart.split("</details>").next().unwrap().contains("__laplacian__"), "listed under the heading");
    assert_eq!(html.matches("__laplacian__").count(), 1, "the other run appears only in the list");
}

#[test]
fn a_renamed_suite_reuses_its_finished_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    let s = suite(tmp.path(), "before.toml", "", &["baseline"], "");
    assert!(bench(&s, &out, &[]).status().unwrap().success());
    let renamed = tmp.path().join("after.toml");
    std::fs::rename(&s, &renamed).unwrap();
    let o = bench(&renamed, &out, &[]).output().unwrap();
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("1 already finished and reused") && !stdout.contains("redone"), "{stdout}");
}
