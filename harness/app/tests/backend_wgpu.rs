//! The wgpu backend against ndarray, through the bench: each method's fixed short run on `--backend wgpu` agrees
//! with the same run on ndarray. Built only with `--features wgpu` (`cargo xtask test` runs it on software Vulkan);
//! with the feature built and no adapter the wgpu runs fail, and so does this test.
//!
//! On wgpu the Gaussian rasterizer runs as CubeCL kernels in f32 (the CPU kernel projects in f64) and burn's
//! tensor ops run on the device, so the runs are not bit-identical to ndarray's: per step the render differs at the
//! 10⁻⁶ level and Adam amplifies it over the run. splart's compositor runs on the host on every backend. The shared check and
//! its tolerance: `common/parity.rs`.
#![cfg(feature = "wgpu")]

mod common;
#[path = "common/parity.rs"]
mod parity;

#[test]
fn short_runs_agree_with_ndarray() {
    parity::short_runs_agree_with_ndarray("wgpu", &["head", "roigs", "nerf", "splart", "splatter"], parity::LOOSE);
}
