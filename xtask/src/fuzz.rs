//! `cargo xtask fuzz [--minutes N] [--target NAME]`: run the fuzz targets of `splatbench-fuzz` (release build),
//! each in its own process (an allocation above a parser's cap aborts that process, with the input saved in
//! `fuzz/regressions/<target>/alloc-abort.bin`), the time shared equally, and print executions per target.
//! `cargo xtask test` runs [`short`]: a few seconds per target in the dev build the tests just made.

use crate::{TaskError, cargo, fail, status, target_dir};
use std::process::Command;

/// Seconds per target in `cargo xtask test` (15 targets: 90 s in all, within the 2 minutes the CI step allows).
pub const SHORT_SECONDS: f64 = 6.0;

pub fn run(minutes: f64, only: Option<String>) -> Result<(), TaskError> {
    let mut build = cargo();
    build.args(["build", "--release", "--quiet", "-p", "splatbench-fuzz"]);
    println!("xtask: building splatbench-fuzz (release)");
    status(build, "cargo build --release -p splatbench-fuzz")?;
    let targets = match only {
        Some(t) => vec![t],
        None => list("release")?,
    };
    let seconds = minutes * 60.0 / targets.len() as f64;
    fuzz_each("release", &targets, seconds)
}

/// A short run of every target (dev build), for `cargo xtask test`.
pub fn short() -> Result<(), TaskError> {
    let mut build = cargo();
    build.args(["build", "--quiet", "-p", "splatbench-fuzz"]);
    status(build, "cargo build -p splatbench-fuzz")?;
    let targets = list("debug")?;
    println!("xtask: fuzzing {} targets for {SHORT_SECONDS} s each", targets.len());
    fuzz_each("debug", &targets, SHORT_SECONDS)
}

fn binary(profile: &str) -> Command {
    Command::new(target_dir().join(profile).join("splatbench-fuzz"))
}

fn list(profile: &str) -> Result<Vec<String>, TaskError> {
    let out = binary(profile).arg("list").output().map_err(|e| fail(format!("cannot start splatbench-fuzz: {e}")))?;
    Ok(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
}

fn fuzz_each(profile: &str, targets: &[String], seconds: f64) -> Result<(), TaskError> {
    let mut broken = Vec::new();
    for t in targets {
        let mut cmd = binary(profile);
        cmd.args(["run", t, "--seconds", &seconds.to_string()]);
        if let Err(e) = status(cmd, &format!("fuzz target {t}")) {
            eprintln!("xtask: {e}");
            broken.push(t.clone());
        }
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(fail(format!("fuzzing broke {} (inputs saved under fuzz/regressions/)", broken.join(", "))))
    }
}
