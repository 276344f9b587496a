//! Peak signal-to-noise ratio, as scikit-image's `peak_signal_noise_ratio(data_range=1)`:
//!
//! PSNR = 10·log10(1 / MSE), MSE = mean over all pixels and the RGB channels of (a − b)², accumulated in f64.
//!
//! Equal images have MSE = 0 and no finite PSNR (scikit-image returns `inf`); here that is "undefined: identical".

use super::Undefined;
use super::planes::{assert_mask_fits, assert_same_shape};
use splatbench_core::{Image, Mask};

/// PSNR in dB; `None` when the images are identical in RGB. Panics if the shapes differ.
pub fn psnr(a: &Image, b: &Image) -> Option<f64> {
    assert_same_shape(a, b);
    let stride = a.channels as usize;
    let sse: f64 = a
        .data
        .chunks_exact(stride)
        .zip(b.data.chunks_exact(stride))
        .map(|(p, q)| (0..3).map(|c| (p[c] as f64 - q[c] as f64).powi(2)).sum::<f64>())
        .sum();
    from_mse(sse / (3 * a.pixels()) as f64).ok()
}

/// PSNR over a region: MSE = Σ m·Σ_c (a − b)² / (3·Σ m) with per-pixel weights m from `mask` (binary or soft).
///
/// Undefined when the mask has no weight or the images agree wherever it has. Panics if the shapes differ.
pub fn psnr_masked(a: &Image, b: &Image, mask: &Mask) -> Result<f64, Undefined> {
    assert_same_shape(a, b);
    assert_mask_fits(a, mask);
    let stride = a.channels as usize;
    let (mut sse, mut weight) = (0.0f64, 0.0f64);
    for ((p, q), &m) in a.data.chunks_exact(stride).zip(b.data.chunks_exact(stride)).zip(&mask.data) {
        let m = m as f64;
        weight += m;
        sse += m * (0..3).map(|c| (p[c] as f64 - q[c] as f64).powi(2)).sum::<f64>();
    }
    if weight <= 0.0 {
        return Err(Undefined::EmptyMask);
    }
    from_mse(sse / (3.0 * weight))
}

fn from_mse(mse: f64) -> Result<f64, Undefined> {
    if mse > 0.0 { Ok(-10.0 * mse.log10()) } else { Err(Undefined::Identical) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(w: u32, h: u32, c: u32, v: f32) -> Image {
        Image::from_fn(w, h, c, |_, _, _| v)
    }

    #[test]
    fn known_mse_gives_known_psnr() {
        // Every sample differs by 0.1: MSE = 0.01, PSNR = 20 dB.
        let (a, b) = (flat(5, 3, 3, 0.2), flat(5, 3, 3, 0.3));
        assert!((psnr(&a, &b).unwrap() - 20.0).abs() < 1e-5);
        // One sample of 12 differs by 0.5: MSE = 0.25 / 12.
        let c = Image::from_fn(2, 2, 3, |x, y, ch| if (x, y, ch) == (1, 0, 2) { 0.5 } else { 0.0 });
        let expected = 10.0 * (12.0f64 / 0.25).log10();
        assert!((psnr(&flat(2, 2, 3, 0.0), &c).unwrap() - expected).abs() < 1e-9);
    }

    #[test]
    fn identical_is_undefined_and_alpha_is_ignored() {
        let a = Image::from_fn(4, 4, 4, |x, _, c| if c == 3 { 1.0 } else { x as f32 / 4.0 });
        let mut b = a.clone();
        assert_eq!(psnr(&a, &b), None);
        for px in b.data.chunks_exact_mut(4) {
            px[3] = 0.0;
        }
        assert_eq!(psnr(&a, &b), None, "alpha must not count");
    }

    #[test]
    fn masked_psnr_only_sees_the_mask() {
        let a = flat(4, 1, 3, 0.0);
        let b = Image::from_fn(4, 1, 3, |x, _, _| if x < 2 { 0.1 } else { 0.9 });
        let left = Mask { width: 4, height: 1, data: vec![1.0, 1.0, 0.0, 0.0] };
        assert!((psnr_masked(&a, &b, &left).unwrap() - 20.0).abs() < 1e-5);
        let none = Mask { width: 4, height: 1, data: vec![0.0; 4] };
        assert_eq!(psnr_masked(&a, &b, &none), Err(Undefined::EmptyMask));
        let right_only = Mask { width: 4, height: 1, data: vec![0.0, 0.0, 1.0, 1.0] };
        assert_eq!(psnr_masked(&a, &a, &right_only), Err(Undefined::Identical));
        // A full mask agrees with the unmasked PSNR.
        let full = Mask { width: 4, height: 1, data: vec![1.0; 4] };
        assert!((psnr_masked(&a, &b, &full).unwrap() - psnr(&a, &b).unwrap()).abs() < 1e-12);
    }
}
