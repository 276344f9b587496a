//! Pinhole camera in the project convention (see the crate docs).

use crate::maths::quat_to_rotmat_normalising;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// Lens distortion as the dataset stored it. Kept and reported; methods that assume a pinhole refuse it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Distortion {
    /// COLMAP model name, e.g. "SIMPLE_RADIAL", "RADIAL", "OPENCV".
    pub model: String,
    /// Coefficients in the model's own order (k1, k2, p1, p2, ...).
    pub params: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    pub width: u32,
    pub height: u32,
    pub fx: f64,
    pub fy: f64,
    pub cx: f64,
    pub cy: f64,
    /// World-to-camera, row-major 4×4, OpenCV axes. The last row is (0, 0, 0, 1).
    pub world_to_camera: [[f64; 4]; 4],
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distortion: Option<Distortion>,
}

/// Pinhole intrinsics in pixels, with the image size they belong to (pixel centres at j + ½, see the crate docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Intrinsics {
    pub width: u32,
    pub height: u32,
    pub fx: f64,
    pub fy: f64,
    pub cx: f64,
    pub cy: f64,
}

impl Intrinsics {
    /// Square pixels (fx = fy = `focal`) and the principal point at the image centre.
    pub fn centred(width: u32, height: u32, focal: f64) -> Self {
        Intrinsics { width, height, fx: focal, fy: focal, cx: width as f64 / 2.0, cy: height as f64 / 2.0 }
    }
}

pub const OPENGL_TO_OPENCV: [[f64; 4]; 4] =
    [[1.0, 0.0, 0.0, 0.0], [0.0, -1.0, 0.0, 0.0], [0.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, 1.0]];

impl Camera {
    /// From a camera-to-world matrix in OpenCV axes (SRN).
    pub fn from_c2w_opencv(c2w: [[f64; 4]; 4], k: Intrinsics) -> Self {
        Self::from_w2c(rigid_inverse(&c2w), k)
    }

    /// From a world-to-camera matrix in OpenCV axes.
    pub fn from_w2c(world_to_camera: [[f64; 4]; 4], k: Intrinsics) -> Self {
        let Intrinsics { width, height, fx, fy, cx, cy } = k;
        Camera { width, height, fx, fy, cx, cy, world_to_camera, distortion: None }
    }

    pub fn intrinsics(&self) -> Intrinsics {
        Intrinsics { width: self.width, height: self.height, fx: self.fx, fy: self.fy, cx: self.cx, cy: self.cy }
    }

    /// From a camera-to-world matrix in OpenGL/Blender axes (y up, z backward): c2w · diag(1, −1, −1, 1).
    pub fn from_c2w_opengl(c2w: [[f64; 4]; 4], k: Intrinsics) -> Self {
        Self::from_c2w_opencv(matmul4(&c2w, &OPENGL_TO_OPENCV), k)
    }

    /// From COLMAP's world-to-camera quaternion (w, x, y, z) and translation (already OpenCV axes).
    pub fn from_colmap(qvec: [f64; 4], tvec: [f64; 3], k: Intrinsics) -> Self {
        let r = quat_to_rotmat_normalising(qvec);
        let mut m = [[0.0; 4]; 4];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] = r[i][j];
            }
            m[i][3] = tvec[i];
        }
        m[3][3] = 1.0;
        Self::from_w2c(m, k)
    }

    pub fn camera_to_world(&self) -> [[f64; 4]; 4] {
        rigid_inverse(&self.world_to_camera)
    }

    /// Camera centre in world coordinates.
    pub fn center(&self) -> [f64; 3] {
        let c = self.camera_to_world();
        [c[0][3], c[1][3], c[2][3]]
    }

    /// World point to camera space.
    pub fn to_camera(&self, p: [f64; 3]) -> [f64; 3] {
        let m = &self.world_to_camera;
        std::array::from_fn(|i| m[i][0] * p[0] + m[i][1] * p[1] + m[i][2] * p[2] + m[i][3])
    }

    /// World point to pixel coordinates (continuous; pixel (j, i) spans [j, j+1) × [i, i+1)) and z-depth.
    pub fn project(&self, p: [f64; 3]) -> ([f64; 2], f64) {
        let c = self.to_camera(p);
        ([self.fx * c[0] / c[2] + self.cx, self.fy * c[1] / c[2] + self.cy], c[2])
    }

    /// The same camera for an image resized to `width` × `height` (intrinsics scaled about the pixel grid).
    pub fn scaled_to(&self, width: u32, height: u32) -> Camera {
        let sx = width as f64 / self.width as f64;
        let sy = height as f64 / self.height as f64;
        Camera { width, height, fx: self.fx * sx, fy: self.fy * sy, cx: self.cx * sx, cy: self.cy * sy, ..self.clone() }
    }

    /// Refuse lens distortion, for methods that render a pinhole.
    pub fn require_pinhole(&self, what: &str) -> Result<()> {
        match &self.distortion {
            Some(d) if d.params.iter().any(|&k| k != 0.0) => Err(Error::NotImplemented(format!(
                "{what} renders a pinhole camera; this view has {} distortion {:?} (undistort the images first)",
                d.model, d.params
            ))),
            _ => Ok(()),
        }
    }

    /// Check every number is finite and the rotation is orthonormal.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let finite = [self.fx, self.fy, self.cx, self.cy].iter().all(|v| v.is_finite())
            && self.world_to_camera.iter().flatten().all(|v| v.is_finite());
        if !finite {
            return Err("camera has a NaN or infinite value".into());
        }
        if self.fx <= 0.0 || self.fy <= 0.0 {
            return Err(format!("focal length must be positive (fx={}, fy={})", self.fx, self.fy));
        }
        let m = &self.world_to_camera;
        for i in 0..3 {
            for j in 0..3 {
                let d: f64 = (0..3).map(|k| m[i][k] * m[j][k]).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                if (d - want).abs() > 1e-3 {
                    return Err("camera rotation is not orthonormal".into());
                }
            }
        }
        Ok(())
    }
}

pub fn matmul4(a: &[[f64; 4]; 4], b: &[[f64; 4]; 4]) -> [[f64; 4]; 4] {
    std::array::from_fn(|i| std::array::from_fn(|j| (0..4).map(|k| a[i][k] * b[k][j]).sum()))
}

/// Inverse of a rigid transform [R t; 0 1] = [Rᵀ −Rᵀt; 0 1].
pub fn rigid_inverse(m: &[[f64; 4]; 4]) -> [[f64; 4]; 4] {
    let mut out = [[0.0; 4]; 4];
    for i in 0..3 {
        for j in 0..3 {
            out[i][j] = m[j][i];
        }
        out[i][3] = -(0..3).map(|k| m[k][i] * m[k][3]).sum::<f64>();
    }
    out[3][3] = 1.0;
    out
}

/// Rotation matrix to a unit quaternion (w, x, y, z) with w ≥ 0.
pub fn rotmat_to_quat(r: &[[f64; 3]; 3]) -> [f64; 4] {
    let tr = r[0][0] + r[1][1] + r[2][2];
    let q = if tr > 0.0 {
        let s = (tr + 1.0).sqrt() * 2.0;
        [0.25 * s, (r[2][1] - r[1][2]) / s, (r[0][2] - r[2][0]) / s, (r[1][0] - r[0][1]) / s]
    } else if r[0][0] > r[1][1] && r[0][0] > r[2][2] {
        let s = (1.0 + r[0][0] - r[1][1] - r[2][2]).sqrt() * 2.0;
        [(r[2][1] - r[1][2]) / s, 0.25 * s, (r[0][1] + r[1][0]) / s, (r[0][2] + r[2][0]) / s]
    } else if r[1][1] > r[2][2] {
        let s = (1.0 + r[1][1] - r[0][0] - r[2][2]).sqrt() * 2.0;
        [(r[0][2] - r[2][0]) / s, (r[0][1] + r[1][0]) / s, 0.25 * s, (r[1][2] + r[2][1]) / s]
    } else {
        let s = (1.0 + r[2][2] - r[0][0] - r[1][1]).sqrt() * 2.0;
        [(r[1][0] - r[0][1]) / s, (r[0][2] + r[2][0]) / s, (r[1][2] + r[2][1]) / s, 0.25 * s]
    };
    if q[0] < 0.0 { q.map(|v| -v) } else { q }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quaternion_round_trip() {
        let q = [0.8, 0.2, -0.4, 0.4];
        let n = (q.iter().map(|v| v * v).sum::<f64>()).sqrt();
        let back = rotmat_to_quat(&quat_to_rotmat_normalising(q));
        for i in 0..4 {
            assert!((back[i] - q[i] / n).abs() < 1e-12);
        }
    }

    #[test]
    fn opengl_camera_looks_down_minus_z() {
        // An OpenGL camera at (0,0,5) with identity rotation looks at the origin along −z.
        let mut c2w = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 5.0], [0.0, 0.0, 0.0, 1.0]];
        let cam = Camera::from_c2w_opengl(c2w, Intrinsics::centred(100, 80, 50.0));
        let (px, z) = cam.project([0.0, 0.0, 0.0]);
        assert!((z - 5.0).abs() < 1e-12);
        assert!((px[0] - 50.0).abs() < 1e-12 && (px[1] - 40.0).abs() < 1e-12);
        // World +y is up, so it lands above the centre (smaller row).
        assert!(cam.project([0.0, 1.0, 0.0]).0[1] < 40.0);
        c2w[0][3] = 1.0;
        assert!((Camera::from_c2w_opengl(c2w, Intrinsics::centred(100, 80, 50.0)).center()[0] - 1.0).abs() < 1e-12);
    }
}
