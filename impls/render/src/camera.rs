//! The pinhole camera as the rasterizer sees it, world-to-camera (OpenCV axes: x right, y down, z forward):
//! [`RasterCamera`] in f32, as the kernels take it, and [`CameraF64`], the same camera in f64 for the per-Gaussian
//! projection and the dense reference. (The op's tensor form is [`crate::op::CameraTensors`].)
//!
//! A camera-space point (x, y, z) projects to pixel coordinates (fx·x/z + cx, fy·y/z + cy); pixel (col j, row i)
//! has its centre at (j + 0.5, i + 0.5). Only the rigid 3×4 part [R | t] of `viewmat` is used; the camera centre
//! in world space is −Rᵀt.

/// Rasterizer camera (f32 copy of [`splatbench_core::Camera`], without distortion).
#[derive(Clone, Debug, PartialEq)]
pub struct RasterCamera {
    pub width: u32,
    pub height: u32,
    pub fx: f32,
    pub fy: f32,
    pub cx: f32,
    pub cy: f32,
    /// World-to-camera, row-major, OpenCV axes.
    pub viewmat: [[f32; 4]; 4],
}

impl From<&splatbench_core::Camera> for RasterCamera {
    fn from(c: &splatbench_core::Camera) -> Self {
        RasterCamera {
            width: c.width,
            height: c.height,
            fx: c.fx as f32,
            fy: c.fy as f32,
            cx: c.cx as f32,
            cy: c.cy as f32,
            viewmat: c.world_to_camera.map(|row| row.map(|v| v as f32)),
        }
    }
}

impl RasterCamera {
    /// Number of 16×16 tiles across and down.
    pub fn tile_grid(&self) -> (u32, u32) {
        (self.width.div_ceil(crate::constants::TILE), self.height.div_ceil(crate::constants::TILE))
    }
}

/// [`RasterCamera`] in f64 (each value widened exactly), so finite differences of the reference can move it.
#[derive(Clone, Debug)]
pub struct CameraF64 {
    pub width: u32,
    pub height: u32,
    pub fx: f64,
    pub fy: f64,
    pub cx: f64,
    pub cy: f64,
    /// World-to-camera, row-major, OpenCV axes.
    pub viewmat: [[f64; 4]; 4],
}

impl From<&RasterCamera> for CameraF64 {
    fn from(c: &RasterCamera) -> Self {
        CameraF64 {
            width: c.width,
            height: c.height,
            fx: c.fx as f64,
            fy: c.fy as f64,
            cx: c.cx as f64,
            cy: c.cy as f64,
            viewmat: c.viewmat.map(|r| r.map(f64::from)),
        }
    }
}

impl CameraF64 {
    /// R, the rotation part of the world-to-camera transform.
    pub fn rotation(&self) -> [[f64; 3]; 3] {
        std::array::from_fn(|i| std::array::from_fn(|j| self.viewmat[i][j]))
    }

    /// t, the translation part of the world-to-camera transform.
    pub fn translation(&self) -> [f64; 3] {
        std::array::from_fn(|i| self.viewmat[i][3])
    }

    /// Camera centre in world space, −Rᵀt.
    pub fn center(&self) -> [f64; 3] {
        let (r, t) = (self.rotation(), self.translation());
        std::array::from_fn(|i| -(r[0][i] * t[0] + r[1][i] * t[1] + r[2][i] * t[2]))
    }
}
