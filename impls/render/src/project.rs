//! Per-Gaussian projection (EWA splatting) and its vector-Jacobian product, in f64 per Gaussian.
//!
//! World → camera: t = W·m + τ (W, τ the rigid part of the viewmat). Culled when t_z < [`NEAR_PLANE`].
//! 3D covariance Σ = R S Sᵀ Rᵀ with S = diag(exp(log_scale)), R from the normalised quaternion (w, x, y, z).
//! Camera covariance Σ_c = W Σ Wᵀ; 2D covariance Σ₂ = J Σ_c Jᵀ + 0.3·I with the perspective Jacobian
//! J = [[fx/z, 0, −fx·u/z], [0, fy/z, −fy·v/z]], where u = clamp(x/z, −lim_x⁻, lim_x⁺) exactly as gsplat's
//! `persp_proj`: lim_x⁺ = (W_px − cx)/fx + 0.3·tan_fovx, lim_x⁻ = cx/fx + 0.3·tan_fovx, tan_fovx = 0.5·W_px/fx
//! (for cx = W_px/2 both equal 1.3·tan_fovx); likewise for y. The clamp only enters J, never the projected
//! mean (fx·x/z + cx, fy·y/z + cy). Conic = Σ₂⁻¹ stored as (a, b, c) for [[a, b], [b, c]].
//!
//! Opacity-aware extent: α = o·exp(−½ dᵀ Σ₂⁻¹ d) ≥ 1/255 ⇔ dᵀΣ₂⁻¹d ≤ q₀ = 2·ln(255·o). The ellipse
//! {dᵀΣ₂⁻¹d ≤ q₀} has axis-aligned half-extents √(q₀·Σ₂ₓₓ), √(q₀·Σ₂ᵧᵧ) (exact, tighter than the circle of
//! radius √(q₀·λ_max) that is reported in `radii`); o < 1/255 culls.

use crate::camera::CameraF64;
use crate::constants::{ALPHA_MIN, ALPHA_MIN_RECIP, COV2D_BLUR, JAC_CLAMP_MARGIN, NEAR_PLANE};
use crate::gaussians::GaussianCloud;
use crate::sh;
pub use splatbench_core::maths::{sigmoid, unit_quat_to_rotmat};

pub type M3 = [[f64; 3]; 3];

pub fn matmul(a: &M3, b: &M3) -> M3 {
    std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|k| a[i][k] * b[k][j]).sum()))
}

pub fn transpose(a: &M3) -> M3 {
    std::array::from_fn(|i| std::array::from_fn(|j| a[j][i]))
}

fn matvec(a: &M3, v: [f64; 3]) -> [f64; 3] {
    std::array::from_fn(|i| a[i][0] * v[0] + a[i][1] * v[1] + a[i][2] * v[2])
}

/// dL/dq (unit quaternion) from dL/dR for [`unit_quat_to_rotmat`].
fn rotmat_vjp(q: [f64; 4], g: &M3) -> [f64; 4] {
    let [w, x, y, z] = q;
    [
        2.0 * (-z * g[0][1] + y * g[0][2] + z * g[1][0] - x * g[1][2] - y * g[2][0] + x * g[2][1]),
        2.0 * (y * g[0][1] + z * g[0][2] + y * g[1][0] - 2.0 * x * g[1][1] - w * g[1][2] + z * g[2][0] + w * g[2][1]
            - 2.0 * x * g[2][2]),
        2.0 * (-2.0 * y * g[0][0] + x * g[0][1] + w * g[0][2] + x * g[1][0] + z * g[1][2] - w * g[2][0] + z * g[2][1]
            - 2.0 * y * g[2][2]),
        2.0 * (-2.0 * z * g[0][0] - w * g[0][1] + x * g[0][2] + w * g[1][0] - 2.0 * z * g[1][1]
            + y * g[1][2]
            + x * g[2][0]
            + y * g[2][1]),
    ]
}

/// gsplat's (lim⁻, lim⁺) of x/z and of y/z.
fn jac_limits(cam: &CameraF64) -> ([f64; 2], [f64; 2]) {
    let (width, height) = (cam.width as f64, cam.height as f64);
    let tan_x = 0.5 * width / cam.fx;
    let tan_y = 0.5 * height / cam.fy;
    (
        [cam.cx / cam.fx + JAC_CLAMP_MARGIN * tan_x, (width - cam.cx) / cam.fx + JAC_CLAMP_MARGIN * tan_x],
        [cam.cy / cam.fy + JAC_CLAMP_MARGIN * tan_y, (height - cam.cy) / cam.fy + JAC_CLAMP_MARGIN * tan_y],
    )
}

/// One projected Gaussian plus the intermediates its VJP needs.
#[derive(Clone, Debug)]
pub struct Projection {
    pub mean2d: [f64; 2],
    pub conic: [f64; 3],
    pub cov2d: [f64; 3],
    pub depth: f64,
    pub opacity: f64,
    pub color: [f64; 3],
    /// q₀ = 2·ln(255·o): the α ≥ 1/255 region is dᵀΣ₂⁻¹d ≤ q₀.
    pub q0: f64,
    /// Half-extents of the α ≥ 1/255 ellipse, in pixels.
    pub extent: [f64; 2],
    /// ceil(√(q₀·λ_max)), ≥ 1.
    pub radius: u32,
    t: [f64; 3],
    qn: [f64; 4],
    qnorm: f64,
    rot: M3,
    scale: [f64; 3],
    cov_world: M3,
    cov_cam: M3,
    jac: [[f64; 3]; 2],
    /// Clamped ratio u, v and whether the clamp was active.
    ratio: [f64; 2],
    clamped: [bool; 2],
}

/// Project Gaussian `n`; `None` when it is culled (behind the near plane, opacity < 1/255, or degenerate).
pub fn project(g: &GaussianCloud, n: usize, cam: &CameraF64) -> Option<Projection> {
    let m = g.means[n].map(|v| v as f64);
    let (w, tau) = (cam.rotation(), cam.translation());
    let wm = matvec(&w, m);
    let t: [f64; 3] = std::array::from_fn(|i| wm[i] + tau[i]);
    if !(t[2] >= NEAR_PLANE) {
        return None;
    }
    let opacity = sigmoid(g.opacity_logits[n] as f64);
    if !(opacity >= ALPHA_MIN as f64) {
        return None;
    }
    let q = g.quats[n].map(|v| v as f64);
    let qnorm = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).sqrt();
    let qn = q.map(|v| v / qnorm);
    let rot = unit_quat_to_rotmat(qn);
    let scale = g.log_scales[n].map(|v| (v as f64).exp());
    let rs: M3 = std::array::from_fn(|i| std::array::from_fn(|j| rot[i][j] * scale[j]));
    let cov_world = matmul(&rs, &transpose(&rs));
    let cov_cam = matmul(&matmul(&w, &cov_world), &transpose(&w));

    let (lim_x, lim_y) = jac_limits(cam);
    let (x, y, z) = (t[0], t[1], t[2]);
    let clamp = |r: f64, lim: [f64; 2]| (r.clamp(-lim[0], lim[1]), r < -lim[0] || r > lim[1]);
    let (u, cu) = clamp(x / z, lim_x);
    let (v, cv) = clamp(y / z, lim_y);
    let jac = [[cam.fx / z, 0.0, -cam.fx * u / z], [0.0, cam.fy / z, -cam.fy * v / z]];
    // Σ₂ = J Σ_c Jᵀ (+ blur on the diagonal).
    let jc: [[f64; 3]; 2] =
        std::array::from_fn(|r| std::array::from_fn(|k| (0..3).map(|l| jac[r][l] * cov_cam[l][k]).sum()));
    let jcj = |r: usize, s: usize| -> f64 { (0..3).map(|k| jc[r][k] * jac[s][k]).sum() };
    let cov2d = [jcj(0, 0) + COV2D_BLUR, jcj(0, 1), jcj(1, 1) + COV2D_BLUR];
    let det = cov2d[0] * cov2d[2] - cov2d[1] * cov2d[1];
    if !(det > 0.0) || !det.is_finite() {
        return None;
    }
    let conic = [cov2d[2] / det, -cov2d[1] / det, cov2d[0] / det];
    let mean2d = [cam.fx * x / z + cam.cx, cam.fy * y / z + cam.cy];

    let k = GaussianCloud::num_sh_coeffs(g.sh_degree);
    let center = cam.center();
    let dir: [f64; 3] = std::array::from_fn(|i| m[i] - center[i]);
    let color = sh::color_unclamped(&g.sh[n * k * 3..(n + 1) * k * 3], dir).map(|c| c.max(0.0));

    let q0 = 2.0 * (ALPHA_MIN_RECIP * opacity).ln();
    let half = 0.5 * (cov2d[0] + cov2d[2]);
    let lambda_max = half + (0.25 * (cov2d[0] - cov2d[2]).powi(2) + cov2d[1] * cov2d[1]).sqrt();
    let radius = (q0 * lambda_max).sqrt().ceil().max(1.0);
    let extent = [(q0 * cov2d[0]).sqrt(), (q0 * cov2d[2]).sqrt()];
    let finite = mean2d.iter().chain(&conic).chain(&extent).all(|v| v.is_finite());
    if !finite {
        return None;
    }
    Some(Projection {
        mean2d,
        conic,
        cov2d,
        depth: z,
        opacity,
        color,
        q0,
        extent,
        radius: radius.min(u32::MAX as f64) as u32,
        t,
        qn,
        qnorm,
        rot,
        scale,
        cov_world,
        cov_cam,
        jac,
        ratio: [u, v],
        clamped: [cu, cv],
    })
}

/// Upstream gradients of one Gaussian's projected quantities (summed over every pixel it touched).
#[derive(Clone, Copy, Debug, Default)]
pub struct ProjectedGrad {
    pub mean2d: [f64; 2],
    /// dL/d(a, b, c) of the conic [[a, b], [b, c]], b counted once.
    pub conic: [f64; 3],
    pub opacity: f64,
    pub color: [f64; 3],
    pub depth: f64,
}

/// Camera gradients: dL/dW (3×3), dL/dτ, dL/d(fx, fy, cx, cy).
#[derive(Clone, Copy, Debug, Default)]
pub struct CameraGrad {
    pub w: M3,
    pub tau: [f64; 3],
    pub intrinsics: [f64; 4],
}

impl CameraGrad {
    pub fn add(&mut self, o: &CameraGrad) {
        for i in 0..3 {
            for j in 0..3 {
                self.w[i][j] += o.w[i][j];
            }
            self.tau[i] += o.tau[i];
        }
        for i in 0..4 {
            self.intrinsics[i] += o.intrinsics[i];
        }
    }
}

/// Per-Gaussian parameter gradients.
#[derive(Clone, Copy, Debug, Default)]
pub struct ParamGrad {
    pub mean: [f64; 3],
    pub log_scale: [f64; 3],
    pub quat: [f64; 4],
    pub opacity_logit: f64,
}

/// Where [`project_vjp`] adds the gradients that are not per-parameter: `sh` is this Gaussian's K × 3 slice of the
/// SH gradient, `cam` the camera gradient summed over Gaussians.
pub struct VjpSinks<'a> {
    pub sh: &'a mut [f32],
    pub cam: &'a mut CameraGrad,
}

/// VJP of [`project`] for Gaussian `n`: returns the parameter gradients and adds the SH and camera gradients into
/// `sinks`.
pub fn project_vjp(
    g: &GaussianCloud,
    n: usize,
    cam: &CameraF64,
    p: &Projection,
    up: &ProjectedGrad,
    sinks: VjpSinks,
) -> ParamGrad {
    let VjpSinks { sh: d_sh, cam: d_cam } = sinks;
    let mut out = ParamGrad::default();
    let m = g.means[n].map(|v| v as f64);
    let (w, tau, center) = (cam.rotation(), cam.translation(), cam.center());
    let [x, y, z] = p.t;
    let (fx, fy) = (cam.fx, cam.fy);

    out.opacity_logit = up.opacity * p.opacity * (1.0 - p.opacity);

    // Colour: SH coefficients and the view direction m − centre (centre = −Wᵀτ).
    let k = GaussianCloud::num_sh_coeffs(g.sh_degree);
    let dir: [f64; 3] = std::array::from_fn(|i| m[i] - center[i]);
    let d_dir = sh::color_vjp(&g.sh[n * k * 3..(n + 1) * k * 3], dir, up.color, d_sh);
    let d_center = d_dir.map(|v| -v);
    for i in 0..3 {
        out.mean[i] += d_dir[i];
        for j in 0..3 {
            // centre_i = −Σ_j W[j][i] τ_j
            d_cam.w[j][i] -= tau[j] * d_center[i];
            d_cam.tau[j] -= w[j][i] * d_center[i];
        }
    }

    // Conic = Σ₂⁻¹: dL/dΣ₂ = −Σ₂⁻¹ G Σ₂⁻¹ with G the symmetric matrix gradient of the conic.
    let [ca, cb, cc] = p.conic;
    let gm = [[up.conic[0], 0.5 * up.conic[1]], [0.5 * up.conic[1], up.conic[2]]];
    let cm = [[ca, cb], [cb, cc]];
    let mut g_cov2 = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            let mut s = 0.0;
            for a in 0..2 {
                for b in 0..2 {
                    s += cm[i][a] * gm[a][b] * cm[b][j];
                }
            }
            g_cov2[i][j] = -s;
        }
    }
    // Σ₂ = J Σ_c Jᵀ + blur: dJ = 2 G J Σ_c, dΣ_c = Jᵀ G J (G, Σ_c symmetric).
    let jac = &p.jac;
    let mut g_jac = [[0.0; 3]; 2];
    for r in 0..2 {
        for c in 0..3 {
            let mut s = 0.0;
            for a in 0..2 {
                for l in 0..3 {
                    s += g_cov2[r][a] * jac[a][l] * p.cov_cam[l][c];
                }
            }
            g_jac[r][c] = 2.0 * s;
        }
    }
    let g_cov_cam: M3 = std::array::from_fn(|i| {
        std::array::from_fn(|j| {
            let mut s = 0.0;
            for a in 0..2 {
                for b in 0..2 {
                    s += jac[a][i] * g_cov2[a][b] * jac[b][j];
                }
            }
            s
        })
    });
    // Σ_c = W Σ Wᵀ: dW = 2 dΣ_c W Σ, dΣ = Wᵀ dΣ_c W.
    let gw = matmul(&matmul(&g_cov_cam, &w), &p.cov_world);
    for i in 0..3 {
        for j in 0..3 {
            d_cam.w[i][j] += 2.0 * gw[i][j];
        }
    }
    let g_cov_world = matmul(&matmul(&transpose(&w), &g_cov_cam), &w);
    // Σ = M Mᵀ, M = R diag(s): dM = 2 dΣ M.
    let rs: M3 = std::array::from_fn(|i| std::array::from_fn(|j| p.rot[i][j] * p.scale[j]));
    let g_m = matmul(&g_cov_world, &rs);
    let mut g_rot = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            g_rot[i][j] = 2.0 * g_m[i][j] * p.scale[j];
            out.log_scale[j] += 2.0 * g_m[i][j] * p.rot[i][j] * p.scale[j];
        }
    }
    let g_qn = rotmat_vjp(p.qn, &g_rot);
    let radial: f64 = (0..4).map(|i| g_qn[i] * p.qn[i]).sum();
    out.quat = std::array::from_fn(|i| (g_qn[i] - radial * p.qn[i]) / p.qnorm);

    // Mean, Jacobian and depth with respect to t and the intrinsics.
    let mut g_t = [0.0; 3];
    let [gmx, gmy] = up.mean2d;
    g_t[0] += gmx * fx / z;
    g_t[1] += gmy * fy / z;
    g_t[2] -= (gmx * fx * x + gmy * fy * y) / (z * z);
    d_cam.intrinsics[0] += gmx * x / z + g_jac[0][0] / z;
    d_cam.intrinsics[1] += gmy * y / z + g_jac[1][1] / z;
    d_cam.intrinsics[2] += gmx;
    d_cam.intrinsics[3] += gmy;
    g_t[2] -= (g_jac[0][0] * fx + g_jac[1][1] * fy) / (z * z);
    // J[r][2] = −f·u/z with u = clamp(t_r/z); a clamped u depends on (f, c) only, through lim = (…)/f.
    for (r, (f, coord)) in [(fx, x), (fy, y)].into_iter().enumerate() {
        let gj = g_jac[r][2];
        let u = p.ratio[r];
        if p.clamped[r] {
            g_t[2] += gj * f * u / (z * z);
            d_cam.intrinsics[2 + r] += gj / z;
        } else {
            g_t[r] -= gj * f / (z * z);
            g_t[2] += gj * 2.0 * f * coord / (z * z * z);
            d_cam.intrinsics[r] -= gj * coord / (z * z);
        }
    }
    g_t[2] += up.depth;

    // t = W m + τ.
    for i in 0..3 {
        for j in 0..3 {
            out.mean[j] += w[i][j] * g_t[i];
            d_cam.w[i][j] += g_t[i] * m[j];
        }
        d_cam.tau[i] += g_t[i];
    }
    out
}
