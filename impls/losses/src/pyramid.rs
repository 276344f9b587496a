//! Laplacian-pyramid L1 loss with a coarse→fine weight schedule.
//!
//! Pyramid (Burt–Adelson, edge-replicated borders). With `G_0` the image and `B` the separable 5-tap binomial
//! blur `[1, 4, 6, 4, 1] / 16`:
//! - `G_{k+1} = down(B * G_k)`: every second pixel of the blurred level, so a level of size h × w has a parent of
//!   ceil(h/2) × ceil(w/2);
//! - `up(G)`: nearest-neighbour 2× upsampling cropped to the child's size, then `B` (the blur removes the block
//!   edges nearest upsampling makes);
//! - `L_k = G_k − up(G_{k+1})` for k < K − 1 and `L_{K−1} = G_{K−1}` (the low-pass residual), so
//!   `G_0 = L_0 + up(L_1 + up(L_2 + …))` exactly: the levels partition the image's content by frequency band.
//!
//! Level k = 0 is the finest (full resolution) and k = K − 1 the coarsest; every `Vec` indexed by level here uses
//! that order.
//!
//! Loss: `Σ_k w_k · mean |L_k(pred) − L_k(target)|` (mean over the level's pixels and channels, so a level's
//! weight is not scaled by its pixel count). Every step of the pyramid is linear, so
//! `L_k(pred) − L_k(target) = L_k(pred − target)`: [`pyramid_l1`] builds one pyramid, of the difference.
//!
//! Schedule ([`dynamic_weights`]): a Gaussian bump over the level index whose centre moves linearly from the
//! coarsest level at progress 0 to the finest at progress 1,
//! `c(t) = (K − 1)(1 − t)`, `w_k(t) ∝ exp(−(k − c(t))² / (2σ²))` with σ = [`SCHEDULE_SIGMA`] levels, normalised
//! to sum to 1. Early training thus fits the coarse layout (where a Gaussian's gradient is not yet drowned in
//! high-frequency error) and late training the detail; the weighted mean level `Σ k·w_k` decreases
//! monotonically with t.

use burn::tensor::module::conv2d;
use burn::tensor::ops::{ConvOptions, PadMode};
use burn::tensor::{Tensor, TensorData};

/// Width (in levels) of the schedule's Gaussian bump.
pub const SCHEDULE_SIGMA: f64 = 0.75;

const BINOMIAL5: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];

/// Separable binomial blur of `[1, C, H, W]` with edge-replicated borders, sampling every `stride`-th pixel.
fn blur(x: Tensor<4>, stride: usize) -> Tensor<4> {
    let [_, c, _, _] = x.dims();
    let device = x.device();
    let taps: Vec<f32> = (0..c).flat_map(|_| BINOMIAL5).collect();
    let horizontal = Tensor::<4>::from_data(TensorData::new(taps.clone(), [c, 1, 1, 5]), &device);
    let vertical = Tensor::<4>::from_data(TensorData::new(taps, [c, 1, 5, 1]), &device);
    let x = x.pad((2, 2, 2, 2), PadMode::Edge);
    let x = conv2d(x, horizontal, None, ConvOptions::new([1, stride], [0, 0], [1, 1], c));
    conv2d(x, vertical, None, ConvOptions::new([stride, 1], [0, 0], [1, 1], c))
}

/// Nearest-neighbour 2× upsampling of `[1, C, h, w]`, cropped to `height` × `width`, then blurred.
fn upsample(x: Tensor<4>, height: usize, width: usize) -> Tensor<4> {
    let [_, c, h, w] = x.dims();
    let doubled = x.reshape([c, h, 1, w, 1]).repeat_dim(2, 2).repeat_dim(4, 2).reshape([1, c, 2 * h, 2 * w]);
    blur(doubled.slice([0..1, 0..c, 0..height, 0..width]), 1)
}

/// The Laplacian pyramid of an `[H, W, C]` image: `levels` tensors `[h_k, w_k, C]`, finest first, the last
/// being the low-pass residual. `levels` is at least 1 (one level is the image itself).
pub fn laplacian_pyramid(img: Tensor<3>, levels: usize) -> Vec<Tensor<3>> {
    assert!(levels >= 1, "a pyramid has at least one level");
    let mut gauss = img.permute([2, 0, 1]).unsqueeze::<4>();
    let mut out = Vec::with_capacity(levels);
    for _ in 1..levels {
        let [_, _, h, w] = gauss.dims();
        let coarser = blur(gauss.clone(), 2);
        out.push(gauss - upsample(coarser.clone(), h, w));
        gauss = coarser;
    }
    out.push(gauss);
    out.into_iter().map(|l| l.squeeze_dim::<3>(0).permute([1, 2, 0])).collect()
}

/// `Σ_k weights[k] · mean |L_k(pred) − L_k(target)|` over `weights.len()` levels (finest first); a scalar
/// tensor `[1]`. `pred` and `target` are `[H, W, C]` of the same shape.
pub fn pyramid_l1(pred: Tensor<3>, target: Tensor<3>, weights: &[f64]) -> Tensor<1> {
    assert!(!weights.is_empty(), "pyramid_l1 needs at least one level weight");
    assert_eq!(pred.dims(), target.dims(), "pyramid_l1: pred and target differ in shape");
    laplacian_pyramid(pred - target, weights.len())
        .into_iter()
        .zip(weights)
        .map(|(level, &w)| level.abs().mean().mul_scalar(w))
        .reduce(|a, b| a + b)
        .expect("at least one level")
}

/// Level weights (finest first) at training progress `progress` ∈ [0, 1] (clamped): all weight near the
/// coarsest level at 0, near the finest at 1; they sum to 1 at every t. See the module docs.
pub fn dynamic_weights(levels: usize, progress: f64) -> Vec<f64> {
    assert!(levels >= 1, "a pyramid has at least one level");
    let t = if progress.is_finite() { progress.clamp(0.0, 1.0) } else { 0.0 };
    let centre = (levels - 1) as f64 * (1.0 - t);
    let raw: Vec<f64> =
        (0..levels).map(|k| (-(k as f64 - centre).powi(2) / (2.0 * SCHEDULE_SIGMA * SCHEDULE_SIGMA)).exp()).collect();
    let total: f64 = raw.iter().sum();
    raw.into_iter().map(|w| w / total).collect()
}

#[cfg(test)]
#[allow(deprecated)] // burn 0.22 deprecates the ndarray device; the project keeps it as its CPU backend.
mod tests {
    use super::*;
    use burn::tensor::Device;

    fn image(h: usize, w: usize, seed: u32, device: &Device) -> Tensor<3> {
        // A deterministic pattern with content at several frequencies.
        let data: Vec<f32> = (0..h * w * 3)
            .map(|i| {
                let (y, x, c) = ((i / 3) / w, (i / 3) % w, i % 3);
                let v = ((x as f32 * 0.7 + seed as f32).sin() + (y as f32 * 0.23 + c as f32).cos()) * 0.25 + 0.5;
                v + if (x + y + seed as usize) % 5 == 0 { 0.1 } else { 0.0 }
            })
            .collect();
        Tensor::<3>::from_data(TensorData::new(data, [h, w, 3]), device)
    }

    fn to_vec(t: Tensor<3>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn loss_is_zero_for_equal_images_and_positive_otherwise() {
        let device = Device::ndarray();
        let a = image(21, 17, 0, &device);
        let w = dynamic_weights(4, 0.3);
        let same = pyramid_l1(a.clone(), a.clone(), &w).into_scalar::<f32>();
        assert_eq!(same, 0.0);
        let diff = pyramid_l1(a, image(21, 17, 3, &device), &w).into_scalar::<f32>();
        assert!(diff > 1e-3, "different images give loss {diff}");
    }

    #[test]
    fn pyramid_shapes_halve_with_ceiling_and_levels_reconstruct_the_image() {
        let device = Device::ndarray();
        let img = image(21, 17, 1, &device);
        let pyr = laplacian_pyramid(img.clone(), 4);
        let dims: Vec<[usize; 3]> = pyr.iter().map(|l| l.dims()).collect();
        assert_eq!(dims, vec![[21, 17, 3], [11, 9, 3], [6, 5, 3], [3, 3, 3]]);
        // Collapse: G_k = L_k + up(G_{k+1}).
        let mut g = pyr.last().unwrap().clone().permute([2, 0, 1]).unsqueeze::<4>();
        for l in pyr.iter().rev().skip(1) {
            let [h, w, _] = l.dims();
            g = l.clone().permute([2, 0, 1]).unsqueeze::<4>() + upsample(g, h, w);
        }
        let back = to_vec(g.squeeze_dim::<3>(0).permute([1, 2, 0]));
        for (a, b) in back.iter().zip(to_vec(img)) {
            assert!((a - b).abs() < 1e-5);
        }
    }

    #[test]
    fn constant_image_has_no_band_pass_content() {
        let device = Device::ndarray();
        let img = Tensor::<3>::full([12, 10, 3], 0.4, &device);
        let pyr = laplacian_pyramid(img, 3);
        for band in &pyr[..2] {
            assert!(to_vec(band.clone()).iter().all(|v| v.abs() < 1e-6));
        }
        assert!(to_vec(pyr[2].clone()).iter().all(|v| (v - 0.4).abs() < 1e-6));
    }

    #[test]
    fn schedule_sums_to_one_and_moves_coarse_to_fine() {
        let levels = 4;
        let mut last_centre = f64::INFINITY;
        for i in 0..=20 {
            let t = i as f64 / 20.0;
            let w = dynamic_weights(levels, t);
            assert_eq!(w.len(), levels);
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12, "weights at t={t} sum to {}", w.iter().sum::<f64>());
            assert!(w.iter().all(|&x| x > 0.0));
            let centre: f64 = w.iter().enumerate().map(|(k, x)| k as f64 * x).sum();
            assert!(centre < last_centre, "mean level {centre} at t={t} did not move finer than {last_centre}");
            last_centre = centre;
        }
        let start = dynamic_weights(levels, 0.0);
        let end = dynamic_weights(levels, 1.0);
        assert!(start[levels - 1] > 0.5 && start[0] < 0.01, "t=0 favours the coarsest level: {start:?}");
        assert!(end[0] > 0.5 && end[levels - 1] < 0.01, "t=1 favours the finest level: {end:?}");
        assert_eq!(dynamic_weights(1, 0.5), vec![1.0]);
    }

    #[test]
    fn gradient_flows_to_the_prediction() {
        let device = Device::ndarray().autodiff();
        let pred = image(16, 16, 0, &device).require_grad();
        let target = image(16, 16, 2, &device);
        let loss = pyramid_l1(pred.clone(), target, &dynamic_weights(3, 0.5));
        let grads = loss.backward();
        let g = pred.grad(&grads).expect("pred has a gradient");
        let g = g.into_data().try_to_vec::<f32>().unwrap();
        assert!(g.iter().any(|v| v.abs() > 0.0) && g.iter().all(|v| v.is_finite()));
    }
}
