//! Checkpoints of the network's training in `RunContext::work_dir`, and resuming from the newest one.
//!
//! A checkpoint after `n` steps is the files `splatter_step{n:06}.bpk` (the raw weights), `…_adam.bpk` (burn's
//! Adam record: both moments and the step count of every parameter, keyed by parameter id, which the weights file
//! restores), `…_ema.bpk` (the weight average, when `ema_decay` > 0), `…_state.json` (the step, the position of
//! the sampling stream, and a fingerprint of what the run depends on) and `….sha256`, the skeleton's manifest
//! sealing them, written last ([`splatbench_train::checkpoint`]).
//!
//! With `resume` (default on) `train` takes the newest checkpoint whose manifest is there, verifies and matches
//! this run, and continues from its step through `Plan { start, .. }`. Everything a step depends on is restored —
//! weights, Adam moments, average, sampling stream; the λ schedule is a function of the step — so a resumed run
//! ends bit-equal to one that was never interrupted (tested). A checkpoint that is damaged (fails its manifest or
//! does not load) or from a different run (fingerprint: the configuration other than `checkpoint_every` and
//! `resume`, the seed and the training objects' names and view counts) is **ignored with a warning** naming it
//! and the reason; the next older one is tried, and with none the run starts from scratch.
//!
//! The run's loss curve in `RunContext` is whole after a resume (the skeleton keeps it beside the checkpoints,
//! `splatbench_train::curve`); `splatter_loss_terms.csv` holds every step ([`crate::loss_terms`]). A checkpoint at the last step resumes to a run with no step left: the
//! report's final loss is then L_base + λ·L_new of the last row of that file.

use crate::config::SplatterConfig;
use crate::data::Object;
use crate::ema::Ema;
use crate::unet::UNet;
use burn::module::Module;
use burn::optim::OptimizerRecord;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use splatbench_core::{Error, Result};
use splatbench_io::atomic::write_atomic;
use splatbench_train::checkpoint::with_suffix;
use std::path::{Path, PathBuf};

/// What a checkpoint holds besides its tensors.
#[derive(Serialize, Deserialize)]
struct State {
    step: usize,
    /// ChaCha8 word position of the task's sampling stream (u128, as text).
    rng_word_pos: String,
    fingerprint: String,
}

/// A checkpoint read back.
pub struct Checkpoint {
    pub step: usize,
    pub net: UNet,
    pub adam: OptimizerRecord,
    pub ema: Option<UNet>,
    pub rng_word_pos: u128,
}

/// What a resumable checkpoint must have been written by (module docs).
pub fn fingerprint(cfg: &SplatterConfig, seed: u64, objects: &[Object]) -> String {
    let mut c = cfg.clone();
    c.checkpoint_every = 0;
    c.resume = true;
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&c).expect("config serialises"));
    h.update(seed.to_le_bytes());
    for o in objects {
        h.update(o.name.as_bytes());
        h.update((o.views.len() as u64).to_le_bytes());
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn stem(dir: &Path, step: usize) -> PathBuf {
    dir.join(format!("splatter_step{step:06}"))
}

fn record_err(path: &Path) -> impl Fn(burn::store::RecordError) -> Error + '_ {
    move |e| Error::internal(format!("saving {}", path.display()), e.to_string())
}

/// Write the checkpoint of `step` steps into `dir` (module docs).
pub fn save(
    dir: &Path,
    step: usize,
    net: &UNet,
    adam: OptimizerRecord,
    ema: Option<&Ema>,
    rng_word_pos: u128,
    fingerprint: &str,
) -> Result<()> {
    let stem = stem(dir, step);
    let manifest = with_suffix(&stem, ".sha256");
    let _ = std::fs::remove_file(&manifest);
    let (weights, moments, state) =
        (with_suffix(&stem, ".bpk"), with_suffix(&stem, "_adam.bpk"), with_suffix(&stem, "_state.json"));
    net.clone().save_file(&weights).map_err(record_err(&weights))?;
    adam.save(&moments).map_err(record_err(&moments))?;
    let mut files = vec![weights, moments];
    if let Some(e) = ema {
        let path = with_suffix(&stem, "_ema.bpk");
        e.net.clone().save_file(&path).map_err(record_err(&path))?;
        files.push(path);
    }
    let s = State { step, rng_word_pos: rng_word_pos.to_string(), fingerprint: fingerprint.to_string() };
    write_atomic(&state, serde_json::to_string_pretty(&s).expect("state serialises").as_bytes())?;
    files.push(state);
    splatbench_train::checkpoint::seal(&manifest, &files.iter().map(PathBuf::as_path).collect::<Vec<_>>())?;
    splatbench_train::checkpoint::prune(dir, "splatter");
    Ok(())
}

/// The newest checkpoint in `dir` this run can resume from (module docs); `None` to start from scratch.
pub fn load_latest(
    dir: &Path,
    cfg: &SplatterConfig,
    seed: u64,
    fingerprint: &str,
    device: &Device,
) -> Option<Checkpoint> {
    for step in splatbench_train::checkpoint::steps(dir, "splatter") {
        let stem = stem(dir, step);
        match read(&stem, step, cfg, seed, fingerprint, device) {
            Ok(ck) => return Some(ck),
            Err(why) => eprintln!("warning: splatter checkpoint {}.* ignored: {why}", stem.display()),
        }
    }
    None
}

fn read(
    stem: &Path,
    step: usize,
    cfg: &SplatterConfig,
    seed: u64,
    fingerprint: &str,
    device: &Device,
) -> std::result::Result<Checkpoint, String> {
    splatbench_train::checkpoint::verify(&with_suffix(stem, ".sha256"))?;
    let path = with_suffix(stem, "_state.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let s: State = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if s.fingerprint != fingerprint {
        return Err("written by a run with another configuration, seed or training set".into());
    }
    if s.step != step {
        return Err(format!("its state says step {}, its name {step}", s.step));
    }
    let rng_word_pos = splatbench_train::checkpoint::stream_position(&s.rng_word_pos)?;
    let load = |suffix: &str| {
        let path = with_suffix(stem, suffix);
        UNet::new(cfg, seed, device).try_load_file(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let net = load(".bpk")?;
    let ema_path = with_suffix(stem, "_ema.bpk");
    let ema = match (cfg.ema_decay > 0.0, ema_path.exists()) {
        (true, true) => Some(load("_ema.bpk")?.valid()),
        (false, false) => None,
        (on, _) => {
            return Err(format!(
                "weight average {} but ema_decay = {}",
                if on { "missing" } else { "present" },
                cfg.ema_decay
            ));
        }
    };
    let path = with_suffix(stem, "_adam.bpk");
    let adam = OptimizerRecord::load(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Checkpoint { step, net, adam, ema, rng_word_pos })
}
