//! Densification strategies (gsplat-style hooks around the optimiser step) and the 3DGS default.
//!
//! # The training loop a [`Strategy`] expects
//!
//! ```text
//! strategy.step_pre_backward(&mut params, step);
//! forward (render with a means2d probe), loss, grads = loss.backward();
//! params.adam_step(&grads);
//! strategy.step_post_backward(&mut params, &StepInfo { step, means2d_grad, radii, .. });
//! strategy.step_post_optimizer(&mut params, step);
//! ```
//!
//! Calling `step_post_backward` before `adam_step` is also valid (3DGS's order): rows it adds or removes replace
//! the leaves, so `adam_step` then finds no gradient for them and skips that step, as 3DGS's optimiser does on a
//! refinement step.
//!
//! # [`DefaultStrategy`] (3DGS, Kerbl et al. 2023; gsplat `DefaultStrategy`)
//!
//! Steps are 0-based. Every step before `refine_stop`, for each point with radius > 0 the screen-space gradient
//! norm is accumulated in 3DGS's NDC-like units, `‖(gx·W/2, gy·H/2)‖` (gx, gy = dL/d pixel mean), with a visibility
//! count. When `step > refine_start` and `step % refine_every == 0`:
//! - **grow**: points whose mean accumulated gradient exceeds `grad_threshold` (2e-4) are *cloned* (exact copy)
//!   when `max(exp(log_scales)) ≤ percent_dense · scene_extent`, else *split*: two new points with means
//!   `μ + R(q)·(s ⊙ z)`, z ~ N(0, I), and scales `s / 1.6`, the original removed;
//! - **prune**: opacity `sigmoid(logit) < prune_opacity` (0.005); after the first opacity reset
//!   (`step > reset_every`) also world-space giants, `max scale > prune_scale3d · scene_extent` (0.1), and — only
//!   when `prune_screen_px` is set — points whose largest screen radius since the last refinement exceeds it.
//!   3DGS nominally prunes radius > 20 px, but its code resets the max radii right before testing them, so the test
//!   never fires; gsplat disables it by default. The default here is therefore `None`.
//! - accumulators are cleared.
//!
//! Every `reset_every` steps (step > 0, before `refine_stop`) the opacities are clamped to at most
//! `reset_opacity` (0.01) and their Adam moments zeroed. [`DefaultStrategy::scale_schedule`] shrinks the
//! 30 000-step schedule proportionally for shorter runs. [`RefineHook`]s can veto growth or pruning per point
//! (e.g. a region-of-interest gate) and observe each refinement.

use burn::tensor::{Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::maths::{box_muller, quat_to_rotmat_normalising, sigmoid};

use crate::gaussians::{LOG_SCALES, MEANS, OPACITY_LOGITS, QUATS};
use crate::params::PointParams;
use crate::refine_state::{RefineSchedule, RefineState};

/// What the render step tells the strategy.
pub struct StepInfo<'a> {
    /// 0-based step.
    pub step: usize,
    pub total_steps: usize,
    /// Per point dL/d(projected pixel mean), from the render's means2d probe; empty when unavailable.
    pub means2d_grad: &'a [[f32; 2]],
    /// Per point screen radius in pixels (0 = not visible).
    pub radii: &'a [u32],
    pub width: u32,
    pub height: u32,
}

/// Hooks around the optimiser step; only `step_post_backward` is required.
pub trait Strategy {
    fn step_pre_backward(&mut self, _params: &mut PointParams, _step: usize) {}
    /// Accumulate statistics and densify/prune on schedule.
    fn step_post_backward(&mut self, params: &mut PointParams, info: &StepInfo);
    fn step_post_optimizer(&mut self, _params: &mut PointParams, _step: usize) {}
    /// What changes as training goes (statistics, the random stream, history), for a checkpoint; none by default.
    fn state(&self) -> StrategyState {
        StrategyState::default()
    }
    /// Put back what [`Strategy::state`] returned.
    fn restore(&mut self, _state: &StrategyState) -> std::result::Result<(), String> {
        Ok(())
    }
}

/// A strategy's changing state, exactly (f64 statistics as their bits): what a checkpoint holds of it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StrategyState {
    pub grad_sum: Vec<u64>,
    pub count: Vec<u32>,
    pub max_radii: Vec<u32>,
    /// ChaCha8 word position of the split sampler (u128, as text; empty when the strategy has none).
    pub rng_word_pos: String,
    pub history: Vec<RefineStats>,
}

impl StrategyState {
    /// The statistics and stream position of a strategy that keeps a [`RefineState`] and one ChaCha8 stream.
    pub fn new(state: &RefineState, rng: &ChaCha8Rng, history: Vec<RefineStats>) -> Self {
        StrategyState {
            grad_sum: state.grad_sum.iter().map(|v| v.to_bits()).collect(),
            count: state.count.clone(),
            max_radii: state.max_radii.clone(),
            rng_word_pos: rng.get_word_pos().to_string(),
            history,
        }
    }

    /// The [`RefineState`] and the stream position back; why not, when they do not fit together.
    pub fn refine_state(&self) -> std::result::Result<(RefineState, u128), String> {
        if self.count.len() != self.grad_sum.len() || self.max_radii.len() != self.grad_sum.len() {
            return Err("the refinement statistics have different lengths".into());
        }
        let pos = splatbench_train::checkpoint::stream_position(&self.rng_word_pos)?;
        let state = RefineState {
            grad_sum: self.grad_sum.iter().map(|&b| f64::from_bits(b)).collect(),
            count: self.count.clone(),
            max_radii: self.max_radii.clone(),
        };
        Ok((state, pos))
    }
}

/// A strategy that never changes the points.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoRefine;

impl Strategy for NoRefine {
    fn step_post_backward(&mut self, _params: &mut PointParams, _info: &StepInfo) {}
}

/// What one refinement did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefineStats {
    pub step: usize,
    pub n_before: usize,
    pub cloned: usize,
    /// Points split (each becomes two: N grows by `split`).
    pub split: usize,
    pub pruned: usize,
    pub n_after: usize,
}

/// Per-point vetoes of [`DefaultStrategy`]'s refinements, given the explicit [`RefineState`] the decision is made
/// on (the statistics at the start of this refinement). Masks are indexed by point (rows of `params` at the time of
/// the call); clearing an entry vetoes that action, setting one adds it.
pub trait RefineHook {
    /// Before growth: `clone[i]` / `split[i]` are the candidates.
    fn filter_grow(&mut self, _params: &PointParams, _state: &RefineState, _clone: &mut [bool], _split: &mut [bool]) {}
    /// Before pruning (after growth, so the masks cover the grown set): `prune[i]` marks removal.
    fn filter_prune(&mut self, _params: &PointParams, _state: &RefineState, _prune: &mut [bool]) {}
}

/// The hook that changes nothing.
pub struct NoHook;
impl RefineHook for NoHook {}

/// The 3DGS densification schedule (see the module docs). Fields are the knobs, 3DGS defaults in `new`.
#[derive(Clone)]
pub struct DefaultStrategy {
    /// Scene scale (3DGS: 1.1 × the largest camera distance from the camera centroid).
    pub scene_extent: f64,
    pub grad_threshold: f64,
    pub percent_dense: f64,
    pub prune_opacity: f64,
    pub prune_scale3d: f64,
    pub prune_screen_px: Option<f64>,
    /// 3DGS: start 500, stop 15 000, every 100, offset 0.
    pub schedule: RefineSchedule,
    pub reset_every: usize,
    pub reset_opacity: f64,
    /// Cap on N after growth: when growth would exceed it, the candidates with the largest gradients win.
    pub max_points: Option<usize>,
    pub state: RefineState,
    rng: ChaCha8Rng,
    history: Vec<RefineStats>,
}

/// Split children's scale divisor (3DGS: 0.8 · 2).
const SPLIT_SCALE_DIVISOR: f64 = 1.6;
/// The run length 3DGS's schedule is written for.
const REFERENCE_STEPS: usize = 30_000;

impl DefaultStrategy {
    /// 3DGS defaults for a scene of the given extent; `seed` drives the split samples.
    pub fn new(scene_extent: f64, seed: u64) -> Self {
        DefaultStrategy {
            scene_extent,
            grad_threshold: 2e-4,
            percent_dense: 0.01,
            prune_opacity: 0.005,
            prune_scale3d: 0.1,
            prune_screen_px: None,
            schedule: RefineSchedule { start: 500, stop: 15_000, every: 100, offset: 0 },
            reset_every: 3_000,
            reset_opacity: 0.01,
            max_points: None,
            state: RefineState::default(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            history: Vec::new(),
        }
    }

    /// Scales the step schedule (start, stop, every, reset) by `total_steps / 30000` when the run is shorter than
    /// 30 000 steps, so a short run goes through the same phases (e.g. 3000 steps: start 50, refine every 10 until
    /// 1500, reset every 300). Longer runs keep the 3DGS numbers.
    pub fn scale_schedule(mut self, total_steps: usize) -> Self {
        let f = (total_steps as f64 / REFERENCE_STEPS as f64).min(1.0);
        let scale = |v: usize| ((v as f64 * f).round() as usize).max(1);
        self.schedule.start = scale(self.schedule.start);
        self.schedule.stop = scale(self.schedule.stop);
        self.schedule.every = scale(self.schedule.every);
        self.reset_every = scale(self.reset_every);
        self
    }

    /// Every refinement so far.
    pub fn history(&self) -> &[RefineStats] {
        &self.history
    }

    /// Mean accumulated screen-space gradient per point (NDC-scaled), 0 where never visible.
    pub fn mean_grads(&self) -> Vec<f64> {
        self.state.mean_grads()
    }

    /// Adds one step's screen-space statistics (what `step_post_backward` does before refining).
    pub fn accumulate(&mut self, n: usize, info: &StepInfo) {
        self.state.accumulate(n, info);
    }

    /// Grows and prunes now (what happens on a scheduled step), then clears the statistics.
    pub fn refine(&mut self, params: &mut PointParams, step: usize) -> RefineStats {
        self.refine_with(params, step, &mut NoHook)
    }

    /// [`Self::refine`] with `hook`'s vetoes.
    pub fn refine_with(&mut self, params: &mut PointParams, step: usize, hook: &mut dyn RefineHook) -> RefineStats {
        let n_before = params.len();
        self.state.resize(n_before);
        let (cloned, split) = self.grow(params, hook);
        let pruned = self.prune(params, step, hook);
        let stats = RefineStats { step, n_before, cloned, split, pruned, n_after: params.len() };
        self.state.clear(params.len());
        self.history.push(stats);
        stats
    }

    /// What `step_post_backward` does, with `hook`'s vetoes: accumulate, refine on schedule, reset opacities.
    pub fn step_with(&mut self, params: &mut PointParams, info: &StepInfo, hook: &mut dyn RefineHook) {
        let step = info.step;
        if !self.schedule.accumulates(step) {
            return;
        }
        self.state.accumulate(params.len(), info);
        if self.schedule.refines(step) {
            self.refine_with(params, step, hook);
        }
        if step > 0 && step % self.reset_every == 0 {
            self.reset_opacities(params);
        }
    }

    /// Clamps opacities to at most `reset_opacity` and zeroes their Adam moments.
    pub fn reset_opacities(&self, params: &mut PointParams) {
        let p = self.reset_opacity.clamp(1e-6, 1.0 - 1e-6);
        let max_logit = splatbench_core::maths::logit(p);
        let value = params.value(OPACITY_LOGITS).clamp_max(max_logit);
        params.replace(OPACITY_LOGITS, value, true);
    }

    fn max_scales(params: &PointParams) -> Vec<f64> {
        let (log_scales, c) = params.to_host(LOG_SCALES);
        log_scales.chunks(c).map(|row| row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64)).exp()).collect()
    }

    /// Clone and split; returns (cloned, split) counts.
    fn grow(&mut self, params: &mut PointParams, hook: &mut dyn RefineHook) -> (usize, usize) {
        let n = params.len();
        let grads = self.state.mean_grads();
        let max_scale = Self::max_scales(params);
        let small_limit = self.percent_dense * self.scene_extent;
        let high: Vec<bool> = grads.iter().map(|&g| g > self.grad_threshold).collect();
        let mut clone: Vec<bool> = (0..n).map(|i| high[i] && max_scale[i] <= small_limit).collect();
        let mut split: Vec<bool> = (0..n).map(|i| high[i] && max_scale[i] > small_limit).collect();
        hook.filter_grow(params, &self.state, &mut clone, &mut split);
        if let Some(cap) = self.max_points {
            let mut candidates: Vec<usize> = (0..n).filter(|&i| clone[i] || split[i]).collect();
            candidates.sort_by(|&a, &b| grads[b].total_cmp(&grads[a]));
            let mut room = cap.saturating_sub(n);
            for i in candidates {
                // Cloning and splitting each add one point.
                if room > 0 {
                    room -= 1;
                } else {
                    clone[i] = false;
                    split[i] = false;
                }
            }
        }
        let clone_idx: Vec<usize> = (0..n).filter(|&i| clone[i]).collect();
        let split_idx: Vec<usize> = (0..n).filter(|&i| split[i]).collect();
        params.append_rows(&clone_idx, &[]);
        if !split_idx.is_empty() {
            self.split(params, &split_idx);
        }
        (clone_idx.len(), split_idx.len())
    }

    /// Appends two sampled children per index and removes the parents.
    fn split(&mut self, params: &mut PointParams, idx: &[usize]) {
        let (means, _) = params.to_host(MEANS);
        let (log_scales, _) = params.to_host(LOG_SCALES);
        let (quats, _) = params.to_host(QUATS);
        let children: Vec<usize> = idx.iter().chain(idx).copied().collect();
        let mut new_means = Vec::with_capacity(children.len() * 3);
        let mut new_log_scales = Vec::with_capacity(children.len() * 3);
        let shrink = SPLIT_SCALE_DIVISOR.ln() as f32;
        for &i in &children {
            let q = [0, 1, 2, 3].map(|k| quats[4 * i + k] as f64);
            let r = quat_to_rotmat_normalising(q);
            let s = [0, 1, 2].map(|k| (log_scales[3 * i + k] as f64).exp());
            let z = [0, 1, 2].map(|k| s[k] * standard_normal(&mut self.rng));
            for row in 0..3 {
                let offset = r[row][0] * z[0] + r[row][1] * z[1] + r[row][2] * z[2];
                new_means.push(means[3 * i + row] + offset as f32);
                new_log_scales.push(log_scales[3 * i + row] - shrink);
            }
        }
        let m = children.len();
        let device = params.device().clone();
        let new_means = Tensor::<2>::from_data(TensorData::new(new_means, [m, 3]), &device);
        let new_log_scales = Tensor::<2>::from_data(TensorData::new(new_log_scales, [m, 3]), &device);
        let n = params.len();
        params.append_rows(&children, &[(MEANS, new_means), (LOG_SCALES, new_log_scales)]);
        let mut keep = vec![true; n + m];
        for &i in idx {
            keep[i] = false;
        }
        params.keep_rows(&keep);
        // Screen radii follow the rows: parents gone, children appended with none (pruning reads them).
        let mut it = keep.iter();
        self.state.max_radii.retain(|_| *it.next().unwrap_or(&false));
    }

    /// Prunes. Screen radii are only known for points that existed before growth (rows `0..max_radii.len()`).
    fn prune(&mut self, params: &mut PointParams, step: usize, hook: &mut dyn RefineHook) -> usize {
        let n = params.len();
        let (logits, _) = params.to_host(OPACITY_LOGITS);
        let mut prune: Vec<bool> = logits.iter().map(|&l| sigmoid(l as f64) < self.prune_opacity).collect();
        if step > self.reset_every {
            let max_scale = Self::max_scales(params);
            let limit = self.prune_scale3d * self.scene_extent;
            for i in 0..n {
                prune[i] |= max_scale[i] > limit;
            }
            if let Some(px) = self.prune_screen_px {
                for (i, &r) in self.state.max_radii.iter().enumerate().take(n) {
                    prune[i] |= r as f64 > px;
                }
            }
        }
        hook.filter_prune(params, &self.state, &mut prune);
        let keep: Vec<bool> = prune.iter().map(|&p| !p).collect();
        params.keep_rows(&keep);
        prune.iter().filter(|&&p| p).count()
    }
}

impl Strategy for DefaultStrategy {
    fn state(&self) -> StrategyState {
        StrategyState::new(&self.state, &self.rng, self.history.clone())
    }

    fn restore(&mut self, s: &StrategyState) -> std::result::Result<(), String> {
        let (state, pos) = s.refine_state()?;
        self.state = state;
        self.rng.set_word_pos(pos);
        self.history = s.history.clone();
        Ok(())
    }

    fn step_post_backward(&mut self, params: &mut PointParams, info: &StepInfo) {
        self.step_with(params, info, &mut NoHook);
    }
}

/// One N(0, 1) sample.
fn standard_normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    box_muller(u1, rng.random::<f64>())
}
