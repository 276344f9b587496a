//! Checkpoint and resume in `RunContext::work_dir`: `head_step{n:06}.json` sealed by `….sha256`, written last
//! (`splatbench_train::checkpoint::save_json`). It holds everything a step depends on — the points with their Adam
//! state, the learned cameras with theirs and the rig as last projected, the densification statistics and jitter
//! stream, the refinement history — so a resumed run ends bit-equal to an uninterrupted one (the bench's `resume`
//! test). The learning rates are functions of the step. A checkpoint that fails its manifest, does not parse or
//! comes from another run (fingerprint: the configuration other than `checkpoint_every` and `resume`, the step
//! count, the seed, the scene and its view count) is ignored with a warning naming it; the next older one is tried.

use serde::{Deserialize, Serialize};
use splatbench_gstrain::{ParamState, StrategyState};

use crate::cameras::CamerasState;

/// File names start with this.
pub const PREFIX: &str = "head";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub fingerprint: String,
    pub points: Vec<ParamState>,
    pub cameras: CamerasState,
    pub strategy: StrategyState,
    /// (step, point count) after each refinement so far.
    pub history: Vec<(usize, usize)>,
    /// The schedule's allowed count at each refinement so far.
    pub point_targets: Vec<usize>,
}
