//! Dense f64 reference renderer: every Gaussian at every pixel, plain loops, written to be obviously right.
//!
//! It follows the crate-level semantics literally (see `lib.rs`): project each Gaussian (cull z < 0.01),
//! sort by (view-space z, index), and for each pixel composite front to back with α = min(0.99, o·exp(−½q)),
//! skipping α < 1/255 and stopping before the contribution that would bring T below 1e-4. There is no tiling
//! and no extent test, so it checks the fast kernel's binning as well as its arithmetic. The parameter form
//! [`render_dense_params`] takes f64 parameters so finite differences of it are accurate.

pub use crate::camera::CameraF64;
use crate::camera::RasterCamera;
use crate::constants::{ALPHA_MAX, ALPHA_MIN, COV2D_BLUR, JAC_CLAMP_MARGIN, NEAR_PLANE, T_MIN};
use crate::gaussians::GaussianCloud;
use crate::sh;
use splatbench_core::maths::unit_quat_to_rotmat;

/// A rendered image in f64 (layouts as [`crate::cpu::RenderImage`]).
#[derive(Clone, Debug)]
pub struct RenderImageF64 {
    pub width: u32,
    pub height: u32,
    pub color: Vec<f64>,
    pub alpha: Vec<f64>,
    pub depth: Vec<f64>,
}

/// [`GaussianCloud`] in f64.
#[derive(Clone, Debug)]
pub struct ParamsF64 {
    pub means: Vec<[f64; 3]>,
    pub log_scales: Vec<[f64; 3]>,
    pub quats: Vec<[f64; 4]>,
    pub opacity_logits: Vec<f64>,
    pub sh_degree: u32,
    pub sh: Vec<f64>,
}

impl From<&GaussianCloud> for ParamsF64 {
    fn from(g: &GaussianCloud) -> Self {
        ParamsF64 {
            means: g.means.iter().map(|v| v.map(f64::from)).collect(),
            log_scales: g.log_scales.iter().map(|v| v.map(f64::from)).collect(),
            quats: g.quats.iter().map(|v| v.map(f64::from)).collect(),
            opacity_logits: g.opacity_logits.iter().map(|&v| v as f64).collect(),
            sh_degree: g.sh_degree,
            sh: g.sh.iter().map(|&v| v as f64).collect(),
        }
    }
}

/// One Gaussian as seen from the camera.
#[derive(Clone, Debug)]
pub struct SplatF64 {
    pub index: usize,
    pub mean2d: [f64; 2],
    /// Inverse of the 2D covariance, [[a, b], [b, c]] as (a, b, c).
    pub conic: [f64; 3],
    pub opacity: f64,
    pub color: [f64; 3],
    pub depth: f64,
}

impl SplatF64 {
    /// o·exp(−½ dᵀΣ₂⁻¹d) at pixel coordinates (px, py), before the 0.99 clamp.
    pub fn raw_alpha(&self, px: f64, py: f64) -> f64 {
        let (dx, dy) = (px - self.mean2d[0], py - self.mean2d[1]);
        let q = self.conic[0] * dx * dx + 2.0 * self.conic[1] * dx * dy + self.conic[2] * dy * dy;
        self.opacity * (-0.5 * q).exp()
    }
}

/// Project every Gaussian in front of the near plane, sorted front to back by (depth, index).
pub fn splats(p: &ParamsF64, cam: &CameraF64) -> Vec<SplatF64> {
    let v = &cam.viewmat;
    let k = GaussianCloud::num_sh_coeffs(p.sh_degree);
    // Camera centre −Rᵀt.
    let centre: [f64; 3] = std::array::from_fn(|i| -(v[0][i] * v[0][3] + v[1][i] * v[1][3] + v[2][i] * v[2][3]));
    let (w, h) = (cam.width as f64, cam.height as f64);
    let tan_fovx = 0.5 * w / cam.fx;
    let tan_fovy = 0.5 * h / cam.fy;
    let lim_x_pos = (w - cam.cx) / cam.fx + JAC_CLAMP_MARGIN * tan_fovx;
    let lim_x_neg = cam.cx / cam.fx + JAC_CLAMP_MARGIN * tan_fovx;
    let lim_y_pos = (h - cam.cy) / cam.fy + JAC_CLAMP_MARGIN * tan_fovy;
    let lim_y_neg = cam.cy / cam.fy + JAC_CLAMP_MARGIN * tan_fovy;

    let mut out = Vec::new();
    for n in 0..p.means.len() {
        let m = p.means[n];
        let t: [f64; 3] = std::array::from_fn(|i| v[i][0] * m[0] + v[i][1] * m[1] + v[i][2] * m[2] + v[i][3]);
        if t[2] < NEAR_PLANE {
            continue;
        }
        let q = p.quats[n];
        let qn_len = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).sqrt();
        let r = unit_quat_to_rotmat(q.map(|c| c / qn_len));
        let s = p.log_scales[n].map(f64::exp);
        // Σ = R diag(s²) Rᵀ
        let mut cov = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                for a in 0..3 {
                    cov[i][j] += r[i][a] * s[a] * s[a] * r[j][a];
                }
            }
        }
        // Σ_c = W Σ Wᵀ
        let mut cov_c = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                for a in 0..3 {
                    for b in 0..3 {
                        cov_c[i][j] += v[i][a] * cov[a][b] * v[j][b];
                    }
                }
            }
        }
        let (x, y, z) = (t[0], t[1], t[2]);
        let tx = z * (x / z).max(-lim_x_neg).min(lim_x_pos);
        let ty = z * (y / z).max(-lim_y_neg).min(lim_y_pos);
        let jac = [[cam.fx / z, 0.0, -cam.fx * tx / (z * z)], [0.0, cam.fy / z, -cam.fy * ty / (z * z)]];
        let mut cov2 = [[0.0; 2]; 2];
        for i in 0..2 {
            for j in 0..2 {
                for a in 0..3 {
                    for b in 0..3 {
                        cov2[i][j] += jac[i][a] * cov_c[a][b] * jac[j][b];
                    }
                }
            }
            cov2[i][i] += COV2D_BLUR;
        }
        let det = cov2[0][0] * cov2[1][1] - cov2[0][1] * cov2[1][0];
        let conic = [cov2[1][1] / det, -cov2[0][1] / det, cov2[0][0] / det];
        let dir: [f64; 3] = std::array::from_fn(|i| m[i] - centre[i]);
        let len = (dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]).sqrt();
        let basis = sh::basis(dir.map(|c| c / len));
        let mut color = [0.5; 3];
        for (kk, b) in basis.iter().enumerate().take(k) {
            for (c, col) in color.iter_mut().enumerate() {
                *col += p.sh[(n * k + kk) * 3 + c] * b;
            }
        }
        out.push(SplatF64 {
            index: n,
            mean2d: [cam.fx * x / z + cam.cx, cam.fy * y / z + cam.cy],
            conic,
            opacity: 1.0 / (1.0 + (-p.opacity_logits[n]).exp()),
            color: color.map(|c| c.max(0.0)),
            depth: z,
        });
    }
    out.sort_by(|a, b| a.depth.total_cmp(&b.depth).then(a.index.cmp(&b.index)));
    out
}

/// Render with f64 parameters.
pub fn render_dense_params(p: &ParamsF64, cam: &CameraF64, background: [f64; 3]) -> RenderImageF64 {
    let list = splats(p, cam);
    let (w, h) = (cam.width as usize, cam.height as usize);
    let mut img = RenderImageF64 {
        width: cam.width,
        height: cam.height,
        color: vec![0.0; w * h * 3],
        alpha: vec![0.0; w * h],
        depth: vec![0.0; w * h],
    };
    for i in 0..h {
        for j in 0..w {
            let (px, py) = (j as f64 + 0.5, i as f64 + 0.5);
            let mut t = 1.0;
            let mut c = [0.0; 3];
            let mut d = 0.0;
            for s in &list {
                let alpha = s.raw_alpha(px, py).min(ALPHA_MAX as f64);
                if alpha < ALPHA_MIN as f64 {
                    continue;
                }
                let next_t = t * (1.0 - alpha);
                if next_t < T_MIN as f64 {
                    break;
                }
                for ch in 0..3 {
                    c[ch] += s.color[ch] * alpha * t;
                }
                d += s.depth * alpha * t;
                t = next_t;
            }
            let pix = i * w + j;
            for ch in 0..3 {
                img.color[pix * 3 + ch] = c[ch] + t * background[ch];
            }
            img.alpha[pix] = 1.0 - t;
            img.depth[pix] = d;
        }
    }
    img
}

/// Render the f32 cloud and camera densely in f64.
pub fn render_dense(g: &GaussianCloud, cam: &RasterCamera, background: [f32; 3]) -> RenderImageF64 {
    render_dense_params(&ParamsF64::from(g), &CameraF64::from(cam), background.map(f64::from))
}
