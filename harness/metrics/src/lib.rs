//! Image quality metrics that reproduce the reference implementations named in `shared/README.md`, to ±1e-4.
//!
//! Conventions for every metric here:
//! - Images are [`Image`](splatbench_core::Image)s in [0, 1] with 3 (RGB) or 4 (RGBA) channels. Only the RGB
//!   channels are scored: **alpha is dropped, not composited** (composite first with `Image::to_rgb_over` if the
//!   background should count). Both images must have the same width, height and channel count; the functions
//!   panic otherwise, so callers that hold user input check sizes first ([`evaluate_pair`] does, and returns an
//!   input error instead).
//! - Data range is 1; every sum is accumulated in f64.
//! - A metric that is not defined for a pair (identical images for PSNR, images too small for the window or the
//!   network, an empty mask) says so with [`Undefined`], never with a number.
//!
//! | metric | definition | module |
//! |---|---|---|
//! | PSNR | scikit-image `peak_signal_noise_ratio`: −10·log10(MSE) over all pixels and RGB channels | [`psnr`](mod@psnr) |
//! | SSIM | 3DGS / Splatter-Image: 11×11 Gaussian σ = 1.5, zero "same" padding, mean over all pixels | [`ssim`](mod@ssim) |
//! | SSIM (scikit-image) | `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`: reflect padding, mean over the valid region | [`ssim`](mod@ssim) |
//! | LPIPS | v0.1, AlexNet / VGG-16 / SqueezeNet through ONNX Runtime, inputs in [−1, 1] | [`lpips`] |

pub mod lpips;
mod lpips_memo;
mod planes;
pub mod psnr;
pub mod record;
pub mod reference;
pub mod ssim;
mod undefined;

pub use lpips::{Lpips, Net};
pub use psnr::{psnr, psnr_masked};
pub use record::{MetricRecord, Note, PairInput, evaluate_pair, evaluate_pairs};
pub use ssim::{ssim, ssim_map, ssim_masked, ssim_skimage};
pub use undefined::Undefined;
