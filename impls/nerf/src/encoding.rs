//! Positional encoding γ, as in the NeRF code: γ(p) = (p, sin(2⁰p), …, sin(2^{L−1}p), cos(2⁰p), …,
//! cos(2^{L−1}p)) applied to each coordinate (no factor π, the input kept), so a 3-vector becomes 3 + 6L numbers.
//! Positions use L = 10 (63 features), view directions L = 4 (27).

use burn::tensor::{Tensor, TensorData};

/// Encoded width of a 3-vector with `freqs` frequencies.
pub fn encoded_width(freqs: usize) -> usize {
    3 + 6 * freqs
}

/// γ of every row of `x` `[N, 3]`: `[N, 3 + 6L]`, laid out as (x, sin of the 3L scaled values, cos of them).
pub fn encode(x: Tensor<2>, freqs: usize) -> Tensor<2> {
    if freqs == 0 {
        return x;
    }
    let [n, _] = x.dims();
    let scales: Vec<f32> = (0..freqs).map(|k| (1u64 << k) as f32).collect();
    let scales = Tensor::<3>::from_data(TensorData::new(scales, [1, freqs, 1]), &x.device());
    // [N, 1, 3] · [1, L, 1] → [N, L, 3]: row k holds 2ᵏ·x.
    let scaled = (x.clone().unsqueeze_dim::<3>(1) * scales).reshape([n, 3 * freqs]);
    Tensor::cat(vec![x, scaled.clone().sin(), scaled.cos()], 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use splatbench_core::Backend;
    use splatbench_train::tensors::to_vec;

    #[test]
    fn encoding_matches_the_formula() {
        let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
        let p = [0.3f32, -1.2, 2.0];
        let x = Tensor::<2>::from_data(TensorData::new(p.to_vec(), [1, 3]), &device);
        let e = to_vec(encode(x, 4));
        assert_eq!(e.len(), encoded_width(4));
        assert_eq!(&e[..3], &p);
        for k in 0..4 {
            for c in 0..3 {
                let v = 2f64.powi(k as i32) * p[c] as f64;
                assert!((e[3 + 3 * k + c] as f64 - v.sin()).abs() < 1e-5);
                assert!((e[15 + 3 * k + c] as f64 - v.cos()).abs() < 1e-5);
            }
        }
    }
}
