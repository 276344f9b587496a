//! The independent reference renderer: analytic ray casting of [`Primitive`]s with Lambertian shading.
//!
//! Colour of a surface point p with outward normal n (flipped towards the viewer for two-sided rects) and
//! albedo a (its texture): `a · (ambient + Σ_k I_k · max(0, n·l_k))` for fixed directional lights l_k — no
//! shadows, no specular, so appearance is view-independent, as 3D reconstruction methods assume.
//!
//! Pixel (j, i) covers [j, j+1) × [i, i+1) in the project's camera convention; its colour is the mean of 9
//! samples at a fixed 3×3 jittered-stratified pattern (the same offsets for every pixel, so output is
//! deterministic). Depth and object id are those of the single ray through the pixel centre (j+½, i+½), and
//! depth is z-depth: ray length t times the z component of the unit ray direction in camera axes.

use crate::math::V3;
use crate::shapes::{Hit, Primitive};
use crate::texture::Rgb;
use rayon::prelude::*;
use splatbench_core::Camera;

/// Sub-pixel sample offsets: cell centres (k + ½)/3 moved by a fixed jitter of at most ±0.1 px.
pub const SAMPLES: [[f64; 2]; 9] = [
    [0.1667 + 0.071, 0.1667 - 0.043],
    [0.5 - 0.062, 0.1667 + 0.088],
    [0.8333 + 0.035, 0.1667 + 0.019],
    [0.1667 - 0.054, 0.5 + 0.067],
    [0.5 + 0.028, 0.5 - 0.081],
    [0.8333 - 0.091, 0.5 + 0.012],
    [0.1667 + 0.009, 0.8333 - 0.074],
    [0.5 + 0.083, 0.8333 + 0.046],
    [0.8333 - 0.017, 0.8333 - 0.058],
];

pub struct Light {
    /// Unit direction towards the light.
    pub dir: V3,
    pub intensity: f64,
}

pub struct World {
    pub prims: Vec<Primitive>,
    pub lights: Vec<Light>,
    pub ambient: f64,
    pub background: Rgb,
}

/// What one view renders to.
pub struct Render {
    pub width: u32,
    pub height: u32,
    /// Colour over the world background, mean of all samples, row-major H×W.
    pub rgb: Vec<Rgb>,
    /// Mean colour of the samples that hit a foreground object (straight alpha); the background colour where
    /// none did.
    pub fg_rgb: Vec<Rgb>,
    /// Fraction of samples that hit a foreground object.
    pub coverage: Vec<f32>,
    /// z-depth of the pixel-centre ray; 0 where it hits nothing.
    pub depth: Vec<f32>,
    /// Object id hit by the pixel-centre ray; 0 where it hits nothing.
    pub object: Vec<u16>,
}

pub struct Ray {
    pub origin: V3,
    pub dir: V3,
    /// z component of `dir` in camera axes: z-depth = t · dz.
    pub dz: f64,
}

/// The ray through continuous pixel position (x, y) (pixel (j, i) has its centre at (j + ½, i + ½)).
pub fn camera_ray(cam: &Camera, x: f64, y: f64) -> Ray {
    let m = &cam.world_to_camera;
    let dc = V3((x - cam.cx) / cam.fx, (y - cam.cy) / cam.fy, 1.0);
    let len = dc.norm();
    // World direction = Rᵀ · d_cam (R is the world-to-camera rotation).
    let dw = V3(
        m[0][0] * dc.0 + m[1][0] * dc.1 + m[2][0] * dc.2,
        m[0][1] * dc.0 + m[1][1] * dc.1 + m[2][1] * dc.2,
        m[0][2] * dc.0 + m[1][2] * dc.1 + m[2][2] * dc.2,
    );
    Ray { origin: V3::from_arr(cam.center()), dir: dw * (1.0 / len), dz: 1.0 / len }
}

impl World {
    /// Nearest hit with t ≥ `tmin`, and the index of the primitive hit (ties go to the earlier primitive).
    pub fn trace(&self, o: V3, d: V3, tmin: f64) -> Option<(Hit, usize)> {
        let mut best: Option<(Hit, usize)> = None;
        for (k, p) in self.prims.iter().enumerate() {
            if let Some(h) = p.hit(o, d, tmin)
                && best.as_ref().is_none_or(|b| h.t < b.0.t)
            {
                best = Some((h, k));
            }
        }
        best
    }

    /// Lambertian colour of primitive `k` at a local point with world normal `n` (as given: the caller
    /// orients it).
    pub fn shade(&self, k: usize, local: V3, n: V3) -> Rgb {
        let a = self.prims[k].texture.eval(local);
        let light: f64 = self.ambient + self.lights.iter().map(|l| l.intensity * n.dot(l.dir).max(0.0)).sum::<f64>();
        a.map(|c| (c * light).clamp(0.0, 1.0))
    }

    fn sample(&self, o: V3, d: V3) -> Option<(Rgb, u16, f64)> {
        let (h, k) = self.trace(o, d, 1e-9)?;
        let n = if h.normal.dot(d) > 0.0 { -h.normal } else { h.normal };
        Some((self.shade(k, h.local, n), self.prims[k].object, h.t))
    }

    /// Render one view; `is_fg` says which object ids count as foreground for `coverage` and `fg_rgb`.
    pub fn render(&self, cam: &Camera, is_fg: &(dyn Fn(u16) -> bool + Sync)) -> Render {
        let (w, h) = (cam.width as usize, cam.height as usize);
        type Px = (Rgb, Rgb, f32, f32, u16);
        let rows: Vec<Vec<Px>> = (0..h)
            .into_par_iter()
            .map(|i| {
                (0..w)
                    .map(|j| {
                        let (mut all, mut fg, mut nfg) = ([0.0; 3], [0.0; 3], 0u32);
                        for s in SAMPLES {
                            let r = camera_ray(cam, j as f64 + s[0], i as f64 + s[1]);
                            let c = match self.sample(r.origin, r.dir) {
                                Some((c, obj, _)) => {
                                    if is_fg(obj) {
                                        nfg += 1;
                                        (0..3).for_each(|q| fg[q] += c[q]);
                                    }
                                    c
                                }
                                None => self.background,
                            };
                            (0..3).for_each(|q| all[q] += c[q]);
                        }
                        let n = SAMPLES.len() as f64;
                        let rgb = all.map(|v| v / n);
                        let fg_rgb = if nfg > 0 { fg.map(|v| v / nfg as f64) } else { self.background };
                        let r = camera_ray(cam, j as f64 + 0.5, i as f64 + 0.5);
                        let (depth, obj) = match self.sample(r.origin, r.dir) {
                            Some((_, obj, t)) => ((t * r.dz) as f32, obj),
                            None => (0.0, 0),
                        };
                        (rgb, fg_rgb, nfg as f32 / n as f32, depth, obj)
                    })
                    .collect()
            })
            .collect();
        let px: Vec<Px> = rows.into_iter().flatten().collect();
        Render {
            width: w as u32,
            height: h as u32,
            rgb: px.iter().map(|p| p.0).collect(),
            fg_rgb: px.iter().map(|p| p.1).collect(),
            coverage: px.iter().map(|p| p.2).collect(),
            depth: px.iter().map(|p| p.3).collect(),
            object: px.iter().map(|p| p.4).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::{IDENTITY, look_at_c2w_opencv};
    use crate::shapes::Shape;
    use crate::texture::Texture;

    fn sphere_world() -> World {
        World {
            prims: vec![Primitive::new(
                Shape::Ellipsoid { radii: V3(1.0, 1.0, 1.0) },
                IDENTITY,
                V3::ZERO,
                Texture::Solid([0.5; 3]),
                1,
            )],
            lights: vec![],
            ambient: 1.0,
            background: [1.0; 3],
        }
    }

    #[test]
    fn depth_is_z_depth_and_pixel_centres_are_half_integers() {
        let c2w = look_at_c2w_opencv(V3(0.0, 0.0, 3.0), V3::ZERO, V3(0.0, 1.0, 0.0));
        // cx = W/2: the image centre lies between pixels 31 and 32, so the depth map must be mirror-symmetric.
        let cam = Camera::from_c2w_opencv(c2w, splatbench_core::camera::Intrinsics::centred(64, 64, 40.0));
        let r = sphere_world().render(&cam, &|o| o == 1);
        for i in 0..64 {
            for j in 0..64 {
                let (a, b) = (r.depth[i * 64 + j], r.depth[i * 64 + 63 - j]);
                assert!((a - b).abs() < 1e-5, "({i},{j}): {a} vs {b}");
            }
        }
        // z-depth of the sphere at pixel (j, i): solve along the ray, compare.
        let (j, i) = (40usize, 25usize);
        let (x, y) = ((j as f64 + 0.5 - 32.0) / 40.0, (i as f64 + 0.5 - 32.0) / 40.0);
        // Camera at z = 3 looking down −z: a point at z-depth s is (x s, ∓y s, 3 − s) on the unit sphere.
        let (a, b, c) = (x * x + y * y + 1.0, -6.0, 8.0);
        let s = (-b - (b * b - 4.0 * a * c).sqrt()) / (2.0 * a);
        assert!((r.depth[i * 64 + j] as f64 - s).abs() < 1e-6);
        assert_eq!(r.object[i * 64 + j], 1);
        assert_eq!((r.depth[0], r.object[0], r.coverage[0]), (0.0, 0, 0.0));
        assert_eq!(r.coverage[32 * 64 + 32], 1.0);
    }
}
