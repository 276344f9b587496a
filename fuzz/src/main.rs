//! `splatbench-fuzz`: `list`; `run <target|all> [--seconds S] [--seed N]`; `replay`; `seed --shared DIR --records RUNS_DIR`.
//! Exit 0 when no input broke the property, 1 when one did (saved under `regressions/`), 2 on bad usage.

use splatbench_fuzz::engine::{Outcome, capture_panics, execute, fuzz, inputs};
use splatbench_fuzz::guard::{self, Guard};
use splatbench_fuzz::targets::{Scratch, TARGETS, target};
use splatbench_fuzz::{corpus, corpus_dir, regressions_dir};
use std::path::PathBuf;
use std::time::Duration;

#[global_allocator]
static GUARD: Guard = Guard;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match run(&args) {
        Ok(clean) => i32::from(!clean),
        Err(e) => {
            eprintln!("error: {}", e.report());
            e.exit_code()
        }
    };
    std::process::exit(code);
}

fn usage(msg: &str) -> splatbench_core::Error {
    splatbench_core::Error::input("splatbench-fuzz", msg)
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

/// Whether every input kept the property.
fn run(args: &[String]) -> splatbench_core::Result<bool> {
    match args.first().map(String::as_str) {
        Some("list") => {
            TARGETS.iter().for_each(|t| println!("{}", t.name));
            Ok(true)
        }
        Some("seed") => {
            let shared = flag(args, "--shared").map(PathBuf::from).ok_or_else(|| usage("seed needs --shared DIR"))?;
            let records =
                flag(args, "--records").map(PathBuf::from).ok_or_else(|| usage("seed needs --records DIR"))?;
            corpus::build(&shared, &records)?;
            Ok(true)
        }
        Some("replay") => replay(),
        Some("run") => {
            let which = args.get(1).ok_or_else(|| usage("run needs a target name or `all`"))?;
            let seconds: f64 =
                flag(args, "--seconds").map_or(Ok(10.0), |s| s.parse()).map_err(|_| usage("bad --seconds"))?;
            let seed: u64 = flag(args, "--seed").map_or(Ok(1), |s| s.parse()).map_err(|_| usage("bad --seed"))?;
            let chosen: Vec<_> = if which == "all" {
                TARGETS.iter().collect()
            } else {
                vec![target(which).ok_or_else(|| usage(&format!("no target {which} (see `list`)")))?]
            };
            capture_panics();
            let mut clean = true;
            for t in chosen {
                let failures = regressions_dir(t.name);
                // An allocation above the cap aborts the process; this file then holds the input that did it.
                let crash = failures.join("alloc-abort.bin");
                std::fs::create_dir_all(&failures).map_err(|e| splatbench_core::Error::output(&failures, e))?;
                let file = std::fs::File::create(&crash).map_err(|e| splatbench_core::Error::output(&crash, e))?;
                guard::set_crash_file(file);
                let mut seeds: Vec<Vec<u8>> = inputs(&corpus_dir(t.name))?.into_iter().map(|(_, b)| b).collect();
                seeds.extend(inputs(&failures)?.into_iter().filter(|(p, _)| *p != crash).map(|(_, b)| b));
                let stats = fuzz(t, seeds, Duration::from_secs_f64(seconds), seed, &failures)?;
                if std::fs::metadata(&crash).is_ok_and(|m| m.len() == 0) {
                    let _ = std::fs::remove_file(&crash);
                }
                println!(
                    "{:<14} executions {:>9}  accepted {:>7}  refused {:>9}  behaviours {:>4}  failures {}",
                    t.name,
                    stats.executions,
                    stats.accepted,
                    stats.refused,
                    stats.behaviours,
                    stats.failures.len()
                );
                for (path, why) in &stats.failures {
                    println!("  {}: {why}", path.display());
                }
                clean &= stats.failures.is_empty();
            }
            Ok(clean)
        }
        _ => Err(usage(
            "expected `list`, `run <target|all> [--seconds S] [--seed N]`, `replay` or `seed --shared DIR --records RUNS_DIR`",
        )),
    }
}

/// Every committed seed and regression input of every target, once.
fn replay() -> splatbench_core::Result<bool> {
    capture_panics();
    let mut clean = true;
    for t in &TARGETS {
        let scratch = Scratch::new()?;
        let mut all = inputs(&corpus_dir(t.name))?;
        all.extend(inputs(&regressions_dir(t.name))?);
        for (path, bytes) in all {
            if let Outcome::Failed(why) = execute(t, &scratch, &bytes) {
                println!("{}: {why}", path.display());
                clean = false;
            }
        }
    }
    Ok(clean)
}
