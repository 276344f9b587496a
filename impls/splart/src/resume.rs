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
use splatbench_core::{Image, Result};
use splatbench_gstrain::ParamState;
use std::path::Path;

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

/// Write `state` (after `state.step` steps) into `dir`.
pub fn save(dir: &Path, state: &PainterState) -> Result<()> {
    splatbench_train::checkpoint::save_json(dir, "splart", state.step, state)
}

/// The newest checkpoint in `dir` whose fingerprint is `fingerprint` and that `accept` takes (it restores the
/// state, or says why it cannot); its step.
pub fn resume_latest(
    dir: &Path,
    fingerprint: &str,
    mut accept: impl FnMut(PainterState) -> std::result::Result<(), String>,
) -> Option<usize> {
    splatbench_train::checkpoint::resume_json(dir, "splart", |s: PainterState| {
        if s.fingerprint != fingerprint {
            return Err("from another run (its configuration, seed or target differ)".into());
        }
        accept(s)
    })
}
