//! The projection's vector-Jacobian product, one unit per Gaussian: the CPU kernel's `project_vjp` in f32.
//! It recomputes the projection's intermediates and maps the Gaussian's summed 2D gradients (mean, conic,
//! opacity, colour, depth) to its parameters and to its share of the camera gradient:
//!
//! - opacity: dL/dlogit = dL/do · o(1 − o);
//! - colour: SH coefficients and the view direction m − centre (centre = −Wᵀτ, so W and τ get a term);
//! - conic = Σ₂⁻¹: dL/dΣ₂ = −Σ₂⁻¹ G Σ₂⁻¹; Σ₂ = J Σ_c Jᵀ + blur: dJ = 2 G J Σ_c, dΣ_c = Jᵀ G J;
//!   Σ_c = W Σ Wᵀ: dW += 2 dΣ_c W Σ, dΣ = Wᵀ dΣ_c W; Σ = M Mᵀ with M = R diag(s): dM = 2 dΣ M, then R and s;
//!   the quaternion through R and its normalisation;
//! - mean and J with respect to t = W m + τ and the intrinsics, where a clamped ratio u passes no gradient to t.
//!
//! The camera share is written per Gaussian (`[W (9), τ (3), fx, fy, cx, cy]`) and summed on the device by the
//! glue, so no float atomics are needed.

use crate::cube::kernels::maths::{matmul3, matmul3_at, matmul3_bt, rotation, sh_basis, sh_basis_grad};
use crate::cube::kernels::project::SPLAT;
use crate::cube::bwd::raster_bwd::GRAD;
use cubecl::prelude::*;

/// Floats of one Gaussian's camera-gradient share.
pub const CAM: usize = 16;

#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn project_bwd(
    means: &Tensor<f32>,
    log_scales: &Tensor<f32>,
    quats: &Tensor<f32>,
    sh: &Tensor<f32>,
    viewmat: &Tensor<f32>,
    intrinsics: &Tensor<f32>,
    splats: &Tensor<f32>,
    counts: &Tensor<u32>,
    grads2d: &Tensor<f32>,
    d_means: &mut Tensor<f32>,
    d_log_scales: &mut Tensor<f32>,
    d_quats: &mut Tensor<f32>,
    d_opacity: &mut Tensor<f32>,
    d_sh: &mut Tensor<f32>,
    d_cam: &mut Tensor<f32>,
    d_means2d: &mut Tensor<f32>,
    n: u32,
    num_coeffs: u32,
    width: u32,
    height: u32,
) {
    let i = ABSOLUTE_POS;
    if i >= n as usize {
        terminate!();
    }
    let nk = num_coeffs as usize;
    // Culled Gaussians (and those reaching no pixel) get zeros everywhere.
    let visible = counts[i] > 0;
    d_means2d[i * 2] = grads2d[i * GRAD];
    d_means2d[i * 2 + 1] = grads2d[i * GRAD + 1];
    if !visible {
        #[unroll]
        for c in 0..3 {
            d_means[i * 3 + c] = 0.0;
            d_log_scales[i * 3 + c] = 0.0;
        }
        #[unroll]
        for c in 0..4 {
            d_quats[i * 4 + c] = 0.0;
        }
        d_opacity[i] = 0.0;
        for c in 0..nk * 3 {
            d_sh[i * nk * 3 + c] = 0.0;
        }
        #[unroll]
        for c in 0..CAM {
            d_cam[i * CAM + c] = 0.0;
        }
        terminate!();
    }
    let (gmx, gmy) = (grads2d[i * GRAD], grads2d[i * GRAD + 1]);
    let (gca, gcb, gcc) = (grads2d[i * GRAD + 2], grads2d[i * GRAD + 3], grads2d[i * GRAD + 4]);
    let g_op = grads2d[i * GRAD + 5];
    let (gr, gg, gb) = (grads2d[i * GRAD + 6], grads2d[i * GRAD + 7], grads2d[i * GRAD + 8]);
    let g_depth = grads2d[i * GRAD + 9];

    let mut w = Array::<f32>::new(9);
    #[unroll]
    for r in 0..3 {
        #[unroll]
        for c in 0..3 {
            w[r * 3 + c] = viewmat[r * 4 + c];
        }
    }
    let mut tau = Array::<f32>::new(3);
    tau[0] = viewmat[3];
    tau[1] = viewmat[7];
    tau[2] = viewmat[11];
    let (fx, fy, cx, cy) = (intrinsics[0], intrinsics[1], intrinsics[2], intrinsics[3]);
    let mut m = Array::<f32>::new(3);
    #[unroll]
    for c in 0..3 {
        m[c] = means[i * 3 + c];
    }
    let x = w[0] * m[0] + w[1] * m[1] + w[2] * m[2] + tau[0];
    let y = w[3] * m[0] + w[4] * m[1] + w[5] * m[2] + tau[1];
    let z = w[6] * m[0] + w[7] * m[1] + w[8] * m[2] + tau[2];

    let mut dw = Array::<f32>::new(9);
    let mut dtau = Array::<f32>::new(3);
    let mut dmean = Array::<f32>::new(3);
    #[unroll]
    for c in 0..9 {
        dw[c] = 0.0;
    }
    #[unroll]
    for c in 0..3 {
        dtau[c] = 0.0;
        dmean[c] = 0.0;
    }

    // Opacity.
    let opacity = splats[i * SPLAT + 5];
    d_opacity[i] = g_op * opacity * (1.0 - opacity);

    // Colour: SH and the view direction.
    let mut dir = Array::<f32>::new(3);
    #[unroll]
    for c in 0..3 {
        dir[c] = m[c] + (w[c] * tau[0] + w[3 + c] * tau[1] + w[6 + c] * tau[2]);
    }
    let len = (dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]).sqrt();
    let mut d = Array::<f32>::new(3);
    if len > 0.0 {
        #[unroll]
        for c in 0..3 {
            d[c] = dir[c] / len;
        }
    } else {
        d[0] = 0.0;
        d[1] = 0.0;
        d[2] = 1.0;
    }
    let mut basis = Array::<f32>::new(16);
    sh_basis(d[0], d[1], d[2], &mut basis);
    let mut basis_grad = Array::<f32>::new(48);
    sh_basis_grad(d[0], d[1], d[2], &mut basis_grad);
    let base = i * nk * 3;
    let mut raw_r = 0.5f32;
    let mut raw_g = 0.5f32;
    let mut raw_b = 0.5f32;
    for k in 0..nk {
        raw_r += sh[base + k * 3] * basis[k];
        raw_g += sh[base + k * 3 + 1] * basis[k];
        raw_b += sh[base + k * 3 + 2] * basis[k];
    }
    // A clamped (negative) channel passes no gradient.
    let mut ur = gr;
    let mut ug = gg;
    let mut ub = gb;
    if raw_r < 0.0 {
        ur = 0.0;
    }
    if raw_g < 0.0 {
        ug = 0.0;
    }
    if raw_b < 0.0 {
        ub = 0.0;
    }
    let mut d_unit = Array::<f32>::new(3);
    #[unroll]
    for c in 0..3 {
        d_unit[c] = 0.0;
    }
    for k in 0..nk {
        let yk = basis[k];
        d_sh[base + k * 3] = ur * yk;
        d_sh[base + k * 3 + 1] = ug * yk;
        d_sh[base + k * 3 + 2] = ub * yk;
        let dl_dyk = ur * sh[base + k * 3] + ug * sh[base + k * 3 + 1] + ub * sh[base + k * 3 + 2];
        #[unroll]
        for a in 0..3 {
            d_unit[a] += dl_dyk * basis_grad[k * 3 + a];
        }
    }
    if len > 0.0 {
        // d(v/|v|)/dv = (I − d dᵀ)/|v|.
        let radial = d_unit[0] * d[0] + d_unit[1] * d[1] + d_unit[2] * d[2];
        #[unroll]
        for a in 0..3 {
            let d_dir = (d_unit[a] - radial * d[a]) / len;
            dmean[a] += d_dir;
            // centre_a = −Σ_j W[j][a] τ_j, and dir = m − centre.
            #[unroll]
            for j in 0..3 {
                dw[j * 3 + a] += tau[j] * d_dir;
                dtau[j] += w[j * 3 + a] * d_dir;
            }
        }
    }

    // Covariances, recomputed.
    let (qw, qx, qy, qz) = (quats[i * 4], quats[i * 4 + 1], quats[i * 4 + 2], quats[i * 4 + 3]);
    let qnorm = (qw * qw + qx * qx + qy * qy + qz * qz).sqrt();
    let mut qn = Array::<f32>::new(4);
    qn[0] = qw / qnorm;
    qn[1] = qx / qnorm;
    qn[2] = qy / qnorm;
    qn[3] = qz / qnorm;
    let mut rot = Array::<f32>::new(9);
    rotation(qn[0], qn[1], qn[2], qn[3], &mut rot);
    let mut scale = Array::<f32>::new(3);
    let mut rs = Array::<f32>::new(9);
    #[unroll]
    for c in 0..3 {
        scale[c] = (log_scales[i * 3 + c]).exp();
        #[unroll]
        for r in 0..3 {
            rs[r * 3 + c] = rot[r * 3 + c] * scale[c];
        }
    }
    let mut cov = Array::<f32>::new(9);
    matmul3_bt(&rs, &rs, &mut cov);
    let mut wc = Array::<f32>::new(9);
    matmul3(&w, &cov, &mut wc);
    let mut cc = Array::<f32>::new(9);
    matmul3_bt(&wc, &w, &mut cc);

    let wf = f32::cast_from(width);
    let hf = f32::cast_from(height);
    let tan_x = 0.5 * wf / fx;
    let tan_y = 0.5 * hf / fy;
    let (lo_x, hi_x) = (-(cx / fx + 0.3 * tan_x), (wf - cx) / fx + 0.3 * tan_x);
    let (lo_y, hi_y) = (-(cy / fy + 0.3 * tan_y), (hf - cy) / fy + 0.3 * tan_y);
    let rx = x / z;
    let ry = y / z;
    let clamped_x = rx < lo_x || rx > hi_x;
    let clamped_y = ry < lo_y || ry > hi_y;
    let u = min(max(rx, lo_x), hi_x);
    let v = min(max(ry, lo_y), hi_y);
    // J as 2×3 row-major.
    let mut jac = Array::<f32>::new(6);
    jac[0] = fx / z;
    jac[1] = 0.0;
    jac[2] = -fx * u / z;
    jac[3] = 0.0;
    jac[4] = fy / z;
    jac[5] = -fy * v / z;

    // dL/dΣ₂ = −C G C with C the conic and G its symmetric gradient (b counted once).
    let (ca, cb, cv) = (splats[i * SPLAT + 2], splats[i * SPLAT + 3], splats[i * SPLAT + 4]);
    let (g00, g01, g11) = (gca, 0.5 * gcb, gcc);
    // (C G) then (C G) C.
    let cg00 = ca * g00 + cb * g01;
    let cg01 = ca * g01 + cb * g11;
    let cg10 = cb * g00 + cv * g01;
    let cg11 = cb * g01 + cv * g11;
    let mut gc2 = Array::<f32>::new(4);
    gc2[0] = -(cg00 * ca + cg01 * cb);
    gc2[1] = -(cg00 * cb + cg01 * cv);
    gc2[2] = -(cg10 * ca + cg11 * cb);
    gc2[3] = -(cg10 * cb + cg11 * cv);

    // dJ = 2 G J Σ_c (2×3).
    let mut jcc = Array::<f32>::new(6);
    #[unroll]
    for r in 0..2 {
        #[unroll]
        for c in 0..3 {
            jcc[r * 3 + c] = jac[r * 3] * cc[c] + jac[r * 3 + 1] * cc[3 + c] + jac[r * 3 + 2] * cc[6 + c];
        }
    }
    let mut gjac = Array::<f32>::new(6);
    #[unroll]
    for r in 0..2 {
        #[unroll]
        for c in 0..3 {
            gjac[r * 3 + c] = 2.0 * (gc2[r * 2] * jcc[c] + gc2[r * 2 + 1] * jcc[3 + c]);
        }
    }
    // dΣ_c = Jᵀ G J (3×3).
    let mut gcc_ = Array::<f32>::new(9);
    #[unroll]
    for a in 0..3 {
        #[unroll]
        for b in 0..3 {
            let mut s = 0.0f32;
            #[unroll]
            for p in 0..2 {
                #[unroll]
                for q in 0..2 {
                    s += jac[p * 3 + a] * gc2[p * 2 + q] * jac[q * 3 + b];
                }
            }
            gcc_[a * 3 + b] = s;
        }
    }
    // dW += 2 dΣ_c W Σ; dΣ = Wᵀ dΣ_c W.
    let mut tmp = Array::<f32>::new(9);
    matmul3(&gcc_, &w, &mut tmp);
    let mut gw = Array::<f32>::new(9);
    matmul3(&tmp, &cov, &mut gw);
    #[unroll]
    for c in 0..9 {
        dw[c] += 2.0 * gw[c];
    }
    let mut tmp2 = Array::<f32>::new(9);
    matmul3_at(&w, &gcc_, &mut tmp2);
    let mut gcov = Array::<f32>::new(9);
    matmul3(&tmp2, &w, &mut gcov);
    // dM = 2 dΣ M; M = R diag(s).
    let mut gm = Array::<f32>::new(9);
    matmul3(&gcov, &rs, &mut gm);
    let mut grot = Array::<f32>::new(9);
    let mut dls = Array::<f32>::new(3);
    #[unroll]
    for c in 0..3 {
        dls[c] = 0.0;
    }
    #[unroll]
    for r in 0..3 {
        #[unroll]
        for c in 0..3 {
            grot[r * 3 + c] = 2.0 * gm[r * 3 + c] * scale[c];
            dls[c] += 2.0 * gm[r * 3 + c] * rot[r * 3 + c] * scale[c];
        }
    }
    #[unroll]
    for c in 0..3 {
        d_log_scales[i * 3 + c] = dls[c];
    }
    // dL/dq of the unit quaternion, as `rotmat_vjp`, then through the normalisation.
    let (qw, qx, qy, qz) = (qn[0], qn[1], qn[2], qn[3]);
    let mut gq = Array::<f32>::new(4);
    gq[0] = 2.0
        * (-qz * grot[1] + qy * grot[2] + qz * grot[3] - qx * grot[5] - qy * grot[6] + qx * grot[7]);
    gq[1] = 2.0
        * (qy * grot[1] + qz * grot[2] + qy * grot[3] - 2.0 * qx * grot[4] - qw * grot[5] + qz * grot[6]
            + qw * grot[7]
            - 2.0 * qx * grot[8]);
    gq[2] = 2.0
        * (-2.0 * qy * grot[0] + qx * grot[1] + qw * grot[2] + qx * grot[3] + qz * grot[5] - qw * grot[6]
            + qz * grot[7]
            - 2.0 * qy * grot[8]);
    gq[3] = 2.0
        * (-2.0 * qz * grot[0] - qw * grot[1] + qx * grot[2] + qw * grot[3] - 2.0 * qz * grot[4]
            + qy * grot[5]
            + qx * grot[6]
            + qy * grot[7]);
    let radial = gq[0] * qn[0] + gq[1] * qn[1] + gq[2] * qn[2] + gq[3] * qn[3];
    #[unroll]
    for c in 0..4 {
        d_quats[i * 4 + c] = (gq[c] - radial * qn[c]) / qnorm;
    }

    // Mean, J and depth with respect to t and the intrinsics.
    let mut gt = Array::<f32>::new(3);
    gt[0] = gmx * fx / z;
    gt[1] = gmy * fy / z;
    gt[2] = -(gmx * fx * x + gmy * fy * y) / (z * z);
    let mut dfx = gmx * x / z + gjac[0] / z;
    let mut dfy = gmy * y / z + gjac[4] / z;
    let mut dcx = gmx;
    let mut dcy = gmy;
    gt[2] -= (gjac[0] * fx + gjac[4] * fy) / (z * z);
    // J[r][2] = −f·u/z with u = clamp(t_r/z); a clamped u depends on (f, c) only, through lim = (…)/f.
    let gj0 = gjac[2];
    if clamped_x {
        gt[2] += gj0 * fx * u / (z * z);
        dcx += gj0 / z;
    } else {
        gt[0] -= gj0 * fx / (z * z);
        gt[2] += gj0 * 2.0 * fx * x / (z * z * z);
        dfx -= gj0 * x / (z * z);
    }
    let gj1 = gjac[5];
    if clamped_y {
        gt[2] += gj1 * fy * v / (z * z);
        dcy += gj1 / z;
    } else {
        gt[1] -= gj1 * fy / (z * z);
        gt[2] += gj1 * 2.0 * fy * y / (z * z * z);
        dfy -= gj1 * y / (z * z);
    }
    gt[2] += g_depth;

    // t = W m + τ.
    #[unroll]
    for r in 0..3 {
        #[unroll]
        for c in 0..3 {
            dmean[c] += w[r * 3 + c] * gt[r];
            dw[r * 3 + c] += gt[r] * m[c];
        }
        dtau[r] += gt[r];
    }
    #[unroll]
    for c in 0..3 {
        d_means[i * 3 + c] = dmean[c];
    }
    #[unroll]
    for c in 0..9 {
        d_cam[i * CAM + c] = dw[c];
    }
    #[unroll]
    for c in 0..3 {
        d_cam[i * CAM + 9 + c] = dtau[c];
    }
    d_cam[i * CAM + 12] = dfx;
    d_cam[i * CAM + 13] = dfy;
    d_cam[i * CAM + 14] = dcx;
    d_cam[i * CAM + 15] = dcy;
}

/// Sum of the per-Gaussian camera shares `[W (9), τ (3), fx, fy, cx, cy]` over the `n` Gaussians, written as the
/// viewmat gradient (rigid 3×4 part; the last row is zero) and the intrinsics gradient. One cube of 256 units:
/// unit u sums column u mod 16 over the rows ≡ u div 16 (mod 16), then unit c < 16 adds its column's 16 partial
/// sums in order (deterministic).
#[cube(launch)]
pub fn camera_grads(d_cam: &Tensor<f32>, d_viewmat: &mut Tensor<f32>, d_intrinsics: &mut Tensor<f32>, n: u32) {
    let u = UNIT_POS;
    let col = u % 16;
    let mut part = Shared::<[f32]>::new_slice(256);
    let mut s = 0.0f32;
    let mut r = u / 16;
    while r < n {
        s += d_cam[(r * 16 + col) as usize];
        r += 16;
    }
    part[u as usize] = s;
    sync_cube();
    if u < 16 {
        let mut total = 0.0f32;
        for lane in 0..16u32 {
            total += part[(lane * 16 + u) as usize];
        }
        if u < 9 {
            d_viewmat[((u / 3) * 4 + u % 3) as usize] = total;
        } else if u < 12 {
            d_viewmat[((u - 9) * 4 + 3) as usize] = total;
        } else {
            d_intrinsics[(u - 12) as usize] = total;
        }
        if u < 4 {
            d_viewmat[(12 + u) as usize] = 0.0;
        }
    }
}
