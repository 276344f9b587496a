//! `splatbench`: metrics, rendering, data generation and benchmarking from the command line.

use clap::{Parser, Subcommand};
use splatbench_app::cli;

#[derive(Parser)]
#[command(name = "splatbench", version, about = "Benchmark and evaluation harness for differentiable 3D reconstruction", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

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
    /// Rebuild or merge reports from bench directories.
    Report(cli::bench::ReportArgs),
    /// One run of a bench, in its own process (used by `bench`).
    #[command(hide = true)]
    BenchRun(cli::bench::RunArgs),
    /// Load a dataset (SRN, COLMAP, Blender, nerfstudio) and print what it holds.
    Inspect(cli::inspect::Args),
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Usage errors get one line (exit 2); --help and --version print in full (exit 0).
        Err(e) if e.use_stderr() => {
            let text = e.to_string();
            eprintln!("{}", text.lines().next().unwrap_or("error: bad arguments"));
            std::process::exit(2);
        }
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Metrics(a) => cli::metrics::run(a),
        Command::Render(a) => cli::render::run(a),
        Command::Datasets(a) => cli::datasets::run(a),
        Command::Inspect(a) => cli::inspect::run(a),
        Command::Bench(a) => cli::bench::run(a),
        Command::Report(a) => cli::bench::report(a),
        Command::BenchRun(a) => cli::bench::run_one(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
