//! Projection, one unit per Gaussian: the CPU kernel's `project` + `make_splat` in f32.
//!
//! t = W·m + τ (culled when t_z < 0.01); o = sigmoid(logit) (culled when o < 1/255); Σ = R S Sᵀ Rᵀ,
//! Σ_c = W Σ Wᵀ, Σ₂ = J Σ_c Jᵀ + 0.3·I with J = [[fx/z, 0, −fx·u/z], [0, fy/z, −fy·v/z]] and u, v the ratios x/z,
//! y/z clamped to gsplat's `persp_proj` limits (the clamp enters J only); conic = Σ₂⁻¹ (culled when det Σ₂ ≤ 0 or
//! anything is not finite); colour = max(0, Σ_k sh_k Y_k(normalize(m − centre)) + 0.5). The α ≥ 1/255 region
//! dᵀΣ₂⁻¹d ≤ q₀ = 2·ln(255·o) has half-extents √(q₀·Σ₂ₓₓ), √(q₀·Σ₂ᵧᵧ), inflated by 0.1 % + 10⁻³ px as on the CPU;
//! its pixel box (culled when empty) gives the tile rectangle. radius = max(1, ⌈√(q₀·λ_max(Σ₂))⌉).
//!
//! Outputs per Gaussian: the splat `[mean x, mean y, conic a, b, c, opacity, r, g, b, depth]` ([`SPLAT`] floats),
//! the tile rectangle `[tx0, tx1, ty0, ty1]`, its tile count (0 = culled) and the radius (0 = culled).
//! The numbers above are the f32 forms of [`crate::constants`]; the clamped ratios are `ru`, `rv` in the code (`u` is
//! the uniforms).

use super::maths::{logistic, matmul3, matmul3_bt, sh_basis, unit_quat_rotation, view_rigid};
use crate::constants::{
    ALPHA_MIN, ALPHA_MIN_RECIP_F32, COV2D_BLUR_F32, EXTENT_PAD_F32, EXTENT_SCALE_F32, JAC_CLAMP_MARGIN_F32,
    NEAR_PLANE_F32, TILE,
};
use crate::cube::types::{CameraArgs, GaussianArgs, Projected, Uniforms};
use cubecl::prelude::*;

/// Floats per projected splat.
pub const SPLAT: usize = 10;

/// True when `v` is neither NaN nor ±∞ (comparisons with NaN are false).
#[cube]
pub fn finite(v: f32) -> bool {
    (v).abs() < 3.0e38f32
}

#[cube(launch)]
pub fn project(
    gauss: &GaussianArgs,
    opacity_logits: &Tensor<f32>,
    cam: &CameraArgs,
    out: &mut Projected,
    u: &Uniforms,
) {
    let i = ABSOLUTE_POS;
    if i >= u.n as usize {
        terminate!();
    }
    out.counts[i] = 0u32;
    out.radii[i] = 0u32;

    let mut w = Array::<f32>::new(9usize);
    let mut tau = Array::<f32>::new(3usize);
    view_rigid(cam, &mut w, &mut tau);
    let t0 = tau[0usize];
    let t1 = tau[1usize];
    let t2 = tau[2usize];
    let fx = cam.intrinsics[0usize];
    let fy = cam.intrinsics[1usize];
    let cx = cam.intrinsics[2usize];
    let cy = cam.intrinsics[3usize];
    let mx = gauss.means[i * 3];
    let my = gauss.means[i * 3 + 1];
    let mz = gauss.means[i * 3 + 2];
    let x = w[0usize] * mx + w[1usize] * my + w[2usize] * mz + t0;
    let y = w[3usize] * mx + w[4usize] * my + w[5usize] * mz + t1;
    let z = w[6usize] * mx + w[7usize] * my + w[8usize] * mz + t2;
    // Written so that NaN fails too.
    if !(z >= NEAR_PLANE_F32) {
        terminate!();
    }
    let opacity = logistic(opacity_logits[i]);
    if !(opacity >= ALPHA_MIN) {
        terminate!();
    }

    let mut qn = Array::<f32>::new(4usize);
    let mut rot = Array::<f32>::new(9usize);
    unit_quat_rotation(gauss, i, &mut qn, &mut rot);
    let mut rs = Array::<f32>::new(9usize);
    #[unroll]
    for c in 0..3usize {
        let s = (gauss.log_scales[i * 3 + c]).exp();
        #[unroll]
        for r in 0..3usize {
            rs[r * 3 + c] = rot[r * 3 + c] * s;
        }
    }
    let mut cov = Array::<f32>::new(9usize);
    matmul3_bt(&rs, &rs, &mut cov);
    let mut wc = Array::<f32>::new(9usize);
    matmul3(&w, &cov, &mut wc);
    let mut cc = Array::<f32>::new(9usize);
    matmul3_bt(&wc, &w, &mut cc);

    let wf = f32::cast_from(u.width);
    let hf = f32::cast_from(u.height);
    let tan_x = 0.5f32 * wf / fx;
    let tan_y = 0.5f32 * hf / fy;
    let ru = min(max(x / z, -(cx / fx + JAC_CLAMP_MARGIN_F32 * tan_x)), (wf - cx) / fx + JAC_CLAMP_MARGIN_F32 * tan_x);
    let rv = min(max(y / z, -(cy / fy + JAC_CLAMP_MARGIN_F32 * tan_y)), (hf - cy) / fy + JAC_CLAMP_MARGIN_F32 * tan_y);
    let j00 = fx / z;
    let j02 = -fx * ru / z;
    let j11 = fy / z;
    let j12 = -fy * rv / z;
    let ca = j00 * j00 * cc[0usize] + 2.0f32 * j00 * j02 * cc[2usize] + j02 * j02 * cc[8usize] + COV2D_BLUR_F32;
    let cb = j00 * j11 * cc[1usize] + j00 * j12 * cc[2usize] + j02 * j11 * cc[5usize] + j02 * j12 * cc[8usize];
    let cv = j11 * j11 * cc[4usize] + 2.0f32 * j11 * j12 * cc[5usize] + j12 * j12 * cc[8usize] + COV2D_BLUR_F32;
    let det = ca * cv - cb * cb;
    if !(det > 0.0f32) || !finite(det) {
        terminate!();
    }
    let conic_a = cv / det;
    let conic_b = -cb / det;
    let conic_c = ca / det;
    let mean_x = fx * x / z + cx;
    let mean_y = fy * y / z + cy;

    // Colour from SH along the world-space view direction.
    let dx = mx + (w[0usize] * t0 + w[3usize] * t1 + w[6usize] * t2);
    let dy = my + (w[1usize] * t0 + w[4usize] * t1 + w[7usize] * t2);
    let dz = mz + (w[2usize] * t0 + w[5usize] * t1 + w[8usize] * t2);
    let len = (dx * dx + dy * dy + dz * dz).sqrt();
    let mut basis = Array::<f32>::new(16usize);
    if len > 0.0f32 {
        sh_basis(dx / len, dy / len, dz / len, &mut basis);
    } else {
        sh_basis(0.0f32, 0.0f32, 1.0f32, &mut basis);
    }
    let base = i * (u.num_coeffs as usize) * 3;
    let mut col_r = 0.5f32;
    let mut col_g = 0.5f32;
    let mut col_b = 0.5f32;
    for k in 0..u.num_coeffs as usize {
        let yk = basis[k];
        col_r += gauss.sh[base + k * 3] * yk;
        col_g += gauss.sh[base + k * 3 + 1] * yk;
        col_b += gauss.sh[base + k * 3 + 2] * yk;
    }

    let q0 = 2.0f32 * (ALPHA_MIN_RECIP_F32 * opacity).ln();
    let lambda_max = 0.5f32 * (ca + cv) + (0.25f32 * (ca - cv) * (ca - cv) + cb * cb).sqrt();
    let radius = max(((q0 * lambda_max).sqrt()).ceil(), 1.0f32);
    let ex = (q0 * ca).sqrt() * EXTENT_SCALE_F32 + EXTENT_PAD_F32;
    let ey = (q0 * cv).sqrt() * EXTENT_SCALE_F32 + EXTENT_PAD_F32;
    let ok = finite(mean_x) && finite(mean_y) && finite(conic_a) && finite(conic_b) && finite(conic_c);
    if !ok || !finite(ex) || !finite(ey) {
        terminate!();
    }
    // Pixel j is inside when |j + 0.5 − μ| ≤ e.
    let x0 = min(max((mean_x - ex - 0.5f32).ceil(), 0.0f32), wf);
    let x1 = min(max((mean_x + ex - 0.5f32).floor(), -1.0f32), wf - 1.0f32);
    let y0 = min(max((mean_y - ey - 0.5f32).ceil(), 0.0f32), hf);
    let y1 = min(max((mean_y + ey - 0.5f32).floor(), -1.0f32), hf - 1.0f32);
    if x0 > x1 || y0 > y1 {
        terminate!();
    }
    let tx0 = u32::cast_from(x0) / TILE;
    let tx1 = u32::cast_from(x1) / TILE;
    let ty0 = u32::cast_from(y0) / TILE;
    let ty1 = u32::cast_from(y1) / TILE;
    out.rects[i * 4] = tx0;
    out.rects[i * 4 + 1] = tx1;
    out.rects[i * 4 + 2] = ty0;
    out.rects[i * 4 + 3] = ty1;
    out.counts[i] = (tx1 - tx0 + 1) * (ty1 - ty0 + 1);
    out.radii[i] = u32::cast_from(radius);

    let o = i * SPLAT;
    out.splats[o] = mean_x;
    out.splats[o + 1] = mean_y;
    out.splats[o + 2] = conic_a;
    out.splats[o + 3] = conic_b;
    out.splats[o + 4] = conic_c;
    out.splats[o + 5] = opacity;
    out.splats[o + 6] = max(col_r, 0.0f32);
    out.splats[o + 7] = max(col_g, 0.0f32);
    out.splats[o + 8] = max(col_b, 0.0f32);
    out.splats[o + 9] = z;
}
