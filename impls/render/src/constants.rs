//! The rasterizer's constants, defined once: the CPU kernel ([`crate::cpu`], [`crate::project`], [`crate::sh`]),
//! the CubeCL kernels (`crate::cube`) and the dense reference ([`crate::reference`]) all read them from here.
//!
//! - Tiles are [`TILE`]×[`TILE`] pixels.
//! - A Gaussian is culled when its camera-space depth z < [`NEAR_PLANE`].
//! - EWA low-pass: Σ₂ = J Σ_c Jᵀ + [`COV2D_BLUR`]·I (pixels²).
//! - gsplat's `persp_proj` clamps x/z to [−(cx/fx + m·tan_fovx), (W − cx)/fx + m·tan_fovx] with
//!   m = [`JAC_CLAMP_MARGIN`] (likewise y/z) before it enters the Jacobian J.
//! - α = min([`ALPHA_MAX`], o·exp(−½ dᵀΣ₂⁻¹d)); α < [`ALPHA_MIN`] = 1/[`ALPHA_MIN_RECIP`] is skipped, so the
//!   region a Gaussian reaches is dᵀΣ₂⁻¹d ≤ 2·ln([`ALPHA_MIN_RECIP`]·o); compositing stops before the contribution
//!   that would bring T below [`T_MIN`].
//! - The real SH band constants are those of [`splatbench_core::maths`] (f64), re-exported here; the CubeCL kernels
//!   compute in f32 and read the `*_F32` roundings of the same values (module-level consts are usable inside
//!   `#[cube]` functions).
//!
//! The CPU projection works in f64 and the compositing in f32, hence the mixed types: each constant has the type
//! of the arithmetic that reads it, so reading it through this module changes no bit.

pub use splatbench_core::maths::{SH_C0, SH_C1, SH_C2, SH_C3};

/// Tile side in pixels.
pub const TILE: u32 = 16;
/// Gaussians whose camera-space depth is below this are culled.
pub const NEAR_PLANE: f64 = 0.01;
/// EWA low-pass added to the diagonal of the 2D covariance, in pixels².
pub const COV2D_BLUR: f64 = 0.3;
/// Fraction of tan(fov/2) by which gsplat's `persp_proj` lets x/z, y/z exceed the image before clamping them in J.
pub const JAC_CLAMP_MARGIN: f64 = 0.3;
/// 1 / [`ALPHA_MIN`]: the opacity-aware extent is dᵀΣ₂⁻¹d ≤ 2·ln(ALPHA_MIN_RECIP·o).
pub const ALPHA_MIN_RECIP: f64 = 255.0;
/// Contributions with α below this are skipped.
pub const ALPHA_MIN: f32 = 1.0 / ALPHA_MIN_RECIP as f32;
/// α is clamped to at most this.
pub const ALPHA_MAX: f32 = 0.99;
/// Compositing stops before the contribution that would bring T below this.
pub const T_MIN: f32 = 1e-4;
/// The tile rectangle is that of the α ≥ [`ALPHA_MIN`] ellipse's half-extents e scaled to e·EXTENT_SCALE +
/// [`EXTENT_PAD`] pixels, so f32 rounding at the boundary never drops a pixel the α test would keep.
pub const EXTENT_SCALE: f64 = 1.001;
/// See [`EXTENT_SCALE`].
pub const EXTENT_PAD: f64 = 1e-3;

/// [`NEAR_PLANE`] for the f32 kernels.
pub const NEAR_PLANE_F32: f32 = NEAR_PLANE as f32;
/// [`COV2D_BLUR`] for the f32 kernels.
pub const COV2D_BLUR_F32: f32 = COV2D_BLUR as f32;
/// [`JAC_CLAMP_MARGIN`] for the f32 kernels.
pub const JAC_CLAMP_MARGIN_F32: f32 = JAC_CLAMP_MARGIN as f32;
/// [`ALPHA_MIN_RECIP`] for the f32 kernels.
pub const ALPHA_MIN_RECIP_F32: f32 = ALPHA_MIN_RECIP as f32;
/// [`EXTENT_SCALE`] for the f32 kernels.
pub const EXTENT_SCALE_F32: f32 = EXTENT_SCALE as f32;
/// [`EXTENT_PAD`] for the f32 kernels.
pub const EXTENT_PAD_F32: f32 = EXTENT_PAD as f32;
/// [`SH_C0`] for the f32 kernels.
pub const SH_C0_F32: f32 = SH_C0 as f32;
/// [`SH_C1`] for the f32 kernels.
pub const SH_C1_F32: f32 = SH_C1 as f32;
/// [`SH_C2`] for the f32 kernels.
pub const SH_C2_F32: [f32; 5] = to_f32(SH_C2);
/// [`SH_C3`] for the f32 kernels.
pub const SH_C3_F32: [f32; 7] = to_f32(SH_C3);

const fn to_f32<const N: usize>(v: [f64; N]) -> [f32; N] {
    let mut out = [0.0f32; N];
    let mut i = 0;
    while i < N {
        out[i] = v[i] as f32;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The f32 forms are the nearest f32 of the f64 values, element by element.
    #[test]
    fn f32_forms_round_the_f64_values() {
        for (a, b) in SH_C2.iter().zip(SH_C2_F32) {
            assert_eq!(*a as f32, b);
        }
        for (a, b) in SH_C3.iter().zip(SH_C3_F32) {
            assert_eq!(*a as f32, b);
        }
        // The literals these replaced.
        assert_eq!(ALPHA_MIN, 1.0f32 / 255.0f32);
        assert_eq!(NEAR_PLANE_F32, 0.01f32);
        assert_eq!(COV2D_BLUR_F32, 0.3f32);
        assert_eq!(EXTENT_SCALE_F32, 1.001f32);
        assert_eq!(EXTENT_PAD_F32, 0.001f32);
    }
}
