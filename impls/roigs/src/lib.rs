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

/// The method as the harness registers it (`splatbench_bench::registry`). `version`: see `CHANGELOG.md`.
pub static METHOD: splatbench_core::MethodDef<RoiGsConfig> = splatbench_core::MethodDef {
    name: "roigs",
    description: "3DGS with ROI gating from masks ∩ depth and a dynamic Laplacian-pyramid loss",
    version: 2,
    build: |config| Box::new(RoiGs::new(config)),
    check_dataset: splatbench_core::registration::needs_train_and_test_views,
    command: None,
};

impl splatbench_core::MethodConfig for RoiGsConfig {
    fn validate(&self) -> splatbench_core::Result<()> {
        RoiGsConfig::validate(self).map_err(|m| splatbench_core::Error::input("roigs config", m))
    }
}
