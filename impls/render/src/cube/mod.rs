//! The rasterizer as CubeCL kernels: the op's implementation for burn's Cube backend (wgpu here), with every
//! tensor on the device. The maths is the CPU kernel's (see the crate docs), in f32 throughout where the CPU
//! projection uses f64, so results agree to rounding (the parity suite checks ≥ 60 dB and gradients within
//! 10⁻³ relative) rather than bit for bit.
//!
//! - [`kernels`]: the forward — per-Gaussian projection, tile binning with a device sort, per-tile compositing
//!   in shared memory;
//! - [`bwd`]: the backward — per-tile reverse compositing with a shared-memory reduction per list entry (no float
//!   atomics, so the result is deterministic), a per-Gaussian gather, the projection VJP and the camera sum;
//! - [`types`]: the kernels' arguments as launch structs (tensors grouped by stage, one struct of scalar uniforms);
//! - `glue`: the burn side — buffers, launches, and the state the autodiff backward keeps.
//!
//! Two values travel to the host per forward: the number of tile intersections (to size the sort) and the
//! per-Gaussian radii (the op returns them as host values, for densification).

pub mod bwd;
mod glue;
pub mod kernels;
pub mod types;
