//! The target-supervision term and its weight schedule.
//!
//! For one object with predicted activated channels c (per pixel p and scalar channel k, see
//! [`crate::splat::Splats::channels`]) and a target splatter image with channels c* and opacity O* ∈ [0, 1]:
//!
//! ```text
//! mm(x)_pk = (x_pk − min_p x_pk) / (max_p x_pk − min_p x_pk + ε)        per image and per scalar channel, ε = MM_EPS
//! L_new    = Σ_k mean_p( O*_p · (mm(c)_pk − mm(c*)_pk)² )              k over the 13 scalar channels; opacity excluded
//! ```
//!
//! A constant channel maps to 0 (numerator 0, denominator ε), never NaN. The sum runs over scalar channels (xyz, scale,
//! quaternion and colour components), each normalised on its own. Over a batch the term is the mean over objects.
//!
//! λ(step) = 0 while step < start = ⌊lambda_start · total⌋, then λ_max · (step − start)/(total − start): a linear ramp
//! that reaches λ_max at the end of the run.

use burn::tensor::Tensor;

/// Epsilon of the min-max normalisation: large enough that a nearly constant channel does not turn float noise into
/// a unit-range signal with 1/ε gradients, small against the channels' ranges (≥ 1e-2 for positions and colours).
pub const MM_EPS: f32 = 1e-4;

/// Per-column min-max normalisation of `[P, K]` over its P rows (see the module docs).
pub fn minmax(x: Tensor<2>) -> Tensor<2> {
    let min = x.clone().min_dim(0);
    let max = x.clone().max_dim(0);
    (x - min.clone()) / (max - min).add_scalar(MM_EPS)
}

/// L_new of one object (module docs): `pred` and `target` `[P, K]`, `target_opacity` `[P]`; returns `[1]`.
pub fn target_term(pred: Tensor<2>, target: Tensor<2>, target_opacity: Tensor<1>) -> Tensor<1> {
    let [p, _] = pred.dims();
    let d = minmax(pred) - minmax(target);
    let w = target_opacity.reshape([p, 1]);
    (d.powi_scalar(2) * w).mean_dim(0).sum()
}

/// λ at `step` of a run of `total` steps (module docs).
pub fn lambda(step: usize, total: usize, start_fraction: f64, lambda_max: f64) -> f64 {
    let start = (start_fraction * total as f64).floor() as usize;
    if step < start || total <= start {
        return 0.0;
    }
    lambda_max * (step - start) as f64 / (total - start) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;
    use splatbench_core::Backend;

    fn t2(v: Vec<f32>, shape: [usize; 2]) -> Tensor<2> {
        let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
        Tensor::from_data(TensorData::new(v, shape), &device)
    }

    fn scalar(t: Tensor<1>) -> f64 {
        splatbench_train::tensors::to_vec(t)[0] as f64
    }

    /// 2×2 pixels, 2 channels, worked by hand.
    /// Channel 0: pred (0, 1, 2, 3) → mm = (0, 1, 2, 3)/(3 + ε); target (0, 0, 3, 3) → (0, 0, 3, 3)/(3 + ε);
    ///   d² = (0, 1, 1, 0)/(3 + ε)²; weighted by O* = (1, 1, ½, 0): (0, 1, ½, 0)/(3 + ε)², mean 0.375/(3 + ε)².
    /// Channel 1: pred constant 5 → mm = 0; target (1, 2, 1, 2) → (0, 1, 0, 1)/(1 + ε);
    ///   d²·O* = (0, 1, 0, 0)/(1 + ε)², mean 0.25/(1 + ε)².
    #[test]
    fn hand_computed_two_by_two_by_two() {
        let pred = t2(vec![0.0, 5.0, 1.0, 5.0, 2.0, 5.0, 3.0, 5.0], [4, 2]);
        let target = t2(vec![0.0, 1.0, 0.0, 2.0, 3.0, 1.0, 3.0, 2.0], [4, 2]);
        let o = t2(vec![1.0, 1.0, 0.5, 0.0], [4, 1]).reshape([4]);
        let e = MM_EPS as f64;
        let want = 0.375 / (3.0 + e).powi(2) + 0.25 / (1.0 + e).powi(2);
        let got = scalar(target_term(pred, target, o));
        assert!((got - want).abs() < 1e-6, "got {got}, want {want}");
    }

    #[test]
    fn a_constant_channel_normalises_to_zero_not_nan() {
        let mm = splatbench_train::tensors::to_vec(minmax(t2(vec![7.0; 6], [3, 2])));
        assert!(mm.iter().all(|&v| v == 0.0), "{mm:?}");
        let same =
            target_term(t2(vec![2.0; 4], [4, 1]), t2(vec![9.0; 4], [4, 1]), t2(vec![1.0; 4], [4, 1]).reshape([4]));
        assert_eq!(scalar(same), 0.0);
    }

    #[test]
    fn identical_images_have_zero_loss_and_zero_target_opacity_mutes_it() {
        let a = t2((0..12).map(|i| (i * 7 % 5) as f32).collect(), [4, 3]);
        let b = t2((0..12).map(|i| (i * 3 % 4) as f32).collect(), [4, 3]);
        let ones = t2(vec![1.0; 4], [4, 1]).reshape([4]);
        assert!(scalar(target_term(a.clone(), a.clone(), ones.clone())).abs() < 1e-12);
        assert!(scalar(target_term(a.clone(), b.clone(), ones)) > 0.01);
        assert_eq!(scalar(target_term(a, b, t2(vec![0.0; 4], [4, 1]).reshape([4]))), 0.0);
    }

    #[test]
    fn lambda_is_zero_before_its_start_and_linear_after() {
        let (total, max) = (100, 0.01);
        for step in 0..20 {
            assert_eq!(lambda(step, total, 0.2, max), 0.0, "step {step}");
        }
        for step in 20..100 {
            let want = max * (step - 20) as f64 / 80.0;
            assert!((lambda(step, total, 0.2, max) - want).abs() < 1e-15, "step {step}");
        }
        // Equal increments: linear.
        let d1 = lambda(51, total, 0.2, max) - lambda(50, total, 0.2, max);
        let d2 = lambda(91, total, 0.2, max) - lambda(90, total, 0.2, max);
        assert!((d1 - d2).abs() < 1e-15 && d1 > 0.0);
        assert_eq!(lambda(5, 10, 1.0, max), 0.0);
    }
}
