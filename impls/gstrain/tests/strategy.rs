//! DefaultStrategy on hand-built cases: which points are cloned, split and pruned, the NDC gradient scaling,
//! visibility gating, opacity reset, giant pruning, hooks and the schedule scaling.

use burn::tensor::{Device, Tensor, TensorData};
use splatbench_gstrain::gaussians::{LOG_SCALES, MEANS, OPACITY_LOGITS, QUATS, SH};
use splatbench_gstrain::{DefaultStrategy, PointParams, RefineHook, RefineState, StepInfo, Strategy};

#[allow(deprecated)] // ndarray is the CPU backend the workspace builds
fn device() -> Device {
    Device::ndarray().autodiff()
}

use splatbench_core::maths::logit;

/// Points i = 0..n at x = i, with the given per-point isotropic scale and opacity.
fn gaussians(scales: &[f32], opacities: &[f32], d: &Device) -> PointParams {
    let n = scales.len();
    let t = |v: Vec<f32>, c: usize| Tensor::<2>::from_data(TensorData::new(v, [n, c]), d);
    let mut p = PointParams::new(d);
    p.add(MEANS, t((0..n).flat_map(|i| [i as f32, 0.0, 0.0]).collect(), 3), 1e-3);
    p.add(LOG_SCALES, t(scales.iter().flat_map(|s| [s.ln(); 3]).collect(), 3), 1e-3);
    p.add(QUATS, t((0..n).flat_map(|_| [1.0, 0.0, 0.0, 0.0]).collect(), 4), 1e-3);
    p.add(OPACITY_LOGITS, t(opacities.iter().map(|&o| logit(o)).collect(), 1), 1e-3);
    p.add(SH, t((0..n).flat_map(|i| [i as f32; 3]).collect(), 3), 1e-3);
    p
}

/// A strategy that refines at every step ≥ 1 (extent 1, so "small" is max scale ≤ 0.01).
fn eager() -> DefaultStrategy {
    let mut s = DefaultStrategy::new(1.0, 7);
    s.schedule.start = 0;
    s.schedule.every = 1;
    s.reset_every = 1000;
    s
}

fn info<'a>(step: usize, grads: &'a [[f32; 2]], radii: &'a [u32]) -> StepInfo<'a> {
    StepInfo { step, total_steps: 10_000, means2d_grad: grads, radii, width: 100, height: 60 }
}

#[test]
fn clones_small_splits_large_prunes_transparent() {
    let d = device();
    // 0: small, high grad → clone. 1: large, high grad → split. 2: low grad → kept. 3: opacity 0.001 → pruned.
    // 4: high grad but never visible → kept. Pixel grads × (W/2 = 50): 1e-4 → 5e-3, 1e-6 → 5e-5.
    let mut p = gaussians(&[0.005, 0.05, 0.005, 0.005, 0.005], &[0.5, 0.5, 0.5, 0.001, 0.5], &d);
    let grads = [[1e-4, 0.0], [1e-4, 0.0], [1e-6, 0.0], [0.0, 0.0], [1e-2, 1e-2]];
    let radii = [3, 3, 3, 3, 0];
    let mut s = eager();
    s.step_post_backward(&mut p, &info(1, &grads, &radii));
    let stats = s.history()[0];
    assert_eq!((stats.cloned, stats.split, stats.pruned), (1, 1, 1), "{stats:?}");
    assert_eq!((stats.n_before, stats.n_after), (5, 6));
    assert_eq!(p.len(), 6);
    // Order: survivors of the original rows (0, 2, 4), the clone of 0, the two children of 1.
    let (sh, _) = p.to_host(SH);
    let ids: Vec<f32> = sh.chunks(3).map(|r| r[0]).collect();
    assert_eq!(ids, vec![0.0, 2.0, 4.0, 0.0, 1.0, 1.0]);
    let (means, _) = p.to_host(MEANS);
    let (log_scales, _) = p.to_host(LOG_SCALES);
    assert_eq!(&means[9..12], &[0.0, 0.0, 0.0], "a clone is an exact copy");
    for child in [4, 5] {
        let m = &means[3 * child..3 * child + 3];
        let dist = ((m[0] - 1.0).powi(2) + m[1].powi(2) + m[2].powi(2)).sqrt();
        assert!(dist > 0.0 && dist < 0.05 * 5.0, "child {child} sampled from the parent: {m:?}");
        let want = (0.05f32 / 1.6).ln();
        assert!(log_scales[3 * child..3 * child + 3].iter().all(|&l| (l - want).abs() < 1e-5));
    }
    assert_ne!(&means[12..15], &means[15..18], "two different samples");
}

#[test]
fn gradient_is_scaled_to_ndc_and_averaged_over_visible_steps() {
    let d = device();
    // |g|·W/2: 3e-6·50 = 1.5e-4 (below 2e-4), 5e-6·50 = 2.5e-4 (above); y uses H/2 = 30: 6e-6·30 = 1.8e-4.
    let mut p = gaussians(&[0.005; 3], &[0.5; 3], &d);
    let grads = [[3e-6, 0.0], [5e-6, 0.0], [0.0, 6e-6]];
    let mut s = eager();
    s.schedule.every = 2;
    s.step_post_backward(&mut p, &info(1, &grads, &[1, 1, 1]));
    assert_eq!(p.len(), 3);
    // Second step: point 0 invisible (does not dilute its mean), point 1 visible with zero gradient (halves it).
    s.step_post_backward(&mut p, &info(2, &[[0.0, 0.0], [0.0, 0.0], [0.0, 6e-6]], &[0, 1, 1]));
    let stats = s.history()[0];
    assert_eq!(stats.cloned, 0, "means 1.5e-4, 1.25e-4, 1.8e-4 are all below 2e-4: {stats:?}");
    let mut s = eager();
    let mut p = gaussians(&[0.005; 3], &[0.5; 3], &d);
    s.step_post_backward(&mut p, &info(1, &grads, &[1, 1, 1]));
    assert_eq!(s.history()[0].cloned, 1, "only 2.5e-4 passes");
}

#[test]
fn opacity_reset_and_giant_pruning_follow_the_schedule() {
    let d = device();
    let mut p = gaussians(&[0.005, 0.5, 0.005], &[0.9, 0.9, 0.004], &d);
    let mut s = DefaultStrategy::new(1.0, 1);
    s.schedule.start = 5;
    s.schedule.every = 10;
    s.reset_every = 20;
    let none = [[0.0f32; 2]; 3];
    let vis = [1u32; 3];
    // Refinements at steps 10, 20, 30. Step 10: before the first reset: only the transparent point goes; the giant (0.5 > 0.1) stays.
    for step in 0..=10 {
        s.step_post_backward(&mut p, &info(step, &none, &vis));
    }
    assert_eq!(p.len(), 2);
    // Step 20: refinement (giant not yet pruned: needs step > reset_every), then the reset to ≤ 0.01.
    for step in 11..=20 {
        s.step_post_backward(&mut p, &info(step, &none[..2], &vis[..2]));
    }
    assert_eq!(p.len(), 2);
    let (logits, _) = p.to_host(OPACITY_LOGITS);
    assert!(logits.iter().all(|&l| (l - logit(0.01)).abs() < 1e-5), "{logits:?}");
    // Step 30: the reset opacities (0.01 ≥ 0.005) survive, the world-space giant is pruned.
    for step in 21..=30 {
        let n = p.len();
        s.step_post_backward(&mut p, &info(step, &none[..n], &vis[..n]));
    }
    assert_eq!(p.len(), 1);
    assert!(p.to_host(LOG_SCALES).0[0] < 0.0);
    // Past refine_stop nothing happens.
    s.schedule.stop = 31;
    let (before, _) = p.to_host(OPACITY_LOGITS);
    s.step_post_backward(&mut p, &info(40, &none[..1], &vis[..1]));
    assert_eq!(p.to_host(OPACITY_LOGITS).0, before);
    assert_eq!(s.history().len(), 3);
}

#[test]
fn screen_space_giants_are_pruned_only_when_enabled() {
    let d = device();
    for (limit, want) in [(None, 2), (Some(20.0), 1)] {
        let mut p = gaussians(&[0.005, 0.005], &[0.9, 0.9], &d);
        let mut s = eager();
        s.reset_every = 1;
        s.prune_screen_px = limit;
        s.step_post_backward(&mut p, &info(2, &[[0.0; 2]; 2], &[5, 25]));
        assert_eq!(p.len(), want, "limit {limit:?}");
    }
}

struct VetoFirst;

impl RefineHook for VetoFirst {
    fn filter_grow(&mut self, _p: &PointParams, state: &RefineState, clone: &mut [bool], split: &mut [bool]) {
        // The hook sees the statistics the decision is made on: rows 0 and 2 were visible once each.
        assert_eq!(state.count, vec![1, 1, 1]);
        clone[0] = false;
        split[0] = false;
    }
    fn filter_prune(&mut self, _p: &PointParams, _state: &RefineState, prune: &mut [bool]) {
        prune[1] = false;
    }
}

#[test]
fn hooks_veto_growth_and_pruning() {
    let d = device();
    let mut p = gaussians(&[0.005, 0.005, 0.005], &[0.5, 0.001, 0.5], &d);
    let mut s = eager();
    s.step_with(&mut p, &info(1, &[[1e-4, 0.0], [0.0, 0.0], [1e-4, 0.0]], &[1, 1, 1]), &mut VetoFirst);
    let stats = s.history()[0];
    assert_eq!((stats.cloned, stats.split, stats.pruned, stats.n_after), (1, 0, 0, 4), "{stats:?}");
}

#[test]
fn max_points_keeps_the_largest_gradients() {
    let d = device();
    let mut p = gaussians(&[0.005; 4], &[0.5; 4], &d);
    let mut s = eager();
    s.max_points = Some(6);
    s.step_post_backward(&mut p, &info(1, &[[1e-4, 0.0], [3e-4, 0.0], [2e-4, 0.0], [1e-6, 0.0]], &[1; 4]));
    assert_eq!(p.len(), 6);
    let ids: Vec<f32> = p.to_host(SH).0.chunks(3).map(|r| r[0]).collect();
    assert_eq!(ids, vec![0.0, 1.0, 2.0, 3.0, 1.0, 2.0]);
}

#[test]
fn schedule_scales_down_for_short_runs_only() {
    let s = DefaultStrategy::new(1.0, 0).scale_schedule(3000);
    assert_eq!((s.schedule.start, s.schedule.stop, s.schedule.every, s.reset_every), (50, 1500, 10, 300));
    let s = DefaultStrategy::new(1.0, 0).scale_schedule(60_000);
    assert_eq!((s.schedule.start, s.schedule.stop, s.schedule.every, s.reset_every), (500, 15_000, 100, 3000));
    let s = DefaultStrategy::new(1.0, 0).scale_schedule(10);
    assert!(s.schedule.every >= 1 && s.reset_every >= 1);
}
