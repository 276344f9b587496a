//! The backward kernels, in launch order: [`raster_bwd`] (per tile, per list entry) and its [`gather`] per
//! Gaussian, then [`project_bwd`] and the camera gradient.
//!
//! [`raster_bwd`]: raster_bwd::raster_bwd
//! [`gather`]: raster_bwd::gather
//! [`project_bwd`]: project_bwd::project_bwd

pub mod project_bwd;
pub mod raster_bwd;
