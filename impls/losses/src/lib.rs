//! Differentiable image losses on burn tensors, shared by every method.

pub mod photometric;
pub mod pyramid;
pub mod ssim;
