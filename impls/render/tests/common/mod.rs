//! Scene generators shared by the render tests (fixed seeds, rand_chacha).
#![allow(dead_code)]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_render::{GaussianCloud, RasterCamera};

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn normalize(v: [f64; 3]) -> [f64; 3] {
    let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    v.map(|c| c / l)
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

/// World-to-camera (OpenCV) matrix of a camera at `eye` looking at `target`.
pub fn look_at(eye: [f64; 3], target: [f64; 3]) -> [[f32; 4]; 4] {
    let z = normalize([target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]]);
    let x = normalize(cross(z, [0.0, 1.0, 0.0]));
    let y = cross(z, x);
    let rows = [x, y, z];
    let mut m = [[0.0f32; 4]; 4];
    for i in 0..3 {
        for j in 0..3 {
            m[i][j] = rows[i][j] as f32;
        }
        m[i][3] = -(rows[i][0] * eye[0] + rows[i][1] * eye[1] + rows[i][2] * eye[2]) as f32;
    }
    m[3][3] = 1.0;
    m
}

/// A camera at a random spot about 4 units from the origin, looking near the origin, with slightly
/// off-centre principal point and unequal focal lengths.
pub fn random_camera(r: &mut ChaCha8Rng, width: u32, height: u32) -> RasterCamera {
    let eye = [r.random_range(-1.0..1.0), r.random_range(-1.0..1.0), -4.0 + r.random_range(-0.5..0.5)];
    let target = [r.random_range(-0.2..0.2), r.random_range(-0.2..0.2), 0.0];
    let f = width.max(height) as f32 * r.random_range(0.9..1.3);
    RasterCamera {
        width,
        height,
        fx: f,
        fy: f * r.random_range(0.95..1.05),
        cx: width as f32 * r.random_range(0.45..0.55),
        cy: height as f32 * r.random_range(0.45..0.55),
        viewmat: look_at(eye, target),
    }
}

pub fn camera_center(cam: &RasterCamera) -> [f32; 3] {
    let v = &cam.viewmat;
    std::array::from_fn(|i| -(v[0][i] * v[0][3] + v[1][i] * v[1][3] + v[2][i] * v[2][3]))
}

/// World point at camera-space (x, y, z).
pub fn from_camera(cam: &RasterCamera, p: [f32; 3]) -> [f32; 3] {
    let v = &cam.viewmat;
    let q = [p[0] - v[0][3], p[1] - v[1][3], p[2] - v[2][3]];
    std::array::from_fn(|i| v[0][i] * q[0] + v[1][i] * q[1] + v[2][i] * q[2])
}

fn random_quat(r: &mut ChaCha8Rng) -> [f32; 4] {
    loop {
        let q: [f32; 4] = std::array::from_fn(|_| r.random_range(-1.0..1.0));
        let n = q.iter().map(|v| v * v).sum::<f32>().sqrt();
        // Unnormalised on purpose: the kernel normalises.
        if n > 0.3 {
            return q;
        }
    }
}

pub struct Kinds {
    pub thin: usize,
    pub large: usize,
    pub behind: usize,
    pub straddle: usize,
    pub near: usize,
}

/// A messy scene for forward parity: ordinary Gaussians inside the frustum plus thin, very large, behind-camera,
/// border-straddling and near-plane ones, over the whole opacity range (α clamp at 0.99 included).
pub fn messy_scene(r: &mut ChaCha8Rng, cam: &RasterCamera, n: usize, sh_degree: u32) -> (GaussianCloud, Kinds) {
    let k = GaussianCloud::num_sh_coeffs(sh_degree);
    let mut g = GaussianCloud::empty(sh_degree);
    let (tx, ty) = (0.5 * cam.width as f32 / cam.fx, 0.5 * cam.height as f32 / cam.fy);
    let kinds = Kinds { thin: n / 10, large: n / 20 + 1, behind: n / 20 + 1, straddle: n / 10, near: 2 };
    for i in 0..n {
        let z: f32 = r.random_range(2.0..7.0);
        let mut cam_p = [r.random_range(-tx..tx) * z, r.random_range(-ty..ty) * z, z];
        let mut ls: [f32; 3] = std::array::from_fn(|_| r.random_range(-3.5f32..-1.5));
        let bounds = [kinds.thin, kinds.large, kinds.behind, kinds.straddle, kinds.near];
        let mut kind = bounds.len();
        let mut acc = 0;
        for (kk, &c) in bounds.iter().enumerate() {
            acc += c;
            if i < acc {
                kind = kk;
                break;
            }
        }
        match kind {
            0 => ls[r.random_range(0..3)] = -7.0,
            1 => ls = std::array::from_fn(|_| r.random_range(0.0f32..1.0)),
            2 => {
                cam_p[2] = -r.random_range(0.0..3.0);
                ls = std::array::from_fn(|_| r.random_range(-1.0f32..0.5));
            }
            3 => {
                let side = r.random_range(0..4);
                let s = if side % 2 == 0 { 1.0 } else { -1.0 };
                if side < 2 {
                    cam_p[0] = s * tx * z * 1.02;
                } else {
                    cam_p[1] = s * ty * z * 1.02;
                }
                ls = std::array::from_fn(|_| r.random_range(-2.5f32..-1.0));
            }
            4 => {
                cam_p = [r.random_range(-0.05..0.05), r.random_range(-0.05..0.05), r.random_range(0.02..0.2)];
                ls = std::array::from_fn(|_| r.random_range(-4.0f32..-2.5));
            }
            _ => {}
        }
        g.means.push(from_camera(cam, cam_p));
        g.log_scales.push(ls);
        g.quats.push(random_quat(r));
        g.opacity_logits.push(r.random_range(-6.0..6.0));
        for kk in 0..k {
            for _ in 0..3 {
                let amp = if kk == 0 { 1.2 } else { 0.4 };
                g.sh.push(r.random_range(-amp..amp));
            }
        }
    }
    g.validate().unwrap();
    (g, kinds)
}
