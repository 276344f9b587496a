//! The separable "same" Gaussian filter of SSIM as one differentiable operation.
//!
//! With `A` the 1-D correlation by the taps `g` (length `2r + 1`, symmetric: `g[r − m] = g[r + m]`) and zero
//! padding, `A[i, j] = g[j − i + r]`, so `Aᵀ[j, i] = g[j − i + r] = g[r − (i − j)] = A[j, i]`: the filter is
//! self-adjoint, and so is the 2-D filter `A_v ⊗ A_h`. The backward of `y = blur(x)` is therefore
//! `dL/dx = blur(dL/dy)`: one more forward, where burn's generic backward of a depthwise `conv2d` is a
//! `conv_transpose2d` — on burn-ndarray a scalar loop over dynamic indices that took 71 % of a 3DGS training step
//! with the D-SSIM loss (perf, roigs on bust_250).
//!
//! - [`host`]: the filter on `f32` planes (row-vectorised passes, planes in parallel), run by NdArray and Flex;
//! - [`conv`]: the same filter as two depthwise `conv2d` on any backend's primitives, the default of every other
//!   backend (libtorch's and CubeCL's convolutions are fast) and the reference the host path is tested against;
//! - `extension`: the backend extension and its autodiff node.

// burn 0.22 deprecates burn-ndarray (and burn-tch); this project keeps ndarray as its always-available CPU backend.
#![allow(deprecated)]

pub mod conv;
mod extension;
pub mod host;

use burn::backend::Dispatch;
use burn::tensor::Tensor;
use extension::BlurOps;

/// Separable "same" Gaussian filter (the SSIM window) with zero padding of every `[H, W]` plane of `[N, K, H, W]`;
/// differentiable in `x`.
pub fn gaussian_blur(x: Tensor<4>) -> Tensor<4> {
    Tensor::<4>::from_dispatch(<Dispatch as BlurOps>::gaussian_blur(x.into_dispatch()))
}

/// The taps as `f32`, the precision both paths filter in.
pub fn taps_f32() -> [f32; crate::ssim::WINDOW] {
    crate::ssim::gaussian_taps().map(|v| v as f32)
}
