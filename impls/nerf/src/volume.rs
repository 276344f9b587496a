//! Volume rendering of samples along rays (the quadrature of Max 1995 as NeRF uses it).
//!
//! For samples at sorted distances t₁ < … < t_N in [near, far] with densities σᵢ ≥ 0 and colours cᵢ, sample i
//! stands for the segment [tᵢ, tᵢ₊₁) with t_{N+1} = far, so δᵢ = tᵢ₊₁ − tᵢ (the paper uses 10¹⁰ for the last
//! δ, which hides the background whenever the last sample has any density; ending at far keeps the background
//! beyond the scene's bound):
//!
//! ```text
//! αᵢ = 1 − exp(−σᵢ δᵢ)      Tᵢ = Πⱼ<ᵢ (1 − αⱼ) = exp(−Σⱼ<ᵢ σⱼ δⱼ)      wᵢ = Tᵢ αᵢ
//! C = Σ wᵢ cᵢ + (1 − Σ wᵢ) · background      opacity = Σ wᵢ = 1 − Πᵢ (1 − αᵢ) ≤ 1      depth = Σ wᵢ tᵢ
//! ```
//!
//! The tensor version computes Tᵢ from an exclusive cumulative sum of σδ (one `cumsum`, no products of many
//! factors); [`composite_reference`] is the slow f64 version with explicit products the tests compare against.

use burn::tensor::{Tensor, TensorData};

/// Rendered rays: colour `[R, 3]`, weights `[R, S]`, opacity Σw `[R, 1]`, expected distance Σwt `[R, 1]`.
pub struct Composite {
    pub rgb: Tensor<2>,
    pub weights: Tensor<2>,
    pub opacity: Tensor<2>,
    pub depth: Tensor<2>,
}

/// Composites samples `t` `[R, S]` (sorted per ray, in [near, far]) with densities `sigma` `[R, S]` (≥ 0) and
/// colours `rgb` `[R, S, 3]` over `background`.
pub fn composite(sigma: Tensor<2>, rgb: Tensor<3>, t: Tensor<2>, far: f64, background: [f32; 3]) -> Composite {
    let [r, s] = t.dims();
    let device = t.device();
    let next = Tensor::cat(vec![t.clone().slice([0..r, 1..s]), Tensor::full([r, 1], far as f32, &device)], 1);
    let delta = (next - t.clone()).clamp_min(0.0);
    let tau = sigma * delta;
    let before = tau.clone().cumsum(1) - tau.clone();
    let alpha = tau.neg().exp().neg().add_scalar(1.0);
    let weights = before.neg().exp() * alpha;
    let opacity = weights.clone().sum_dim(1);
    let colour = (rgb * weights.clone().unsqueeze_dim::<3>(2)).sum_dim(1).reshape([r, 3]);
    let bg = Tensor::<2>::from_data(TensorData::new(background.to_vec(), [1, 3]), &device);
    let rgb = colour + opacity.clone().neg().add_scalar(1.0) * bg;
    let depth = (weights.clone() * t).sum_dim(1);
    Composite { rgb, weights, opacity, depth }
}

/// One ray composited in f64 with explicit transmittance products: (colour, weights, opacity, depth).
pub fn composite_reference(
    sigma: &[f64],
    rgb: &[[f64; 3]],
    t: &[f64],
    far: f64,
    background: [f64; 3],
) -> ([f64; 3], Vec<f64>, f64, f64) {
    let n = t.len();
    let mut weights = Vec::with_capacity(n);
    let mut transmittance = 1.0;
    for i in 0..n {
        let next = if i + 1 < n { t[i + 1] } else { far };
        let alpha = 1.0 - (-sigma[i] * (next - t[i]).max(0.0)).exp();
        weights.push(transmittance * alpha);
        transmittance *= 1.0 - alpha;
    }
    let opacity: f64 = weights.iter().sum();
    let colour = std::array::from_fn(|c| {
        weights.iter().zip(rgb).map(|(w, col)| w * col[c]).sum::<f64>() + (1.0 - opacity) * background[c]
    });
    let depth = weights.iter().zip(t).map(|(w, t)| w * t).sum();
    (colour, weights, opacity, depth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use splatbench_core::Backend;
    use splatbench_train::tensors::to_vec;

    fn device() -> Device {
        splatbench_device::device_for(Backend::Ndarray, None).unwrap()
    }

    fn upload<const D: usize>(v: Vec<f32>, shape: [usize; D]) -> Tensor<D> {
        Tensor::from_data(TensorData::new(v, shape), &device())
    }

    #[test]
    fn opacity_is_one_minus_the_product_of_transparencies_and_matches_the_f64_reference() {
        let (rays, s, near, far) = (64, 24, 2.0, 6.0);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut t = Vec::new();
        let mut sigma = Vec::new();
        let mut rgb = Vec::new();
        for r in 0..rays {
            let mut ts: Vec<f32> = (0..s).map(|_| rng.random_range(near as f32..far as f32)).collect();
            ts.sort_by(f32::total_cmp);
            t.extend(ts);
            // From transparent to nearly opaque rays.
            let scale = 10f64.powf(-2.0 + 4.0 * r as f64 / rays as f64);
            sigma.extend((0..s).map(|_| (scale * rng.random::<f64>()) as f32));
            rgb.extend((0..s * 3).map(|_| rng.random::<f32>()));
        }
        let bg = [1.0, 0.5, 0.0];
        let out = composite(
            upload(sigma.clone(), [rays, s]),
            upload(rgb.clone(), [rays, s, 3]),
            upload(t.clone(), [rays, s]),
            far,
            bg,
        );
        let (colour, weights, opacity) = (to_vec(out.rgb), to_vec(out.weights), to_vec(out.opacity));
        for r in 0..rays {
            let f = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
            let (ts, sg) = (f(&t[r * s..(r + 1) * s]), f(&sigma[r * s..(r + 1) * s]));
            // 1 − Π(1 − αᵢ) straight from the definition, independently of both implementations.
            let mut prod = 1.0;
            for i in 0..s {
                let next = if i + 1 < s { ts[i + 1] } else { far };
                prod *= (-sg[i] * (next - ts[i])).exp();
            }
            let sum_w: f64 = weights[r * s..(r + 1) * s].iter().map(|&w| w as f64).sum();
            assert!((sum_w - (1.0 - prod)).abs() < 1e-6, "ray {r}: Σw {sum_w} vs {}", 1.0 - prod);
            assert!(sum_w <= 1.0 + 1e-7 && (opacity[r] as f64 - sum_w).abs() < 1e-6);
            let cols: Vec<[f64; 3]> =
                (0..s).map(|i| std::array::from_fn(|c| rgb[(r * s + i) * 3 + c] as f64)).collect();
            let (want, want_w, _, _) = composite_reference(&sg, &cols, &ts, far, bg.map(|v| v as f64));
            for c in 0..3 {
                assert!((colour[r * 3 + c] as f64 - want[c]).abs() < 1e-5, "ray {r} channel {c}");
            }
            for i in 0..s {
                assert!((weights[r * s + i] as f64 - want_w[i]).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn one_opaque_sample_returns_its_own_colour_and_an_empty_ray_the_background() {
        let t = upload(vec![2.0, 3.0, 4.0, 2.0, 3.0, 4.0], [2, 3]);
        let sigma = upload(vec![0.0, 1e4, 0.0, 0.0, 0.0, 0.0], [2, 3]);
        let rgb = upload(vec![0.9, 0.9, 0.9, 0.2, 0.4, 0.6, 0.1, 0.1, 0.1].repeat(2), [2, 3, 3]);
        let out = composite(sigma, rgb, t, 5.0, [1.0, 1.0, 1.0]);
        let (c, d, a) = (to_vec(out.rgb), to_vec(out.depth), to_vec(out.opacity));
        for (k, want) in [0.2, 0.4, 0.6].iter().enumerate() {
            assert!((c[k] - want).abs() < 1e-6, "{c:?}");
            assert!((c[3 + k] - 1.0).abs() < 1e-6, "{c:?}");
        }
        assert!((d[0] - 3.0).abs() < 1e-5 && (a[0] - 1.0).abs() < 1e-6 && a[1] == 0.0);
    }
}
