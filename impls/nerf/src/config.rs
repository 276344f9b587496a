//! Configuration of the NeRF method. `NerfConfig::default()` is the CPU preset (a 4×64 MLP, 32 + 32 samples per
//! ray, 512 rays a step); [`NerfConfig::paper`] is Mildenhall et al.'s scale (8×256 with the skip at layer 5,
//! 64 + 128 samples, 4096 rays, learning rate 5e-4 → 5e-5) for GPU runs.

use serde::{Deserialize, Serialize};

/// How samples are placed along a ray.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// `n_coarse` stratified samples through the coarse network, then `n_fine` more drawn from the coarse
    /// weights; the fine network evaluates the sorted union (two networks, the paper's setup).
    Hierarchical,
    /// One network on `n_coarse + n_fine` stratified samples: the same samples per ray without the fine stage.
    CoarseOnly,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NerfConfig {
    /// Optimisation steps (one random batch of rays across all training views each); `RunContext::steps`
    /// overrides it.
    pub steps: usize,
    pub sampling: Sampling,
    pub n_coarse: usize,
    pub n_fine: usize,
    /// Rays per step.
    pub batch_rays: usize,
    /// Training views are area-downscaled so their longer side is at most this many pixels (`None`: native size).
    pub max_image_side: Option<u32>,
    /// Positional-encoding frequencies: γ(p) = (p, sin 2ᵏp, cos 2ᵏp for k < L).
    pub pos_freqs: usize,
    pub dir_freqs: usize,
    /// Hidden layers of the trunk and their width.
    pub depth: usize,
    pub width: usize,
    /// 0-based index of the trunk layer whose input is [γ(x), h] (the paper's skip: 5); 0 = no skip.
    pub skip: usize,
    /// Feed the encoded view direction to the colour branch (off: colour depends on position only).
    pub use_viewdirs: bool,
    /// Learning rate decays exponentially from `lr_init` at step 0 to `lr_final` at the last step.
    pub lr_init: f64,
    pub lr_final: f64,
    /// Ray distances bounding the samples; `None`: 0.5 × the nearest and 1.5 × the farthest camera distance to
    /// the scene centre (the point nearest every optical axis).
    pub near: Option<f64>,
    pub far: Option<f64>,
    /// Rays per network evaluation when rendering images (bounds memory, not results).
    pub render_chunk: usize,
    /// Turntable GIF: frames (0 = none) and size in pixels.
    pub gif_frames: usize,
    pub gif_size: u32,
    /// Size (longer side) of the sampling picture's view and of the depth / opacity images.
    pub figure_size: u32,
    /// Write a checkpoint every this many steps into the run's work directory (0: never; [`crate::resume`]).
    pub checkpoint_every: usize,
    /// Resume from the newest checkpoint of this run in the work directory when one is there.
    pub resume: bool,
}

impl Default for NerfConfig {
    fn default() -> Self {
        NerfConfig {
            steps: 1000,
            sampling: Sampling::Hierarchical,
            n_coarse: 32,
            n_fine: 32,
            batch_rays: 512,
            max_image_side: Some(64),
            pos_freqs: 10,
            dir_freqs: 4,
            depth: 4,
            width: 64,
            skip: 2,
            use_viewdirs: true,
            lr_init: 2e-3,
            lr_final: 2e-4,
            near: None,
            far: None,
            render_chunk: 512,
            gif_frames: 24,
            gif_size: 64,
            figure_size: 64,
            checkpoint_every: 0,
            resume: true,
        }
    }
}

impl NerfConfig {
    /// Mildenhall et al.'s settings (GPU-sized).
    pub fn paper() -> Self {
        NerfConfig {
            steps: 200_000,
            n_coarse: 64,
            n_fine: 128,
            batch_rays: 4096,
            max_image_side: None,
            depth: 8,
            width: 256,
            skip: 5,
            lr_init: 5e-4,
            lr_final: 5e-5,
            render_chunk: 8192,
            gif_frames: 40,
            gif_size: 200,
            figure_size: 200,
            ..Self::default()
        }
    }

    /// Learning rate at `step` of `total`.
    pub fn lr(&self, step: usize, total: usize) -> f64 {
        let f = if total > 1 { step as f64 / (total - 1) as f64 } else { 0.0 };
        self.lr_init * (self.lr_final / self.lr_init).powf(f)
    }

    /// Samples per ray of the first (or only) network.
    pub fn first_stage_samples(&self) -> usize {
        match self.sampling {
            Sampling::Hierarchical => self.n_coarse,
            Sampling::CoarseOnly => self.n_coarse + self.n_fine,
        }
    }

    pub(crate) fn check(&self) -> splatbench_core::Result<()> {
        let bad = |m: String| Err(splatbench_core::Error::input("nerf config", m));
        if self.n_coarse == 0 || self.batch_rays == 0 || self.render_chunk == 0 || self.depth == 0 || self.width == 0 {
            return bad("n_coarse, batch_rays, render_chunk, depth and width must be positive".into());
        }
        if self.skip >= self.depth {
            return bad(format!("skip {} must be below depth {}", self.skip, self.depth));
        }
        if !(self.lr_init > 0.0 && self.lr_final > 0.0) {
            return bad("learning rates must be positive".into());
        }
        if let (Some(n), Some(f)) = (self.near, self.far)
            && !(0.0 <= n && n < f)
        {
            return bad(format!("need 0 ≤ near < far, got near {n}, far {f}"));
        }
        Ok(())
    }
}
