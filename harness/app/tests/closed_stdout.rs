//! Every command with its stdout closed (`splatbench … | head -1` after head has gone): no panic, no backtrace.
//! `bench` still finishes every run and writes its CSV and report; the other commands stop quietly with exit 0.

mod common;

use common::{records, splatbench};
use splatbench_core::Image;
use splatbench_io::imageio::write_png;
use splatbench_record::RunStatus;
use std::ffi::OsStr;
use std::process::{Output, Stdio};

/// Run `splatbench args` with the read end of its stdout closed before it writes anything.
fn with_stdout_closed(args: &[&dyn AsRef<OsStr>]) -> Output {
    let mut child = splatbench()
        .args(args.iter().map(|a| a.as_ref()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

fn assert_quiet_success(what: &str, out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{what}: {err}");
    assert_eq!(out.status.code(), Some(0), "{what}: {err}");
}

#[test]
fn commands_other_than_bench_stop_quietly_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let image =
        |seed: u32| Image::from_fn(12, 12, 3, move |x, y, c| ((x * 13 + y * 7 + c * 3 + seed) % 29) as f32 / 28.0);
    let (a, b) = (dir.path().join("a.png"), dir.path().join("b.png"));
    write_png(&a, &image(0)).unwrap();
    write_png(&b, &image(4)).unwrap();
    let data = dir.path().join("data");
    let out = with_stdout_closed(&[&"datasets", &"generate", &"--only", &"roi_toy", &"--out", &data]);
    assert_quiet_success("datasets generate", &out);
    let roi = data.join("roi_toy");
    assert!(roi.is_dir(), "the output is written before the first line is printed");
    let cases: [(&str, Vec<&dyn AsRef<OsStr>>); 4] = [
        ("metrics", vec![&"metrics", &a, &b]),
        ("metrics --json", vec![&"metrics", &"--json", &a, &b]),
        ("inspect", vec![&"inspect", &roi]),
        ("--help", vec![&"--help"]),
    ];
    for (what, args) in cases {
        assert_quiet_success(what, &with_stdout_closed(&args));
    }
}

#[test]
fn bench_finishes_every_run_and_writes_its_results() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("one.toml");
    std::fs::write(
        &suite,
        "seeds = 2\nlpips = []\n[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\nconfig = { steps = 2 }\n",
    )
    .unwrap();
    let out = dir.path().join("results");
    let result = with_stdout_closed(&[&"bench", &"--suite", &suite, &"--out", &out]);
    assert_quiet_success("bench", &result);
    let recs = records(&out);
    assert_eq!(recs.len(), 2);
    assert!(recs.iter().all(|r| r.status == RunStatus::Ok), "{:?}", recs.iter().map(|r| &r.reason).collect::<Vec<_>>());
    assert!(out.join("results.csv").is_file() && out.join("report.html").is_file());
    let report = with_stdout_closed(&[&"report", &"--out", &out]);
    assert_quiet_success("report", &report);
}
