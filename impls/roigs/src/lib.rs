//! 3DGS with ROI gating from masks and depth, and a dynamic Laplacian-pyramid loss (issue #8).
//!
//! - [`config`]: [`RoiGsConfig`] and the four variants (baseline, +roi, +laplacian, +both) as config deltas.
//! - [`data`]: training views at the training resolution (area-averaged downscaling, pinhole check).
//! - [`depth_align`]: per-view least-squares scale and shift of monocular depth to the sparse points.
//! - [`roi`]: the effective ROI of a view, mask ∩ depth gate, and the photometric pixel weights.
//! - [`gating`]: which Gaussians are in the ROI (≥ k views).
//! - [`strategy`]: [`RoiStrategy`], 3DGS densification more eager inside the ROI and stricter pruning outside.
//! - [`trainer`]: the training loop; [`method`]: the [`splatbench_core::Reconstructor`].
//!
//! The Laplacian-pyramid loss itself lives in `splatbench_losses::pyramid`.

pub mod background;
pub mod config;
pub mod depth_align;
pub mod gating;
pub mod method;
pub mod roi;
pub mod strategy;
pub mod trainer;

pub use config::{LaplacianConfig, RoiConfig, RoiGsConfig, Variant};
pub use method::{RoiGs, RoiGsReconstruction};
pub use strategy::RoiStrategy;
