//! The forward kernels, in launch order: [`project`], [`bin`] (scan, emit, sort, tile ranges), [`raster`].
//! [`maths`] holds what the projection and its backward share.

pub mod bin;
pub mod maths;
pub mod project;
pub mod raster;
