//! Reference NeRF (Mildenhall et al. 2020) for the bench: bench id `nerf`, one implementation for every burn
//! backend.
//!
//! A scene is a field F(x, d) → (σ, c) given by an MLP on positionally encoded inputs ([`mlp`], [`encoding`]).
//! A pixel's colour is the volume-rendering quadrature along its ray ([`volume`]) of samples placed in two stages
//! ([`sampling`]): stratified coarse samples, then fine samples drawn from the coarse weights, evaluated with the
//! coarse samples by a second network ([`field`]). Training ([`train`]) runs on the project's skeleton
//! (`splatbench_train::run`), one random batch of rays across all training views per step. [`figures`] draws where
//! the rays sample, expected depth and opacity, and a turntable.
//!
//! Conventions: rays through pixel centres (j + ½, i + ½) of OpenCV-axis cameras ([`rays`]); distances t along
//! unit directions; near/far from the camera distances to the scene centre unless configured.

pub mod config;
pub mod encoding;
pub mod field;
pub mod figures;
pub mod method;
pub mod mlp;
pub mod rays;
pub mod resume;
pub mod sampling;
pub mod train;
pub mod volume;

pub use config::{NerfConfig, Sampling};
pub use method::{Nerf, NerfReconstruction};

/// The method as the harness registers it (`splatbench_bench::registry`). `version`: see `CHANGELOG.md`.
pub static METHOD: splatbench_core::MethodDef<NerfConfig> = splatbench_core::MethodDef {
    name: "nerf",
    description: "NeRF with coarse stratified and fine importance sampling",
    version: 1,
    build: |config| Box::new(Nerf::new(config)),
    check_dataset: splatbench_core::registration::needs_train_and_test_views,
    command: None,
};

impl splatbench_core::MethodConfig for NerfConfig {
    fn validate(&self) -> splatbench_core::Result<()> {
        self.check()
    }
}
