//! Checkpoint and resume in `RunContext::work_dir`: `head_checkpoint.ply` (the Gaussians, 3DGS PLY) and
//! `head_checkpoint_cameras.json` (learned cameras and the step reached).
//!
//! Resumed: point positions, colours, opacities, scales (anisotropy follows the config), the learned yaw/pitch
//! and focal, and the step. Not resumed: Adam moments of points and cameras (they restart at zero, so the first
//! steps after a resume are bias-corrected fresh-Adam steps), the densification gradient accumulators (the next
//! refinement uses fewer accumulated steps), and the random stream (clone jitter after a resume differs from an
//! uninterrupted run). The learning-rate schedule is a function of the step, so it continues exactly.

use std::path::{Path, PathBuf};

use splatbench_core::atomic::write_atomic;
use splatbench_core::error::InternalContext;
use splatbench_core::{Error, Result};
use splatbench_render::GaussianCloud;

use crate::cameras::CamerasFile;

pub struct Checkpoint {
    pub cloud: GaussianCloud,
    pub cameras: CamerasFile,
}

fn paths(dir: &Path) -> (PathBuf, PathBuf) {
    (dir.join("head_checkpoint.ply"), dir.join("head_checkpoint_cameras.json"))
}

pub fn save(dir: &Path, cloud: &GaussianCloud, cameras: &CamerasFile) -> Result<()> {
    let (ply, json) = paths(dir);
    // Write the cameras last: their presence marks a complete checkpoint.
    splatbench_render::ply::write_ply(&ply, cloud)?;
    let text = serde_json::to_string_pretty(cameras).internal("encoding the camera checkpoint")?;
    write_atomic(&json, text.as_bytes())
}

/// The checkpoint in `dir`, if a complete one is there.
pub fn load(dir: &Path) -> Result<Option<Checkpoint>> {
    let (ply, json) = paths(dir);
    if !json.exists() || !ply.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&json).map_err(|e| Error::input(&json, e.to_string()))?;
    let cameras: CamerasFile =
        serde_json::from_str(&text).map_err(|e| Error::input(&json, format!("not a head camera checkpoint: {e}")))?;
    let cloud = splatbench_render::ply::read_ply(&ply)?;
    Ok(Some(Checkpoint { cloud, cameras }))
}
