//! `cargo xtask`: set-up, tests and benchmarks in one place, so a fresh machine needs two commands.
//!
//! - `cargo xtask setup [--backend tch] [--chromium]`: a venv under the workspace with onnxruntime (LPIPS), and what
//!   the optional backends need. Idempotent; says what it did.
//! - `cargo xtask test`: setup, then the whole test suite with the runtime paths set.
//! - `cargo xtask bench [ARGS]`: builds the `splatbench` binary in release and runs `splatbench bench ARGS`.
//! - `cargo xtask report --merge DIR...`: joins shard results into one report.
//! - `cargo xtask fuzz [--minutes N] [--target NAME]`: the parser fuzz targets, executions per target.
//! - `cargo xtask slurm [--dir DIR] [--stop]`: a one-node Slurm cluster left running, for `splatbench bench --slurm`.

mod fuzz;
mod libtorch;
mod setup;
mod slurm;
mod vulkan;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::{Command, ExitCode};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "splatbench developer tasks: setup, test, bench, report")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install what the project needs at run time into `.venv` (onnxruntime; torch with --backend tch).
    Setup(setup::Args),
    /// Setup, then run every test of the workspace.
    Test {
        /// Skip the libtorch part (torch install, `--features tch` in the backend build, tch tests, tch smoke runs).
        #[arg(long)]
        no_tch: bool,
        /// Skip the wgpu part (software Vulkan install, `--features wgpu` in the backend build, the parity suite and
        /// the method runs on wgpu, wgpu smoke runs).
        #[arg(long)]
        no_wgpu: bool,
        /// Skip the flex part (`--features flex` in the backend build, its parity suite and method runs, flex smoke
        /// runs).
        #[arg(long)]
        no_flex: bool,
        /// Extra arguments for `cargo test` (after `--`, e.g. a test name filter).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        cargo_args: Vec<String>,
    },
    /// Build `splatbench` in release and run a benchmark suite (see `splatbench bench --help`).
    Bench {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Fuzz every input parser (release build) for N minutes in all, or one target; executions per target.
    Fuzz {
        #[arg(long, default_value_t = 10.0)]
        minutes: f64,
        #[arg(long)]
        target: Option<String>,
    },
    /// Build `splatbench` in release and run `splatbench report` (e.g. `--merge DIR...`).
    Report {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Start a one-node Slurm cluster (slurm-wlm and munge, installed when missing) and leave it running, for
    /// `splatbench bench --slurm`; prints the `export SLURM_CONF=...` to use it. `--stop` stops it.
    Slurm {
        /// Where its config, state and logs live (default `<target dir>/slurm-cluster`).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Stop the cluster in DIR instead.
        #[arg(long)]
        stop: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Task::Setup(args) => setup::run(&args).map(|_| ()),
        Task::Test { no_tch, no_wgpu, no_flex, cargo_args } => {
            let skip: Vec<&str> = [("tch", no_tch), ("wgpu", no_wgpu), ("flex", no_flex)]
                .into_iter()
                .filter(|s| s.1)
                .map(|s| s.0)
                .collect();
            test(&skip, cargo_args)
        }
        Task::Bench { args } => splatbench("bench", args),
        Task::Report { args } => splatbench("report", args),
        Task::Fuzz { minutes, target } => fuzz::run(minutes, target),
        Task::Slurm { dir, stop } => slurm_task(dir.unwrap_or_else(|| target_dir().join("slurm-cluster")), stop),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(e.code)
        }
    }
}

pub struct TaskError {
    pub msg: String,
    pub code: u8,
}

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.msg)
    }
}

pub fn fail(msg: impl Into<String>) -> TaskError {
    TaskError { msg: msg.into(), code: 1 }
}

/// The workspace the current directory is in (`cargo xtask` runs from it), else the one xtask was built from: a
/// shared target directory can hold an xtask built from another checkout.
pub fn workspace_root() -> PathBuf {
    let built_from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let is_root = |d: &std::path::Path| {
        d.join("xtask").join("Cargo.toml").is_file()
            && std::fs::read_to_string(d.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"))
    };
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.ancestors().find(|d| is_root(d)).map(|d| d.to_path_buf()))
        .unwrap_or(built_from)
}

/// Where cargo puts builds: `CARGO_TARGET_DIR` when set (CI keeps it outside the clone), else `target/`.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"))
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(workspace_root());
    cmd
}

/// Run a command to completion. Its failure becomes ours under the exit-code table (docs/cli.md): 2 (refused before
/// starting: bad usage or input) passes through, anything else (cargo's 101 for a failed test, a signal) is 1.
fn status(mut cmd: Command, what: &str) -> Result<(), TaskError> {
    let st = cmd.status().map_err(|e| fail(format!("cannot start {what}: {e}")))?;
    match st.code() {
        Some(0) => Ok(()),
        Some(c) => Err(TaskError { msg: format!("{what} failed (exit {c})"), code: if c == 2 { 2 } else { 1 } }),
        None => Err(fail(format!("{what} was killed by a signal"))),
    }
}

/// The whole suite on the default (ndarray) build, then the optional backends (tch and wgpu unless skipped) in
/// **one** release build of their feature set together, in `<target>/<features>` (the dir `cargo xtask bench
/// --backend all` uses): one cargo call over both packages, so burn and everything above it compile once for every
/// step. It runs the op tests (`op`: host-path bits on every compiled backend), the parity suite against the CPU
/// kernel (`backends`: one module per compiled backend), each backend's method runs against ndarray
/// (`backend_<b>`), the slow end-to-end tests that the dev profile ignores (the smoke snapshot, nerf's blender_toy,
/// a bench submitted to a real one-node Slurm cluster), then the smoke bench on ndarray and those backends with the
/// `splatbench` binary that build produced (integration tests build their package's binary).
fn test(skip: &[&str], cargo_args: Vec<String>) -> Result<(), TaskError> {
    // Sorted as `backend_features` sorts, so this build's dir is the one `cargo xtask bench --backend all` uses.
    let backends: Vec<&str> = ["flex", "tch", "wgpu"].into_iter().filter(|b| !skip.contains(b)).collect();
    let env = setup::run(&setup::Args { backend: backends.iter().map(|b| b.to_string()).collect(), chromium: true })?;
    // The release step's Slurm test starts a one-node cluster with this file's code; the packages come now, once.
    slurm::install().map_err(|e| fail(format!("slurm: {e}")))?;
    let mut cmd = cargo();
    cmd.args(["test", "--workspace", "--no-fail-fast"]).args(&cargo_args).envs(env.vars());
    println!("xtask: running cargo test --workspace {}", cargo_args.join(" "));
    let default_suite = status(cmd, "cargo test");
    // A short fuzz of every parser: the long runs are `cargo xtask fuzz`.
    let default_suite = default_suite.and(fuzz::short());
    let target = feature_target_dir(&backends);
    let packages = ["splatbench-render", "splatbench", "splatbench-nerf"];
    let features: Vec<String> =
        packages.iter().flat_map(|p| backends.iter().map(move |b| format!("{p}/{b}"))).collect();
    // The slow end-to-end tests run here, on the release build this step makes anyway (they are `ignore`d in the
    // dev profile): the smoke snapshot (`bench`) and nerf's blender_toy fit.
    // And the bench on a real one-node Slurm cluster (`slurm`), with the binary this build makes.
    let mut tests = vec!["bench".to_string(), "blender_toy".to_string(), "slurm".to_string()];
    if !backends.is_empty() {
        tests.extend(["op".to_string(), "backends".to_string()]);
        tests.extend(backends.iter().map(|b| format!("backend_{b}")));
    }
    let mut cmd = cargo();
    cmd.args(["test", "--release", "--no-fail-fast"]);
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    for p in packages {
        cmd.args(["-p", p]);
    }
    for t in &tests {
        cmd.args(["--test", t]);
    }
    cmd.env("CARGO_TARGET_DIR", &target).envs(env.vars());
    let what = format!("cargo test --release --features {} (tests {})", backends.join(","), tests.join(", "));
    println!("xtask: running {what}");
    let backend_tests = status(cmd, &what);
    if backends.is_empty() {
        return default_suite.and(backend_tests);
    }
    let out = target.join("smoke-bench");
    let _ = std::fs::remove_dir_all(&out);
    // ndarray too, so the report puts every backend side by side (what `cargo xtask bench --backend all` shows).
    let list = std::iter::once("ndarray").chain(backends.iter().copied()).collect::<Vec<_>>().join(",");
    println!("xtask: smoke bench on --backend {list} into {}", out.display());
    let mut run = Command::new(target.join("release/splatbench"));
    run.args(["bench", "--suite", "smoke", "--backend", &list]).arg("--out").arg(&out).envs(env.vars());
    let smoke = status(run, &format!("splatbench bench --backend {list}"));
    default_suite.and(backend_tests).and(smoke)
}

/// Features of the release build follow the requested backend, so the default build stays lean.
fn backend_features(args: &[String]) -> Vec<&'static str> {
    let mut want = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let value = a
            .strip_prefix("--backend=")
            .or_else(|| (a == "--backend").then(|| args.get(i + 1).map(String::as_str)).flatten());
        if let Some(v) = value {
            for b in v.split(',') {
                match b {
                    "flex" => want.push("flex"),
                    "tch" => want.push("tch"),
                    "wgpu" => want.push("wgpu"),
                    "all" => want.extend(["flex", "tch", "wgpu"]),
                    _ => {}
                }
            }
        }
    }
    // The order `feature_target_dir` names dirs by, so `--backend wgpu,tch` and `cargo xtask test` share one build.
    want.sort();
    want.dedup();
    want
}

fn splatbench(sub: &str, args: Vec<String>) -> Result<(), TaskError> {
    let features = backend_features(&args);
    let env = setup::run(&setup::Args { backend: features.iter().map(|s| s.to_string()).collect(), chromium: false })?;
    splatbench_in(&env, sub, args)
}

/// A target dir per feature set: the backends change burn's features and so every crate above it, and sharing one
/// dir would rebuild them at each switch and leave `release/splatbench` from whichever build ran last.
fn feature_target_dir(features: &[&str]) -> PathBuf {
    if features.is_empty() { target_dir() } else { target_dir().join(features.join("-")) }
}

/// Build `splatbench` in release with the features `args` ask for and run `splatbench SUB ARGS` in `env`.
fn splatbench_in(env: &setup::RuntimeEnv, sub: &str, args: Vec<String>) -> Result<(), TaskError> {
    let features = backend_features(&args);
    let target = feature_target_dir(&features);
    let mut build = cargo();
    build.args(["build", "--release", "--quiet", "-p", "splatbench", "--bin", "splatbench"]);
    if !features.is_empty() {
        build.arg("--features").arg(features.join(","));
    }
    build.env("CARGO_TARGET_DIR", &target).envs(env.vars());
    println!(
        "xtask: building splatbench (release{})",
        if features.is_empty() { String::new() } else { format!(", features {}", features.join(",")) }
    );
    status(build, "cargo build --release")?;
    let mut run = Command::new(target.join("release/splatbench"));
    run.arg(sub).args(&args).envs(env.vars());
    status(run, &format!("splatbench {sub}"))
}

/// `cargo xtask slurm [--dir DIR] [--stop]`: a local cluster left running (or stopped) for `--slurm` runs.
fn slurm_task(dir: PathBuf, stop: bool) -> Result<(), TaskError> {
    if stop {
        // Stopping only reads the pid files: no install, no config.
        let mut cluster = slurm::Cluster::at(&dir);
        let what = if cluster.running() { "stopped the" } else { "no running" };
        cluster.stop();
        println!("xtask: {what} Slurm cluster in {}", dir.display());
        return Ok(());
    }
    let cluster = slurm::Cluster::start(&dir).map_err(|e| fail(format!("slurm cluster: {e}")))?;
    let (dir, node) = (cluster.dir.display(), &cluster.node);
    println!("xtask: Slurm cluster up in {dir} (node {node}, partition debug); to use it:");
    println!("export SLURM_CONF={}", cluster.conf.display());
    cluster.keep();
    Ok(())
}
