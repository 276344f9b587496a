//! `splatbench`: metrics, rendering, data generation and benchmarking from the command line.

use clap::{Parser, Subcommand};
use harness::cli;

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
    /// Load a dataset (SRN, COLMAP, Blender, nerfstudio) and print what it holds.
    Inspect(cli::inspect::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Metrics(a) => cli::metrics::run(a),
        Command::Render(a) => cli::render::run(a),
        Command::Datasets(a) => cli::datasets::run(a),
        Command::Inspect(a) => cli::inspect::run(a),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
