//! SH degree 1 (`sh_degree = 1`): the network's 3 × 3 extra coefficients per pixel, predicted in the conditioning
//! camera's frame, rotated to world.
//!
//! The rasterizer's real SH basis ([`splatbench_render::sh`], the 3DGS convention) at unit direction d = (x, y, z):
//!
//! ```text
//! colour = C0·a₀₀ + C1·(−y·a₁₋₁ + z·a₁₀ − x·a₁₁) + 0.5        per RGB channel, d from the camera centre to the mean
//!        = C0·a₀₀ + C1·⟨v, d⟩ + 0.5,    v = (−a₁₁, −a₁₋₁, a₁₀) = P⁻¹a        (a = (a₁₋₁, a₁₀, a₁₁), basis order)
//! ```
//!
//! so the degree-1 band is a vector v per channel, up to the signs and the (y, z, x) order that P encodes. The
//! network sees the object in the conditioning camera's frame: its coefficients a_c mean colour =
//! C0·a₀₀ + C1·⟨v_c, d_c⟩ + 0.5 with d_c = Rᵀd the camera-frame direction (R = R_c2w). Since
//! ⟨v_c, Rᵀd⟩ = ⟨R·v_c, d⟩, the world coefficients are
//!
//! ```text
//! v_w = R·v_c,    a_w = P·R·P⁻¹·a_c = M·a_c,    P⁻¹a = (−a[2], −a[0], a[1]),  P·v = (−v[1], v[2], −v[0])
//! ```
//!
//! M is built on the host per camera (f64, then f32) and applied to every pixel's `[3, 3]` block (coefficient ×
//! RGB) as one matrix product, so the gradient reaches the network's output through it. The rasterizer op takes
//! SH coefficients of degree ≤ 3 and evaluates the colour per Gaussian and per rendered view itself (direction
//! from that view's camera centre to the mean, clamp at 0, and its backward), as does the CPU renderer used for
//! scoring, so the world coefficients go to it as `[N, 4, 3]` next to the degree-0 one and colour is evaluated
//! with the basis above in exactly one place. With the degree-1 coefficients zero, the render is the degree-0
//! render bit for bit (tested): the op adds 0·Y₁ₘ terms to the same sum.
//!
//! The target term ([`crate::target_loss`]) compares only the degree-0 colour: targets carry no view dependence.

use burn::tensor::{Tensor, TensorData};
use splatbench_core::Camera;

/// Raw output channels of the degree-1 band: 3 coefficients (a₁₋₁, a₁₀, a₁₁) × RGB, coefficient-major.
pub const SH1_CHANNELS: usize = 9;

/// M = P·R·P⁻¹ (module docs) for rotation `r` (row-major, acting on column vectors).
pub fn band1_rotation(r: [[f64; 3]; 3]) -> [[f64; 3]; 3] {
    // Column j of M is M·e_j: P⁻¹ e_j as a vector, rotated, mapped back.
    let p_inv = |a: [f64; 3]| [-a[2], -a[0], a[1]];
    let p = |v: [f64; 3]| [-v[1], v[2], -v[0]];
    let mut m = [[0.0; 3]; 3];
    for j in 0..3 {
        let mut e = [0.0; 3];
        e[j] = 1.0;
        let v = p_inv(e);
        let rv = [0, 1, 2].map(|i| r[i][0] * v[0] + r[i][1] * v[1] + r[i][2] * v[2]);
        let col = p(rv);
        for i in 0..3 {
            m[i][j] = col[i];
        }
    }
    m
}

/// The camera-to-world rotation of `cam`.
pub fn c2w_rotation(cam: &Camera) -> [[f64; 3]; 3] {
    let m = cam.camera_to_world();
    [0, 1, 2].map(|i| [m[i][0], m[i][1], m[i][2]])
}

/// `[N, 3, 3]` degree-1 coefficients (coefficient × RGB) in `cam`'s frame → world (module docs).
pub fn to_world(coeffs: Tensor<3>, cam: &Camera) -> Tensor<3> {
    let [n, k, c] = coeffs.dims();
    let m = band1_rotation(c2w_rotation(cam));
    // Rows of the product are aᵀ per (pixel, channel): aᵀMᵀ = (M·a)ᵀ.
    let mt: Vec<f32> = (0..3).flat_map(|i| (0..3).map(move |j| m[j][i] as f32)).collect();
    let mt = Tensor::from_data(TensorData::new(mt, [3, 3]), &coeffs.device());
    let rows = coeffs.swap_dims(1, 2).reshape([n * c, k]);
    rows.matmul(mt).reshape([n, c, k]).swap_dims(1, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SplatterConfig;
    use crate::splat::tests::look_at as camera;
    use crate::splat::{RAW_CHANNELS, Splats};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use splatbench_core::Backend;
    use splatbench_render::op::{CameraTensors, render};
    use splatbench_render::sh::{SH_C0, color_unclamped};

    fn device() -> burn::tensor::Device {
        splatbench_device::device_for(Backend::Ndarray, None).unwrap()
    }

    #[test]
    fn coefficients_rotated_to_world_give_the_colour_of_the_camera_frame_coefficients() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let cam = camera([0.7, -0.9, 0.6]);
        let r = c2w_rotation(&cam);
        // One Gaussian: a degree-0 coefficient and a random degree-1 band per channel, in the camera's frame.
        let cam_coeffs: Vec<f32> = (0..12).map(|_| rng.random_range(-1.0..1.0)).collect();
        let band = Tensor::from_data(TensorData::new(cam_coeffs[3..].to_vec(), [1, 3, 3]), &device());
        let world_band = splatbench_train::tensors::to_vec(to_world(band, &cam));
        let mut world_coeffs = cam_coeffs[..3].to_vec();
        world_coeffs.extend(world_band);
        for _ in 0..8 {
            let d: [f64; 3] = [0, 1, 2].map(|_| rng.random_range(-1.0..1.0));
            // The camera-frame direction: Rᵀ·d.
            let d_cam = [0, 1, 2].map(|j| r[0][j] * d[0] + r[1][j] * d[1] + r[2][j] * d[2]);
            let (w, c) = (color_unclamped(&world_coeffs, d), color_unclamped(&cam_coeffs, d_cam));
            for k in 0..3 {
                assert!((w[k] - c[k]).abs() < 1e-5, "direction {d:?}: world {w:?} vs camera {c:?}");
            }
        }
        // P·P⁻¹ = I: the identity rotation leaves the coefficients as they are.
        let id = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        assert_eq!(band1_rotation(id), id);
    }

    /// `[N, RAW_CHANNELS]` raw output of plausible Gaussians for `cam`'s pixels, from `seed`.
    fn raw(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut v = Vec::with_capacity(n * RAW_CHANNELS);
        for _ in 0..n {
            let mut px = [0.0f32; RAW_CHANNELS];
            px[0] = rng.random_range(-1.0..1.0);
            px[4] = rng.random_range(0.0..2.0);
            for v in &mut px[5..8] {
                *v = rng.random_range(-2.5..-1.5);
            }
            px[8] = 1.0;
            for v in &mut px[12..15] {
                *v = rng.random_range(-0.5..0.5) / SH_C0 as f32;
            }
            v.extend_from_slice(&px);
        }
        v
    }

    /// `raw` with a degree-1 band `band` (N × 9) appended per pixel.
    fn with_band(raw: &[f32], band: &[f32]) -> Vec<f32> {
        raw.chunks_exact(RAW_CHANNELS).zip(band.chunks_exact(9)).flat_map(|(r, b)| [r, b].concat()).collect()
    }

    #[test]
    fn a_zero_degree_one_band_renders_bit_equal_to_degree_zero() {
        let (cond, other) = (camera([0.7, -0.9, 0.6]), camera([-0.8, -0.6, 0.9]));
        let n = (cond.width * cond.height) as usize;
        let cfg = SplatterConfig::default();
        let r0 = raw(n, 1);
        let r1 = with_band(&r0, &vec![0.0; 9 * n]);
        let t = |v: Vec<f32>, k| Tensor::<2>::from_data(TensorData::new(v, [n, k]), &device());
        let s0 = Splats::from_raw(t(r0, RAW_CHANNELS), &cond, &cfg);
        let s1 = Splats::from_raw(t(r1, RAW_CHANNELS + 9), &cond, &cfg);
        assert_eq!((s0.gaussians().sh.dims(), s1.gaussians().sh.dims()), ([n, 1, 3], [n, 4, 3]));
        for view in [&cond, &other] {
            let ct = CameraTensors::from_camera(view, &device());
            let a = splatbench_train::tensors::to_vec(render(&s0.gaussians(), &ct, [1.0; 3], None).color);
            let b = splatbench_train::tensors::to_vec(render(&s1.gaussians(), &ct, [1.0; 3], None).color);
            assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()), "renders differ");
            // The scoring path (the CPU renderer on the host cloud) as well.
            let rc = splatbench_render::RasterCamera::from(view);
            let (a, _) = splatbench_render::cpu::forward(&s0.gaussians().to_cloud(), &rc, [1.0; 3]);
            let (b, _) = splatbench_render::cpu::forward(&s1.gaussians().to_cloud(), &rc, [1.0; 3]);
            assert!(a.color.iter().zip(&b.color).all(|(x, y)| x.to_bits() == y.to_bits()), "CPU renders differ");
        }
    }

    #[test]
    fn the_gradient_of_a_render_by_a_camera_frame_degree_one_coefficient_matches_finite_differences() {
        let (cond, other) = (camera([0.7, -0.9, 0.6]), camera([-0.8, -0.6, 0.9]));
        let n = (cond.width * cond.height) as usize;
        let cfg = SplatterConfig::default();
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let band: Vec<f32> = (0..9 * n).map(|_| rng.random_range(-0.2..0.2)).collect();
        let base = with_band(&raw(n, 2), &band);
        let weights: Vec<f32> = (0..n * 3).map(|_| rng.random_range(0.0..1.0)).collect();
        let ct = CameraTensors::from_camera(&other, &device());
        let w = Tensor::<3>::from_data(TensorData::new(weights, [6, 8, 3]), &device());
        // L = Σ w ⊙ render(other view): linear in the band while no colour is clamped.
        let loss = |t: Tensor<2>| {
            let s = Splats::from_raw(t, &cond, &cfg);
            (render(&s.gaussians(), &ct, [1.0; 3], None).color * w.clone()).sum()
        };
        let leaf = Tensor::<2>::from_data(TensorData::new(base.clone(), [n, RAW_CHANNELS + 9]), &device());
        let leaf = leaf.require_grad();
        let grads = loss(leaf.clone()).backward();
        let g = splatbench_train::tensors::to_vec(leaf.grad(&grads).unwrap());
        let (pixel, channel) = (n / 2 + 3, RAW_CHANNELS + 4);
        let at = pixel * (RAW_CHANNELS + 9) + channel;
        let eps = 0.05f32;
        let value = |delta: f32| {
            let mut v = base.clone();
            v[at] += delta;
            let t = Tensor::<2>::from_data(TensorData::new(v, [n, RAW_CHANNELS + 9]), &device());
            splatbench_train::tensors::scalar(loss(t))
        };
        let fd = (value(eps) - value(-eps)) / (2.0 * eps as f64);
        assert!(g[at].abs() > 1e-3, "the coefficient must reach the render: gradient {}", g[at]);
        assert!((g[at] as f64 - fd).abs() < 2e-3 * (1.0 + fd.abs()), "autodiff {} vs finite difference {fd}", g[at]);
    }
}
