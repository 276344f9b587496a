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

use crate::constants::JAC_CLAMP_MARGIN_F32;
use crate::cube::bwd::raster_bwd::GRAD;
use crate::cube::kernels::maths::{
    matmul3, matmul3_at, matmul3_bt, sh_basis, sh_basis_grad, unit_quat_rotation, view_rigid,
};
use crate::cube::kernels::project::SPLAT;
use crate::cube::types::{CameraArgs, GaussianArgs, ParamGrads, ProjectBwdArgs, Uniforms};
use cubecl::prelude::*;

/// Floats of one Gaussian's camera-gradient share.
pub const CAM: usize = 16;

#[cube(launch)]
pub fn project_bwd(gauss: &GaussianArgs, cam: &CameraArgs, fwd: &ProjectBwdArgs, out: &mut ParamGrads, u: &Uniforms) {
    let i = ABSOLUTE_POS;
    if i >= u.n as usize {
        terminate!();
    }
    let nk = u.num_coeffs as usize;
    // Culled Gaussians (and those reaching no pixel) get zeros everywhere.
    let visible = fwd.counts[i] > 0;
    if !visible {
        #[unroll]
        for c in 0..3usize {
            out.means[i * 3 + c] = 0.0f32;
            out.log_scales[i * 3 + c] = 0.0f32;
        }
        #[unroll]
        for c in 0..4usize {
            out.quats[i * 4 + c] = 0.0f32;
        }
        out.opacity[i] = 0.0f32;
        for c in 0..nk * 3 {
            out.sh[i * nk * 3 + c] = 0.0f32;
        }
        #[unroll]
        for c in 0..CAM {
            out.cam[i * CAM + c] = 0.0f32;
        }
        terminate!();
    }
    let gmx = fwd.grads2d[i * GRAD];
    let gmy = fwd.grads2d[i * GRAD + 1];
    let gca = fwd.grads2d[i * GRAD + 2];
    let gcb = fwd.grads2d[i * GRAD + 3];
    let gcc = fwd.grads2d[i * GRAD + 4];
    let g_op = fwd.grads2d[i * GRAD + 5];
    let gr = fwd.grads2d[i * GRAD + 6];
    let gg = fwd.grads2d[i * GRAD + 7];
    let gb = fwd.grads2d[i * GRAD + 8];
    let g_depth = fwd.grads2d[i * GRAD + 9];

    let mut w = Array::<f32>::new(9usize);
    let mut tau = Array::<f32>::new(3usize);
    view_rigid(cam, &mut w, &mut tau);
    let fx = cam.intrinsics[0usize];
    let fy = cam.intrinsics[1usize];
    let cx = cam.intrinsics[2usize];
    let cy = cam.intrinsics[3usize];
    let mut m = Array::<f32>::new(3usize);
    #[unroll]
    for c in 0..3usize {
        m[c] = gauss.means[i * 3 + c];
    }
    let x = w[0usize] * m[0usize] + w[1usize] * m[1usize] + w[2usize] * m[2usize] + tau[0usize];
    let y = w[3usize] * m[0usize] + w[4usize] * m[1usize] + w[5usize] * m[2usize] + tau[1usize];
    let z = w[6usize] * m[0usize] + w[7usize] * m[1usize] + w[8usize] * m[2usize] + tau[2usize];

    let mut dw = Array::<f32>::new(9usize);
    let mut dtau = Array::<f32>::new(3usize);
    let mut dmean = Array::<f32>::new(3usize);
    #[unroll]
    for c in 0..9usize {
        dw[c] = 0.0f32;
    }
    #[unroll]
    for c in 0..3usize {
        dtau[c] = 0.0f32;
        dmean[c] = 0.0f32;
    }

    // Opacity.
    let opacity = fwd.splats[i * SPLAT + 5];
    out.opacity[i] = g_op * opacity * (1.0f32 - opacity);

    // Colour: SH and the view direction.
    let mut dir = Array::<f32>::new(3usize);
    #[unroll]
    for c in 0..3usize {
        dir[c] = m[c] + (w[c] * tau[0usize] + w[3 + c] * tau[1usize] + w[6 + c] * tau[2usize]);
    }
    let len = (dir[0usize] * dir[0usize] + dir[1usize] * dir[1usize] + dir[2usize] * dir[2usize]).sqrt();
    let mut d = Array::<f32>::new(3usize);
    if len > 0.0f32 {
        #[unroll]
        for c in 0..3usize {
            d[c] = dir[c] / len;
        }
    } else {
        d[0usize] = 0.0f32;
        d[1usize] = 0.0f32;
        d[2usize] = 1.0f32;
    }
    let mut basis = Array::<f32>::new(16usize);
    sh_basis(d[0usize], d[1usize], d[2usize], &mut basis);
    let mut basis_grad = Array::<f32>::new(48usize);
    sh_basis_grad(d[0usize], d[1usize], d[2usize], &mut basis_grad);
    let base = i * nk * 3;
    let mut raw_r = 0.5f32;
    let mut raw_g = 0.5f32;
    let mut raw_b = 0.5f32;
    for k in 0..nk {
        raw_r += gauss.sh[base + k * 3] * basis[k];
        raw_g += gauss.sh[base + k * 3 + 1] * basis[k];
        raw_b += gauss.sh[base + k * 3 + 2] * basis[k];
    }
    // A clamped (negative) channel passes no gradient.
    let mut ur = gr;
    let mut ug = gg;
    let mut ub = gb;
    if raw_r < 0.0f32 {
        ur = 0.0f32;
    }
    if raw_g < 0.0f32 {
        ug = 0.0f32;
    }
    if raw_b < 0.0f32 {
        ub = 0.0f32;
    }
    let mut d_unit = Array::<f32>::new(3usize);
    #[unroll]
    for c in 0..3usize {
        d_unit[c] = 0.0f32;
    }
    for k in 0..nk {
        let yk = basis[k];
        out.sh[base + k * 3] = ur * yk;
        out.sh[base + k * 3 + 1] = ug * yk;
        out.sh[base + k * 3 + 2] = ub * yk;
        let dl_dyk = ur * gauss.sh[base + k * 3] + ug * gauss.sh[base + k * 3 + 1] + ub * gauss.sh[base + k * 3 + 2];
        #[unroll]
        for a in 0..3usize {
            d_unit[a] += dl_dyk * basis_grad[k * 3 + a];
        }
    }
    if len > 0.0f32 {
        // d(v/|v|)/dv = (I − d dᵀ)/|v|.
        let radial = d_unit[0usize] * d[0usize] + d_unit[1usize] * d[1usize] + d_unit[2usize] * d[2usize];
        #[unroll]
        for a in 0..3usize {
            let d_dir = (d_unit[a] - radial * d[a]) / len;
            dmean[a] += d_dir;
            // centre_a = −Σ_j W[j][a] τ_j, and dir = m − centre.
            #[unroll]
            for j in 0..3usize {
                dw[j * 3 + a] += tau[j] * d_dir;
                dtau[j] += w[j * 3 + a] * d_dir;
            }
        }
    }

    // Covariances, recomputed.
    let mut qn = Array::<f32>::new(4usize);
    let mut rot = Array::<f32>::new(9usize);
    let qnorm = unit_quat_rotation(gauss, i, &mut qn, &mut rot);
    let mut scale = Array::<f32>::new(3usize);
    let mut rs = Array::<f32>::new(9usize);
    #[unroll]
    for c in 0..3usize {
        scale[c] = (gauss.log_scales[i * 3 + c]).exp();
        #[unroll]
        for r in 0..3usize {
            rs[r * 3 + c] = rot[r * 3 + c] * scale[c];
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
    let lo_x = -(cx / fx + JAC_CLAMP_MARGIN_F32 * tan_x);
    let hi_x = (wf - cx) / fx + JAC_CLAMP_MARGIN_F32 * tan_x;
    let lo_y = -(cy / fy + JAC_CLAMP_MARGIN_F32 * tan_y);
    let hi_y = (hf - cy) / fy + JAC_CLAMP_MARGIN_F32 * tan_y;
    let rx = x / z;
    let ry = y / z;
    let clamped_x = rx < lo_x || rx > hi_x;
    let clamped_y = ry < lo_y || ry > hi_y;
    let ru = min(max(rx, lo_x), hi_x);
    let rv = min(max(ry, lo_y), hi_y);
    // J as 2×3 row-major.
    let mut jac = Array::<f32>::new(6usize);
    jac[0usize] = fx / z;
    jac[1usize] = 0.0f32;
    jac[2usize] = -fx * ru / z;
    jac[3usize] = 0.0f32;
    jac[4usize] = fy / z;
    jac[5usize] = -fy * rv / z;

    // dL/dΣ₂ = −C G C with C the conic and G its symmetric gradient (b counted once).
    let ca = fwd.splats[i * SPLAT + 2];
    let cb = fwd.splats[i * SPLAT + 3];
    let cv = fwd.splats[i * SPLAT + 4];
    let g00 = gca;
    let g01 = 0.5f32 * gcb;
    let g11 = gcc;
    // (C G) then (C G) C.
    let cg00 = ca * g00 + cb * g01;
    let cg01 = ca * g01 + cb * g11;
    let cg10 = cb * g00 + cv * g01;
    let cg11 = cb * g01 + cv * g11;
    let mut gc2 = Array::<f32>::new(4usize);
    gc2[0usize] = -(cg00 * ca + cg01 * cb);
    gc2[1usize] = -(cg00 * cb + cg01 * cv);
    gc2[2usize] = -(cg10 * ca + cg11 * cb);
    gc2[3usize] = -(cg10 * cb + cg11 * cv);

    // dJ = 2 G J Σ_c (2×3).
    let mut jcc = Array::<f32>::new(6usize);
    #[unroll]
    for r in 0..2usize {
        #[unroll]
        for c in 0..3usize {
            jcc[r * 3 + c] = jac[r * 3] * cc[c] + jac[r * 3 + 1] * cc[3 + c] + jac[r * 3 + 2] * cc[6 + c];
        }
    }
    let mut gjac = Array::<f32>::new(6usize);
    #[unroll]
    for r in 0..2usize {
        #[unroll]
        for c in 0..3usize {
            gjac[r * 3 + c] = 2.0f32 * (gc2[r * 2] * jcc[c] + gc2[r * 2 + 1] * jcc[3 + c]);
        }
    }
    // dΣ_c = Jᵀ G J (3×3).
    let mut gcc_ = Array::<f32>::new(9usize);
    #[unroll]
    for a in 0..3usize {
        #[unroll]
        for b in 0..3usize {
            let mut s = 0.0f32;
            #[unroll]
            for p in 0..2usize {
                #[unroll]
                for q in 0..2usize {
                    s += jac[p * 3 + a] * gc2[p * 2 + q] * jac[q * 3 + b];
                }
            }
            gcc_[a * 3 + b] = s;
        }
    }
    // dW += 2 dΣ_c W Σ; dΣ = Wᵀ dΣ_c W.
    let mut tmp = Array::<f32>::new(9usize);
    matmul3(&gcc_, &w, &mut tmp);
    let mut gw = Array::<f32>::new(9usize);
    matmul3(&tmp, &cov, &mut gw);
    #[unroll]
    for c in 0..9usize {
        dw[c] += 2.0f32 * gw[c];
    }
    let mut tmp2 = Array::<f32>::new(9usize);
    matmul3_at(&w, &gcc_, &mut tmp2);
    let mut gcov = Array::<f32>::new(9usize);
    matmul3(&tmp2, &w, &mut gcov);
    // dM = 2 dΣ M; M = R diag(s).
    let mut gm = Array::<f32>::new(9usize);
    matmul3(&gcov, &rs, &mut gm);
    let mut grot = Array::<f32>::new(9usize);
    let mut dls = Array::<f32>::new(3usize);
    #[unroll]
    for c in 0..3usize {
        dls[c] = 0.0f32;
    }
    #[unroll]
    for r in 0..3usize {
        #[unroll]
        for c in 0..3usize {
            grot[r * 3 + c] = 2.0f32 * gm[r * 3 + c] * scale[c];
            dls[c] += 2.0f32 * gm[r * 3 + c] * rot[r * 3 + c] * scale[c];
        }
    }
    #[unroll]
    for c in 0..3usize {
        out.log_scales[i * 3 + c] = dls[c];
    }
    // dL/dq of the unit quaternion, as `rotmat_vjp`, then through the normalisation.
    let qw = qn[0usize];
    let qx = qn[1usize];
    let qy = qn[2usize];
    let qz = qn[3usize];
    let mut gq = Array::<f32>::new(4usize);
    gq[0usize] = 2.0f32
        * (-qz * grot[1usize] + qy * grot[2usize] + qz * grot[3usize] - qx * grot[5usize] - qy * grot[6usize]
            + qx * grot[7usize]);
    gq[1usize] = 2.0f32
        * (qy * grot[1usize] + qz * grot[2usize] + qy * grot[3usize] - 2.0f32 * qx * grot[4usize] - qw * grot[5usize]
            + qz * grot[6usize]
            + qw * grot[7usize]
            - 2.0f32 * qx * grot[8usize]);
    gq[2usize] = 2.0f32
        * (-2.0f32 * qy * grot[0usize] + qx * grot[1usize] + qw * grot[2usize] + qx * grot[3usize] + qz * grot[5usize]
            - qw * grot[6usize]
            + qz * grot[7usize]
            - 2.0f32 * qy * grot[8usize]);
    gq[3usize] = 2.0f32
        * (-2.0f32 * qz * grot[0usize] - qw * grot[1usize] + qx * grot[2usize] + qw * grot[3usize]
            - 2.0f32 * qz * grot[4usize]
            + qy * grot[5usize]
            + qx * grot[6usize]
            + qy * grot[7usize]);
    let radial = gq[0usize] * qn[0usize] + gq[1usize] * qn[1usize] + gq[2usize] * qn[2usize] + gq[3usize] * qn[3usize];
    #[unroll]
    for c in 0..4usize {
        out.quats[i * 4 + c] = (gq[c] - radial * qn[c]) / qnorm;
    }

    // Mean, J and depth with respect to t and the intrinsics.
    let mut gt = Array::<f32>::new(3usize);
    gt[0usize] = gmx * fx / z;
    gt[1usize] = gmy * fy / z;
    gt[2usize] = -(gmx * fx * x + gmy * fy * y) / (z * z);
    let mut dfx = gmx * x / z + gjac[0usize] / z;
    let mut dfy = gmy * y / z + gjac[4usize] / z;
    let mut dcx = gmx;
    let mut dcy = gmy;
    gt[2usize] -= (gjac[0usize] * fx + gjac[4usize] * fy) / (z * z);
    // J[r][2usize] = −f·u/z with u = clamp(t_r/z); a clamped u depends on (f, c) only, through lim = (…)/f.
    let gj0 = gjac[2usize];
    if clamped_x {
        gt[2usize] += gj0 * fx * ru / (z * z);
        dcx += gj0 / z;
    } else {
        gt[0usize] -= gj0 * fx / (z * z);
        gt[2usize] += gj0 * 2.0f32 * fx * x / (z * z * z);
        dfx -= gj0 * x / (z * z);
    }
    let gj1 = gjac[5usize];
    if clamped_y {
        gt[2usize] += gj1 * fy * rv / (z * z);
        dcy += gj1 / z;
    } else {
        gt[1usize] -= gj1 * fy / (z * z);
        gt[2usize] += gj1 * 2.0f32 * fy * y / (z * z * z);
        dfy -= gj1 * y / (z * z);
    }
    gt[2usize] += g_depth;

    // t = W m + τ.
    #[unroll]
    for r in 0..3usize {
        #[unroll]
        for c in 0..3usize {
            dmean[c] += w[r * 3 + c] * gt[r];
            dw[r * 3 + c] += gt[r] * m[c];
        }
        dtau[r] += gt[r];
    }
    #[unroll]
    for c in 0..3usize {
        out.means[i * 3 + c] = dmean[c];
    }
    #[unroll]
    for c in 0..9usize {
        out.cam[i * CAM + c] = dw[c];
    }
    #[unroll]
    for c in 0..3usize {
        out.cam[i * CAM + 9 + c] = dtau[c];
    }
    out.cam[i * CAM + 12] = dfx;
    out.cam[i * CAM + 13] = dfy;
    out.cam[i * CAM + 14] = dcx;
    out.cam[i * CAM + 15] = dcy;
}

/// Sum of the per-Gaussian camera shares `[W (9), τ (3), fx, fy, cx, cy]` over the `n` Gaussians, written as the
/// viewmat gradient (rigid 3×4 part; the last row is zero) and the intrinsics gradient. One cube of 256 units:
/// unit u sums column u mod 16 over the rows ≡ u div 16 (mod 16), then unit c < 16 adds its column's 16 partial
/// sums in order (deterministic).
#[cube(launch)]
pub fn camera_grads(d_cam: &Tensor<f32>, d_viewmat: &mut Tensor<f32>, d_intrinsics: &mut Tensor<f32>, n: u32) {
    let u = UNIT_POS;
    let col = u % 16;
    let mut part = Shared::<[f32]>::new_slice(256usize);
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
            d_viewmat[(12 + u) as usize] = 0.0f32;
        }
    }
}
