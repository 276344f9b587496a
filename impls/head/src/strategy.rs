//! Progressive densification: grow from a few hundred points towards `max_points` on a fixed schedule.
//!
//! Between refinement steps the strategy accumulates, per point, the norm of the screen-space gradient
//! `‖∂L/∂means2d‖` (pixels, from the renderer's probe) over the steps the point was visible (radius > 0).
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
use splatbench_gstrain::{PointParams, StepInfo, Strategy};

use crate::points::{mean_scales, opacities};

/// Pruning never leaves fewer points than this.
const MIN_POINTS: usize = 16;

pub struct ProgressiveStrategy {
    pub init_points: usize,
    pub max_points: usize,
    pub every: usize,
    pub from: usize,
    pub until: usize,
    pub jitter: f64,
    pub prune_opacity: f64,
    /// (step, point count) after every refinement.
    pub history: Vec<(usize, usize)>,
    grad_sum: Vec<f64>,
    seen: Vec<u32>,
    rng: ChaCha8Rng,
}

impl ProgressiveStrategy {
    pub fn new(
        init_points: usize,
        max_points: usize,
        every: usize,
        from: usize,
        until: usize,
        jitter: f64,
        prune_opacity: f64,
        seed: u64,
    ) -> Self {
        assert!(init_points <= max_points && every > 0);
        ProgressiveStrategy {
            init_points,
            max_points,
            every,
            from,
            until: until.max(from),
            jitter,
            prune_opacity,
            history: Vec::new(),
            grad_sum: Vec::new(),
            seen: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x9E37_79B9_7F4A_7C15),
        }
    }

    /// The point count the schedule allows at `step`.
    pub fn target(&self, step: usize) -> usize {
        if step <= self.from {
            return self.init_points;
        }
        if step >= self.until {
            return self.max_points;
        }
        let t = (step - self.from) as f64 / (self.until - self.from) as f64;
        (self.init_points as f64 + (self.max_points - self.init_points) as f64 * t).round() as usize
    }

    fn is_refine_step(&self, step: usize) -> bool {
        step > self.from && step <= self.until && (step - self.from) % self.every == 0
    }

    fn normal(&mut self) -> f64 {
        // 1 − u keeps the log argument in (0, 1].
        let (u, v): (f64, f64) = (self.rng.random(), self.rng.random());
        splatbench_core::maths::box_muller(1.0 - u, v)
    }

    fn refine(&mut self, params: &mut PointParams, step: usize) {
        // 1. prune transparent points
        let op = opacities(params);
        let keep: Vec<bool> = op.iter().map(|&o| o as f64 >= self.prune_opacity).collect();
        let kept = keep.iter().filter(|&&k| k).count();
        if kept < keep.len() && kept >= MIN_POINTS {
            params.keep_rows(&keep);
            self.grad_sum = keep_where(&self.grad_sum, &keep);
            self.seen = keep_where(&self.seen, &keep);
        }
        // 2-3. clone the highest-gradient points up to the schedule's count
        let n = params.len();
        let k = self.target(step).min(self.max_points).saturating_sub(n).min(n);
        let mut order: Vec<(f64, usize)> = (0..n)
            .filter(|&i| self.seen[i] > 0 && self.grad_sum[i] > 0.0)
            .map(|i| (self.grad_sum[i] / self.seen[i] as f64, i))
            .collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0));
        let idx: Vec<usize> = order.iter().take(k).map(|&(_, i)| i).collect();
        if !idx.is_empty() {
            let means = params.get("means").detach().into_data().try_into_vec_as::<f32>().expect("f32 means");
            let scales = mean_scales(params);
            let mut moved = Vec::with_capacity(idx.len() * 3);
            for &i in &idx {
                for c in 0..3 {
                    moved.push(means[i * 3 + c] + (self.jitter * scales[i] as f64 * self.normal()) as f32);
                }
            }
            let device = params.get("means").device();
            let value =
                burn::tensor::Tensor::<2>::from_data(burn::tensor::TensorData::new(moved, [idx.len(), 3]), &device);
            params.append_rows(&idx, &[("means", value)]);
        }
        assert!(
            params.len() <= self.max_points,
            "point count {} exceeds the maximum {}",
            params.len(),
            self.max_points
        );
        self.grad_sum = vec![0.0; params.len()];
        self.seen = vec![0; params.len()];
        self.history.push((step, params.len()));
    }
}

fn keep_where<T: Copy>(v: &[T], keep: &[bool]) -> Vec<T> {
    v.iter().zip(keep).filter(|(_, k)| **k).map(|(x, _)| *x).collect()
}

impl Strategy for ProgressiveStrategy {
    fn step_post_backward(&mut self, params: &mut PointParams, info: &StepInfo) {
        let n = params.len();
        if self.grad_sum.len() != n {
            self.grad_sum = vec![0.0; n];
            self.seen = vec![0; n];
        }
        for (i, (g, &r)) in info.means2d_grad.iter().zip(info.radii).enumerate().take(n) {
            if r > 0 {
                self.grad_sum[i] += (g[0] as f64).hypot(g[1] as f64);
                self.seen[i] += 1;
            }
        }
        if self.is_refine_step(info.step) {
            self.refine(params, info.step);
        }
    }
}
