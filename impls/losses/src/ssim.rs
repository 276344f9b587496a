//! Differentiable SSIM in the 3DGS / Splatter Image convention.
//!
//! For each channel separately, with `G` the 11×11 Gaussian window (σ = 1.5, normalised to sum 1) applied as a
//! "same"-size correlation with **zero padding** outside the image:
//!
//! ```text
//! μx = G∗x, μy = G∗y, σx² = G∗x² − μx², σy² = G∗y² − μy², σxy = G∗(xy) − μx·μy
//! SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),  C1 = 0.01², C2 = 0.03²
//! ```
//!
//! and the result is the mean of the SSIM map over all pixels and channels (data range 1). Because the window is
//! separable and zero padding commutes with it (the row pass of a zero-extended image is zero outside the image),
//! the five filtered maps are computed with two 1-D passes (11 taps each) on one stacked `[1, 5·C, H, W]` tensor,
//! by [`crate::blur`] (whose backward is the same filter). Computed in the tensors' float type (f32 normally):
//! fine for a loss; the evaluation metric (f64) lives in the harness.

use crate::blur::gaussian_blur;
use crate::fused_ssim::fused_ssim;
use burn::tensor::Tensor;

/// Window size of the Gaussian filter.
pub const WINDOW: usize = 11;
/// Standard deviation of the Gaussian filter in pixels.
pub const SIGMA: f64 = 1.5;
/// Stabiliser for the luminance term, (0.01 · data range)².
pub const C1: f64 = 0.01 * 0.01;
/// Stabiliser for the contrast-structure term, (0.03 · data range)².
pub const C2: f64 = 0.03 * 0.03;

/// The normalised 1-D Gaussian taps, `g[k] ∝ exp(−(k − 5)² / (2σ²))`, Σg = 1.
pub fn gaussian_taps() -> [f64; WINDOW] {
    let half = (WINDOW / 2) as f64;
    let mut g = [0.0; WINDOW];
    for (k, v) in g.iter_mut().enumerate() {
        let d = k as f64 - half;
        *v = (-d * d / (2.0 * SIGMA * SIGMA)).exp();
    }
    let sum: f64 = g.iter().sum();
    g.map(|v| v / sum)
}

/// Mean SSIM of two `[H, W, C]` images (differentiable in both): where tensors live in host memory (ndarray, flex,
/// libtorch on the CPU) the one fused op ([`crate::fused_ssim`]), elsewhere [`ssim_composed`] (the host op would
/// copy the images off a GPU).
///
/// # Panics
/// If the shapes differ.
pub fn ssim(pred: Tensor<3>, target: Tensor<3>) -> Tensor<1> {
    if splatbench_device::in_host_memory(&pred.device()) {
        fused_ssim(pred, target)
    } else {
        ssim_composed(pred, target)
    }
}

/// Mean SSIM as burn ops on the map ([`ssim_map`]): the reference of the fused op.
pub fn ssim_composed(pred: Tensor<3>, target: Tensor<3>) -> Tensor<1> {
    ssim_map(pred, target).mean()
}

/// `1 − ssim(pred, target)`, the D-SSIM term of the 3DGS loss `(1 − λ)·L1 + λ·D-SSIM`.
pub fn dssim_loss(pred: Tensor<3>, target: Tensor<3>) -> Tensor<1> {
    ssim(pred, target).neg().add_scalar(1.0)
}

/// Per-pixel, per-channel SSIM map `[H, W, C]` (its mean is [`ssim`]).
///
/// # Panics
/// If the shapes differ.
pub fn ssim_map(pred: Tensor<3>, target: Tensor<3>) -> Tensor<3> {
    let dims = pred.dims();
    assert_eq!(dims, target.dims(), "ssim: pred and target must have the same [H, W, C] shape");
    let [h, w, c] = dims;
    // [H, W, C] → [1, C, H, W]
    let x: Tensor<4> = pred.permute([2, 0, 1]).unsqueeze();
    let y: Tensor<4> = target.permute([2, 0, 1]).unsqueeze();
    let stacked = Tensor::cat(vec![x.clone(), y.clone(), x.clone() * x.clone(), y.clone() * y.clone(), x * y], 1);
    let filtered = gaussian_blur(stacked);
    let part = |k: usize| filtered.clone().slice([0..1, k * c..(k + 1) * c, 0..h, 0..w]);
    let (mu_x, mu_y, xx, yy, xy) = (part(0), part(1), part(2), part(3), part(4));
    let mu_x2 = mu_x.clone() * mu_x.clone();
    let mu_y2 = mu_y.clone() * mu_y.clone();
    let mu_xy = mu_x * mu_y;
    let sigma_x2 = xx - mu_x2.clone();
    let sigma_y2 = yy - mu_y2.clone();
    let sigma_xy = xy - mu_xy.clone();
    let num = mu_xy.mul_scalar(2.0).add_scalar(C1) * sigma_xy.mul_scalar(2.0).add_scalar(C2);
    let den = (mu_x2 + mu_y2).add_scalar(C1) * (sigma_x2 + sigma_y2).add_scalar(C2);
    let map: Tensor<3> = (num / den).squeeze_dim(0);
    map.permute([1, 2, 0])
}
