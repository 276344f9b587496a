//! Per-Gaussian maths shared by the projection and its backward, in f32 (the CPU kernel's `project` does the
//! same in f64): the rigid part (W, τ) of the viewmat, the rotation R of the normalised quaternion (one function
//! for both kernels), 3×3 products for Σ = R S Sᵀ Rᵀ and Σ_c = W Σ Wᵀ, and the real SH basis of degree ≤ 3 with its
//! gradient in the 3DGS/gsplat convention (`sh.rs`; the band constants are [`crate::constants`]' f32 forms of
//! core's). 3×3 matrices are row-major `Array<f32>` of 9.

use crate::constants::{SH_C0_F32, SH_C1_F32, SH_C2_F32, SH_C3_F32};
use crate::cube::types::{CameraArgs, GaussianArgs};
use cubecl::prelude::*;

/// R of the unit quaternion (w, x, y, z), as `splatbench_core::maths::unit_quat_to_rotmat`.
/// The kernels' one sigmoid, 1 / (1 + e^(−x)) (host code's is `splatbench_core::maths::sigmoid`).
#[cube]
pub fn logistic(x: f32) -> f32 {
    1.0f32 / (1.0f32 + (-x).exp())
}

#[cube]
pub fn rotation(qw: f32, qx: f32, qy: f32, qz: f32, r: &mut Array<f32>) {
    r[0usize] = 1.0f32 - 2.0f32 * (qy * qy + qz * qz);
    r[1usize] = 2.0f32 * (qx * qy - qw * qz);
    r[2usize] = 2.0f32 * (qx * qz + qw * qy);
    r[3usize] = 2.0f32 * (qx * qy + qw * qz);
    r[4usize] = 1.0f32 - 2.0f32 * (qx * qx + qz * qz);
    r[5usize] = 2.0f32 * (qy * qz - qw * qx);
    r[6usize] = 2.0f32 * (qx * qz - qw * qy);
    r[7usize] = 2.0f32 * (qy * qz + qw * qx);
    r[8usize] = 1.0f32 - 2.0f32 * (qx * qx + qy * qy);
}

/// W (row-major 3×3) and τ of the rigid part of the camera's row-major `[4, 4]` world-to-camera `viewmat`.
#[cube]
pub fn view_rigid(cam: &CameraArgs, w: &mut Array<f32>, tau: &mut Array<f32>) {
    #[unroll]
    for r in 0..3usize {
        #[unroll]
        for c in 0..3usize {
            w[r * 3 + c] = cam.viewmat[r * 4 + c];
        }
        tau[r] = cam.viewmat[r * 4 + 3];
    }
}

/// q/‖q‖ of Gaussian `i`'s quaternion (w, x, y, z) into `qn`, and R of it into `rot` ([`rotation`]); returns ‖q‖.
#[cube]
pub fn unit_quat_rotation(gauss: &GaussianArgs, i: usize, qn: &mut Array<f32>, rot: &mut Array<f32>) -> f32 {
    let qw = gauss.quats[i * 4];
    let qx = gauss.quats[i * 4 + 1];
    let qy = gauss.quats[i * 4 + 2];
    let qz = gauss.quats[i * 4 + 3];
    let qnorm = (qw * qw + qx * qx + qy * qy + qz * qz).sqrt();
    qn[0usize] = qw / qnorm;
    qn[1usize] = qx / qnorm;
    qn[2usize] = qy / qnorm;
    qn[3usize] = qz / qnorm;
    rotation(qn[0usize], qn[1usize], qn[2usize], qn[3usize], rot);
    qnorm
}

/// out = A·B (3×3).
#[cube]
pub fn matmul3(a: &Array<f32>, b: &Array<f32>, out: &mut Array<f32>) {
    #[unroll]
    for i in 0..3usize {
        #[unroll]
        for j in 0..3usize {
            out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
        }
    }
}

/// out = A·Bᵀ (3×3).
#[cube]
pub fn matmul3_bt(a: &Array<f32>, b: &Array<f32>, out: &mut Array<f32>) {
    #[unroll]
    for i in 0..3usize {
        #[unroll]
        for j in 0..3usize {
            out[i * 3 + j] = a[i * 3] * b[j * 3] + a[i * 3 + 1] * b[j * 3 + 1] + a[i * 3 + 2] * b[j * 3 + 2];
        }
    }
}

/// out = Aᵀ·B (3×3).
#[cube]
pub fn matmul3_at(a: &Array<f32>, b: &Array<f32>, out: &mut Array<f32>) {
    #[unroll]
    for i in 0..3usize {
        #[unroll]
        for j in 0..3usize {
            out[i * 3 + j] = a[i] * b[j] + a[3 + i] * b[3 + j] + a[6 + i] * b[6 + j];
        }
    }
}

/// The real SH basis Y_0..Y_15 at the unit direction (x, y, z), as `sh::basis`.
#[cube]
pub fn sh_basis(x: f32, y: f32, z: f32, out: &mut Array<f32>) {
    let xx = x * x;
    let yy = y * y;
    let zz = z * z;
    out[0usize] = SH_C0_F32;
    out[1usize] = -SH_C1_F32 * y;
    out[2usize] = SH_C1_F32 * z;
    out[3usize] = -SH_C1_F32 * x;
    out[4usize] = SH_C2_F32[0] * x * y;
    out[5usize] = SH_C2_F32[1] * y * z;
    out[6usize] = SH_C2_F32[2] * (2.0f32 * zz - xx - yy);
    out[7usize] = SH_C2_F32[3] * x * z;
    out[8usize] = SH_C2_F32[4] * (xx - yy);
    out[9usize] = SH_C3_F32[0] * y * (3.0f32 * xx - yy);
    out[10usize] = SH_C3_F32[1] * x * y * z;
    out[11usize] = SH_C3_F32[2] * y * (4.0f32 * zz - xx - yy);
    out[12usize] = SH_C3_F32[3] * z * (2.0f32 * zz - 3.0f32 * xx - 3.0f32 * yy);
    out[13usize] = SH_C3_F32[4] * x * (4.0f32 * zz - xx - yy);
    out[14usize] = SH_C3_F32[5] * z * (xx - yy);
    out[15usize] = SH_C3_F32[6] * x * (xx - 3.0f32 * yy);
}

/// ∂Y_k/∂(x, y, z) of the polynomials of [`sh_basis`], as `sh::basis_grad`: `out[k·3 + axis]`.
#[cube]
pub fn sh_basis_grad(x: f32, y: f32, z: f32, out: &mut Array<f32>) {
    let xx = x * x;
    let yy = y * y;
    let zz = z * z;
    #[unroll]
    for i in 0..48usize {
        out[i] = 0.0f32;
    }
    out[4usize] = -SH_C1_F32;
    out[8usize] = SH_C1_F32;
    out[9usize] = -SH_C1_F32;
    out[12usize] = SH_C2_F32[0] * y;
    out[13usize] = SH_C2_F32[0] * x;
    out[16usize] = SH_C2_F32[1] * z;
    out[17usize] = SH_C2_F32[1] * y;
    out[18usize] = SH_C2_F32[2] * (-2.0f32 * x);
    out[19usize] = SH_C2_F32[2] * (-2.0f32 * y);
    out[20usize] = SH_C2_F32[2] * (4.0f32 * z);
    out[21usize] = SH_C2_F32[3] * z;
    out[23usize] = SH_C2_F32[3] * x;
    out[24usize] = SH_C2_F32[4] * (2.0f32 * x);
    out[25usize] = SH_C2_F32[4] * (-2.0f32 * y);
    out[27usize] = SH_C3_F32[0] * (6.0f32 * x * y);
    out[28usize] = SH_C3_F32[0] * (3.0f32 * xx - 3.0f32 * yy);
    out[30usize] = SH_C3_F32[1] * (y * z);
    out[31usize] = SH_C3_F32[1] * (x * z);
    out[32usize] = SH_C3_F32[1] * (x * y);
    out[33usize] = SH_C3_F32[2] * (-2.0f32 * x * y);
    out[34usize] = SH_C3_F32[2] * (4.0f32 * zz - xx - 3.0f32 * yy);
    out[35usize] = SH_C3_F32[2] * (8.0f32 * y * z);
    out[36usize] = SH_C3_F32[3] * (-6.0f32 * x * z);
    out[37usize] = SH_C3_F32[3] * (-6.0f32 * y * z);
    out[38usize] = SH_C3_F32[3] * (6.0f32 * zz - 3.0f32 * xx - 3.0f32 * yy);
    out[39usize] = SH_C3_F32[4] * (4.0f32 * zz - 3.0f32 * xx - yy);
    out[40usize] = SH_C3_F32[4] * (-2.0f32 * x * y);
    out[41usize] = SH_C3_F32[4] * (8.0f32 * x * z);
    out[42usize] = SH_C3_F32[5] * (2.0f32 * x * z);
    out[43usize] = SH_C3_F32[5] * (-2.0f32 * y * z);
    out[44usize] = SH_C3_F32[5] * (xx - yy);
    out[45usize] = SH_C3_F32[6] * (3.0f32 * xx - 3.0f32 * yy);
    out[46usize] = SH_C3_F32[6] * (-6.0f32 * x * y);
}
