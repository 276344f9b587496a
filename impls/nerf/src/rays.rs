//! Rays through pixel centres, and the ray interval [near, far] the samples live in.
//!
//! Pixel (column j, row i) of a pinhole camera (OpenCV axes) has its centre at (j + ½, i + ½); its camera-space
//! direction is ((j + ½ − cx)/fx, (i + ½ − cy)/fy, 1), normalised and rotated to the world by the
//! camera-to-world rotation Rᵀ. Origins are the camera centre. Distances t along a ray are Euclidean (unit
//! directions), so near/far are distances too; z-depth is t · (d · optical axis).
//!
//! Blender scenes store no near/far. When the config gives none they are 0.5 · d_min and 1.5 · d_max, with d the
//! distances of the camera centres to the scene centre, taken as the least-squares point nearest every optical
//! axis (the point an inward-facing capture looks at); 2.0 / 6.05 on lego (cameras at radius 4.03).

use crate::config::NerfConfig;
use splatbench_core::{Camera, Error, Result};

/// Rays as flat `[N·3]` arrays of f32, ready to upload.
#[derive(Clone, Debug, Default)]
pub struct Rays {
    pub origins: Vec<f32>,
    pub dirs: Vec<f32>,
}

impl Rays {
    pub fn len(&self) -> usize {
        self.origins.len() / 3
    }

    pub fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }

    pub fn push(&mut self, o: [f64; 3], d: [f64; 3]) {
        self.origins.extend(o.map(|v| v as f32));
        self.dirs.extend(d.map(|v| v as f32));
    }

    /// Rays `range` of these.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Rays {
        Rays {
            origins: self.origins[3 * range.start..3 * range.end].to_vec(),
            dirs: self.dirs[3 * range.start..3 * range.end].to_vec(),
        }
    }
}

/// The unit world direction through the continuous pixel position (u, v).
pub fn direction(camera: &Camera, u: f64, v: f64) -> [f64; 3] {
    let c = [(u - camera.cx) / camera.fx, (v - camera.cy) / camera.fy, 1.0];
    let n = (c[0] * c[0] + c[1] * c[1] + 1.0).sqrt();
    let r = &camera.world_to_camera;
    // World direction = Rᵀ · c (R is the world-to-camera rotation).
    std::array::from_fn(|k| (r[0][k] * c[0] + r[1][k] * c[1] + r[2][k] * c[2]) / n)
}

/// The camera's optical axis (camera +z) in world coordinates.
pub fn optical_axis(camera: &Camera) -> [f64; 3] {
    camera.world_to_camera[2][..3].try_into().expect("3 of 4")
}

/// One ray per pixel centre, row-major.
pub fn camera_rays(camera: &Camera) -> Rays {
    let o = camera.center();
    let mut rays = Rays::default();
    for i in 0..camera.height {
        for j in 0..camera.width {
            rays.push(o, direction(camera, j as f64 + 0.5, i as f64 + 0.5));
        }
    }
    rays
}

/// The least-squares point nearest every camera's optical axis; the mean camera centre when the axes are
/// (nearly) parallel.
pub fn scene_centre(cameras: &[Camera]) -> [f64; 3] {
    let mut a = [[0.0; 3]; 3];
    let mut b = [0.0; 3];
    for cam in cameras {
        let (c, d) = (cam.center(), optical_axis(cam));
        // (I − d dᵀ) projects onto the plane orthogonal to the axis; Σ (I − d dᵀ)(p − c) = 0.
        for i in 0..3 {
            for j in 0..3 {
                let m = if i == j { 1.0 } else { 0.0 } - d[i] * d[j];
                a[i][j] += m;
                b[i] += m * c[j];
            }
        }
    }
    let det = det3(&a);
    let n = cameras.len().max(1) as f64;
    if det.abs() < 1e-6 * n * n * n {
        let mut mean = [0.0; 3];
        for cam in cameras {
            let c = cam.center();
            (0..3).for_each(|k| mean[k] += c[k] / n);
        }
        return mean;
    }
    // Cramer's rule on the 3×3 normal equations.
    std::array::from_fn(|k| {
        let mut ak = a;
        (0..3).for_each(|i| ak[i][k] = b[i]);
        det3(&ak) / det
    })
}

fn det3(m: &[[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

/// [near, far] from the config, else from the camera distances to the scene centre (see the module docs).
pub fn near_far(cameras: &[Camera], cfg: &NerfConfig) -> Result<(f64, f64)> {
    let centre = scene_centre(cameras);
    let dist = |c: &Camera| {
        let p = c.center();
        ((p[0] - centre[0]).powi(2) + (p[1] - centre[1]).powi(2) + (p[2] - centre[2]).powi(2)).sqrt()
    };
    let d_min = cameras.iter().map(dist).fold(f64::INFINITY, f64::min);
    let d_max = cameras.iter().map(dist).fold(0.0, f64::max);
    let near = cfg.near.unwrap_or(0.5 * d_min);
    let far = cfg.far.unwrap_or(1.5 * d_max);
    if !(near.is_finite() && far.is_finite() && 0.0 <= near && near < far) {
        return Err(Error::input(
            "nerf near/far",
            format!("cannot bound the rays: near {near}, far {far} (set near and far in the config)"),
        ));
    }
    Ok((near, far))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look_at_origin(eye: [f64; 3]) -> Camera {
        // OpenGL look-at (camera −z towards the origin, world z up), converted by the loader's rule.
        let n = (eye[0] * eye[0] + eye[1] * eye[1] + eye[2] * eye[2]).sqrt();
        let back = eye.map(|v| v / n);
        let right = {
            let r = [-back[1], back[0], 0.0];
            let l = (r[0] * r[0] + r[1] * r[1]).sqrt();
            r.map(|v| v / l)
        };
        let up = [
            back[1] * right[2] - back[2] * right[1],
            back[2] * right[0] - back[0] * right[2],
            back[0] * right[1] - back[1] * right[0],
        ];
        let c2w = [
            [right[0], up[0], back[0], eye[0]],
            [right[1], up[1], back[1], eye[1]],
            [right[2], up[2], back[2], eye[2]],
            [0.0, 0.0, 0.0, 1.0],
        ];
        Camera::from_c2w_opengl(c2w, splatbench_core::Intrinsics::centred(8, 6, 10.0))
    }

    #[test]
    fn central_ray_hits_the_point_it_projects_from_and_near_far_follow_the_radius() {
        let cams: Vec<_> = [[4.0, 0.0, 1.0], [0.0, -4.0, 2.0], [-3.0, 2.0, 0.5]].map(look_at_origin).into();
        for cam in &cams {
            // A world point on the ray through (u, v) projects back to (u, v).
            let (u, v) = (2.5, 4.5);
            let d = direction(cam, u, v);
            let o = cam.center();
            let p: [f64; 3] = std::array::from_fn(|k| o[k] + 3.0 * d[k]);
            let (px, z) = cam.project(p);
            assert!((px[0] - u).abs() < 1e-9 && (px[1] - v).abs() < 1e-9, "{px:?}");
            assert!(z > 0.0 && ((d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) - 1.0).abs() < 1e-12);
            assert_eq!(camera_rays(cam).len(), 48);
        }
        let c = scene_centre(&cams);
        assert!(c.iter().all(|v| v.abs() < 1e-9), "{c:?}");
        let (near, far) = near_far(&cams, &NerfConfig::default()).unwrap();
        let d_min = (3.0f64 * 3.0 + 4.0 + 0.25).sqrt();
        assert!((near - 0.5 * d_min).abs() < 1e-9 && (far - 1.5 * 20f64.sqrt()).abs() < 1e-9);
        let fixed = NerfConfig { near: Some(2.0), far: Some(6.05), ..NerfConfig::default() };
        assert_eq!(near_far(&cams, &fixed).unwrap(), (2.0, 6.05));
    }
}
