//! The two sbatch scripts of a [`Plan`]: the job array (task `i` runs `bench --shard i/n` into its own shard
//! directory) and the merge job (`report --merge` of every shard that wrote results, into the results directory).
//! They are plain bash a user can read, edit and resubmit by hand; `--dry-run` prints them.

use super::plan::Plan;
use super::sh_quote;

fn header(plan: &Plan, what: &str) -> Vec<String> {
    vec!["#!/bin/bash".into(), format!("# splatbench bench --slurm, suite {}: {what}", plan.suite)]
}

fn exports(plan: &Plan) -> Vec<String> {
    let mut out = vec!["set -euo pipefail".to_string()];
    for (k, v) in &plan.env {
        // The node's own library path (CUDA, modules) stays after ours.
        let tail = if k == "LD_LIBRARY_PATH" { "\"${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\"" } else { "" };
        out.push(format!("export {k}={}{tail}", sh_quote(v)));
    }
    out
}

/// The job array: one task per shard, `--array=1-n` (`--resubmit-failed` overrides it on sbatch's command line).
pub fn array(plan: &Plan) -> String {
    let n = plan.shards();
    let logs = plan.logs().display().to_string();
    let mut lines = header(plan, &format!("one array task per shard ({n} shards)"));
    lines.extend([
        format!("#SBATCH --job-name=splatbench-{}", plan.suite),
        format!("#SBATCH --array=1-{n}"),
        format!("#SBATCH --output={logs}/shard-%a-job-%A.out"),
        format!("#SBATCH --chdir={}", plan.cwd.display()),
    ]);
    lines.extend(plan.options.task_lines());
    lines.extend(exports(plan));
    lines.push("i=\"${SLURM_ARRAY_TASK_ID:?not a Slurm array task: submit this script with sbatch}\"".into());
    let args: Vec<String> = plan.bench_args.iter().map(|a| sh_quote(a)).collect();
    let shards = sh_quote(&plan.dir.join("shards").display().to_string());
    // --redo-failed: a resubmitted shard runs its failed runs again and reuses the finished ones.
    lines.push(format!(
        "exec {} bench {} --shard \"$i/{n}\" --out {shards}/\"$i-of-{n}\" --redo-failed",
        sh_quote(&plan.bin().display().to_string()),
        args.join(" ")
    ));
    lines.join("\n") + "\n"
}

/// The merge job, submitted with `--dependency=afterany:<array job>`: it joins the shards that wrote results (a task
/// cancelled before its first run wrote none) and the report says which shard each run came from.
pub fn merge(plan: &Plan) -> String {
    let n = plan.shards();
    let logs = plan.logs().display().to_string();
    let mut lines = header(plan, "merge the shards into the results directory once the array has ended");
    lines.extend([
        format!("#SBATCH --job-name=splatbench-{}-merge", plan.suite),
        format!("#SBATCH --output={logs}/merge-job-%j.out"),
        format!("#SBATCH --chdir={}", plan.cwd.display()),
    ]);
    lines.extend(plan.options.merge_lines());
    lines.extend(exports(plan));
    let shards = sh_quote(&plan.dir.join("shards").display().to_string());
    lines.extend([
        "shards=()".to_string(),
        format!("for i in $(seq 1 {n}); do"),
        format!("  d={shards}/\"$i-of-{n}\""),
        "  if [ -d \"$d/runs\" ]; then shards+=(\"$d\"); else echo \"shard $i: no results (never started)\"; fi".into(),
        "done".into(),
        "if [ \"${#shards[@]}\" -eq 0 ]; then echo \"no shard wrote results: nothing to merge\" >&2; exit 1; fi".into(),
        format!(
            "exec {} report --merge \"${{shards[@]}}\" --out {}",
            sh_quote(&plan.bin().display().to_string()),
            sh_quote(&plan.dir.display().to_string())
        ),
    ]);
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slurm::options::SlurmOptions;
    use std::path::PathBuf;

    pub(crate) fn plan() -> Plan {
        let mut options = SlurmOptions::default();
        options.set_flag("partition=cpu").unwrap();
        options.set_flag("cpus-per-task=2").unwrap();
        options.set_flag("gres=gpu:1").unwrap();
        options.set_flag("account=lab").unwrap();
        Plan {
            suite: "smoke".into(),
            dir: PathBuf::from("/data/bench-results/smoke"),
            cwd: PathBuf::from("/home/me/splatbench"),
            runs: vec![vec!["a".into(), "c".into()], vec!["b".into()]],
            bench_args: ["--suite", "smoke", "--backend", "ndarray,tch", "--method", "head"].map(String::from).to_vec(),
            env: vec![
                ("SPLATBENCH_SHARED".into(), "/home/me/shared".into()),
                ("ORT_DYLIB_PATH".into(), "/home/me/splatbench/.venv/lib/libonnxruntime.so".into()),
                ("LD_LIBRARY_PATH".into(), "/opt/lib torch/lib".into()),
            ],
            options,
        }
    }

    #[test]
    fn array_script() {
        insta::assert_snapshot!(array(&plan()));
    }

    #[test]
    fn merge_script() {
        insta::assert_snapshot!(merge(&plan()));
    }

    #[test]
    fn the_scripts_are_valid_bash() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [("array.sh", array(&plan())), ("merge.sh", merge(&plan()))] {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            let st = std::process::Command::new("bash").arg("-n").arg(&p).status().unwrap();
            assert!(st.success(), "bash -n {name}");
        }
    }
}
