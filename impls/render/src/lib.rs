//! Differentiable 3D Gaussian rasterizer.
//!
//! (Module docs: the exact semantics — projection, EWA covariance, opacity-aware tile extent, compositing,
//! SH convention — are written here by the kernel's author; the tests hold the code to them.)

pub mod camera;
pub mod cpu;
pub mod gaussians;
pub mod op;
pub mod ply;
pub mod project;
pub mod reference;
pub mod sh;

pub use camera::RasterCamera;
pub use gaussians::GaussianCloud;
