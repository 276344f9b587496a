//! Splart's settings (the suite's `config = { ... }`); every field has a default.

use crate::brush::BrushKind;
use crate::prune::PruneRules;
use crate::schedule::ScaleSchedule;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SplartConfig {
    /// Rounds of (place B strokes, K Adam steps). The bench's step budget, when set, gives ⌈steps / K⌉ rounds.
    pub rounds: usize,
    /// B: strokes placed at the start of each round (always placed, never rejected).
    pub strokes_per_round: usize,
    /// K: Adam steps per round.
    pub steps_per_round: usize,
    /// The target is fitted at most this many pixels on its longer side (area-downscaled); renders for scoring are
    /// at the view's own size.
    pub max_image_side: Option<u32>,
    pub brush: BrushKind,
    /// Minor over major half-extent of a new stroke.
    pub aspect: f64,
    pub lr_position: f64,
    pub lr_rotation: f64,
    pub lr_scale: f64,
    pub lr_color: f64,
    pub scale: ScaleSchedule,
    /// γ of the error-map importance sampling.
    pub gamma: f64,
    /// Block size of the downsampled error map, in pixels.
    pub error_block: u32,
    /// Structure-tensor window σ in pixels.
    pub structure_sigma: f64,
    /// Standard deviation of the rotation noise, degrees.
    pub rotation_noise_deg: f64,
    pub prune: PruneRules,
    /// Longer side of the animation's frames.
    pub gif_max_side: u32,
    /// Write a checkpoint every this many steps into the run's work directory (0: never; [`crate::resume`]).
    pub checkpoint_every: usize,
    /// Resume from the newest checkpoint of this run in the work directory when one is there.
    pub resume: bool,
}

impl Default for SplartConfig {
    fn default() -> Self {
        SplartConfig {
            rounds: 30,
            strokes_per_round: 50,
            steps_per_round: 10,
            max_image_side: Some(256),
            brush: BrushKind::default(),
            aspect: 0.45,
            lr_position: 0.3,
            lr_rotation: 0.03,
            lr_scale: 0.03,
            lr_color: 0.05,
            scale: ScaleSchedule::default(),
            gamma: 2.0,
            error_block: 4,
            structure_sigma: 2.0,
            rotation_noise_deg: 3.0,
            prune: PruneRules::default(),
            gif_max_side: 256,
            checkpoint_every: 0,
            resume: true,
        }
    }
}
