//! Per-pixel photometric losses on `[H, W, C]` images.
//!
//! - `l1(p, t) = mean over all H·W·C entries of |p − t|`.
//! - `l1_weighted(p, t, w) = (1 / (H·W·C)) · Σ_{i,j,c} w[i,j] · |p[i,j,c] − t[i,j,c]|`: the same mean, with every
//!   pixel's error scaled by its weight. All-ones weights give exactly `l1`; weights in [0, 1] (a mask or soft ROI
//!   map) therefore never raise the loss above `l1`. The normaliser is the pixel count, not Σw, so the gradient on a
//!   pixel does not depend on how large the weighted region is.

use burn::tensor::Tensor;

/// Mean absolute error over all pixels and channels; `pred` and `target` are `[H, W, C]`.
pub fn l1(pred: Tensor<3>, target: Tensor<3>) -> Tensor<1> {
    (pred - target).abs().mean()
}

/// Pixel-weighted mean absolute error (see the module docs); `weights` is `[H, W]`.
///
/// # Panics
/// If `weights` is not `[H, W]` of the images.
pub fn l1_weighted(pred: Tensor<3>, target: Tensor<3>, weights: Tensor<2>) -> Tensor<1> {
    let [h, w, _] = pred.dims();
    assert_eq!(weights.dims(), [h, w], "l1_weighted: weights must be [H, W] of the images");
    let weights: Tensor<3> = weights.unsqueeze_dim(2);
    ((pred - target).abs() * weights).mean()
}
