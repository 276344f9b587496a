//! Per-Gaussian maths shared by the projection and its backward, in f32 (the CPU kernel's `project` does the
//! same in f64): the rotation of the normalised quaternion, Σ = R S Sᵀ Rᵀ, Σ_c = W Σ Wᵀ, and the real SH basis
//! of degree ≤ 3 with its gradient in the 3DGS/gsplat convention (`sh.rs`). 3×3 matrices are row-major
//! `Array<f32>` of 9.

use cubecl::prelude::*;

/// R of the unit quaternion (w, x, y, z), as `splatbench_core::maths::unit_quat_to_rotmat`.
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
    out[0usize] = 0.282_094_8f32;
    out[1usize] = -0.488_602_5f32 * y;
    out[2usize] = 0.488_602_5f32 * z;
    out[3usize] = -0.488_602_5f32 * x;
    out[4usize] = 1.092_548_4f32 * x * y;
    out[5usize] = -1.092_548_4f32 * y * z;
    out[6usize] = 0.315_391_57f32 * (2.0f32 * zz - xx - yy);
    out[7usize] = -1.092_548_4f32 * x * z;
    out[8usize] = 0.546_274_2f32 * (xx - yy);
    out[9usize] = -0.590_043_6f32 * y * (3.0f32 * xx - yy);
    out[10usize] = 2.890_611_4f32 * x * y * z;
    out[11usize] = -0.457_045_8f32 * y * (4.0f32 * zz - xx - yy);
    out[12usize] = 0.373_176_33f32 * z * (2.0f32 * zz - 3.0f32 * xx - 3.0f32 * yy);
    out[13usize] = -0.457_045_8f32 * x * (4.0f32 * zz - xx - yy);
    out[14usize] = 1.445_305_7f32 * z * (xx - yy);
    out[15usize] = -0.590_043_6f32 * x * (xx - 3.0f32 * yy);
}

/// ∂Y_k/∂(x, y, z) of the polynomials of [`sh_basis`], as `sh::basis_grad`: `out[k·3 + axis]`.
#[cube]
pub fn sh_basis_grad(x: f32, y: f32, z: f32, out: &mut Array<f32>) {
    let xx = x * x;
    let yy = y * y;
    let zz = z * z;
    #[unroll]
    for i in 0..3usize {
        out[i] = 0.0f32;
        out[3 + i] = 0.0f32;
        out[6 + i] = 0.0f32;
        out[9 + i] = 0.0f32;
    }
    out[4usize] = -0.488_602_5f32;
    out[8usize] = 0.488_602_5f32;
    out[9usize] = -0.488_602_5f32;
    out[12usize] = 1.092_548_4f32 * y;
    out[13usize] = 1.092_548_4f32 * x;
    out[14usize] = 0.0f32;
    out[15usize] = 0.0f32;
    out[16usize] = (-1.092_548_4f32) * z;
    out[17usize] = (-1.092_548_4f32) * y;
    out[18usize] = 0.315_391_57f32 * (-2.0f32 * x);
    out[19usize] = 0.315_391_57f32 * (-2.0f32 * y);
    out[20usize] = 0.315_391_57f32 * (4.0f32 * z);
    out[21usize] = (-1.092_548_4f32) * z;
    out[22usize] = 0.0f32;
    out[23usize] = (-1.092_548_4f32) * x;
    out[24usize] = 0.546_274_2f32 * (2.0f32 * x);
    out[25usize] = 0.546_274_2f32 * (-2.0f32 * y);
    out[26usize] = 0.0f32;
    out[27usize] = (-0.590_043_6f32) * (6.0f32 * x * y);
    out[28usize] = (-0.590_043_6f32) * (3.0f32 * xx - 3.0f32 * yy);
    out[29usize] = 0.0f32;
    out[30usize] = 2.890_611_4f32 * (y * z);
    out[31usize] = 2.890_611_4f32 * (x * z);
    out[32usize] = 2.890_611_4f32 * (x * y);
    out[33usize] = (-0.457_045_8f32) * (-2.0f32 * x * y);
    out[34usize] = (-0.457_045_8f32) * (4.0f32 * zz - xx - 3.0f32 * yy);
    out[35usize] = (-0.457_045_8f32) * (8.0f32 * y * z);
    out[36usize] = 0.373_176_33f32 * (-6.0f32 * x * z);
    out[37usize] = 0.373_176_33f32 * (-6.0f32 * y * z);
    out[38usize] = 0.373_176_33f32 * (6.0f32 * zz - 3.0f32 * xx - 3.0f32 * yy);
    out[39usize] = (-0.457_045_8f32) * (4.0f32 * zz - 3.0f32 * xx - yy);
    out[40usize] = (-0.457_045_8f32) * (-2.0f32 * x * y);
    out[41usize] = (-0.457_045_8f32) * (8.0f32 * x * z);
    out[42usize] = 1.445_305_7f32 * (2.0f32 * x * z);
    out[43usize] = 1.445_305_7f32 * (-2.0f32 * y * z);
    out[44usize] = 1.445_305_7f32 * (xx - yy);
    out[45usize] = (-0.590_043_6f32) * (3.0f32 * xx - 3.0f32 * yy);
    out[46usize] = (-0.590_043_6f32) * (-6.0f32 * x * y);
    out[47usize] = 0.0f32;
}
