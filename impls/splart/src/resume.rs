//! Checkpoints of a painting in `RunContext::work_dir`, and resuming from the newest one.
//!
//! A checkpoint after `n` steps is `splart_step{n:06}.json` (the strokes with their Adam state, the step, the
//! placement stream's position, this round's gradient sums, the frames so far, the counters and a fingerprint of
//! what the run depends on; floats as their bits) and `….sha256`, the skeleton's manifest sealing it, written last
//! ([`splatbench_train::checkpoint`]). Everything a step depends on is restored, so a resumed painting ends
//! bit-equal to an uninterrupted one (the bench's `resume` test). A checkpoint that fails its manifest, does not
//! parse or comes from another run (fingerprint: the configuration other than `checkpoint_every` and `resume`, the
//! seed, the step count and the target's size and content) is ignored with a warning; the next older one is tried.

use serde::{Deserialize, Serialize};
use splatbench_core::error::InternalContext;
use splatbench_core::{Image, Result};
use splatbench_gstrain::ParamState;
use splatbench_io::atomic::write_atomic;
use std::path::{Path, PathBuf};

/// Everything of a painting's training state a checkpoint holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PainterState {
    pub step: usize,
    /// ChaCha8 word position of the placement stream (u128, as text).
    pub rng_word_pos: String,
    pub fingerprint: String,
    pub params: Option<Vec<ParamState>>,
    /// f64 bits of each stroke's gradient-norm sum over this round.
    pub grad_norms: Vec<u64>,
    /// f64 bits of the first round's loss.
    pub loss0: u64,
    pub placed: usize,
    pub pruned: usize,
    /// (width, height, f32 bits of RGB) of each frame so far.
    pub frames: Vec<(u32, u32, Vec<u32>)>,
}

pub fn frame_bits(img: &Image) -> (u32, u32, Vec<u32>) {
    (img.width, img.height, img.data.iter().map(|v| v.to_bits()).collect())
}

pub fn frame_of((w, h, bits): &(u32, u32, Vec<u32>)) -> std::result::Result<Image, String> {
    if bits.len() != (*w as usize) * (*h as usize) * 3 {
        return Err(format!("a {w}×{h} frame holds {} values", bits.len()));
    }
    Ok(Image { width: *w, height: *h, channels: 3, data: bits.iter().map(|&b| f32::from_bits(b)).collect() })
}

fn paths(dir: &Path, step: usize) -> (PathBuf, PathBuf) {
    (dir.join(format!("splart_step{step:06}.json")), dir.join(format!("splart_step{step:06}.sha256")))
}

/// Write `state` (after `state.step` steps) into `dir`.
pub fn save(dir: &Path, state: &PainterState) -> Result<()> {
    let (json, manifest) = paths(dir, state.step);
    let _ = std::fs::remove_file(&manifest);
    write_atomic(&json, serde_json::to_string(state).internal("encoding a splart checkpoint")?.as_bytes())?;
    splatbench_train::checkpoint::seal(&manifest, &[&json])
}

/// The newest checkpoint in `dir` whose fingerprint is `fingerprint` and that `accept` takes (it restores the
/// state, or says why it cannot).
pub fn resume_latest(
    dir: &Path,
    fingerprint: &str,
    mut accept: impl FnMut(PainterState) -> std::result::Result<(), String>,
) -> Option<usize> {
    for step in candidates(dir) {
        let (json, manifest) = paths(dir, step);
        let read = || -> std::result::Result<PainterState, String> {
            splatbench_train::checkpoint::verify(&manifest)?;
            let bytes = std::fs::read(&json).map_err(|e| e.to_string())?;
            let s: PainterState =
                serde_json::from_slice(&bytes).map_err(|e| format!("not a splart checkpoint: {e}"))?;
            if s.fingerprint != fingerprint {
                return Err("from another run (its configuration, seed or target differ)".into());
            }
            Ok(s)
        };
        match read().and_then(&mut accept) {
            Ok(()) => return Some(step),
            Err(why) => eprintln!("warning: {}: checkpoint ignored: {why}", manifest.display()),
        }
    }
    None
}

/// The steps of the checkpoints in `dir` that have a manifest, newest first.
fn candidates(dir: &Path) -> Vec<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut steps: Vec<usize> = entries
        .filter_map(|e| {
            e.ok()?.file_name().into_string().ok()?.strip_prefix("splart_step")?.strip_suffix(".sha256")?.parse().ok()
        })
        .collect();
    steps.sort_unstable_by(|a, b| b.cmp(a));
    steps
}
