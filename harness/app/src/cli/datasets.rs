//! `splatbench datasets generate [--out DIR] [--only NAME]`: write the embedded procedural scenes
//! (splatbench-datasets) in their standard formats, with a `manifest.json` of sha256 checksums.

use splatbench_core::Result;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Generate the procedural scenes (srn_toy, head_toy, roi_toy, blender_toy, paint_toy).
    Generate {
        /// Output directory [default: <workspace>/target/splatbench-data].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Generate only this scene.
        #[arg(long)]
        only: Option<String>,
    },
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        Command::Generate { out, only } => {
            let out =
                out.unwrap_or_else(|| splatbench_io::paths::workspace_root().join("target").join("splatbench-data"));
            let m = splatbench_datasets::generate(&out, only.as_deref())?;
            splatbench_io::say!(
                "generated {} ({} files, generator v{}, seed {}) in {}",
                m.scenes.join(", "),
                m.files.len(),
                m.generator_version,
                m.seed,
                out.display()
            );
            Ok(())
        }
    }
}
