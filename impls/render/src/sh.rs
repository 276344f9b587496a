//! Real spherical harmonics in the 3DGS / gsplat convention (`sh_coeffs_to_color`), degrees 0–3.
//!
//! colour_c = max(0, Σ_k sh[k][c] · Y_k(d) + 0.5), d = normalize(mean − camera centre) in world space.
//! Y_k are the polynomials below in the components (x, y, z) of the unit direction; the constants are those of
//! 3DGS (`SH_C0..SH_C3`), which equal gsplat's factored forms on the unit sphere. Evaluated in f64 by both the
//! fast kernel (per Gaussian, cheap) and the dense reference, so there is one definition.

pub use crate::constants::{SH_C0, SH_C1, SH_C2, SH_C3};

/// Basis values Y_0..Y_15 at unit direction `d` (entries above the degree are computed but unused).
pub fn basis(d: [f64; 3]) -> [f64; 16] {
    let [x, y, z] = d;
    let (xx, yy, zz) = (x * x, y * y, z * z);
    [
        SH_C0,
        -SH_C1 * y,
        SH_C1 * z,
        -SH_C1 * x,
        SH_C2[0] * x * y,
        SH_C2[1] * y * z,
        SH_C2[2] * (2.0 * zz - xx - yy),
        SH_C2[3] * x * z,
        SH_C2[4] * (xx - yy),
        SH_C3[0] * y * (3.0 * xx - yy),
        SH_C3[1] * x * y * z,
        SH_C3[2] * y * (4.0 * zz - xx - yy),
        SH_C3[3] * z * (2.0 * zz - 3.0 * xx - 3.0 * yy),
        SH_C3[4] * x * (4.0 * zz - xx - yy),
        SH_C3[5] * z * (xx - yy),
        SH_C3[6] * x * (xx - 3.0 * yy),
    ]
}

/// ∂Y_k/∂(x, y, z) of the polynomials in [`basis`] (not yet projected onto the sphere's tangent plane).
fn basis_grad(d: [f64; 3]) -> [[f64; 3]; 16] {
    let [x, y, z] = d;
    let (xx, yy, zz) = (x * x, y * y, z * z);
    let s = |c: f64, g: [f64; 3]| g.map(|v| c * v);
    [
        [0.0; 3],
        [0.0, -SH_C1, 0.0],
        [0.0, 0.0, SH_C1],
        [-SH_C1, 0.0, 0.0],
        s(SH_C2[0], [y, x, 0.0]),
        s(SH_C2[1], [0.0, z, y]),
        s(SH_C2[2], [-2.0 * x, -2.0 * y, 4.0 * z]),
        s(SH_C2[3], [z, 0.0, x]),
        s(SH_C2[4], [2.0 * x, -2.0 * y, 0.0]),
        s(SH_C3[0], [6.0 * x * y, 3.0 * xx - 3.0 * yy, 0.0]),
        s(SH_C3[1], [y * z, x * z, x * y]),
        s(SH_C3[2], [-2.0 * x * y, 4.0 * zz - xx - 3.0 * yy, 8.0 * y * z]),
        s(SH_C3[3], [-6.0 * x * z, -6.0 * y * z, 6.0 * zz - 3.0 * xx - 3.0 * yy]),
        s(SH_C3[4], [4.0 * zz - 3.0 * xx - yy, -2.0 * x * y, 8.0 * x * z]),
        s(SH_C3[5], [2.0 * x * z, -2.0 * y * z, xx - yy]),
        s(SH_C3[6], [3.0 * xx - 3.0 * yy, -6.0 * x * y, 0.0]),
    ]
}

/// Unit vector and length of `v`; a zero vector maps to +z so a Gaussian at the camera centre stays finite.
pub fn normalize(v: [f64; 3]) -> ([f64; 3], f64) {
    let len = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    if len > 0.0 { (v.map(|c| c / len), len) } else { ([0.0, 0.0, 1.0], 0.0) }
}

/// Colour before the clamp, Σ_k sh[k][c] Y_k(d) + 0.5, for one Gaussian's `coeffs` (K × 3) and direction `dir`
/// (not necessarily unit).
pub fn color_unclamped(coeffs: &[f32], dir: [f64; 3]) -> [f64; 3] {
    let (d, _) = normalize(dir);
    let y = basis(d);
    let mut out = [0.5; 3];
    for (k, rgb) in coeffs.chunks_exact(3).enumerate() {
        for c in 0..3 {
            out[c] += rgb[c] as f64 * y[k];
        }
    }
    out
}

/// Vector-Jacobian product of `max(0, color_unclamped(coeffs, dir))`: given dL/dcolour, adds dL/dcoeffs into
/// `d_coeffs` (K × 3) and returns dL/ddir (for the unnormalised `dir`). Clamped channels pass no gradient.
pub fn color_vjp(coeffs: &[f32], dir: [f64; 3], d_color: [f64; 3], d_coeffs: &mut [f32]) -> [f64; 3] {
    let (d, len) = normalize(dir);
    let raw = color_unclamped(coeffs, dir);
    let g: [f64; 3] = std::array::from_fn(|c| if raw[c] < 0.0 { 0.0 } else { d_color[c] });
    let y = basis(d);
    let dy = basis_grad(d);
    let mut d_unit = [0.0; 3];
    for (k, rgb) in coeffs.chunks_exact(3).enumerate() {
        let mut dl_dyk = 0.0;
        for c in 0..3 {
            d_coeffs[k * 3 + c] += (g[c] * y[k]) as f32;
            dl_dyk += g[c] * rgb[c] as f64;
        }
        for a in 0..3 {
            d_unit[a] += dl_dyk * dy[k][a];
        }
    }
    if len == 0.0 {
        return [0.0; 3];
    }
    // d(v/|v|)/dv = (I − d dᵀ)/|v|: only the tangential part of the gradient moves the direction.
    let radial = d_unit[0] * d[0] + d_unit[1] * d[1] + d_unit[2] * d[2];
    std::array::from_fn(|a| (d_unit[a] - radial * d[a]) / len)
}
