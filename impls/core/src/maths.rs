//! Small pieces of maths every crate needs, defined once.
//!
//! - `sigmoid(x) = 1 / (1 + e^(−x))` and its inverse `logit(p) = ln(p / (1 − p))`.
//! - Spherical-harmonic band constants in the 3DGS/gsplat convention: degree-0 colour is `SH_C0 · sh0 + 0.5`.
//! - Quaternions are (w, x, y, z). [`unit_quat_to_rotmat`] assumes ‖q‖ = 1 (what a kernel that normalised
//!   already needs); [`quat_to_rotmat_normalising`] divides by ‖q‖ first (what a file reader or a raw parameter
//!   needs). The name says which precondition holds.
//! - [`box_muller`]: one N(0, 1) sample from two uniforms.

/// Real SH basis constant of band 0: 1 / (2√π).
pub const SH_C0: f64 = 0.28209479177387814;
/// Band-1 constant √3 / (2√π).
pub const SH_C1: f64 = 0.4886025119029199;
/// Band-2 constants.
pub const SH_C2: [f64; 5] =
    [1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396];
/// Band-3 constants.
pub const SH_C3: [f64; 7] = [
    -0.5900435899266435,
    2.890611442640554,
    -0.4570457994644658,
    0.3731763325901154,
    -0.4570457994644658,
    1.445305721320277,
    -0.5900435899266435,
];

/// f32 or f64: [`sigmoid`] and [`logit`] compute in the caller's precision, so an f32 caller gets the bits an
/// inline f32 expression would give (moving a copy here changes no number).
pub trait Real:
    Copy + std::ops::Add<Output = Self> + std::ops::Sub<Output = Self> + std::ops::Div<Output = Self>
{
    const ONE: Self;
    fn neg_exp(self) -> Self;
    fn ln(self) -> Self;
}

macro_rules! real {
    ($t:ty) => {
        impl Real for $t {
            const ONE: Self = 1.0;
            fn neg_exp(self) -> Self {
                (-self).exp()
            }
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
        }
    };
}
real!(f32);
real!(f64);

/// 1 / (1 + e^(−x)).
pub fn sigmoid<T: Real>(x: T) -> T {
    T::ONE / (T::ONE + x.neg_exp())
}

/// Inverse of [`sigmoid`] for p in (0, 1): ln(p / (1 − p)).
pub fn logit<T: Real>(p: T) -> T {
    (p / (T::ONE - p)).ln()
}

/// Rotation matrix of a quaternion that is already unit length.
pub fn unit_quat_to_rotmat(q: [f64; 4]) -> [[f64; 3]; 3] {
    let [w, x, y, z] = q;
    [
        [1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y - w * z), 2.0 * (x * z + w * y)],
        [2.0 * (x * y + w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z - w * x)],
        [2.0 * (x * z - w * y), 2.0 * (y * z + w * x), 1.0 - 2.0 * (x * x + y * y)],
    ]
}

/// Rotation matrix of any non-zero quaternion: normalised first.
pub fn quat_to_rotmat_normalising(q: [f64; 4]) -> [[f64; 3]; 3] {
    let n = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).sqrt();
    unit_quat_to_rotmat(q.map(|v| v / n))
}

/// Box–Muller: one N(0, 1) sample from `u1` in (0, 1] and `u2` in [0, 1).
pub fn box_muller(u1: f64, u2: f64) -> f64 {
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logit_inverts_sigmoid_and_rotations_are_orthonormal() {
        for x in [-5.0f64, -0.3, 0.0, 2.0] {
            assert!((logit(sigmoid(x)) - x).abs() < 1e-12);
        }
        let r = quat_to_rotmat_normalising([2.0, 0.4, -0.8, 0.8]);
        for i in 0..3 {
            for j in 0..3 {
                let d: f64 = (0..3).map(|k| r[i][k] * r[j][k]).sum();
                assert!((d - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
        assert!((box_muller(1.0, 0.25)).abs() < 1e-12);
    }
}
