//! Progressive densification: grow from a few hundred points towards `max_points` on a fixed schedule.
//!
//! Between refinement steps the strategy accumulates gstrain's [`RefineState`]: per point, the norm of the
//! screen-space gradient in 3DGS's NDC-like units `‖(gx·W/2, gy·H/2)‖` over the steps the point was visible
//! (radius > 0); only its ranking matters here.
//! Every `every` steps inside [`from`, `until`]:
//! 1. prune points with opacity below `prune_opacity` (unless that would leave fewer than `MIN_POINTS`);
//! 2. the *allowed* count rises linearly from `init_points` at `from` to `max_points` at `until`:
//!    `target(s) = init + (max − init) · (s − from) / (until − from)`, capped at `max_points`;
//! 3. the `k = min(target − n, n)` points with the largest mean gradient (those the loss most wants to move: under-
//!    reconstructed regions) are cloned; each clone is displaced from its parent by a normal offset of
//!    `jitter · scale` per axis and has fresh Adam moments (gstrain's `append_rows`). Cloning at most doubles the
//!    count per refinement, so growth follows the schedule only as fast as there are gradients to justify it.
//!
//! Invariant (asserted): the count never exceeds `max_points`. The strategy records `(step, count)` after every
//! refinement in `history`.

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use splatbench_gstrain::{PointParams, RefineSchedule, RefineState, StepInfo, Strategy};

use crate::points::{mean_scales, opacities};

/// Pruning never leaves fewer points than this.
const MIN_POINTS: usize = 16;

/// The knobs of [`ProgressiveStrategy`].
#[derive(Clone, Copy, Debug)]
pub struct ProgressiveConfig {
    pub init_points: usize,
    pub max_points: usize,
    /// Refine every this many steps inside [`from`, `until`].
    pub every: usize,
    pub from: usize,
    pub until: usize,
    /// Clone displacement per axis, in units of the parent's scale.
    pub jitter: f64,
    pub prune_opacity: f64,
}

impl Default for ProgressiveConfig {
    fn default() -> Self {
        ProgressiveConfig {
            init_points: 500,
            max_points: 10_000,
            every: 100,
            from: 0,
            until: 1000,
            jitter: 0.5,
            prune_opacity: 0.005,
        }
    }
}

pub struct ProgressiveStrategy {
    pub config: ProgressiveConfig,
    /// Refinements at `from < step ≤ until`, every `every` steps counted from `from`.
    pub schedule: RefineSchedule,
    pub state: RefineState,
    /// (step, point count) after every refinement.
    pub history: Vec<(usize, usize)>,
    rng: ChaCha8Rng,
}

impl ProgressiveStrategy {
    pub fn new(config: ProgressiveConfig, seed: u64) -> Self {
        assert!(config.init_points <= config.max_points && config.every > 0);
        let config = ProgressiveConfig { until: config.until.max(config.from), ..config };
        ProgressiveStrategy {
            schedule: RefineSchedule {
                start: config.from,
                stop: config.until + 1,
                every: config.every,
                offset: config.from,
            },
            config,
            state: RefineState::default(),
            history: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15),
        }
    }

    /// The point count the schedule allows at `step`.
    pub fn target(&self, step: usize) -> usize {
        let c = &self.config;
        if step <= c.from {
            return c.init_points;
        }
        if step >= c.until {
            return c.max_points;
        }
        let t = (step - c.from) as f64 / (c.until - c.from) as f64;
        (c.init_points as f64 + (c.max_points - c.init_points) as f64 * t).round() as usize
    }

    fn normal(&mut self) -> f64 {
        // 1 − u keeps the log argument in (0, 1].
        let (u, v): (f64, f64) = (self.rng.random(), self.rng.random());
        splatbench_core::maths::box_muller(1.0 - u, v)
    }

    fn refine(&mut self, params: &mut PointParams, step: usize) {
        // 1. prune transparent points
        let op = opacities(params);
        let keep: Vec<bool> = op.iter().map(|&o| o as f64 >= self.config.prune_opacity).collect();
        let kept = keep.iter().filter(|&&k| k).count();
        if kept < keep.len() && kept >= MIN_POINTS {
            params.keep_rows(&keep);
            self.state.keep_rows(&keep);
        }
        // 2-3. clone the highest-gradient points up to the schedule's count
        let n = params.len();
        let k = self.target(step).min(self.config.max_points).saturating_sub(n).min(n);
        let s = &self.state;
        let mut order: Vec<(f64, usize)> = (0..n)
            .filter(|&i| s.count[i] > 0 && s.grad_sum[i] > 0.0)
            .map(|i| (s.grad_sum[i] / s.count[i] as f64, i))
            .collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0));
        let idx: Vec<usize> = order.iter().take(k).map(|&(_, i)| i).collect();
        if !idx.is_empty() {
            let means = params.get("means").detach().into_data().try_into_vec_as::<f32>().expect("f32 means");
            let scales = mean_scales(params);
            let mut moved = Vec::with_capacity(idx.len() * 3);
            for &i in &idx {
                for c in 0..3 {
                    moved.push(means[i * 3 + c] + (self.config.jitter * scales[i] as f64 * self.normal()) as f32);
                }
            }
            let device = params.get("means").device();
            let value =
                burn::tensor::Tensor::<2>::from_data(burn::tensor::TensorData::new(moved, [idx.len(), 3]), &device);
            params.append_rows(&idx, &[("means", value)]);
        }
        assert!(
            params.len() <= self.config.max_points,
            "point count {} exceeds the maximum {}",
            params.len(),
            self.config.max_points
        );
        self.state.clear(params.len());
        self.history.push((step, params.len()));
    }
}

impl Strategy for ProgressiveStrategy {
    fn step_post_backward(&mut self, params: &mut PointParams, info: &StepInfo) {
        if self.schedule.accumulates(info.step) {
            self.state.accumulate(params.len(), info);
        }
        if self.schedule.refines(info.step) {
            self.refine(params, info.step);
        }
    }

    /// The statistics and the jitter stream; the history (point counts, not [`splatbench_gstrain::RefineStats`])
    /// travels beside it in the head checkpoint.
    fn state(&self) -> splatbench_gstrain::StrategyState {
        splatbench_gstrain::StrategyState::new(&self.state, &self.rng, Vec::new())
    }

    fn restore(&mut self, s: &splatbench_gstrain::StrategyState) -> std::result::Result<(), String> {
        let (state, pos) = s.refine_state()?;
        self.state = state;
        self.rng.set_word_pos(pos);
        Ok(())
    }
}
