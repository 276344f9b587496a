//! Configuration of the head method. Defaults are CPU-sized (64 px views, a few hundred steps); the paper-scale
//! run raises `max_image_side`, `steps` and `max_points`.

use serde::{Deserialize, Serialize};

/// What the opacity regulariser asks of each point's opacity σ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpacityReg {
    /// mean σ(1 − σ): pushes every point to transparent *or* opaque, so faint points get pruned (this project's
    /// default).
    Binary,
    /// mean (1 − σ): "encourages points to be visible", as the method's write-up describes its regulariser.
    Visible,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeadConfig {
    /// Optimisation steps (one training view per step, cycling); `RunContext::steps` overrides it.
    pub steps: usize,
    /// Training views are area-downscaled so their longer side is at most this many pixels (never upscaled; a
    /// size at least the image's keeps it).
    pub max_image_side: Option<u32>,
    /// Base learning rate of the point parameters (cosine-annealed to `lr_min_factor` × base).
    pub lr_geometry: f64,
    /// Base learning rate of the camera angles (radians) and normalised focal length.
    pub lr_camera: f64,
    pub lr_min_factor: f64,
    /// Camera parameters stay frozen for this many steps, so the first rough geometry does not drag them.
    pub camera_warmup_steps: usize,
    /// Hold the first training view's camera fixed: it defines the world frame (the yaw/pitch of all views and
    /// the object's orientation are otherwise free up to a common rotation) and is never perturbed.
    pub fix_first_camera: bool,
    /// Perturb the initial yaw and pitch of each (non-fixed) training view by a uniform offset in
    /// [−camera_noise_deg, +camera_noise_deg], drawn from `RunContext::seed`; 0 = start from the dataset's.
    pub camera_noise_deg: f64,
    /// Learn the focal length (shared by all views).
    pub learn_focal: bool,
    /// Yaw is clamped to ±max_yaw_deg, pitch to ±max_pitch_deg, focal to [1/f, f] × its initial value.
    pub max_yaw_deg: f64,
    pub max_pitch_deg: f64,
    pub focal_range_factor: f64,

    /// Weights of the loss terms (see `loss.rs`).
    pub w_l1: f64,
    pub w_ssim: f64,
    /// L1 between rendered alpha and the view's mask, where the data has one.
    pub w_mask: f64,
    pub w_opacity: f64,
    pub w_scale: f64,
    pub w_spatial: f64,
    /// Scale penalty threshold, as a fraction of `object_radius`.
    pub max_scale_factor: f64,
    /// Lower scale bound, as a fraction of `object_radius`: points smaller than it are penalised too (the
    /// write-up bounds tiny *and* huge points); 0 bounds only huge ones.
    pub min_scale_factor: f64,
    /// Form of the opacity regulariser (see [`OpacityReg`]).
    pub opacity_reg: OpacityReg,

    /// Anisotropic scales (3 per point) instead of one isotropic scale.
    pub anisotropic: bool,
    pub init_points: usize,
    pub max_points: usize,
    /// Radius of the sphere (around the origin) the object is assumed to lie in, as a fraction of the camera
    /// distance × tan(half field of view) — i.e. of the half-width of the view frustum at the origin.
    pub object_radius_factor: f64,
    /// Initialise points by carving the sphere with the training masks (visual hull) where masks exist.
    pub visual_hull_init: bool,

    /// Densify (clone + prune) every this many steps, between these fractions of the run.
    pub densify_every: usize,
    pub densify_from: f64,
    pub densify_until: f64,
    /// Clones are displaced by a normal offset of this many times the parent's scale.
    pub clone_jitter: f64,
    /// Points whose opacity falls below this are pruned at densification steps.
    pub prune_opacity: f64,

    /// Checkpoint (PLY + cameras JSON + step) into `RunContext::work_dir` every this many steps (0 = never).
    pub checkpoint_every: usize,
    /// Resume from a checkpoint in `RunContext::work_dir` when one is there.
    pub resume: bool,
    /// Turntable GIF: frames and size.
    pub gif_frames: usize,
    pub gif_size: u32,
}

impl Default for HeadConfig {
    fn default() -> Self {
        HeadConfig {
            steps: 300,
            max_image_side: Some(64),
            lr_geometry: 0.01,
            lr_camera: 0.001,
            lr_min_factor: 0.1,
            camera_warmup_steps: 50,
            fix_first_camera: true,
            camera_noise_deg: 0.0,
            learn_focal: true,
            max_yaw_deg: 90.0,
            max_pitch_deg: 45.0,
            focal_range_factor: 1.5,
            w_l1: 0.8,
            w_ssim: 0.2,
            w_mask: 0.2,
            w_opacity: 0.01,
            w_scale: 1.0,
            w_spatial: 1.0,
            max_scale_factor: 0.15,
            min_scale_factor: 0.0,
            opacity_reg: OpacityReg::Binary,
            anisotropic: false,
            init_points: 500,
            max_points: 10_000,
            object_radius_factor: 0.8,
            visual_hull_init: true,
            densify_every: 25,
            densify_from: 0.1,
            densify_until: 0.7,
            clone_jitter: 0.5,
            prune_opacity: 0.02,
            checkpoint_every: 0,
            resume: true,
            gif_frames: 24,
            gif_size: 128,
        }
    }
}

impl HeadConfig {
    /// Reject settings that cannot run; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        let positive = [
            ("lr_geometry", self.lr_geometry),
            ("lr_camera", self.lr_camera),
            ("object_radius_factor", self.object_radius_factor),
            ("max_scale_factor", self.max_scale_factor),
            ("focal_range_factor", self.focal_range_factor - 1.0),
        ];
        if let Some((name, _)) = positive.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
            return Err(format!("{name} must be positive and finite"));
        }
        if self.init_points == 0 || self.init_points > self.max_points {
            return Err(format!("need 0 < init_points ({}) <= max_points ({})", self.init_points, self.max_points));
        }
        if !(0.0..=1.0).contains(&self.densify_from) || !(self.densify_from..=1.0).contains(&self.densify_until) {
            return Err("need 0 <= densify_from <= densify_until <= 1".into());
        }
        if self.densify_every == 0 {
            return Err("densify_every must be at least 1".into());
        }
        if !(self.min_scale_factor >= 0.0 && self.min_scale_factor < self.max_scale_factor) {
            return Err("need 0 <= min_scale_factor < max_scale_factor".into());
        }
        if !(self.camera_noise_deg >= 0.0 && self.camera_noise_deg.is_finite()) {
            return Err("camera_noise_deg must be >= 0".into());
        }
        Ok(())
    }
}
