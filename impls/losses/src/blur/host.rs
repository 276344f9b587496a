//! The separable filter on the host: for each `[H, W]` plane a vertical pass (output row `i` accumulates
//! `g[k] · row(i + k − r)` over the rows inside the image) and a horizontal pass (output column `j` accumulates
//! `g[k] · column(j + k − r)`), both written as whole-row multiply-adds so they vectorise; planes run in parallel.
//! Zero padding means a tap whose source lies outside the image adds nothing. Same pass order as [`super::conv`]
//! (vertical, then horizontal), so the two agree to f32 rounding of the sums.

use rayon::prelude::*;

/// Filter `planes` planes of `h × w` values stored one after another (`[N, K, H, W]` row-major).
///
/// # Panics
/// If `data.len() != planes · h · w` or the taps have even length.
pub fn blur_planes(data: &[f32], h: usize, w: usize, taps: &[f32]) -> Vec<f32> {
    assert!(taps.len() % 2 == 1, "blur: odd number of taps");
    let size = h * w;
    assert!(size == 0 || data.len() % size == 0, "blur: {} values are not whole {h}×{w} planes", data.len());
    let mut out = vec![0.0f32; data.len()];
    if size == 0 {
        return out;
    }
    out.par_chunks_mut(size).zip(data.par_chunks(size)).for_each_init(
        || vec![0.0f32; size],
        |tmp, (dst, src)| {
            tmp.fill(0.0);
            vertical(src, tmp, h, w, taps);
            horizontal(tmp, dst, w, taps);
        },
    );
    out
}

fn vertical(src: &[f32], dst: &mut [f32], h: usize, w: usize, taps: &[f32]) {
    let r = taps.len() / 2;
    for (i, out_row) in dst.chunks_exact_mut(w).enumerate() {
        for (k, &g) in taps.iter().enumerate() {
            let Some(row) = (i + k).checked_sub(r).filter(|&s| s < h) else { continue };
            for (o, &x) in out_row.iter_mut().zip(&src[row * w..(row + 1) * w]) {
                *o += g * x;
            }
        }
    }
}

fn horizontal(src: &[f32], dst: &mut [f32], w: usize, taps: &[f32]) {
    let r = taps.len() / 2;
    for (in_row, out_row) in src.chunks_exact(w).zip(dst.chunks_exact_mut(w)) {
        for (k, &g) in taps.iter().enumerate() {
            // Output j reads input j + k − r: the valid j are max(0, r − k) .. min(w, w + r − k).
            let lo = r.saturating_sub(k);
            let hi = (w + r).saturating_sub(k).min(w);
            if lo >= hi {
                continue;
            }
            let src_lo = lo + k - r;
            for (o, &x) in out_row[lo..hi].iter_mut().zip(&in_row[src_lo..src_lo + (hi - lo)]) {
                *o += g * x;
            }
        }
    }
}
