//! What every densification strategy decides on, as explicit state: the schedule and the screen-space statistics.
//!
//! **Unit.** Per step and visible point (radius > 0), the norm of dL/d(projected pixel mean) in 3DGS's NDC-like
//! units, `‖(gx·W/2, gy·H/2)‖`, is added to `grad_sum` and `count` is incremented; `max_radii` keeps the largest
//! screen radius seen. The mean gradient of a point is `grad_sum / count` (0 when never visible). Every strategy
//! reads these numbers, so thresholds mean the same everywhere.
//!
//! **Schedule.** [`RefineSchedule`]: statistics accumulate while `step < stop`; a refinement happens at `step` when
//! `start < step < stop` and `(step − offset) % every == 0` (3DGS: offset 0; a schedule anchored at its start
//! uses offset = start).

use crate::strategy::StepInfo;

/// When statistics accumulate and refinements happen (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefineSchedule {
    pub start: usize,
    pub stop: usize,
    pub every: usize,
    pub offset: usize,
}

impl RefineSchedule {
    pub fn accumulates(&self, step: usize) -> bool {
        step < self.stop
    }

    pub fn refines(&self, step: usize) -> bool {
        step > self.start && step < self.stop && step >= self.offset && (step - self.offset) % self.every.max(1) == 0
    }
}

/// Screen-space statistics since the last refinement, one entry per point row.
#[derive(Clone, Debug, Default)]
pub struct RefineState {
    /// Σ over visible steps of the NDC-scaled screen gradient norm.
    pub grad_sum: Vec<f64>,
    /// Visible steps.
    pub count: Vec<u32>,
    /// Largest screen radius in pixels.
    pub max_radii: Vec<u32>,
}

impl RefineState {
    /// Adds one step's statistics for `n` points; an empty gradient (no probe) adds nothing.
    ///
    /// # Panics
    /// When `info` has gradients or radii for a different number of points (a trainer bug, not an input error).
    pub fn accumulate(&mut self, n: usize, info: &StepInfo) {
        self.resize(n);
        if info.means2d_grad.is_empty() {
            return;
        }
        assert_eq!(
            info.means2d_grad.len(),
            n,
            "StepInfo: means2d_grad has {} rows for {n} points",
            info.means2d_grad.len()
        );
        assert_eq!(info.radii.len(), n, "StepInfo: radii has {} entries for {n} points", info.radii.len());
        let (sx, sy) = (0.5 * info.width as f64, 0.5 * info.height as f64);
        for i in 0..n {
            let r = info.radii[i];
            if r == 0 {
                continue;
            }
            let [gx, gy] = info.means2d_grad[i];
            self.grad_sum[i] += (gx as f64 * sx).hypot(gy as f64 * sy);
            self.count[i] += 1;
            self.max_radii[i] = self.max_radii[i].max(r);
        }
    }

    /// Mean gradient per point (0 where never visible).
    pub fn mean_grads(&self) -> Vec<f64> {
        self.grad_sum.iter().zip(&self.count).map(|(&g, &c)| if c > 0 { g / c as f64 } else { 0.0 }).collect()
    }

    pub fn len(&self) -> usize {
        self.grad_sum.len()
    }

    pub fn is_empty(&self) -> bool {
        self.grad_sum.is_empty()
    }

    /// Rows added or removed outside a refinement: keep what is known about the surviving prefix.
    pub fn resize(&mut self, n: usize) {
        self.grad_sum.resize(n, 0.0);
        self.count.resize(n, 0);
        self.max_radii.resize(n, 0);
    }

    /// Keep the rows where `keep` is true (the statistics follow pruned rows).
    pub fn keep_rows(&mut self, keep: &[bool]) {
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut it = keep.iter();
            v.retain(|_| *it.next().unwrap_or(&false));
        }
        filter(&mut self.grad_sum, keep);
        filter(&mut self.count, keep);
        filter(&mut self.max_radii, keep);
    }

    /// Zero statistics for `n` points (after a refinement).
    pub fn clear(&mut self, n: usize) {
        *self = RefineState { grad_sum: vec![0.0; n], count: vec![0; n], max_radii: vec![0; n] };
    }
}
