//! Runs the matrix: skips finished runs, starts each pending one as a child process, turns a crash into a failed
//! record, and refreshes the CSV and report after every run so an interrupted bench loses nothing.

use super::{run_one, store::Store};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use splatbench_core::atomic::write_atomic;
use splatbench_core::error::{InternalContext, IoContext};
use splatbench_core::{Backend, Error, Result, RunSpec, RunStatus};
use std::io::{BufRead, BufReader, IsTerminal};
use std::process::{Command, Stdio};

/// Why a backend cannot run in this binary, or `None` when it can.
pub fn backend_unavailable(b: Backend) -> Option<String> {
    match b {
        Backend::Ndarray => None,
        Backend::Wgpu if cfg!(feature = "wgpu") => None,
        Backend::Tch if cfg!(feature = "tch") => None,
        other => Some(format!(
            "backend {} is not compiled in: run `cargo xtask bench --backend {}` (builds with --features {})",
            other.name(),
            other.name(),
            other.name()
        )),
    }
}

pub struct Outcome {
    pub ran: usize,
    pub skipped_finished: usize,
    pub failed: usize,
}

pub fn run_matrix(specs: &[RunSpec], store: &Store, title: &str) -> Result<Outcome> {
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
    let mut out = Outcome { ran: 0, skipped_finished: 0, failed: 0 };
    for (i, spec) in specs.iter().enumerate() {
        let id = spec.id();
        if store.finished(&id) {
            out.skipped_finished += 1;
            matrix.inc(1);
            if plain {
                println!("[{}/{}] {id}: already finished, skipped", i + 1, specs.len());
            }
            continue;
        }
        if let Some(reason) = backend_unavailable(spec.backend) {
            store.write(&run_one::empty_record(spec, RunStatus::Skipped, reason.clone()))?;
            println!("[{}/{}] {id}: skipped: {reason}", i + 1, specs.len());
            matrix.inc(1);
            continue;
        }
        if plain {
            println!("[{}/{}] {id}: running", i + 1, specs.len());
        }
        matrix.set_message(id.clone());
        let bar = multi.add(ProgressBar::new(0));
        bar.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] step {pos}/{len} loss {msg} ETA {eta}")
                .unwrap()
                .progress_chars("=> "),
        );
        bar.set_prefix("run");
        let t = std::time::Instant::now();
        run_child(spec, store, &bar)?;
        bar.finish_and_clear();
        multi.remove(&bar);
        let rec = store.read(&id).ok_or_else(|| Error::bug(format!("{id}: no record after the run")))?;
        out.ran += 1;
        let line = match rec.status {
            RunStatus::Ok => format!(
                "[{}/{}] {id}: ok in {:.1} s, psnr {}",
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
        multi.suspend(|| println!("{line}"));
        store.refresh_views(title)?;
        matrix.inc(1);
    }
    matrix.finish_and_clear();
    store.refresh_views(title)?;
    Ok(out)
}

/// Start `splatbench bench-run` for one spec; stdout carries progress, stderr goes to `logs/<id>.log`.
fn run_child(spec: &RunSpec, store: &Store, bar: &ProgressBar) -> Result<()> {
    let id = spec.id();
    let spec_path = store.dir.join("logs").join(format!("{id}.spec.json"));
    write_atomic(&spec_path, &serde_json::to_vec_pretty(spec).internal("encoding a run spec")?)?;
    let log_path = store.dir.join("logs").join(format!("{id}.log"));
    // The child's stderr streams into the log as it runs, so this is the one file not written atomically.
    let log = std::fs::File::create(&log_path).writing(&log_path)?;
    let exe = std::env::current_exe().internal("finding the splatbench executable")?;
    let mut child = Command::new(exe)
        .arg("bench-run")
        .arg("--spec")
        .arg(&spec_path)
        .arg("--out")
        .arg(&store.dir)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .internal("cannot start a run")?;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if let ["PROGRESS", step, total, loss] = parts.as_slice() {
                bar.set_length(total.parse().unwrap_or(0));
                bar.set_position(step.parse().unwrap_or(0));
                bar.set_message(loss.parse::<f64>().map(|l| format!("{l:.4}")).unwrap_or_default());
            }
        }
    }
    let status = child.wait().internal("waiting for a run")?;
    // A crash (panic, OOM kill) leaves no record: write the failure so the bench goes on and does not retry forever.
    if !store.finished(&id) {
        let last = crash_reason(&std::fs::read_to_string(&log_path).unwrap_or_default());
        let reason = format!(
            "run process exited with {status}{}",
            if last.is_empty() { String::new() } else { format!(": {last}") }
        );
        store.write(&run_one::empty_record(spec, RunStatus::Failed, reason))?;
    }
    Ok(())
}

/// The line of a crashed run's log that says why: a panic's message (from `splatbench`'s one-line report
/// `error: internal error: panicked at FILE:LINE: MESSAGE`, or from Rust's own report, the line after `panicked at`;
/// the last lines are backtrace notes), else the last non-empty line.
fn crash_reason(log: &str) -> String {
    const ONE_LINE: &str = "error: internal error: panicked at ";
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    if let Some(msg) = lines.iter().rev().find_map(|l| l.strip_prefix(ONE_LINE)?.split_once(": ").map(|(_, m)| m)) {
        return msg.trim().to_string();
    }
    let panic = lines.iter().rposition(|l| l.contains(" panicked at ")).and_then(|i| lines.get(i + 1));
    panic.or(lines.last()).map_or_else(String::new, |l| l.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::crash_reason;

    #[test]
    fn crash_reason_is_the_panic_message() {
        let log = "step 3\n\nthread 'main' (1) panicked at src/x.rs:1:1:\nNo libtorch_cuda found\nstack backtrace:\n\
                   note: Some details are omitted\n";
        assert_eq!(crash_reason(log), "No libtorch_cuda found");
        assert_eq!(crash_reason("loading\nKilled\n\n"), "Killed");
        assert_eq!(crash_reason(""), "");
        let log = "step 3\nerror: internal error: panicked at /r/burn-tch/src/lib.rs:12: No libtorch_cuda found\n";
        assert_eq!(crash_reason(log), "No libtorch_cuda found");
    }
}
