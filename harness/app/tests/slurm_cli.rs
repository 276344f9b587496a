//! `bench --slurm` without a cluster: the scripts `--dry-run` prints (snapshot, with the suite's `[slurm]` table and
//! `--slurm-opt` over it), and the refusals (exit 2, one line, nothing written, nothing submitted). The real
//! cluster is `tests/slurm.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn splatbench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_splatbench"))
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/slurm6.toml")
}

/// `PATH` without any Slurm client, so `sbatch` is absent whatever this machine has installed.
const NO_SLURM_PATH: &str = "/nonexistent";

#[test]
fn dry_run_prints_both_scripts_with_suite_and_flag_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    let run = splatbench()
        .args(["bench", "--slurm", "--dry-run", "--shards", "3", "--slurm-opt", "partition=gpu"])
        .args(["--slurm-opt", "gres=gpu:1", "--suite"])
        .arg(fixture())
        .arg("--out")
        .arg(&out)
        .env("PATH", NO_SLURM_PATH)
        .env("SPLATBENCH_SHARED", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(!out.exists(), "--dry-run wrote {}", out.display());
    let cwd = std::env::current_dir().unwrap();
    let text = String::from_utf8_lossy(&run.stdout)
        .replace(&out.display().to_string(), "<OUT>")
        .replace(&cwd.display().to_string(), "<CWD>")
        .lines()
        // The environment's values are this machine's paths; the variables exported are the point.
        .map(|l| match l.strip_prefix("export ").and_then(|kv| kv.split_once('=')) {
            Some((k, _)) => format!("export {k}=<{k}>"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(text);
}

/// Run `splatbench ARGS` without Slurm on PATH: it must exit 2 with one `error:` line containing `says`, and leave
/// `out` unwritten.
fn refused(args: &[&str], out: &Path, says: &str) {
    let run = splatbench().args(args).arg("--out").arg(out).env("PATH", NO_SLURM_PATH).output().unwrap();
    let err = String::from_utf8_lossy(&run.stderr).trim().to_string();
    assert_eq!(run.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.lines().count() == 1 && err.starts_with("error: ") && !err.contains("panicked"), "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: `{err}` does not say `{says}`");
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

#[test]
fn bad_slurm_input_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    let suite = fixture();
    let suite = suite.to_str().unwrap();
    let base = ["bench", "--suite", suite, "--slurm"];
    let with = |more: &[&'static str]| base.iter().copied().chain(more.iter().copied()).collect::<Vec<&str>>();
    refused(&with(&["--dry-run", "--slurm-opt", "nodes=2"]), &out, "--slurm-opt: unknown key `nodes`");
    refused(&with(&["--dry-run", "--slurm-opt", "partition"]), &out, "not KEY=VALUE");
    refused(&with(&["--dry-run", "--shards", "0"]), &out, "--shards");
    refused(&with(&["--dry-run", "--shards", "7"]), &out, "7 shards for 6 runs");
    refused(&with(&["--dry-run", "--shards", "3", "--max-array", "2"]), &out, "more than --max-array 2");
    refused(&with(&[]), &out, "sbatch: not found on PATH");
    refused(&with(&["--shard", "1/2"]), &out, "--shard");
    refused(&with(&["--check"]), &out, "--check");
    refused(&["bench", "--suite", suite, "--dry-run"], &out, "--slurm");
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(fixture()).unwrap().replace("partition = \"debug\"", "partitoin = \"debug\"");
    std::fs::write(&bad, text).unwrap();
    refused(&["bench", "--slurm", "--dry-run", "--suite", bad.to_str().unwrap()], &out, "unknown key `partitoin`");
    // The table is checked whenever the suite is read, so a plain bench refuses it too.
    refused(&["bench", "--suite", bad.to_str().unwrap()], &out, "bad.toml");
    let status = splatbench().args(["bench-status"]).arg(dir.path()).output().unwrap();
    assert_eq!(status.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&status.stderr).contains("not a Slurm bench directory"));
}
