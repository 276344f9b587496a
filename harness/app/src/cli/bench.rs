//! `splatbench bench`, `splatbench report`, and the hidden per-run `splatbench bench-run`.

use splatbench_bench::{check, orchestrate, run_one, store::Store, suite};
use splatbench_core::error::IoContext;
use splatbench_core::{Backend, Error, Result};
use splatbench_io::atomic::{create_dir_all, write_atomic};
use splatbench_io::paths::workspace_root;
use splatbench_record::{RunRecord, RunSpec, RunStatus};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Suite: a built-in name (smoke, standard, full) or a TOML file. smoke runs on generated data, no downloads.
    #[arg(long, default_value = "smoke")]
    pub suite: String,
    /// Backends, comma-separated: ndarray, flex, wgpu, tch, or all (every one compiled into this binary). Default:
    /// the suite's list.
    #[arg(long, value_delimiter = ',')]
    pub backend: Vec<String>,
    /// Device of the GPU-capable backends (tch, wgpu): `cpu` (default; wgpu: its default adapter) or `cuda:N`
    /// (tch: CUDA device N; wgpu: the N-th discrete GPU). ndarray always runs on the CPU.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Only these methods (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub method: Vec<String>,
    /// Seeds per run (0..N). Default: the suite's.
    #[arg(long)]
    pub seeds: Option<u64>,
    /// Run the deterministic slice i of n (1-based), e.g. for a Slurm job array; join with `report --merge`.
    #[arg(long, value_parser = suite::parse_shard)]
    pub shard: Option<(usize, usize)>,
    /// Results directory. Default: bench-results/<suite>[-shard-i-of-n] in the workspace. Its `cache/` keeps what
    /// runs share (splatter targets, the LPIPS memo); delete it to rebuild them.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Rerun every run, even those with a finished record that still matches.
    #[arg(long)]
    pub force: bool,
    /// Kill a run still going after this many seconds and record it as failed. Default: the suite's `timeout_s`
    /// (1800 when the suite has none).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// Compare with the baseline file and exit 1 with a table when a metric regressed beyond tolerance.
    #[arg(long)]
    pub check: bool,
    /// Baseline for --check (default harness/baselines/<suite>.json); --save-baseline writes it from this bench.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    #[arg(long)]
    pub save_baseline: bool,
    /// Rerun runs whose record says they failed (finished ones are still reused). Slurm tasks pass it, so a
    /// resubmitted shard retries its failures.
    #[arg(long)]
    pub redo_failed: bool,
    /// Submit the bench to Slurm instead of running it here: a job array with one task per shard and a merge job
    /// that joins them into the results directory when the array ends (docs/cluster.md).
    #[arg(long, conflicts_with_all = ["shard", "check", "save_baseline", "force", "baseline"])]
    pub slurm: bool,
    /// With --slurm: the number of shards (array tasks). Default: one per run, at most --max-array.
    #[arg(long, requires = "slurm", value_parser = clap::value_parser!(u64).range(1..))]
    pub shards: Option<u64>,
    /// With --slurm: the most array tasks the cluster takes (its MaxArraySize − 1).
    #[arg(long, requires = "slurm", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_array: u64,
    /// With --slurm: an sbatch option KEY=VALUE over the suite's [slurm] table (partition, time, cpus-per-task,
    /// mem, gres, account, qos, constraint, exclude, nodelist, mail-type, mail-user); repeatable.
    #[arg(long = "slurm-opt", requires = "slurm")]
    pub slurm_opt: Vec<String>,
    /// With --slurm: print the two sbatch scripts; write and submit nothing (works without Slurm installed).
    #[arg(long, requires = "slurm")]
    pub dry_run: bool,
}

#[derive(clap::Args)]
pub struct StatusArgs {
    /// The results directory of a `bench --slurm`.
    pub dir: PathBuf,
    /// Submit again the shards whose runs failed or never finished (the finished runs are reused), with a new
    /// merge job.
    #[arg(long)]
    pub resubmit_failed: bool,
}

#[derive(clap::Args)]
pub struct RunArgs {
    #[arg(long)]
    pub spec: PathBuf,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// Bench directories (shards) to join into --out; they are only read.
    #[arg(long, num_args = 1..)]
    pub merge: Vec<PathBuf>,
    /// Directory of the joined results (or the one bench directory to re-render).
    #[arg(long)]
    pub out: PathBuf,
    /// Embed every image in report.html, past the 1 MB budget too: one file that works without the thumbnails and
    /// images beside it (larger; for sending or archiving).
    #[arg(long)]
    pub embed_all: bool,
}

fn parse_device(s: &str) -> Result<Option<usize>> {
    if s == "cpu" {
        return Ok(None);
    }
    let index = s.strip_prefix("cuda:").or_else(|| s.strip_prefix("gpu:"));
    let index = index.and_then(|i| i.parse().ok());
    index.map(Some).ok_or_else(|| Error::input("--device", format!("'{s}' is not cpu or cuda:N")))
}

/// `--backend`: names, or `all` for every backend compiled into this binary (the others are named in one line).
fn parse_backends(names: &[String]) -> Result<Option<Vec<Backend>>> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for n in names {
        if n == "all" {
            let (compiled, absent): (Vec<Backend>, Vec<Backend>) =
                Backend::ALL.into_iter().partition(|b| orchestrate::backend_unavailable(*b).is_none());
            if !absent.is_empty() {
                let names: Vec<&str> = absent.iter().map(|b| b.name()).collect();
                splatbench_io::say!(
                    "splatbench bench: --backend all runs {}; not compiled in: {} (`cargo xtask bench --backend all` builds every one)",
                    compiled.iter().map(|b| b.name()).collect::<Vec<_>>().join(", "),
                    names.join(", ")
                );
            }
            out.extend(compiled);
        } else {
            out.push(Backend::parse(n).ok_or_else(|| {
                let known: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
                Error::input("--backend", format!("unknown backend '{n}' ({}, all)", known.join(", ")))
            })?);
        }
    }
    out.sort();
    out.dedup();
    Ok(Some(out))
}

/// What a bench is about to run, checked: every config resolved, the backends compiled in, the datasets loaded.
pub(crate) struct Prepared {
    pub name: String,
    pub suite: suite::Suite,
    /// Every run of this bench (of its shard, with `--shard`), sorted by id.
    pub specs: Vec<RunSpec>,
    pub dir: PathBuf,
}

/// Everything a bench checks before its first run (or before `--slurm` writes anything): a bad suite, backend,
/// method, device or dataset is refused here.
fn prepare(args: &Args) -> Result<Prepared> {
    let (name, suite) = suite::load(&args.suite)?;
    let backends = parse_backends(&args.backend)?;
    for m in &args.method {
        splatbench_bench::registry::current().get(m).map_err(|e| match e {
            Error::Input { msg, .. } => Error::input("--method", msg),
            other => other,
        })?;
    }
    let device = parse_device(&args.device)?;
    if args.seeds == Some(0) {
        return Err(Error::input("--seeds", "0 seeds select no run: give at least 1"));
    }
    // Every config is resolved here, so a bad suite stops the bench before any run starts.
    let mut specs = suite.expand(&name, backends.as_deref(), args.seeds)?;
    if !args.method.is_empty() {
        let in_suite: std::collections::BTreeSet<&str> = specs.iter().map(|s| s.method.as_str()).collect();
        if let Some(m) = args.method.iter().find(|m| !in_suite.contains(m.as_str())) {
            let known: Vec<&str> = in_suite.into_iter().collect();
            return Err(Error::input(
                "--method",
                format!("no entry of suite {name} uses method {m} (its methods: {})", known.join(", ")),
            ));
        }
        specs.retain(|s| args.method.contains(&s.method));
    }
    for s in specs.iter_mut().filter(|s| s.backend != Backend::Ndarray) {
        s.device = device;
    }
    let whence = if backends.is_some() { PathBuf::from("--backend") } else { suite.source.clone() };
    orchestrate::check_backends(&specs, &whence)?;
    let specs = suite::shard(specs, args.shard);
    check_datasets(&specs)?;
    let dir = args.out.clone().unwrap_or_else(|| {
        let shard = args.shard.map(|(i, n)| format!("-shard-{i}-of-{n}")).unwrap_or_default();
        workspace_root().join("bench-results").join(format!("{name}{shard}"))
    });
    Ok(Prepared { name, suite, specs, dir })
}

pub fn run(args: Args) -> Result<()> {
    // The runs and the result files are the point; progress lines are lost if no one reads stdout any more.
    splatbench_io::stdout::keep_going();
    if args.slurm {
        // The flags and the Slurm client are checked before the datasets are loaded: nothing is written on refusal.
        let flags = super::slurm::flags(&args)?;
        return super::slurm::submit(&args, prepare(&args)?, flags);
    }
    let Prepared { name, suite, specs, dir } = prepare(&args)?;
    let baseline_path = args
        .baseline
        .clone()
        .unwrap_or_else(|| workspace_root().join("harness/baselines").join(format!("{name}.json")));
    let baseline = if args.check { Some(check::read_baseline(&baseline_path)?) } else { None };
    let mut store = Store::open_locked(&dir)?;
    store.limit_to(specs.iter().map(RunSpec::id));
    let timeout_s = args.timeout.unwrap_or(suite.timeout_s);
    splatbench_io::say!(
        "splatbench bench: suite {name} ({} runs, {timeout_s} s per run at most) → {}",
        specs.len(),
        dir.display()
    );
    let title = format!("splatbench — suite {name}");
    let t = std::time::Instant::now();
    let opts = orchestrate::Options {
        force: args.force,
        timeout: std::time::Duration::from_secs(timeout_s),
        redo_failed: args.redo_failed,
    };
    let out = orchestrate::run_matrix(&specs, &store, &title, &opts)?;
    let redone = if out.redone.is_empty() {
        String::new()
    } else {
        let why: Vec<String> = out.redone.iter().map(|(w, n)| format!("{n} {w}")).collect();
        format!(", {} redone ({})", out.redone.values().sum::<usize>(), why.join(", "))
    };
    splatbench_io::say!(
        "splatbench bench: {} ran ({} failed){redone}, {} already finished and reused, in {:.1} s. Report: {}",
        out.ran,
        out.failed,
        out.reused,
        t.elapsed().as_secs_f64(),
        dir.join("report.html").display()
    );
    let ids: Vec<String> = specs.iter().map(RunSpec::id).collect();
    let records: Vec<_> = store.all().into_iter().filter(|r| ids.contains(&r.id)).collect();
    if args.save_baseline {
        write_atomic(&baseline_path, &check::baseline_json(&records)?)?;
        splatbench_io::say!("splatbench bench: baseline written to {}", baseline_path.display());
    }
    let mut problems = Vec::new();
    if let Some(baseline) = baseline {
        let (table, ok) = check::compare(&baseline, &records);
        splatbench_io::say!("{table}");
        // The verdict goes at the top of the report too, so a reader of the page sees what the terminal said.
        let verdict = splatbench_reports::CheckVerdict {
            passed: ok,
            against: baseline_path.display().to_string(),
            table: table.clone(),
        };
        let options = splatbench_reports::ReportOptions { check: Some(verdict), ..Default::default() };
        store.refresh_views_with(&title, &options)?;
        if !ok {
            problems.push(format!("regressions against {}", baseline_path.display()));
        }
    }
    let failed: Vec<&str> = records.iter().filter(|r| r.status == RunStatus::Failed).map(|r| r.id.as_str()).collect();
    if !failed.is_empty() {
        problems.push(format!(
            "{} of {} runs failed ({}; see {})",
            failed.len(),
            records.len(),
            failed.join(", "),
            dir.join("results.csv").display()
        ));
    }
    let metrics: Vec<String> = records
        .iter()
        .flat_map(|r| r.failed_metrics.iter().map(move |(m, why)| format!("{m} of {}: {why}", r.id)))
        .collect();
    if !metrics.is_empty() {
        problems.push(format!("{} requested metrics not computed ({})", metrics.len(), metrics.join("; ")));
    }
    // The results are written either way; the exit code says whether everything asked for was done.
    if problems.is_empty() { Ok(()) } else { Err(Error::Failed(problems.join("; "))) }
}

pub fn run_one(args: RunArgs) -> Result<()> {
    let bytes = std::fs::read(&args.spec).at(&args.spec)?;
    let job: run_one::Job =
        serde_json::from_slice(&bytes).map_err(|e| Error::input(&args.spec, format!("bad run spec: {e}")))?;
    run_one::run_and_store(&job, &Store::open(&args.out)?)
}

pub fn report(args: ReportArgs) -> Result<()> {
    // Every input is checked before anything is written, so a typo leaves no half-merged output behind.
    if args.merge.is_empty() {
        // Re-rendering one bench directory: it must be one, with every record readable, or there is no report.
        Store::existing(&args.out)?.all_checked()?;
    }
    let shards = args.merge.iter().map(|d| Store::existing(d)).collect::<Result<Vec<_>>>()?;
    let records = shards.iter().map(Store::all_checked).collect::<Result<Vec<_>>>()?;
    if let Some(out) = args.out.canonicalize().ok() {
        if let Some(input) = args.merge.iter().find(|d| d.canonicalize().ok().as_ref() == Some(&out)) {
            return Err(Error::input(
                input,
                "is also --out: a merge never writes into one of its inputs (give a new --out)",
            ));
        }
    }
    let records = without_duplicates(&shards, records)?;
    let out = Store::open_locked(&args.out)?;
    let mut origin = std::collections::BTreeMap::new();
    for (shard, records) in shards.iter().zip(records) {
        // A shard under the merge's directory (a Slurm bench's shards/) is named relative to it.
        let from = match (shard.dir.canonicalize(), out.dir.canonicalize()) {
            (Ok(s), Ok(o)) => s.strip_prefix(&o).map(|p| p.display().to_string()).unwrap_or(s.display().to_string()),
            _ => shard.dir.display().to_string(),
        };
        for rec in records {
            origin.insert(rec.id.clone(), from.clone());
            for sub in ["images", "artifacts"] {
                copy_tree(&shard.dir.join(sub).join(&rec.id), &out.dir.join(sub).join(&rec.id))?;
            }
            let log = format!("{}.log", rec.id);
            let from = shard.dir.join("logs").join(&log);
            if from.is_file() {
                write_atomic(&out.dir.join("logs").join(&log), &std::fs::read(&from).at(&from)?)?;
            }
            out.write(&rec)?;
        }
    }
    out.add_origins(origin)?;
    let options = splatbench_reports::ReportOptions { embed_all_images: args.embed_all, ..Default::default() };
    let title = if args.merge.is_empty() { "splatbench — results" } else { "splatbench — merged results" };
    out.refresh_views_with(title, &options)?;
    splatbench_io::say!("{} runs → {}", out.all().len(), args.out.join("report.html").display());
    Ok(())
}

/// Every distinct dataset of `specs` is loaded once, with the code a run uses, and each method checks the ones it
/// will train on: a missing path, an unknown `gen:`/`shared:` name, a broken file, a format the method cannot train
/// on or a split without training or test views stops the bench before its first run.
fn check_datasets(specs: &[RunSpec]) -> Result<()> {
    let mut summaries = std::collections::BTreeMap::new();
    for spec in specs {
        let summary = match summaries.entry(spec.dataset.clone()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(splatbench_data::reference::summarize(&spec.dataset)?)
            }
        };
        splatbench_bench::registry::current().get(&spec.method)?.check_dataset(summary)?;
    }
    Ok(())
}

/// The records of every shard, each run id once: a run found in two shards with the same content is taken from the
/// first; with different content it is a conflict, an input error naming both files.
fn without_duplicates(shards: &[Store], records: Vec<Vec<RunRecord>>) -> Result<Vec<Vec<RunRecord>>> {
    let mut first: std::collections::BTreeMap<String, (PathBuf, RunRecord)> = Default::default();
    let mut out = Vec::new();
    for (shard, records) in shards.iter().zip(records) {
        let mut kept = Vec::new();
        for rec in records {
            match first.get(&rec.id) {
                Some((_, seen)) if *seen == rec => {}
                Some((from, _)) => {
                    return Err(Error::input(
                        shard.record_path(&rec.id),
                        format!("run {} differs from the one in {}: merge one of them", rec.id, from.display()),
                    ));
                }
                None => {
                    first.insert(rec.id.clone(), (shard.record_path(&rec.id), rec.clone()));
                    kept.push(rec);
                }
            }
        }
        out.push(kept);
    }
    Ok(out)
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(from) else { return Ok(()) };
    create_dir_all(to)?;
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_tree(&p, &to.join(e.file_name()))?;
        } else {
            // Read and write apart, so a failure says whether the shard (input) or the merge (output) is at fault.
            write_atomic(&to.join(e.file_name()), &std::fs::read(&p).at(&p)?)?;
        }
    }
    Ok(())
}
