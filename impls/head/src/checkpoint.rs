//! Checkpoint and resume in `RunContext::work_dir`: `head_checkpoint.ply` (the Gaussians, 3DGS PLY),
//! `head_checkpoint_cameras.json` (learned cameras and the step reached) and `head_checkpoint.sha256`, the
//! skeleton's manifest sealing both ([`splatbench_train::checkpoint`]), written last. A checkpoint whose manifest
//! is missing is incomplete and ignored; one that fails the manifest or does not parse is refused with a warning
//! naming the file, and the run starts from scratch rather than resuming from garbage.
//!
//! Resumed: point positions, colours, opacities, scales (anisotropy follows the config), the learned yaw/pitch
//! and focal, and the step. Not resumed: Adam moments of points and cameras (they restart at zero, so the first
//! steps after a resume are bias-corrected fresh-Adam steps), the densification gradient accumulators (the next
//! refinement uses fewer accumulated steps), and the random stream (clone jitter after a resume differs from an
//! uninterrupted run). The learning-rate schedule is a function of the step, so it continues exactly.

use std::path::{Path, PathBuf};

use splatbench_core::error::InternalContext;
use splatbench_core::{Error, Result};
use splatbench_io::atomic::write_atomic;
use splatbench_render::GaussianCloud;

use crate::cameras::CamerasFile;

pub struct Checkpoint {
    pub cloud: GaussianCloud,
    pub cameras: CamerasFile,
}

fn paths(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    (dir.join("head_checkpoint.ply"), dir.join("head_checkpoint_cameras.json"), dir.join("head_checkpoint.sha256"))
}

pub fn save(dir: &Path, cloud: &GaussianCloud, cameras: &CamerasFile) -> Result<()> {
    let (ply, json, manifest) = paths(dir);
    // The manifest goes first (a crash mid-save must not leave an old seal over new files) and last.
    let _ = std::fs::remove_file(&manifest);
    splatbench_render::ply::write_ply(&ply, cloud)?;
    let text = serde_json::to_string_pretty(cameras).internal("encoding the camera checkpoint")?;
    write_atomic(&json, text.as_bytes())?;
    splatbench_train::checkpoint::seal(&manifest, &[&ply, &json])
}

/// The checkpoint in `dir`, if a complete and intact one is there (see the module docs).
pub fn load(dir: &Path) -> Result<Option<Checkpoint>> {
    let (ply, json, manifest) = paths(dir);
    if !manifest.exists() {
        return Ok(None);
    }
    match read(&ply, &json, &manifest) {
        Ok(ck) => Ok(Some(ck)),
        Err(e) => {
            // The run goes on from scratch; the warning lands in the run's log.
            eprintln!("warning: checkpoint refused, starting from scratch: {}", e.report());
            Ok(None)
        }
    }
}

fn read(ply: &Path, json: &Path, manifest: &Path) -> Result<Checkpoint> {
    splatbench_train::checkpoint::verify(manifest).map_err(|msg| Error::input(manifest, msg))?;
    let text = std::fs::read_to_string(json).map_err(|e| Error::input(json, e.to_string()))?;
    let cameras: CamerasFile =
        serde_json::from_str(&text).map_err(|e| Error::input(json, format!("not a head camera checkpoint: {e}")))?;
    let cloud = splatbench_render::ply::read_ply(ply)?;
    Ok(Checkpoint { cloud, cameras })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (GaussianCloud, CamerasFile) {
        let cloud = GaussianCloud {
            means: vec![[0.0, 0.1, 0.2]; 3],
            log_scales: vec![[-2.0; 3]; 3],
            quats: vec![[1.0, 0.0, 0.0, 0.0]; 3],
            opacity_logits: vec![0.5; 3],
            sh_degree: 0,
            sh: vec![0.25; 9],
        };
        let text = r#"{"step": 40, "focal_norm": 1.8, "distance": 3.0, "views": []}"#;
        (cloud, serde_json::from_str(text).unwrap())
    }

    #[test]
    fn an_intact_checkpoint_resumes_and_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (cloud, cameras) = sample();
        save(dir.path(), &cloud, &cameras).unwrap();
        let ck = load(dir.path()).unwrap().expect("an intact checkpoint loads");
        assert_eq!((ck.cameras.step, ck.cloud.means.len()), (40, 3));

        let (ply, json, manifest) = paths(dir.path());
        // Truncated PLY: refused (Ok(None): the run starts from scratch), not resumed from fewer Gaussians.
        let bytes = std::fs::read(&ply).unwrap();
        std::fs::write(&ply, &bytes[..bytes.len() - 10]).unwrap();
        assert!(load(dir.path()).unwrap().is_none());
        // A flipped byte in the cameras: refused.
        std::fs::write(&ply, &bytes).unwrap();
        assert!(load(dir.path()).unwrap().is_some());
        std::fs::write(&json, std::fs::read_to_string(&json).unwrap().replace("40", "41")).unwrap();
        assert!(load(dir.path()).unwrap().is_none());
        // No manifest: an incomplete checkpoint, ignored.
        save(dir.path(), &cloud, &cameras).unwrap();
        std::fs::remove_file(&manifest).unwrap();
        assert!(load(dir.path()).unwrap().is_none());
    }
}
