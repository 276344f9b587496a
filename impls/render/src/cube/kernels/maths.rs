//! Per-Gaussian maths shared by the projection and its backward, in f32 (the CPU kernel's `project` does the
//! same in f64): the rotation of the normalised quaternion, Σ = R S Sᵀ Rᵀ, Σ_c = W Σ Wᵀ, and the real SH basis
//! of degree ≤ 3 with its gradient in the 3DGS/gsplat convention (`sh.rs`). 3×3 matrices are row-major
//! `Array<f32>` of 9.

use cubecl::prelude::*;

/// R of the unit quaternion (w, x, y, z), as `splatbench_core::maths::unit_quat_to_rotmat`.
#[cube]
pub fn rotation(qw: f32, qx: f32, qy: f32, qz: f32, r: &mut Array<f32>) {
    r[0] = 1.0 - 2.0 * (qy * qy + qz * qz);
    r[1] = 2.0 * (qx * qy - qw * qz);
    r[2] = 2.0 * (qx * qz + qw * qy);
    r[3] = 2.0 * (qx * qy + qw * qz);
    r[4] = 1.0 - 2.0 * (qx * qx + qz * qz);
    r[5] = 2.0 * (qy * qz - qw * qx);
    r[6] = 2.0 * (qx * qz - qw * qy);
    r[7] = 2.0 * (qy * qz + qw * qx);
    r[8] = 1.0 - 2.0 * (qx * qx + qy * qy);
}

/// out = A·B (3×3).
#[cube]
pub fn matmul3(a: &Array<f32>, b: &Array<f32>, out: &mut Array<f32>) {
    #[unroll]
    for i in 0..3 {
        #[unroll]
        for j in 0..3 {
            out[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
        }
    }
}

/// out = A·Bᵀ (3×3).
#[cube]
pub fn matmul3_bt(a: &Array<f32>, b: &Array<f32>, out: &mut Array<f32>) {
    #[unroll]
    for i in 0..3 {
        #[unroll]
        for j in 0..3 {
            out[i * 3 + j] = a[i * 3] * b[j * 3] + a[i * 3 + 1] * b[j * 3 + 1] + a[i * 3 + 2] * b[j * 3 + 2];
        }
    }
}

/// out = Aᵀ·B (3×3).
#[cube]
pub fn matmul3_at(a: &Array<f32>, b: &Array<f32>, out: &mut Array<f32>) {
    #[unroll]
    for i in 0..3 {
        #[unroll]
        for j in 0..3 {
            out[i * 3 + j] = a[i] * b[j] + a[3 + i] * b[3 + j] + a[6 + i] * b[6 + j];
        }
    }
}

/// The real SH basis Y_0..Y_15 at the unit direction (x, y, z), as `sh::basis`.
#[cube]
pub fn sh_basis(x: f32, y: f32, z: f32, out: &mut Array<f32>) {
    let (xx, yy, zz) = (x * x, y * y, z * z);
    out[0] = 0.282_094_8;
    out[1] = -0.488_602_5 * y;
    out[2] = 0.488_602_5 * z;
    out[3] = -0.488_602_5 * x;
    out[4] = 1.092_548_4 * x * y;
    out[5] = -1.092_548_4 * y * z;
    out[6] = 0.315_391_57 * (2.0 * zz - xx - yy);
    out[7] = -1.092_548_4 * x * z;
    out[8] = 0.546_274_2 * (xx - yy);
    out[9] = -0.590_043_6 * y * (3.0 * xx - yy);
    out[10] = 2.890_611_4 * x * y * z;
    out[11] = -0.457_045_8 * y * (4.0 * zz - xx - yy);
    out[12] = 0.373_176_33 * z * (2.0 * zz - 3.0 * xx - 3.0 * yy);
    out[13] = -0.457_045_8 * x * (4.0 * zz - xx - yy);
    out[14] = 1.445_305_7 * z * (xx - yy);
    out[15] = -0.590_043_6 * x * (xx - 3.0 * yy);
}

/// ∂Y_k/∂(x, y, z) of the polynomials of [`sh_basis`], as `sh::basis_grad`: `out[k·3 + axis]`.
#[cube]
pub fn sh_basis_grad(x: f32, y: f32, z: f32, out: &mut Array<f32>) {
    let (xx, yy, zz) = (x * x, y * y, z * z);
    #[unroll]
    for i in 0..3 {
        out[i] = 0.0;
        out[3 + i] = 0.0;
        out[6 + i] = 0.0;
        out[9 + i] = 0.0;
    }
    out[4] = -0.488_602_5;
    out[8] = 0.488_602_5;
    out[9] = -0.488_602_5;
    out[12] = 1.092_548_4 * y;
    out[13] = 1.092_548_4 * x;
    out[14] = 0.0;
    out[15] = 0.0;
    out[16] = (-1.092_548_4) * z;
    out[17] = (-1.092_548_4) * y;
    out[18] = 0.315_391_57 * (-2.0 * x);
    out[19] = 0.315_391_57 * (-2.0 * y);
    out[20] = 0.315_391_57 * (4.0 * z);
    out[21] = (-1.092_548_4) * z;
    out[22] = 0.0;
    out[23] = (-1.092_548_4) * x;
    out[24] = 0.546_274_2 * (2.0 * x);
    out[25] = 0.546_274_2 * (-2.0 * y);
    out[26] = 0.0;
    out[27] = (-0.590_043_6) * (6.0 * x * y);
    out[28] = (-0.590_043_6) * (3.0 * xx - 3.0 * yy);
    out[29] = 0.0;
    out[30] = 2.890_611_4 * (y * z);
    out[31] = 2.890_611_4 * (x * z);
    out[32] = 2.890_611_4 * (x * y);
    out[33] = (-0.457_045_8) * (-2.0 * x * y);
    out[34] = (-0.457_045_8) * (4.0 * zz - xx - 3.0 * yy);
    out[35] = (-0.457_045_8) * (8.0 * y * z);
    out[36] = 0.373_176_33 * (-6.0 * x * z);
    out[37] = 0.373_176_33 * (-6.0 * y * z);
    out[38] = 0.373_176_33 * (6.0 * zz - 3.0 * xx - 3.0 * yy);
    out[39] = (-0.457_045_8) * (4.0 * zz - 3.0 * xx - yy);
    out[40] = (-0.457_045_8) * (-2.0 * x * y);
    out[41] = (-0.457_045_8) * (8.0 * x * z);
    out[42] = 1.445_305_7 * (2.0 * x * z);
    out[43] = 1.445_305_7 * (-2.0 * y * z);
    out[44] = 1.445_305_7 * (xx - yy);
    out[45] = (-0.590_043_6) * (3.0 * xx - 3.0 * yy);
    out[46] = (-0.590_043_6) * (-6.0 * x * y);
    out[47] = 0.0;
}
