//! [`RoiStrategy`]: 3DGS densification ([`DefaultStrategy`]) varied by region of interest.
//!
//! The wrapped strategy runs with the *ROI* gradient threshold `τ_roi = roi_grad_factor · τ` (more eager), and a
//! [`RefineHook`] restores the plain behaviour outside:
//! - grow: a candidate outside the ROI is vetoed unless its mean screen-space gradient also exceeds the base
//!   threshold `τ` (so outside nothing changes, inside points with gradient in (τ_roi, τ] are also densified);
//! - prune: outside the ROI, Gaussians with opacity below `outside_prune_opacity` (stricter than the default's
//!   0.005) are pruned as well; inside, the default rules alone apply.
//!
//! Gating ([`RoiGate`]) is evaluated on the current means at every refinement: before growth for the growth
//! decision, and again on the grown set for pruning (clones and split children sit near their parent but may
//! cross the ROI border). The schedule and the statistics are [`DefaultStrategy`]'s: it hands the hook the explicit
//! [`RefineState`] each decision is made on, so no state is shared behind the strategy's back.

use crate::gating::RoiGate;
use splatbench_core::maths::sigmoid;
use splatbench_gstrain::gaussians::{MEANS, OPACITY_LOGITS};
use splatbench_gstrain::{DefaultStrategy, PointParams, RefineHook, RefineState, StepInfo, Strategy};

/// The ROI's vetoes; it decides on the [`RefineState`] the wrapped strategy hands it.
struct RoiHook {
    gate: RoiGate,
    base_threshold: f64,
    outside_prune_opacity: f64,
}

impl RefineHook for RoiHook {
    fn filter_grow(&mut self, params: &PointParams, state: &RefineState, clone: &mut [bool], split: &mut [bool]) {
        let inside = self.gate.classify(&params.to_host(MEANS).0);
        let grads = state.mean_grads();
        for i in 0..clone.len() {
            if !inside[i] && grads.get(i).is_none_or(|&g| g <= self.base_threshold) {
                clone[i] = false;
                split[i] = false;
            }
        }
    }

    fn filter_prune(&mut self, params: &PointParams, _state: &RefineState, prune: &mut [bool]) {
        let inside = self.gate.classify(&params.to_host(MEANS).0);
        let (logits, _) = params.to_host(OPACITY_LOGITS);
        for (i, p) in prune.iter_mut().enumerate() {
            if !inside[i] && sigmoid(logits[i] as f64) < self.outside_prune_opacity {
                *p = true;
            }
        }
    }
}

/// 3DGS densification with ROI-dependent thresholds (see the module docs).
pub struct RoiStrategy {
    inner: DefaultStrategy,
    hook: RoiHook,
}

impl RoiStrategy {
    /// Wraps `inner` (configured with the *base* threshold τ); `roi_grad_factor` < 1 makes the ROI more eager.
    pub fn new(mut inner: DefaultStrategy, gate: RoiGate, roi_grad_factor: f64, outside_prune_opacity: f64) -> Self {
        let base_threshold = inner.grad_threshold;
        inner.grad_threshold = base_threshold * roi_grad_factor;
        RoiStrategy { inner, hook: RoiHook { gate, base_threshold, outside_prune_opacity } }
    }

    pub fn inner(&self) -> &DefaultStrategy {
        &self.inner
    }

    /// The gate the strategy classifies with.
    pub fn gate(&self) -> &RoiGate {
        &self.hook.gate
    }

    /// In-ROI flag per current point.
    pub fn classify(&self, params: &PointParams) -> Vec<bool> {
        self.hook.gate.classify(&params.to_host(MEANS).0)
    }
}

impl Strategy for RoiStrategy {
    fn step_post_backward(&mut self, params: &mut PointParams, info: &StepInfo) {
        self.inner.step_with(params, info, &mut self.hook);
    }
    // The gate is fixed by the views; all that changes is the wrapped strategy's.
    fn state(&self) -> splatbench_gstrain::StrategyState {
        self.inner.state()
    }
    fn restore(&mut self, state: &splatbench_gstrain::StrategyState) -> std::result::Result<(), String> {
        self.inner.restore(state)
    }
}

#[cfg(test)]
#[allow(deprecated)] // burn 0.22 deprecates the ndarray device; the project keeps it as its CPU backend.
mod tests {
    use super::*;
    use crate::roi::ViewRoi;
    use burn::tensor::{Device, Tensor, TensorData};
    use splatbench_core::Camera;
    use splatbench_gstrain::gaussians::{LOG_SCALES, QUATS, SH};

    const W: u32 = 16;

    /// One camera at the origin looking down +z whose ROI is the left half of the image.
    fn gate() -> RoiGate {
        let mut m = [[0.0; 4]; 4];
        for (i, row) in m.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        let camera =
            Camera { width: W, height: W, fx: 16.0, fy: 16.0, cx: 8.0, cy: 8.0, world_to_camera: m, distortion: None };
        let weight = (0..W * W).map(|i| if i % W < W / 2 { 1.0 } else { 0.0 }).collect();
        RoiGate::new(vec![ViewRoi { camera, weight, depth_range: None, alignment: None }], 1)
    }

    /// Five small Gaussians at z = 4; x = −1 lands in the ROI (u = 4), x = +1 outside (u = 12).
    /// (x, opacity, screen gradient in 3DGS units):
    /// 0 in,  0.5,  1.5e-4 — between the ROI threshold 1e-4 and the base 2e-4
    /// 1 out, 0.5,  1.5e-4 — same gradient outside
    /// 2 out, 0.5,  3e-4   — above both
    /// 3 out, 0.01, 0      — faint outside: above the default prune opacity 0.005, below the outside one 0.02
    /// 4 in,  0.01, 0      — faint inside
    fn case() -> (PointParams, Vec<[f32; 2]>) {
        let device = Device::ndarray();
        let xs = [-1.0f32, 1.0, 1.0, 1.0, -1.0];
        let opacity = [0.5f64, 0.5, 0.5, 0.01, 0.01];
        let grad = [1.5e-4f32, 1.5e-4, 3e-4, 0.0, 0.0];
        let n = xs.len();
        let t = |v: Vec<f32>, c: usize| Tensor::<2>::from_data(TensorData::new(v, [n, c]), &device);
        let mut p = PointParams::new(&device);
        p.add(MEANS, t(xs.iter().enumerate().flat_map(|(i, &x)| [x, 0.1 * i as f32, 4.0]).collect(), 3), 0.0);
        p.add(LOG_SCALES, t(vec![(1e-3f32).ln(); n * 3], 3), 0.0);
        p.add(QUATS, t((0..n).flat_map(|_| [1.0, 0.0, 0.0, 0.0]).collect(), 4), 0.0);
        p.add(OPACITY_LOGITS, t(opacity.iter().map(|&o| splatbench_core::maths::logit(o) as f32).collect(), 1), 0.0);
        p.add(SH, t(vec![0.0; n * 3], 3), 0.0);
        // Gradient norm in 3DGS units is |gx|·W/2.
        let g = grad.iter().map(|&g| [g / (0.5 * W as f32), 0.0]).collect();
        (p, g)
    }

    fn strategy() -> DefaultStrategy {
        let mut s = DefaultStrategy::new(1.0, 0);
        (s.schedule.start, s.schedule.every, s.schedule.stop, s.reset_every) = (0, 1, 100, 1000);
        s
    }

    fn run(s: &mut dyn Strategy, p: &mut PointParams, g: &[[f32; 2]]) {
        let radii = vec![3u32; p.len()];
        s.step_post_backward(
            p,
            &StepInfo { step: 1, total_steps: 100, means2d_grad: g, radii: &radii, width: W, height: W },
        );
    }

    #[test]
    fn roi_densifies_more_eagerly_inside_and_prunes_harder_outside() {
        let (mut plain_p, g) = case();
        let mut plain = strategy();
        run(&mut plain, &mut plain_p, &g);
        let h = plain.history()[0];
        assert_eq!((h.cloned, h.split, h.pruned, h.n_after), (1, 0, 0, 6), "default: clones #2 only, prunes none");

        let (mut roi_p, g) = case();
        let mut roi = RoiStrategy::new(strategy(), gate(), 0.5, 0.02);
        assert_eq!(roi.classify(&roi_p), vec![true, false, false, false, true]);
        run(&mut roi, &mut roi_p, &g);
        let h = roi.inner().history()[0];
        assert_eq!((h.cloned, h.split, h.pruned, h.n_after), (2, 0, 1, 6), "roi: clones #0 and #2, prunes #3");
        // Survivors: 0, 1, 2, 4 and the clones of 0 and 2 (appended in index order).
        let ys: Vec<f32> = roi_p.to_host(MEANS).0.chunks(3).map(|m| m[1]).collect();
        let want = [0.0, 0.1, 0.2, 0.4, 0.0, 0.2];
        assert!(ys.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-6), "{ys:?}");
        assert_eq!(roi.classify(&roi_p).iter().filter(|&&r| r).count(), 3);
    }
}
