//! `bench --slurm` on a real Slurm: a one-node cluster started by the code `cargo xtask slurm` uses
//! (`xtask/src/slurm.rs`), the six-run fixture suite submitted as three shards, one task held by
//! `SPLATBENCH_TEST_SLEEP` and cancelled, the merge job run anyway, `bench-status --resubmit-failed`, and the merged
//! per-view PSNR/SSIM/LPIPS equal to an unsharded bench of the same suite by the same binary, the report naming each
//! run's shard. Release only: `cargo xtask test` runs it in its release step, with the binary that step builds.
//! If the cluster cannot start, the test fails with the reason and the daemons' logs.

#[path = "../../../xtask/src/slurm.rs"]
mod slurm;

mod common;

use common::records;
use splatbench_record::RunRecord;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Longest wait for the queue to drain (the six runs take about a minute on two cores).
const PATIENCE: Duration = Duration::from_secs(600);

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/slurm6.toml")
}

fn splatbench(cluster: &slurm::Cluster) -> Command {
    let mut cmd = common::splatbench();
    cmd.envs(cluster.env()).env_remove("SPLATBENCH_TEST_SLEEP");
    cmd
}

fn ok(out: Output, what: &str) -> String {
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed ({}): {text}", out.status);
    text
}

/// Wait until Slurm has no job of ours left (squeue lists pending and running ones only).
fn drain(cluster: &slurm::Cluster) {
    let t = Instant::now();
    loop {
        let q = ok(cluster.command("squeue").args(["-h", "-o", "%i %T"]).output().unwrap(), "squeue");
        if q.trim().is_empty() {
            return;
        }
        assert!(t.elapsed() < PATIENCE, "jobs still queued after {PATIENCE:?}: {q}\n{}", cluster.logs());
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// What a sharded and an unsharded run must share: every view's metrics, to the bit.
fn scores(r: &RunRecord) -> String {
    serde_json::to_string(&r.views).unwrap()
}

#[test]
#[cfg_attr(debug_assertions, ignore = "release only: `cargo xtask test` runs it in its release step")]
fn a_sharded_slurm_bench_with_a_cancelled_task_resubmitted_equals_the_unsharded_bench() {
    let tmp = tempfile::tempdir().unwrap();
    let cluster = slurm::Cluster::start(&tmp.path().join("cluster"))
        .unwrap_or_else(|e| panic!("the one-node Slurm cluster did not start: {e}"));
    let results = tmp.path().join("results");
    let plan_ids = |results: &Path| -> Vec<Vec<String>> {
        let plan: serde_json::Value =
            serde_json::from_slice(&std::fs::read(results.join("slurm/plan.json")).unwrap()).unwrap();
        serde_json::from_value(plan["runs"].clone()).unwrap()
    };
    let submitted = Instant::now();
    let dry = ok(
        splatbench(&cluster)
            .args(["bench", "--slurm", "--dry-run", "--shards", "3", "--suite"])
            .arg(fixture())
            .arg("--out")
            .arg(&results)
            .output()
            .unwrap(),
        "bench --slurm --dry-run",
    );
    assert!(dry.contains("--array=1-3") && !results.exists(), "{dry}");
    // Hold splart's seed 0, the second run of shard 2 (run ids sorted, index mod 3): the shard's first run finishes
    // and must be reused by the resubmission.
    let held_text = "splart__baseline__gen_paint_toy__ndarray__s0";
    let out = ok(
        splatbench(&cluster)
            .args(["bench", "--slurm", "--shards", "3", "--suite"])
            .arg(fixture())
            .arg("--out")
            .arg(&results)
            .env("SPLATBENCH_TEST_SLEEP", format!("{held_text}:900"))
            .output()
            .unwrap(),
        "bench --slurm",
    );
    assert!(out.contains("submitted as job array"), "{out}");
    let shards = plan_ids(&results);
    assert_eq!(shards.iter().map(Vec::len).sum::<usize>(), 6, "{shards:?}");
    let held_shard = shards.iter().position(|s| s.iter().any(|id| id == held_text)).expect("held run in the plan") + 1;
    let jobs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(results.join("slurm/jobs.json")).unwrap()).unwrap();
    let array = jobs[0]["array_job"].as_str().unwrap().to_string();
    // Cancel the held task once its run sleeps.
    let log = results.join(format!("shards/{held_shard}-of-3/logs/{held_text}.log"));
    let t = Instant::now();
    while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains("SPLATBENCH_TEST_SLEEP")) {
        assert!(t.elapsed() < PATIENCE, "the held run never started ({}):\n{}", log.display(), cluster.logs());
        std::thread::sleep(Duration::from_millis(300));
    }
    ok(cluster.command("scancel").arg(format!("{array}_{held_shard}")).output().unwrap(), "scancel");
    drain(&cluster);
    // The merge job ran after the cancelled task: every run but the held one is merged.
    let merged = records(&results);
    assert_eq!(merged.len(), 5, "merged {:?}", merged.iter().map(|r| &r.id).collect::<Vec<_>>());
    assert!(merged.iter().all(|r| r.id != held_text));
    let status = ok(splatbench(&cluster).arg("bench-status").arg(&results).output().unwrap(), "bench-status");
    let line = |shard: usize| status.lines().find(|l| l.starts_with(&format!("{shard}/3 "))).unwrap_or("").to_string();
    assert!(line(held_shard).contains("failed"), "{status}");
    assert!(status.contains("2 finished, 1 failed"), "{status}");
    assert!(status.contains("sacct:"), "a cluster without accounting says so: {status}");
    // Resubmit: only the failed shard, which reuses its finished run.
    let again = ok(
        splatbench(&cluster).arg("bench-status").arg(&results).arg("--resubmit-failed").output().unwrap(),
        "bench-status --resubmit-failed",
    );
    assert!(again.contains(&format!("resubmitted shards {held_shard}/3 ")), "{again}");
    drain(&cluster);
    let sharded_s = submitted.elapsed().as_secs_f64();
    let status = ok(splatbench(&cluster).arg("bench-status").arg(&results).output().unwrap(), "bench-status");
    assert!(status.contains("3 finished, 0 failed") && status.contains("6 of 6 runs merged"), "{status}");
    let task_log = std::fs::read_dir(results.join("slurm/logs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(&format!("shard-{held_shard}-job-")))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(task_log.contains("already finished, reused"), "the resubmitted shard reused nothing:\n{task_log}");
    // The unsharded bench of the same suite by the same binary, in this process's environment.
    let plain = tmp.path().join("plain");
    let t = Instant::now();
    ok(
        splatbench(&cluster).args(["bench", "--suite"]).arg(fixture()).arg("--out").arg(&plain).output().unwrap(),
        "bench",
    );
    let plain_s = t.elapsed().as_secs_f64();
    let (merged, plain) = (records(&results), records(&plain));
    assert_eq!(merged.len(), 6);
    assert_eq!(merged.iter().map(|r| &r.id).collect::<Vec<_>>(), plain.iter().map(|r| &r.id).collect::<Vec<_>>());
    for (m, p) in merged.iter().zip(&plain) {
        assert_eq!(m.status, splatbench_record::RunStatus::Ok, "{}: {}", m.id, m.reason);
        assert!(!m.views.is_empty(), "{} has no views", m.id);
        assert_eq!(scores(m), scores(p), "{}: sharded and unsharded metrics differ", m.id);
        // The merge copies a record as its shard wrote it: reading and writing it again must not move a float.
        let k = shards.iter().position(|ids| ids.contains(&m.id)).unwrap() + 1;
        let file = format!("runs/{}.json", m.id);
        let (from, to) = (results.join(format!("shards/{k}-of-3")).join(&file), results.join(&file));
        assert!(std::fs::read(&from).unwrap() == std::fs::read(&to).unwrap(), "{} changed in the merge", m.id);
    }
    // The report and merged_from.json say which shard each run came from.
    let report = std::fs::read_to_string(results.join("report.html")).unwrap();
    let origin: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(results.join("merged_from.json")).unwrap()).unwrap();
    for (k, ids) in shards.iter().enumerate() {
        let shard = format!("shards/{}-of-3", k + 1);
        assert!(report.contains(&shard), "the report does not name {shard}");
        for id in ids {
            assert_eq!(origin.get(id), Some(&shard), "{id}");
        }
    }
    println!(
        "slurm: submission to merged report {sharded_s:.1} s (with one task cancelled and resubmitted); unsharded bench {plain_s:.1} s"
    );
}
