//! [`RoiGsConfig`]: every knob of the method, with CPU-sized defaults, and the four variants as config deltas.
//!
//! Learning rates are the INRIA 3DGS ones (`arguments/__init__.py`): position `1.6e-4·extent` decaying
//! exponentially to `1.6e-6·extent` over the run, SH DC `2.5e-3` and the higher SH bands `2.5e-3 / 20`,
//! scaling `5e-3`, rotation `1e-3`. Opacity uses the original paper's `5e-2` — newer INRIA code lowered it to
//! `2.5e-2` for long runs; a run of a few hundred steps needs the faster one to carve out transparent Gaussians.
//!
//! The densification schedule is 3DGS's scaled to the run ([`gstrain::DefaultStrategy::scale_schedule`]), with
//! two floors for short runs: refinement at most every [`MIN_REFINE_EVERY`] steps (a refinement needs gradient
//! statistics from several views) and opacity resets at least [`MIN_RESET_EVERY`] steps apart (after a reset the
//! opacities need that long to recover), which turns resets off in runs shorter than ~2·MIN_RESET_EVERY.
//!
//! [`gstrain::DefaultStrategy::scale_schedule`]: splatbench_gstrain::strategy::DefaultStrategy::scale_schedule

use serde::{Deserialize, Serialize};

/// Smallest refinement interval after schedule scaling.
pub const MIN_REFINE_EVERY: usize = 10;
/// Smallest opacity-reset interval after schedule scaling.
pub const MIN_RESET_EVERY: usize = 200;

/// The ablation variants of the method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// Plain 3DGS.
    Baseline,
    /// + ROI gating and ROI pixel weights.
    Roi,
    /// + dynamic Laplacian-pyramid loss.
    Laplacian,
    /// + both.
    Both,
}

impl Variant {
    pub const ALL: [Variant; 4] = [Variant::Baseline, Variant::Roi, Variant::Laplacian, Variant::Both];
    pub fn name(self) -> &'static str {
        match self {
            Variant::Baseline => "baseline",
            Variant::Roi => "roi",
            Variant::Laplacian => "laplacian",
            Variant::Both => "both",
        }
    }
}

/// Per-parameter learning rates (3DGS names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LrConfig {
    /// Position lr at step 0, times the scene extent.
    pub means_init: f64,
    /// Position lr at the last step, times the scene extent.
    pub means_final: f64,
    pub sh_dc: f64,
    /// The higher SH bands use `sh_dc / sh_rest_divisor`.
    pub sh_rest_divisor: f64,
    pub opacity: f64,
    pub scaling: f64,
    pub rotation: f64,
}

impl Default for LrConfig {
    fn default() -> Self {
        LrConfig {
            means_init: 1.6e-4,
            means_final: 1.6e-6,
            sh_dc: 2.5e-3,
            sh_rest_divisor: 20.0,
            opacity: 5e-2,
            scaling: 5e-3,
            rotation: 1e-3,
        }
    }
}

/// Region of interest: where it comes from, and how it changes densification and the loss.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoiConfig {
    /// Use `View.mask` (white = ROI) when present.
    pub use_mask: bool,
    /// Use `View.depth` (monocular, aligned per view to the sparse points) when present.
    pub use_depth: bool,
    /// Binary dilation of the mask, pixels at the training resolution.
    pub dilate_px: u32,
    /// Soft outer edge of the mask, pixels at the training resolution (0 = hard edge).
    pub feather_px: u32,
    /// Depth-gate radius in scene units; `None` derives it from `depth_radius_rel`.
    pub depth_radius: Option<f64>,
    /// Depth-gate radius as a fraction of the median ROI depth over the views.
    pub depth_radius_rel: f64,
    /// A Gaussian is in the ROI when its centre lands on ROI pixels in at least this many training views
    /// (capped at the number of views that have an ROI).
    pub min_views: usize,
    /// Photometric weight of an ROI pixel relative to a non-ROI one (weights are then normalised to mean 1).
    pub pixel_weight: f64,
    /// Inside the ROI the densification gradient threshold is `grad_threshold × roi_grad_factor` (< 1: eager).
    pub roi_grad_factor: f64,
    /// Outside the ROI Gaussians are pruned below this opacity (the default strategy's is 0.005).
    pub outside_prune_opacity: f64,
    /// Fit each view's monocular depth to the sparse points (scale and shift); `false` takes `View.depth` as
    /// metric depth in scene units (for depth from a calibrated sensor or renderer).
    pub align_depth: bool,
    /// Apply the ROI pixel weights to D-SSIM and the pyramid term too, not only to L1 (the write-up weights the
    /// photometric loss; which terms is left open, so both readings are available).
    pub weight_all_terms: bool,
}

impl Default for RoiConfig {
    fn default() -> Self {
        RoiConfig {
            use_mask: true,
            use_depth: true,
            dilate_px: 1,
            feather_px: 2,
            depth_radius: None,
            depth_radius_rel: 0.15,
            min_views: 2,
            pixel_weight: 3.0,
            roi_grad_factor: 0.5,
            outside_prune_opacity: 0.02,
            align_depth: true,
            weight_all_terms: false,
        }
    }
}

/// The dynamic Laplacian-pyramid loss term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LaplacianConfig {
    pub levels: usize,
    /// Weight of the pyramid term next to `0.8·L1 + 0.2·D-SSIM`.
    pub weight: f64,
    /// `dynamic` moves the level weights from coarse to fine over the run; `static` keeps them equal (1/levels),
    /// the control that measures what the schedule itself buys.
    pub schedule: PyramidSchedule,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PyramidSchedule {
    Dynamic,
    Static,
}

impl LaplacianConfig {
    /// Level weights (finest first) at training progress `progress` ∈ [0, 1].
    pub fn weights(&self, progress: f64) -> Vec<f64> {
        match self.schedule {
            PyramidSchedule::Dynamic => splatbench_losses::pyramid::dynamic_weights(self.levels, progress),
            PyramidSchedule::Static => vec![1.0 / self.levels as f64; self.levels],
        }
    }
}

impl Default for LaplacianConfig {
    fn default() -> Self {
        LaplacianConfig { levels: 4, weight: 0.5, schedule: PyramidSchedule::Dynamic }
    }
}

/// Densification knobs on top of the scaled 3DGS schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DensifyConfig {
    pub enabled: bool,
    /// 3DGS's 2e-4, in its NDC-like gradient units.
    pub grad_threshold: f64,
    /// Cap on the Gaussian count.
    pub max_points: Option<usize>,
    /// Opacity resets (3DGS); subject to [`MIN_RESET_EVERY`].
    pub opacity_reset: bool,
}

impl Default for DensifyConfig {
    fn default() -> Self {
        DensifyConfig { enabled: true, grad_threshold: 2e-4, max_points: Some(20_000), opacity_reset: true }
    }
}

/// Everything the method needs; `Default` is sized for a CPU test (a few hundred steps at ≤ 64 px).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoiGsConfig {
    /// Training steps (one view each); `RunContext.steps` overrides it.
    pub steps: usize,
    /// Training images are box-downscaled so that their longer side is at most this; `None` keeps them.
    pub max_image_side: Option<u32>,
    /// Final SH degree (0..=3); one band is added every `sh_interval` steps.
    pub sh_degree: u32,
    /// Steps between SH band increases; `None` scales 3DGS's 1000 of 30 000 to the run.
    pub sh_interval: Option<usize>,
    pub lr: LrConfig,
    /// Weight of D-SSIM in `(1 − λ)·L1 + λ·(1 − SSIM)`.
    pub ssim_weight: f64,
    /// Random initial points in the camera-frustum bounds when the scene has no sparse points.
    pub random_init_points: usize,
    pub initial_opacity: f64,
    pub densify: DensifyConfig,
    /// `Some` turns on ROI gating and pixel weights.
    pub roi: Option<RoiConfig>,
    /// `Some` turns on the Laplacian-pyramid loss.
    pub laplacian: Option<LaplacianConfig>,
    /// Render background; `None`: the scene's for images with alpha, the training images' mean colour for photographs.
    pub background: Option<[f32; 3]>,
    /// Write a checkpoint every this many steps into the run's work directory (0: never; see the trainer).
    pub checkpoint_every: usize,
    /// Resume from the newest checkpoint of this run in the work directory when one is there.
    pub resume: bool,
}

impl Default for RoiGsConfig {
    fn default() -> Self {
        RoiGsConfig {
            steps: 300,
            max_image_side: Some(64),
            sh_degree: 3,
            sh_interval: None,
            lr: LrConfig::default(),
            ssim_weight: 0.2,
            random_init_points: 2_000,
            initial_opacity: 0.1,
            densify: DensifyConfig::default(),
            roi: None,
            laplacian: None,
            background: None,
            checkpoint_every: 0,
            resume: true,
        }
    }
}

impl RoiGsConfig {
    /// This config with the variant's deltas applied: ROI and/or Laplacian terms on, or both off.
    pub fn variant(mut self, v: Variant) -> Self {
        let (roi, lap) = match v {
            Variant::Baseline => (false, false),
            Variant::Roi => (true, false),
            Variant::Laplacian => (false, true),
            Variant::Both => (true, true),
        };
        self.roi = if roi { Some(self.roi.unwrap_or_default()) } else { None };
        self.laplacian = if lap { Some(self.laplacian.unwrap_or_default()) } else { None };
        self
    }

    /// Which variant this config is.
    pub fn which(&self) -> Variant {
        match (self.roi.is_some(), self.laplacian.is_some()) {
            (false, false) => Variant::Baseline,
            (true, false) => Variant::Roi,
            (false, true) => Variant::Laplacian,
            (true, true) => Variant::Both,
        }
    }

    /// Steps between SH band increases for a run of `total` steps (3DGS: 1000 of 30 000).
    pub fn sh_interval_for(&self, total: usize) -> usize {
        self.sh_interval.unwrap_or(((total as f64 * 1000.0 / 30_000.0).round() as usize).max(1))
    }

    /// Checks the numbers a user can get wrong; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.sh_degree > 3 {
            return Err(format!("sh_degree must be 0..=3, got {}", self.sh_degree));
        }
        if !(0.0..=1.0).contains(&self.ssim_weight) {
            return Err(format!("ssim_weight must be in [0, 1], got {}", self.ssim_weight));
        }
        if self.max_image_side == Some(0) {
            return Err("max_image_side must be positive".into());
        }
        if let Some(l) = &self.laplacian
            && (l.levels == 0 || !(l.weight >= 0.0))
        {
            return Err(format!("laplacian needs levels ≥ 1 and weight ≥ 0, got {} and {}", l.levels, l.weight));
        }
        if let Some(r) = &self.roi {
            if !(r.pixel_weight > 0.0) {
                return Err(format!("roi.pixel_weight must be positive, got {}", r.pixel_weight));
            }
            if !(r.roi_grad_factor > 0.0) || !(0.0..1.0).contains(&r.outside_prune_opacity) {
                return Err("roi.roi_grad_factor must be > 0 and roi.outside_prune_opacity in [0, 1)".into());
            }
            if r.depth_radius.is_some_and(|d| !(d > 0.0)) || !(r.depth_radius_rel > 0.0) {
                return Err("roi depth radius must be positive".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_pyramid_weights_are_equal_and_dynamic_ones_move_to_the_fine_levels() {
        let stat = LaplacianConfig { schedule: PyramidSchedule::Static, ..Default::default() };
        for t in [0.0, 0.5, 1.0] {
            assert_eq!(stat.weights(t), vec![0.25; 4]);
        }
        let dynamic = LaplacianConfig::default();
        let (early, late) = (dynamic.weights(0.0), dynamic.weights(1.0));
        assert!(early[3] > early[0] && late[0] > late[3], "{early:?} {late:?}");
        let cfg: LaplacianConfig = serde_json::from_str(r#"{"schedule": "static"}"#).unwrap();
        assert_eq!(cfg.schedule, PyramidSchedule::Static);
        let roi: RoiConfig = serde_json::from_str(r#"{"weight_all_terms": true, "align_depth": false}"#).unwrap();
        assert!(roi.weight_all_terms && !roi.align_depth);
    }

    #[test]
    fn variants_are_config_deltas() {
        for v in Variant::ALL {
            let c = RoiGsConfig::default().variant(v);
            assert_eq!(c.which(), v);
            assert_eq!(c.steps, RoiGsConfig::default().steps);
            c.validate().unwrap();
        }
        // A tuned ROI config survives switching variants.
        let tuned = RoiGsConfig { roi: Some(RoiConfig { min_views: 5, ..RoiConfig::default() }), ..Default::default() };
        assert_eq!(tuned.variant(Variant::Both).roi.unwrap().min_views, 5);
    }

    #[test]
    fn config_round_trips_through_json_and_fills_defaults() {
        let c = RoiGsConfig::default().variant(Variant::Both);
        let back: RoiGsConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        let partial: RoiGsConfig = serde_json::from_str(r#"{"steps": 50, "roi": {"min_views": 3}}"#).unwrap();
        assert_eq!(partial.steps, 50);
        assert_eq!(partial.roi.unwrap().min_views, 3);
        assert!(RoiGsConfig { sh_degree: 4, ..Default::default() }.validate().is_err());
    }

    #[test]
    fn sh_interval_scales_with_the_run() {
        let c = RoiGsConfig::default();
        assert_eq!(c.sh_interval_for(30_000), 1000);
        assert_eq!(c.sh_interval_for(300), 10);
        assert_eq!(c.sh_interval_for(3), 1);
    }
}
