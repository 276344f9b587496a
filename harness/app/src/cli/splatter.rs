//! `splatbench splatter make-targets`: write the target splatter images of a dataset's training objects.
//!
//! The format (one directory per (object, view) with `xyz.npy`, `scale.npy`, `quat.npy`, `colour.npy`,
//! `opacity.npy`, and `manifest.json` at the top) is documented in `splatbench_splatter::target_io`; which views
//! get a target and which are held out in `splatbench_splatter::targets`.

use splatbench_core::{Backend, Error, Result};
use splatbench_splatter::{SplatterConfig, TargetMode};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand)]
pub enum Command {
    /// Make one target per (training object, target view), with a manifest.
    MakeTargets(MakeTargets),
}

#[derive(clap::Args)]
pub struct MakeTargets {
    /// Dataset: `gen:srn_toy`, `shared:datasets/srn_cars_mini` or a path to an SRN root.
    #[arg(long)]
    pub dataset: String,
    /// `teacher` (a trained baseline network run on the view) or `fit` (a splatter image fitted to the object's views).
    #[arg(long)]
    pub mode: String,
    /// Output directory (created).
    #[arg(long)]
    pub out: PathBuf,
    /// Method configuration as JSON (the suite's `config` keys, e.g. '{"teacher_steps": 500}').
    #[arg(long, default_value = "{}")]
    pub config: String,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, default_value = "ndarray")]
    pub backend: String,
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        Command::MakeTargets(a) => make_targets(a),
    }
}

fn make_targets(a: MakeTargets) -> Result<()> {
    let mode = match a.mode.as_str() {
        "teacher" => TargetMode::Teacher,
        "fit" => TargetMode::Fit,
        other => return Err(Error::input("--mode", format!("'{other}' is not a target mode (teacher, fit)"))),
    };
    let backend = Backend::parse(&a.backend)
        .ok_or_else(|| Error::input("--backend", format!("unknown backend '{}' (ndarray, wgpu, tch)", a.backend)))?;
    let value: serde_json::Value =
        serde_json::from_str(&a.config).map_err(|e| Error::input("--config", e.to_string()))?;
    let cfg: SplatterConfig = serde_json::from_value(value).map_err(|e| Error::input("--config", e.to_string()))?;
    let scenes = splatbench_data::reference::load(&a.dataset)?;
    let t = std::time::Instant::now();
    let m = splatbench_splatter::targets::make_targets_for_scenes(&scenes, &cfg, mode, a.seed, backend, &a.out)?;
    println!(
        "{} {} targets at {}² in {:.1} s → {}",
        m.targets.len(),
        a.mode,
        m.resolution,
        t.elapsed().as_secs_f64(),
        a.out.join("manifest.json").display()
    );
    Ok(())
}
