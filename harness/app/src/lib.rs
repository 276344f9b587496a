//! The `splatbench` command line as a library: [`main_with`] is the program (the binary calls it with the built-in
//! methods), one module per subcommand over the bench, data and metrics crates.

pub mod cli;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use splatbench_bench::registry::Registry;

#[derive(Parser)]
#[command(
    name = "splatbench",
    version,
    about = "Benchmark and evaluation harness for differentiable 3D reconstruction",
    long_about = None,
    after_help = ENVIRONMENT
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where data, models and the runtime come from; shown by `--help`.
const ENVIRONMENT: &str = "\
Environment:
  SPLATBENCH_SHARED     shared data (LPIPS models, datasets, golden metrics); default ../shared beside the checkout
  SPLATBENCH_DATA       cache of the generated gen: scenes; default target/splatbench-data in the checkout
  SPLATBENCH_LPIPS_DIR  a folder with lpips_<net>.onnx (e.g. VGG without ../shared)
  ORT_DYLIB_PATH        the ONNX Runtime library; default the checkout's .venv (cargo xtask setup)
  MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, GLIBC_TUNABLES
                        when one is set, glibc's allocator is left as it says; otherwise splatbench keeps freed
                        memory for reuse (a training step frees and re-allocates the same buffers every step)
The checkout is the one the current directory or this executable lies in, never the one the binary was built
in: a copied binary outside a checkout needs the variables above.
Exit codes: 0 done; 1 a run or output failed (results still written); 2 refused before starting (bad input).";

#[derive(Subcommand)]
enum Command {
    /// Score predicted images against ground truth: PSNR, SSIM (two conventions), LPIPS.
    Metrics(cli::metrics::Args),
    /// Render a 3DGS PLY from a camera to PNG or NPY.
    Render(cli::render::Args),
    /// Generate the embedded procedural datasets.
    Datasets(cli::datasets::Args),
    /// Run a benchmark suite (method × variant × dataset × backend × seed) and write CSV, JSON and an HTML report.
    Bench(cli::bench::Args),
    /// Where a `bench --slurm` stands: its shards queued, running, finished or failed; --resubmit-failed.
    BenchStatus(cli::bench::StatusArgs),
    /// Rebuild or merge reports from bench directories.
    Report(cli::bench::ReportArgs),
    /// One run of a bench, in its own process (used by `bench`).
    #[command(hide = true)]
    BenchRun(cli::bench::RunArgs),
    /// Load a dataset (SRN, COLMAP, Blender, nerfstudio) and print what it holds.
    Inspect(cli::inspect::Args),
}

/// The `splatbench` program with the methods of `registry`: the binary calls it with the built-in list, a binary that
/// links more methods with its extended list. Every subcommand, the bench's `bench-run` children included, sees that
/// registry; each method's extra subcommand (`splatbench <method> …`) is dispatched to the method.
pub fn main_with(registry: Registry) -> ! {
    splatbench_core::clock::mark_process_start();
    splatbench_core::malloc::keep_freed_memory();
    splatbench_bench::registry::install(registry);
    let methods = splatbench_bench::registry::current();
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let first = argv.get(1).and_then(|w| w.to_str());
    if let Some(c) = first.and_then(|w| methods.get(w).ok()).and_then(|m| m.command()) {
        one_line_panics();
        let words: Vec<String> = argv[2..].iter().map(|w| w.to_string_lossy().into_owned()).collect();
        finish(std::panic::catch_unwind(|| (c.run)(&words, &cli::Loaders)));
    }
    let mut command = Cli::command();
    for m in methods.methods() {
        if let Some(c) = m.command() {
            command = command.subcommand(clap::Command::new(m.name()).about(c.about));
        }
    }
    let cli = match command.try_get_matches_from(&argv).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        // Usage errors get one line (exit 2); --help and --version print in full (exit 0).
        Err(e) if e.use_stderr() => {
            // Its first paragraph, on one line: clap lists a missing argument on the lines below its message.
            let text = e.to_string();
            let first = text.split("\n\n").next().unwrap_or("");
            let line = first.split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("{}", if line.is_empty() { "error: bad arguments" } else { &line });
            std::process::exit(2);
        }
        Err(e) => e.exit(),
    };
    one_line_panics();
    let result = std::panic::catch_unwind(|| match cli.command {
        Command::Metrics(a) => cli::metrics::run(a),
        Command::Render(a) => cli::render::run(a),
        Command::Datasets(a) => cli::datasets::run(a),
        Command::Inspect(a) => cli::inspect::run(a),
        Command::Bench(a) => cli::bench::run(a),
        Command::Report(a) => cli::bench::report(a),
        Command::BenchStatus(a) => cli::slurm::bench_status(a),
        Command::BenchRun(a) => cli::bench::run_one(a),
    });
    finish(result)
}

fn finish(result: std::thread::Result<splatbench_core::Result<()>>) -> ! {
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("error: {}", e.report());
            std::process::exit(e.exit_code());
        }
        // The hook has printed the one line; a panic is an internal error like any other (exit 1, not 101).
        Err(_) => std::process::exit(1),
    }
    std::process::exit(0)
}

/// A panic is a bug: say so on one line (`error: internal error: panicked at FILE:LINE: MESSAGE`). With
/// `RUST_BACKTRACE` set, Rust's own report (and backtrace) follows it.
fn one_line_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let msg = msg.split_whitespace().collect::<Vec<_>>().join(" ");
        eprintln!("error: internal error: panicked{at}: {msg}");
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            default(info);
        }
    }));
}
