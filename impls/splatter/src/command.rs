//! `splatbench splatter make-targets`: write the target splatter images of a dataset's training objects (the
//! method's extra subcommand, [`crate::METHOD`]'s `command`; the harness loads the dataset).
//!
//! The format (one directory per (object, view) with `xyz.npy`, `scale.npy`, `quat.npy`, `colour.npy`,
//! `opacity.npy`, and `manifest.json` at the top) is documented in `splatbench_splatter::target_io`; which views
//! get a target and which are held out in `splatbench_splatter::targets`.

use crate::{SplatterConfig, TargetMode};
use clap::Parser;
use splatbench_core::{Backend, CommandHost, Error, MethodCommand, Result};
use std::path::PathBuf;

pub const COMMAND: MethodCommand = MethodCommand {
    about: "Splatter Image tools: `make-targets` writes target splatter images for the target-supervised variants",
    run,
};

#[derive(Parser)]
#[command(name = "splatbench splatter")]
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

fn run(words: &[String], host: &dyn CommandHost) -> Result<()> {
    let args =
        match Args::try_parse_from(std::iter::once("splatbench splatter".to_string()).chain(words.iter().cloned())) {
            Ok(a) => a,
            Err(e) if e.use_stderr() => {
                let first = e.to_string().lines().next().unwrap_or("bad arguments").to_string();
                return Err(Error::input("splatbench splatter", first.trim_start_matches("error: ").to_string()));
            }
            // --help: clap prints it; nothing else to do.
            Err(e) => {
                let _ = e.print();
                return Ok(());
            }
        };
    match args.command {
        Command::MakeTargets(a) => make_targets(a, host),
    }
}

fn make_targets(a: MakeTargets, host: &dyn CommandHost) -> Result<()> {
    let mode = match a.mode.as_str() {
        "teacher" => TargetMode::Teacher,
        "fit" => TargetMode::Fit,
        other => return Err(Error::input("--mode", format!("'{other}' is not a target mode (teacher, fit)"))),
    };
    let backend = Backend::parse(&a.backend).ok_or_else(|| {
        Error::input("--backend", format!("unknown backend '{}' (ndarray, flex, wgpu, tch)", a.backend))
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&a.config).map_err(|e| Error::input("--config", e.to_string()))?;
    let cfg: SplatterConfig = serde_json::from_value(value).map_err(|e| Error::input("--config", e.to_string()))?;
    let scenes = host.load_scenes(&a.dataset)?;
    let t = std::time::Instant::now();
    let m = crate::targets::make_targets_for_scenes(&scenes, &cfg, mode, a.seed, backend, &a.out)?;
    splatbench_io::say!(
        "{} {} targets at {}² in {:.1} s → {}",
        m.targets.len(),
        a.mode,
        m.resolution,
        t.elapsed().as_secs_f64(),
        a.out.join("manifest.json").display()
    );
    Ok(())
}
