//! Mean SSIM (the [`crate::ssim`] definition) as one differentiable operation with a hand-written backward, as
//! gsplat's and Brush's "fused SSIM": the composed loss is some thirty burn element-wise ops on image-sized
//! arrays forward and as many backward, each a pass and an allocation, which on burn-ndarray cost more than the
//! filter itself.
//!
//! Per pixel and channel, with μx = G∗x, μy = G∗y, Exx = G∗x², Eyy = G∗y², Exy = G∗xy (G the self-adjoint window
//! filter, [`crate::blur`]):
//!
//! ```text
//! A = 2μxμy + C1    B = 2(Exy − μxμy) + C2    C = μx² + μy² + C1    D = (Exx − μx²) + (Eyy − μy²) + C2
//! S = AB / (CD),    L = (1/n) Σ S
//! ∂S/∂μx = 2μy(B − A)/(CD) − 2μx·S·(1/C − 1/D)     ∂S/∂Exx = −S/D     ∂S/∂Exy = 2A/(CD)
//! dL/dx = G∗(∂L/∂μx) + 2x ⊙ G∗(∂L/∂Exx) + y ⊙ G∗(∂L/∂Exy)
//! ```
//!
//! (and the same for y with the roles of x and y swapped), because `d(G∗f(x))/dx` applied to a map `a` is
//! `f'(x) ⊙ Gᵀa = f'(x) ⊙ G∗a`. The backward is one filter of three (or five, when the target is tracked too)
//! stacked maps. The composed [`crate::ssim::ssim_composed`] is the reference it is tested against.
//!
//! - `host`: forward and backward on `f32` slices (filter passes in parallel over planes);
//! - `extension`: the backend extension (every backend through the host path) and its autodiff node.

// burn 0.22 deprecates burn-ndarray (and burn-tch); this project keeps ndarray as its always-available CPU backend.
#![allow(deprecated)]

mod extension;
pub mod host;

use burn::backend::Dispatch;
use burn::tensor::Tensor;
use extension::FusedSsimOps;

/// Mean SSIM `[1]` of two `[H, W, C]` images as one op, differentiable in both (see the module docs).
///
/// # Panics
/// If the shapes differ or are not `[H, W, C]`.
pub fn fused_ssim(pred: Tensor<3>, target: Tensor<3>) -> Tensor<1> {
    Tensor::<1>::from_dispatch(<Dispatch as FusedSsimOps>::fused_ssim(pred.into_dispatch(), target.into_dispatch()))
}
