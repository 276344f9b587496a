//! SSIM in the two conventions papers report, computed in f64.
//!
//! Both use the Gaussian window g(k) ∝ exp(−k² / (2σ²)), σ = 1.5, k = −5..=5 (11 taps, normalised to sum 1; this
//! is also what scipy's `gaussian_filter(sigma=1.5, truncate=3.5)` uses: radius = int(3.5·1.5 + 0.5) = 5), applied
//! separably per channel. With μ = g∗x, σ² = g∗x² − μ², σ_xy = g∗(xy) − μ_x μ_y (population statistics):
//!
//! S = (2 μ_x μ_y + C1)(2 σ_xy + C2) / ((μ_x² + μ_y² + C1)(σ_x² + σ_y² + C2)), C1 = 0.01², C2 = 0.03².
//!
//! - [`ssim`] (3DGS / Splatter Image, `conv2d(padding=5)`): samples outside the image are **zero**; S is averaged
//!   over every pixel and RGB channel.
//! - [`ssim_skimage`] (scikit-image `structural_similarity(gaussian_weights=True, sigma=1.5,
//!   use_sample_covariance=False, data_range=1, channel_axis=-1)`): scipy's `mode='reflect'` padding
//!   (half-sample symmetric, d c b a | a b c d | d c b a), then S is averaged only over the **valid** region, cropping
//!   (11 − 1) / 2 = 5 pixels from every border, and over channels. Undefined when a side is below 11 px (scikit-image
//!   raises "win_size exceeds image extent"). scikit-image runs float32 inputs in float32; this runs in f64, which
//!   differs from it by far less than the 1e-4 tolerance on the conformance pairs.
//! - [`ssim_masked`]: the zero-padded S map averaged with per-pixel mask weights (ROI metrics).
//!
//! Alpha is ignored; rows are filtered in parallel (rayon) and each pass is an 11-tap dot product over a padded row.

use super::Undefined;
use super::planes::{assert_mask_fits, assert_same_shape, rgb_planes};
use rayon::prelude::*;
use splatbench_core::{Image, Mask};

/// Gaussian standard deviation of the window, in pixels.
pub const SIGMA: f64 = 1.5;
/// Window radius: 11 taps.
pub const RADIUS: usize = 5;
/// Window side; scikit-image's SSIM is undefined for images with a smaller side.
pub const WIN_SIZE: u32 = 2 * RADIUS as u32 + 1;
pub const C1: f64 = 0.01 * 0.01;
pub const C2: f64 = 0.03 * 0.03;

/// How the filter sees samples outside the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Padding {
    /// Zero outside (PyTorch `conv2d(padding=5)`).
    Zero,
    /// scipy.ndimage `mode='reflect'`: the edge sample repeats (half-sample symmetric).
    Reflect,
}

impl Padding {
    /// Source index for position `i` (may be outside 0..n), or `None` where the padding is zero.
    fn source(self, i: isize, n: usize) -> Option<usize> {
        let n = n as isize;
        if (0..n).contains(&i) {
            return Some(i as usize);
        }
        match self {
            Padding::Zero => None,
            Padding::Reflect => {
                let m = i.rem_euclid(2 * n);
                Some(if m < n { m } else { 2 * n - 1 - m } as usize)
            }
        }
    }
}

/// SSIM, 3DGS / Splatter-Image convention (zero padding, mean over all pixels and RGB channels).
/// Panics if the shapes differ.
pub fn ssim(a: &Image, b: &Image) -> f64 {
    mean(&ssim_map_padded(a, b, Padding::Zero))
}

/// SSIM, scikit-image convention (reflect padding, mean over the valid region). Panics if the shapes differ.
pub fn ssim_skimage(a: &Image, b: &Image) -> Result<f64, Undefined> {
    assert_same_shape(a, b);
    if a.width < WIN_SIZE || a.height < WIN_SIZE {
        return Err(Undefined::TooSmall { width: a.width, height: a.height, min_side: WIN_SIZE });
    }
    let map = ssim_map_padded(a, b, Padding::Reflect);
    let w = a.width as usize;
    let rows = RADIUS..a.height as usize - RADIUS;
    let cols = RADIUS..w - RADIUS;
    let sum: f64 = rows.clone().map(|i| map[i * w + cols.start..i * w + cols.end].iter().sum::<f64>()).sum();
    Ok(sum / (rows.len() * cols.len()) as f64)
}

/// SSIM averaged with per-pixel weights m: Σ m·S / Σ m over the zero-padded map ([`ssim_map`]); a full mask gives
/// [`ssim`]. Undefined when the mask has no weight. Panics if the shapes differ.
pub fn ssim_masked(a: &Image, b: &Image, mask: &Mask) -> Result<f64, Undefined> {
    assert_mask_fits(a, mask);
    let map = ssim_map(a, b);
    let (num, den) = map.iter().zip(&mask.data).fold((0.0, 0.0), |(n, d), (&s, &m)| (n + m as f64 * s, d + m as f64));
    if den > 0.0 { Ok(num / den) } else { Err(Undefined::EmptyMask) }
}

/// The per-pixel SSIM map of the 3DGS convention, averaged over the RGB channels: row-major H×W.
/// Panics if the shapes differ.
pub fn ssim_map(a: &Image, b: &Image) -> Vec<f64> {
    ssim_map_padded(a, b, Padding::Zero)
}

/// The 11 normalised Gaussian taps, g[k] for offsets k − 5.
fn gaussian_taps() -> [f64; 2 * RADIUS + 1] {
    let mut g: [f64; 2 * RADIUS + 1] =
        std::array::from_fn(|k| (-((k as f64 - RADIUS as f64).powi(2)) / (2.0 * SIGMA * SIGMA)).exp());
    let total: f64 = g.iter().sum();
    g.iter_mut().for_each(|v| *v /= total);
    g
}

fn ssim_map_padded(a: &Image, b: &Image, padding: Padding) -> Vec<f64> {
    assert_same_shape(a, b);
    let (w, h) = (a.width as usize, a.height as usize);
    let (pa, pb) = (rgb_planes(a), rgb_planes(b));
    let maps: Vec<Vec<f64>> = (0..3).into_par_iter().map(|c| channel_map(&pa[c], &pb[c], w, h, padding)).collect();
    (0..w * h).into_par_iter().map(|i| (maps[0][i] + maps[1][i] + maps[2][i]) / 3.0).collect()
}

/// The five filtered statistics of one pixel: μx, μy, g∗x², g∗y², g∗xy.
type Stats = [f64; 5];

/// S for every pixel of one channel.
fn channel_map(x: &[f64], y: &[f64], w: usize, h: usize, padding: Padding) -> Vec<f64> {
    let taps = gaussian_taps();
    // Horizontal pass over rows padded by RADIUS on each side; products of padded samples are the padded products,
    // so padding x and y is enough for all five statistics.
    let mut horizontal = vec![[0.0; 5]; w * h];
    horizontal.par_chunks_mut(w).enumerate().for_each(|(i, out)| {
        let pad_row = |src: &[f64]| -> Vec<f64> {
            (0..w + 2 * RADIUS)
                .map(|j| padding.source(j as isize - RADIUS as isize, w).map_or(0.0, |s| src[i * w + s]))
                .collect()
        };
        let (xp, yp) = (pad_row(x), pad_row(y));
        for (j, o) in out.iter_mut().enumerate() {
            let mut s: Stats = [0.0; 5];
            for (k, &t) in taps.iter().enumerate() {
                let (p, q) = (xp[j + k], yp[j + k]);
                s[0] += t * p;
                s[1] += t * q;
                s[2] += t * p * p;
                s[3] += t * q * q;
                s[4] += t * p * q;
            }
            *o = s;
        }
    });
    // Vertical pass, then S per pixel.
    let mut map = vec![0.0; w * h];
    map.par_chunks_mut(w).enumerate().for_each(|(i, out)| {
        let mut acc: Vec<Stats> = vec![[0.0; 5]; w];
        for (k, &t) in taps.iter().enumerate() {
            let Some(src) = padding.source(i as isize + k as isize - RADIUS as isize, h) else { continue };
            for (a, s) in acc.iter_mut().zip(&horizontal[src * w..(src + 1) * w]) {
                for (av, sv) in a.iter_mut().zip(s) {
                    *av += t * sv;
                }
            }
        }
        for (o, &[mx, my, xx, yy, xy]) in out.iter_mut().zip(&acc) {
            let (vx, vy, vxy) = (xx - mx * mx, yy - my * my, xy - mx * my);
            *o = ((2.0 * mx * my + C1) * (2.0 * vxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        }
    });
    map
}

fn mean(v: &[f64]) -> f64 {
    splatbench_core::reduce::ordered_sum(v.len(), |i| v[i]) / v.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(w: u32, h: u32, scale: f32) -> Image {
        Image::from_fn(w, h, 3, |x, y, c| ((x * 7 + y * 3 + c * 5) % 17) as f32 / 16.0 * scale)
    }

    #[test]
    fn taps_match_the_reference_window() {
        let g = gaussian_taps();
        assert!((g.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert!((g[5] - 0.266_011_724_861_794_4).abs() < 1e-15, "centre tap {}", g[5]);
        assert!((g[0] - 0.001_028_380_084_479_11).abs() < 1e-15, "edge tap {}", g[0]);
        assert!((g[0] - g[10]).abs() < 1e-18);
    }

    #[test]
    fn reflect_is_half_sample_symmetric() {
        let idx: Vec<usize> = (-4..8).map(|i| Padding::Reflect.source(i, 4).unwrap()).collect();
        assert_eq!(idx, [3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0]);
        assert_eq!(Padding::Zero.source(-1, 4), None);
    }

    #[test]
    fn identical_images_score_one() {
        let a = ramp(23, 14, 1.0);
        assert!((ssim(&a, &a) - 1.0).abs() < 1e-12);
        assert!((ssim_skimage(&a, &a).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn constant_images_follow_the_luminance_term() {
        // Constant x = 0.2, y = 0.4 away from borders: S = (2·0.08 + C1)·C2 / ((0.04 + 0.16 + C1)·C2).
        let (a, b) = (Image::from_fn(30, 30, 3, |_, _, _| 0.2), Image::from_fn(30, 30, 3, |_, _, _| 0.4));
        let expected = (0.16 + C1) / (0.2 + C1);
        assert!((ssim_skimage(&a, &b).unwrap() - expected).abs() < 1e-9, "reflect keeps constants constant");
        // Zero padding darkens the borders, so the all-pixel mean differs from the interior value.
        let map = ssim_map(&a, &b);
        assert!((map[15 * 30 + 15] - expected).abs() < 1e-9);
        assert!((ssim(&a, &b) - expected).abs() > 1e-4);
    }

    #[test]
    fn skimage_convention_needs_the_full_window() {
        let a = ramp(10, 40, 1.0);
        let err = ssim_skimage(&a, &ramp(10, 40, 0.5)).unwrap_err();
        assert_eq!(err, Undefined::TooSmall { width: 10, height: 40, min_side: 11 });
        // Exactly 11 px keeps one valid row/column.
        let (c, d) = (ramp(11, 11, 1.0), ramp(11, 11, 0.8));
        let map = ssim_map_padded(&c, &d, Padding::Reflect);
        assert!((ssim_skimage(&c, &d).unwrap() - map[5 * 11 + 5]).abs() < 1e-15);
    }

    #[test]
    fn masked_ssim_weights_the_map() {
        let (a, b) = (ramp(20, 12, 1.0), ramp(20, 12, 0.7));
        let full = Mask { width: 20, height: 12, data: vec![1.0; 240] };
        assert!((ssim_masked(&a, &b, &full).unwrap() - ssim(&a, &b)).abs() < 1e-12);
        let map = ssim_map(&a, &b);
        let mut one = Mask { width: 20, height: 12, data: vec![0.0; 240] };
        one.data[37] = 0.5;
        assert!((ssim_masked(&a, &b, &one).unwrap() - map[37]).abs() < 1e-12);
        let empty = Mask { width: 20, height: 12, data: vec![0.0; 240] };
        assert_eq!(ssim_masked(&a, &b, &empty), Err(Undefined::EmptyMask));
    }
}
