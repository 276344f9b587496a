//! Splatter Image configuration: network size, training batch, depth range, and the target-supervision switches.
//!
//! Defaults are CPU-sized: on burn-ndarray the U-Net's backward dominates a step (measured on the 2-core VM: width 8,
//! depth 2, 2 objects at 32² ≈ 1 s/step, of which ≈ 0.9 s backward; width 16, depth 3, 4 objects at 64² ≈ 33 s/step),
//! so the defaults are the small network at 32². The Splatter Image reference trains a much wider U-Net at 128² for
//! hundreds of thousands of steps. `znear`/`zfar` are the reference's SRN-cars values (SRN files carry no depth range).

use serde::{Deserialize, Serialize};

/// Which target splatter images supervise the raw output (the `variant` the bench names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetMode {
    /// No target term: the Splatter Image baseline.
    #[default]
    None,
    /// Targets from a trained baseline network run on the target view (one view only).
    Teacher,
    /// Targets fitted per view as free per-pixel splatter images against the object's other views.
    Fit,
}

impl TargetMode {
    pub fn name(self) -> &'static str {
        match self {
            TargetMode::None => "baseline",
            TargetMode::Teacher => "target_teacher",
            TargetMode::Fit => "target_fit",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SplatterConfig {
    /// Optimiser steps of the network.
    pub steps: usize,
    /// Side of the square training images (views are area-downscaled to it); scoring uses the dataset's size.
    pub resolution: u32,
    /// Objects per step.
    pub batch_objects: usize,
    /// Rendered views per object and step, the conditioning view included.
    pub supervision_views: usize,
    /// Channels of the U-Net's first level; level k has `width · 2^k`.
    pub width: usize,
    /// Number of down-sampling levels.
    pub depth: usize,
    /// Group-norm groups (each level's channel count must be a multiple of it).
    pub groups: usize,
    /// Adam learning rate of the network weights.
    pub lr: f64,
    /// Spherical-harmonic degree of the colour: 0 (view-independent) or 1 (a band of 3 × 3 more coefficients per
    /// pixel, [`crate::sh`]).
    pub sh_degree: u32,
    /// Depth range the sigmoid maps into (camera z of the conditioning view).
    pub znear: f32,
    pub zfar: f32,
    /// Target supervision (the bench's variants).
    pub target: TargetMode,
    /// λ reached at the end of the ramp.
    pub lambda_max: f64,
    /// Fraction of the run with λ = 0 before the linear ramp starts.
    pub lambda_start: f64,
    /// Views per training object that get a target (evenly spaced by sorted name).
    pub target_views: usize,
    /// Steps of the teacher network (a baseline trained only to make targets).
    pub teacher_steps: usize,
    /// Adam steps of one `fit` target.
    pub fit_steps: usize,
    /// Learning rate of the free per-pixel parameters of a `fit` target.
    pub fit_lr: f64,
    /// Views of each object that a `fit` target never sees (the last ones by sorted name).
    pub fit_holdout: usize,
    /// Views rendered per `fit` step.
    pub fit_views_per_step: usize,
    /// Write a network checkpoint every this many steps into the run's work directory (0: never).
    pub checkpoint_every: usize,
    /// Resume from the newest checkpoint of this run in the work directory when one is there ([`crate::resume`]).
    pub resume: bool,
    /// Decay of the weight average that evaluation uses ([`crate::ema`]); 0: none, evaluate the raw weights.
    pub ema_decay: f64,
}

impl Default for SplatterConfig {
    fn default() -> Self {
        SplatterConfig {
            steps: 300,
            resolution: 32,
            batch_objects: 2,
            supervision_views: 3,
            width: 8,
            depth: 2,
            groups: 4,
            lr: 2e-3,
            sh_degree: 0,
            znear: 0.8,
            zfar: 1.8,
            target: TargetMode::None,
            lambda_max: 0.01,
            lambda_start: 0.2,
            target_views: 5,
            teacher_steps: 150,
            fit_steps: 150,
            fit_lr: 0.02,
            fit_holdout: 3,
            fit_views_per_step: 4,
            checkpoint_every: 0,
            resume: true,
            ema_decay: 0.0,
        }
    }
}

impl SplatterConfig {
    /// Channel count of U-Net level `k`.
    pub fn level_width(&self, k: usize) -> usize {
        self.width << k
    }

    /// The configuration problems that would make the network or the schedule meaningless.
    pub fn check(&self) -> Result<(), String> {
        if self.width == 0 || self.groups == 0 || !self.width.is_multiple_of(self.groups) {
            return Err(format!("width {} must be a positive multiple of groups {}", self.width, self.groups));
        }
        if self.resolution == 0 || !self.resolution.is_multiple_of(1 << self.depth) {
            return Err(format!("resolution {} must be a multiple of 2^depth = {}", self.resolution, 1 << self.depth));
        }
        if !(self.znear > 0.0 && self.zfar > self.znear) {
            return Err(format!("need 0 < znear < zfar (got {} and {})", self.znear, self.zfar));
        }
        if self.batch_objects == 0 || self.supervision_views == 0 {
            return Err("batch_objects and supervision_views must be at least 1".into());
        }
        if !(0.0..=1.0).contains(&self.lambda_start) {
            return Err(format!("lambda_start {} is a fraction of the run, in [0, 1]", self.lambda_start));
        }
        if self.sh_degree > 1 {
            return Err(format!("sh_degree {} is not supported (0 or 1)", self.sh_degree));
        }
        if !(0.0..1.0).contains(&self.ema_decay) {
            return Err(format!("ema_decay {} must be in [0, 1) (0: no weight average)", self.ema_decay));
        }
        Ok(())
    }

    /// What a target built under this configuration depends on (hashed into the bench cache key).
    pub fn target_recipe(&self) -> serde_json::Value {
        let mut c = self.clone();
        // Neither the student's own schedule nor the checkpoint cadence changes a target (the weight average does: a
        // teacher is evaluated through it).
        c.steps = 0;
        c.lambda_max = 0.0;
        c.lambda_start = 0.0;
        c.checkpoint_every = 0;
        c.resume = true;
        c.target = TargetMode::None;
        let mut v = serde_json::to_value(c).expect("config serialises");
        v["mode"] = serde_json::to_value(self.target).expect("mode serialises");
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full suite's splatter variants, each merged into the entry's config and read as a [`SplatterConfig`]
    /// (unknown keys are errors): (variant, config).
    fn full_suite_variants() -> Vec<(String, SplatterConfig)> {
        let suite: toml::Table = toml::from_str(include_str!("../../../harness/suites/full.toml")).unwrap();
        let entries = suite["entry"].as_array().unwrap();
        let entry = entries.iter().find(|e| e["method"].as_str() == Some("splatter")).expect("a splatter entry");
        let base = entry["config"].as_table().unwrap();
        entry["variants"]
            .as_table()
            .unwrap()
            .iter()
            .map(|(name, delta)| {
                let mut c = base.clone();
                c.extend(delta.as_table().unwrap().clone());
                let cfg: SplatterConfig = toml::Value::Table(c).try_into().unwrap_or_else(|e| panic!("{name}: {e}"));
                cfg.check().unwrap_or_else(|e| panic!("{name}: {e}"));
                (name.clone(), cfg)
            })
            .collect()
    }

    #[test]
    fn the_full_suite_sweeps_lambda_max_over_three_decades_of_the_fit_target() {
        let mut swept: Vec<f64> = full_suite_variants()
            .into_iter()
            .filter(|(_, c)| c.target == TargetMode::Fit)
            .map(|(_, c)| c.lambda_max)
            .collect();
        swept.sort_by(f64::total_cmp);
        assert_eq!(swept, [0.001, 0.01, 0.1]);
    }
}
