//! Differentiable image losses on burn tensors, shared by every method.

pub mod blur;
pub mod fused_ssim;
pub mod photometric;
pub mod pyramid;
pub mod ssim;

pub use photometric::{l1, l1_weighted};
pub use ssim::{dssim_loss, ssim};
