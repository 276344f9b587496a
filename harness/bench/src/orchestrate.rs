//! Runs the matrix: reuses finished runs whose provenance still matches, starts each other one as a child process
//! with a wall-clock limit, turns a crash or a timeout into a failed record, and refreshes the CSV and report after
//! every run so an interrupted bench loses nothing.

use super::run_one::{self, Job};
use super::{lock, registry, store::Store};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use splatbench_core::error::{InternalContext, IoContext};
use splatbench_core::{Backend, Error, Result};
use splatbench_io::atomic::write_atomic;
use splatbench_record::{Provenance, RECORD_SCHEMA, RunSpec, RunStatus};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why a backend cannot run in this binary, or `None` when it can.
pub fn backend_unavailable(b: Backend) -> Option<String> {
    splatbench_device::compiled(b).err().map(|_| {
        format!(
            "backend {0} is not compiled in: run `cargo xtask bench --backend {0}` (builds with --features {0})",
            b.name()
        )
    })
}

/// The first backend of `specs` this binary cannot run, as an input error on `whence` (the flag or the suite that
/// asked for it): a bench refuses it before any run rather than recording every run as skipped.
pub fn check_backends(specs: &[RunSpec], whence: &std::path::Path) -> Result<()> {
    match specs.iter().find_map(|s| backend_unavailable(s.backend)) {
        Some(reason) => Err(Error::input(whence, reason)),
        None => Ok(()),
    }
}

/// How the lines the bench itself writes into a run's log start (never a crash's reason).
pub const LOG_PREFIX: &str = "splatbench run: ";

/// Why a run whose record says it timed out is run again (it resumes from its checkpoints).
const TIMED_OUT_BEFORE: &str = "timed out before";

/// How a timed-out run's reason starts.
const TIMEOUT_PREFIX: &str = "timeout after ";

pub struct Options {
    /// Rerun every run, finished or not.
    pub force: bool,
    /// Wall-clock limit of one run.
    pub timeout: Duration,
    /// Rerun the runs whose record says they failed (a resubmitted Slurm shard); finished ones are still reused.
    pub redo_failed: bool,
}

#[derive(Default)]
pub struct Outcome {
    pub ran: usize,
    /// Finished records reused as they were.
    pub reused: usize,
    /// Runs redone although a finished record existed, counted by why.
    pub redone: BTreeMap<&'static str, usize>,
    pub failed: usize,
}

/// The provenance a record of `spec` must carry now. A dataset that cannot be fingerprinted (missing) gets the
/// error as its fingerprint: its run fails with the same error, and is redone once the data appears.
pub fn provenance(spec: &RunSpec, fingerprints: &mut BTreeMap<String, String>) -> Provenance {
    let dataset = fingerprints
        .entry(spec.dataset.clone())
        .or_insert_with(|| splatbench_data::fingerprint::fingerprint(&spec.dataset).unwrap_or_else(|e| e.to_string()))
        .clone();
    Provenance {
        dataset,
        splatbench: env!("CARGO_PKG_VERSION").to_string(),
        method_version: registry::version(&spec.method),
    }
}

/// Whether the stored record of `job` can stand for it: `Ok(())` to reuse it, `Err(why)` to run (`None`: there is no
/// finished record).
fn reusable(store: &Store, job: &Job, redo_failed: bool) -> std::result::Result<(), Option<&'static str>> {
    let id = job.spec.id();
    let Some(rec) = store.read(&id) else {
        return Err(store.record_path(&id).exists().then_some("unreadable or older record format"));
    };
    if rec.status == RunStatus::Skipped {
        return Err(None);
    }
    if redo_failed && rec.status == RunStatus::Failed {
        return Err(Some("failed before (--redo-failed)"));
    }
    // A timeout says how long the run was given, not what it gives: try again (perhaps under a longer --timeout).
    if rec.status == RunStatus::Failed && rec.reason.starts_with(TIMEOUT_PREFIX) {
        return Err(Some(TIMED_OUT_BEFORE));
    }
    // A requested metric that could not be computed (LPIPS without its model) leaves the run unfinished: the rerun
    // scores it again rather than serving the stale error.
    if !rec.failed_metrics.is_empty() {
        return Err(Some("a requested metric was not computed"));
    }
    if rec.schema != RECORD_SCHEMA {
        return Err(Some("record schema changed"));
    }
    // The suite's name is where the run was asked for, not what it is: a renamed suite reuses its runs.
    let content = |s: &RunSpec| RunSpec { suite: String::new(), ..s.clone() };
    if content(&rec.spec) != content(&job.spec) {
        return Err(Some("config changed"));
    }
    match rec.provenance.mismatch(&job.provenance) {
        Some(why) => Err(Some(why)),
        None => Ok(()),
    }
}

/// Runs `specs` (already checked by the caller: [`check_backends`] and the datasets, before the store was opened).
pub fn run_matrix(specs: &[RunSpec], store: &Store, title: &str, opts: &Options) -> Result<Outcome> {
    let plain = !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some();
    let multi = MultiProgress::with_draw_target(if plain {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    });
    let matrix = multi.add(ProgressBar::new(specs.len() as u64));
    matrix.set_style(
        ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} runs, ETA {eta} {msg}")
            .unwrap()
            .progress_chars("=> "),
    );
    matrix.set_prefix("bench");
    let mut out = Outcome::default();
    let mut fingerprints = BTreeMap::new();
    for (i, spec) in specs.iter().enumerate() {
        let id = spec.id();
        let job = Job { spec: spec.clone(), provenance: provenance(spec, &mut fingerprints) };
        let redo = if opts.force {
            store.read(&id).is_some_and(|r| r.status != RunStatus::Skipped).then_some("--force")
        } else {
            match reusable(store, &job, opts.redo_failed) {
                Ok(()) => {
                    out.reused += 1;
                    matrix.inc(1);
                    multi.suspend(|| splatbench_io::say!("[{}/{}] {id}: already finished, reused", i + 1, specs.len()));
                    continue;
                }
                Err(why) => why,
            }
        };
        if let Some(why) = redo {
            *out.redone.entry(why).or_default() += 1;
            // A run redone for what it is (forced, changed config or code) must not resume from the old run's
            // checkpoints; one that timed out may: it goes on from where it was stopped.
            if why != TIMED_OUT_BEFORE {
                let work = store.dir.join("artifacts").join(&id);
                if work.exists() {
                    std::fs::remove_dir_all(&work).writing(&work)?;
                }
            }
        }
        let note = redo.map(|w| format!(" (redone: {w})")).unwrap_or_default();
        if plain {
            splatbench_io::say!("[{}/{}] {id}: running{note}", i + 1, specs.len());
        }
        matrix.set_message(id.clone());
        let bar = multi.add(ProgressBar::new(0));
        bar.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] step {pos}/{len} loss {msg} ETA {eta}")
                .unwrap()
                .progress_chars("=> "),
        );
        bar.set_prefix("run");
        let t = Instant::now();
        run_child(&job, store, &bar, opts.timeout)?;
        bar.finish_and_clear();
        multi.remove(&bar);
        let rec = store.read(&id).ok_or_else(|| Error::bug(format!("{id}: no record after the run")))?;
        out.ran += 1;
        let line = match rec.status {
            RunStatus::Ok => format!(
                "[{}/{}] {id}: ok in {:.1} s, psnr {}{note}",
                i + 1,
                specs.len(),
                t.elapsed().as_secs_f64(),
                rec.aggregate.get("psnr").map(|v| format!("{v:.2}")).unwrap_or("–".into())
            ),
            _ => {
                out.failed += 1;
                format!("[{}/{}] {id}: FAILED: {}", i + 1, specs.len(), rec.reason)
            }
        };
        multi.suspend(|| splatbench_io::say!("{line}"));
        store.refresh_views(title)?;
        matrix.inc(1);
    }
    matrix.finish_and_clear();
    store.refresh_views(title)?;
    Ok(out)
}

/// Start `splatbench bench-run` for one job and wait for it at most `timeout`. Its stdout carries progress; both
/// its stderr and the rest of its stdout go to `logs/<id>.log`, which is kept.
fn run_child(job: &Job, store: &Store, bar: &ProgressBar, timeout: Duration) -> Result<()> {
    let id = job.spec.id();
    // A stale record must not pass for this run's if the run dies without writing one.
    let stale = store.record_path(&id);
    if stale.exists() {
        std::fs::remove_file(&stale).map_err(|e| Error::input(&stale, e.to_string()))?;
    }
    let spec_path = store.dir.join("logs").join(format!("{id}.spec.json"));
    write_atomic(&spec_path, &serde_json::to_vec_pretty(job).internal("encoding a run spec")?)?;
    let log_path = store.dir.join("logs").join(format!("{id}.log"));
    // Truncate, then append from two writers (the child's stderr, the progress reader) without overwriting each other.
    // The first line says which run it is and when it started, so even a run killed at once leaves a log that says so.
    let started = format!("{LOG_PREFIX}{id}: started, {} s at most\n", timeout.as_secs());
    write_atomic(&log_path, started.as_bytes())?;
    let log = std::fs::File::options().append(true).open(&log_path).writing(&log_path)?;
    let mut log_out = log.try_clone().writing(&log_path)?;
    // The running binary itself, even when a rebuild has replaced the file since: every run of a bench uses the
    // orchestrator's code.
    let proc_exe = std::path::Path::new("/proc/self/exe");
    let exe = if proc_exe.exists() {
        proc_exe.to_path_buf()
    } else {
        std::env::current_exe().internal("finding the splatbench executable")?
    };
    let mut cmd = Command::new(exe);
    cmd.arg("bench-run").arg("--spec").arg(&spec_path).arg("--out").arg(&store.dir);
    cmd.stdout(Stdio::piped()).stderr(log);
    lock::die_with_parent(&mut cmd);
    let mut child = cmd.spawn().internal("cannot start a run")?;
    let stdout = child.stdout.take();
    let progress = bar.clone();
    let reader = std::thread::spawn(move || {
        let Some(stdout) = stdout else { return };
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let ["PROGRESS", step, total, loss] = parts.as_slice() {
                let (step, total): (u64, u64) = (step.parse().unwrap_or(0), total.parse().unwrap_or(0));
                progress.set_length(total);
                progress.set_position(step);
                progress.set_message(loss.parse::<f64>().map(|l| format!("{l:.4}")).unwrap_or_default());
                // The log keeps the loss at every tenth of training and at its end.
                if step + 1 >= total || step % (total / 10).max(1) == 0 {
                    let _ = writeln!(log_out, "{LOG_PREFIX}step {step}/{total} loss {loss}");
                }
            } else {
                let _ = writeln!(log_out, "{line}");
            }
        }
    });
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().internal("waiting for a run")? {
            break st;
        }
        if start.elapsed() >= timeout {
            timed_out = true;
            let _ = child.kill();
            break child.wait().internal("waiting for a run")?;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = reader.join();
    // A run that died before writing anything leaves no empty artifacts folder (remove_dir refuses a full one).
    let _ = std::fs::remove_dir(store.dir.join("artifacts").join(&id));
    if timed_out {
        let reason = format!("{TIMEOUT_PREFIX}{} s", timeout.as_secs());
        if let Ok(mut f) = std::fs::File::options().append(true).open(&log_path) {
            let _ = writeln!(f, "splatbench bench: {reason}: killed");
        }
        store.write(&run_one::empty_record(job, RunStatus::Failed, reason))?;
        return Ok(());
    }
    // A crash (panic, OOM kill) leaves no record: write the failure so the bench goes on and does not retry forever.
    if store.read(&id).is_none() {
        let last = crash_reason(&std::fs::read_to_string(&log_path).unwrap_or_default());
        let reason = format!(
            "run process exited with {status}{}",
            if last.is_empty() { String::new() } else { format!(": {last}") }
        );
        store.write(&run_one::empty_record(job, RunStatus::Failed, reason))?;
    }
    Ok(())
}

/// The line of a crashed run's log that says why: a panic's message (from `splatbench`'s one-line report
/// `error: internal error: panicked at FILE:LINE: MESSAGE`, or from Rust's own report, the line after `panicked at`;
/// the last lines are backtrace notes), else the last non-empty line.
fn crash_reason(log: &str) -> String {
    const ONE_LINE: &str = "error: internal error: panicked at ";
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty() && !l.starts_with(LOG_PREFIX)).collect();
    if let Some(msg) = lines.iter().rev().find_map(|l| l.strip_prefix(ONE_LINE)?.split_once(": ").map(|(_, m)| m)) {
        return msg.trim().to_string();
    }
    let panic = lines.iter().rposition(|l| l.contains(" panicked at ")).and_then(|i| lines.get(i + 1));
    panic.or(lines.last()).map_or_else(String::new, |l| l.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::{LOG_PREFIX, crash_reason};

    #[test]
    fn crash_reason_is_the_panic_message() {
        let log = "step 3\n\nthread 'main' (1) panicked at src/x.rs:1:1:\nNo libtorch_cuda found\nstack backtrace:\n\
                   note: Some details are omitted\n";
        assert_eq!(crash_reason(log), "No libtorch_cuda found");
        assert_eq!(crash_reason("loading\nKilled\n\n"), "Killed");
        assert_eq!(crash_reason(""), "");
        assert_eq!(crash_reason(&format!("Killed\n{LOG_PREFIX}step 10/10 loss 0.1\n")), "Killed");
        let log = "step 3\nerror: internal error: panicked at /r/burn-tch/src/lib.rs:12: No libtorch_cuda found\n";
        assert_eq!(crash_reason(log), "No libtorch_cuda found");
    }
}
