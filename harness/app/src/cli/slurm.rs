//! `splatbench bench --slurm` (submit a bench as a job array and a merge job) and `splatbench bench-status` (where
//! it stands; `--resubmit-failed`). The scripts and the status logic are the bench's (`splatbench_bench::slurm`);
//! this module turns the command line into a plan and says what happened.

use super::bench::{Args, Prepared, StatusArgs};
use splatbench_bench::slurm::options::SlurmOptions;
use splatbench_bench::slurm::plan::Plan;
use splatbench_bench::slurm::{script, status, submit as sbatch};
use splatbench_bench::suite;
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use splatbench_io::atomic::write_atomic;
use splatbench_record::RunSpec;
use std::path::{Path, PathBuf};

/// The `--slurm-opt` flags, checked, and the Slurm client unless `--dry-run` (the suite's `[slurm]` table is checked
/// when the suite is loaded).
pub(crate) fn flags(args: &Args) -> Result<SlurmOptions> {
    let mut flags = SlurmOptions::default();
    for flag in &args.slurm_opt {
        flags.set_flag(flag)?;
    }
    if !args.dry_run {
        sbatch::require_sbatch()?;
    }
    Ok(flags)
}

/// The number of array tasks: `--shards`, else one per run, at most `--max-array`.
fn shard_count(args: &Args, runs: usize) -> Result<usize> {
    let max = args.max_array as usize;
    match args.shards.map(|n| n as usize) {
        Some(n) if n > runs => {
            Err(Error::input("--shards", format!("{n} shards for {runs} runs: at most one shard per run")))
        }
        Some(n) if n > max => Err(Error::input("--shards", format!("{n} shards: more than --max-array {max}"))),
        Some(n) => Ok(n),
        None => Ok(runs.min(max)),
    }
}

/// Paths go into `#SBATCH` lines, which sbatch splits at blanks.
fn plain_path(p: &Path, flag: &str) -> Result<PathBuf> {
    let abs = std::path::absolute(p).map_err(|e| Error::input(p, e.to_string()))?;
    let text = abs.display().to_string();
    if text.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '\'') {
        return Err(Error::input(flag, format!("{text}: a path with blanks or quotes cannot go into an #SBATCH line")));
    }
    Ok(abs)
}

/// What every task passes to `bench` besides `--shard` and `--out`: the same selection as this command, with a
/// suite file read from its copy in the results directory (editing the original cannot move runs between shards).
fn bench_args(args: &Args, suite_file: Option<&Path>) -> Vec<String> {
    let mut out =
        vec!["--suite".to_string(), suite_file.map(|p| p.display().to_string()).unwrap_or(args.suite.clone())];
    let mut list = |flag: &str, values: &[String]| {
        if !values.is_empty() {
            out.extend([flag.to_string(), values.join(",")]);
        }
    };
    list("--backend", &args.backend);
    list("--method", &args.method);
    if args.device != "cpu" {
        out.extend(["--device".to_string(), args.device.clone()]);
    }
    if let Some(n) = args.seeds {
        out.extend(["--seeds".to_string(), n.to_string()]);
    }
    if let Some(t) = args.timeout {
        out.extend(["--timeout".to_string(), t.to_string()]);
    }
    out
}

/// The directory of the libtorch this process loaded (`--features tch`), from the kernel's map of its libraries.
fn loaded_libtorch() -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let lib = maps.lines().filter_map(|l| l.split_whitespace().nth(5)).find(|p| p.ends_with("/libtorch_cpu.so"))?;
    Path::new(lib).parent().map(Path::to_path_buf)
}

/// What the tasks need from this environment, resolved as this process resolves it.
fn task_env() -> Vec<(String, String)> {
    let canon = |p: PathBuf| p.canonicalize().ok().map(|p| p.display().to_string());
    let mut env = Vec::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            env.push((k.to_string(), v));
        }
    };
    put("SPLATBENCH_SHARED", canon(splatbench_io::paths::shared_dir()));
    put(
        "SPLATBENCH_DATA",
        std::path::absolute(splatbench_data::reference::generated_cache()).ok().map(|p| p.display().to_string()),
    );
    put("SPLATBENCH_LPIPS_DIR", std::env::var_os("SPLATBENCH_LPIPS_DIR").and_then(|p| canon(p.into())));
    put("ORT_DYLIB_PATH", splatbench_metrics::lpips::onnxruntime_library().ok().and_then(canon));
    if let Some(lib) = loaded_libtorch() {
        put("LIBTORCH", lib.parent().map(|p| p.display().to_string()));
        put("LD_LIBRARY_PATH", Some(lib.display().to_string()));
    }
    env
}

/// Submit the prepared bench, with the suite's `[slurm]` options under `flags`.
pub(crate) fn submit(args: &Args, bench: Prepared, flags: SlurmOptions) -> Result<()> {
    let Prepared { name, suite, specs, dir } = bench;
    let options = suite.slurm.clone().overridden_by(flags);
    let n = shard_count(args, specs.len())?;
    let dir = plain_path(&dir, "--out")?;
    let cwd =
        plain_path(&std::env::current_dir().map_err(|e| Error::input(".", e.to_string()))?, "the working directory")?;
    let builtin = suite::BUILTIN.iter().any(|(b, _)| *b == args.suite);
    let suite_copy = (!builtin).then(|| dir.join("slurm").join(format!("{name}.toml")));
    let runs: Vec<Vec<String>> =
        (1..=n).map(|i| suite::shard(specs.clone(), Some((i, n))).iter().map(RunSpec::id).collect()).collect();
    let plan = Plan {
        suite: name.clone(),
        dir,
        cwd,
        runs,
        bench_args: bench_args(args, suite_copy.as_deref()),
        env: task_env(),
        options,
    };
    if args.dry_run {
        splatbench_io::say!("# {}\n{}", plan.array_script().display(), script::array(&plan));
        splatbench_io::say!(
            "# {} (submitted with --dependency=afterany:<the array's job id>)\n{}",
            plan.merge_script().display(),
            script::merge(&plan)
        );
        splatbench_io::say!("# --dry-run: nothing written, nothing submitted ({} runs in {n} shards)", specs.len());
        return Ok(());
    }
    if let Some(copy) = &suite_copy {
        write_atomic(copy, &std::fs::read(&suite.source).at(&suite.source)?)?;
    }
    sbatch::write(&plan)?;
    let sub = sbatch::submit(&plan, None)?;
    splatbench_io::say!(
        "splatbench bench: suite {name} ({} runs) submitted as job array {} ({n} shards) and merge job {} → {}",
        specs.len(),
        sub.array_job,
        sub.merge_job,
        plan.dir.display()
    );
    splatbench_io::say!("splatbench bench: follow it with `splatbench bench-status {}`", plan.dir.display());
    Ok(())
}

pub fn bench_status(args: StatusArgs) -> Result<()> {
    let plan = Plan::read(&args.dir)?;
    if args.resubmit_failed {
        sbatch::require_sbatch()?;
    }
    let st = status::collect(&plan)?;
    splatbench_io::say!("{}", status::render(&plan, &st));
    if !args.resubmit_failed {
        return Ok(());
    }
    let again = st.to_resubmit();
    if again.is_empty() {
        splatbench_io::say!("nothing to resubmit: no shard failed or went unsubmitted");
        return Ok(());
    }
    let sub = sbatch::submit(&plan, Some(&again))?;
    let list: Vec<String> = again.iter().map(|i| format!("{i}/{}", plan.shards())).collect();
    splatbench_io::say!(
        "resubmitted shards {} as job array {} with merge job {}",
        list.join(", "),
        sub.array_job,
        sub.merge_job
    );
    Ok(())
}
