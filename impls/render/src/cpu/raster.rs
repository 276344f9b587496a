//! Forward compositing of one 16×16 tile.
//!
//! Gaussian-outer, pixel-inner: per Gaussian only the tile rows its bounding box covers are visited, each row as
//! 16 branch-free lanes (selects, [`exp_nonpos`]) so the loop vectorises. Per pixel, in list order:
//! α = min(0.99, o·exp(−½dᵀΣ₂⁻¹d)); α < 1/255 is skipped; if T·(1−α) < 1e-4 the pixel stops before this
//! contribution; otherwise C += c·α·T, D += z·α·T, T ← T·(1−α). The tile stops once every pixel has.

use super::fastexp::exp_nonpos;
use super::{Splat, TILE};
use crate::project::{ALPHA_MAX, ALPHA_MIN, T_MIN};

pub(crate) const TP: usize = (TILE * TILE) as usize;
const TW: usize = TILE as usize;

/// Per-pixel result of one tile, row-major within the tile.
pub(crate) struct TileOut {
    pub color: [[f32; TP]; 3],
    pub depth: [f32; TP],
    pub final_t: [f32; TP],
    /// One past the list position of the last contributing Gaussian (0: none).
    pub n_contrib: [u32; TP],
    /// (Gaussian, pixel) pairs evaluated.
    pub pairs: u64,
}

/// α of splat `s` at offset (dx, dy) = pixel centre − mean, and whether the 0.99 clamp was active.
/// Shared by forward and backward so both make bit-identical skip/stop decisions.
#[inline(always)]
pub(crate) fn splat_alpha(s: &Splat, dx: f32, dy: f32) -> (f32, bool) {
    let power = -0.5 * (s.conic[0] * dx * dx + s.conic[2] * dy * dy) - s.conic[1] * dx * dy;
    let raw = s.opacity * exp_nonpos(power);
    if raw > ALPHA_MAX { (ALPHA_MAX, true) } else { (raw, false) }
}

/// Pixel-centre offset from the splat mean along one axis (shared by forward and backward).
#[inline(always)]
pub(crate) fn offset(pixel: u32, mean: f32) -> f32 {
    pixel as f32 + 0.5 - mean
}

/// Rows `[r0, r1]` of tile row origin `y0` that splat `s`'s bounding box covers.
#[inline(always)]
pub(crate) fn rows(s: &Splat, y0: u32) -> (usize, usize) {
    ((s.bbox[2].max(y0) - y0) as usize, (s.bbox[3].min(y0 + TILE - 1) - y0) as usize)
}

/// Number of pixels of the tile inside the image, with a mask of those outside.
pub(crate) fn outside_mask(x0: u32, y0: u32, width: u32, height: u32) -> ([bool; TP], u32) {
    let mut outside = [false; TP];
    let mut inside = 0;
    for (p, o) in outside.iter_mut().enumerate() {
        *o = x0 + (p % TW) as u32 >= width || y0 + (p / TW) as u32 >= height;
        inside += (!*o) as u32;
    }
    (outside, inside)
}

#[inline(always)]
fn raster_tile_impl(x0: u32, y0: u32, list: &[u32], splats: &[Splat], width: u32, height: u32, out: &mut TileOut) {
    out.color = [[0.0; TP]; 3];
    out.depth = [0.0; TP];
    out.final_t = [1.0; TP];
    out.n_contrib = [0; TP];
    out.pairs = 0;
    let (outside, mut live) = outside_mask(x0, y0, width, height);
    // u32 (not bool) so the lane masks have the f32 width and the loop vectorises.
    let mut done: [u32; TP] = std::array::from_fn(|p| outside[p] as u32);
    let [cr, cg, cb] = &mut out.color;
    for (k, &g) in list.iter().enumerate() {
        if live == 0 {
            break;
        }
        let s = &splats[g as usize];
        let (r0, r1) = rows(s, y0);
        out.pairs += ((r1 + 1 - r0) * TW) as u64;
        let kk = k as u32 + 1;
        let mut stopped = 0u32;
        for r in r0..=r1 {
            let dy = offset(y0 + r as u32, s.mean[1]);
            let base = r * TW;
            let sl = base..base + TW;
            let (t, nc, dn) = (&mut out.final_t[sl.clone()], &mut out.n_contrib[sl.clone()], &mut done[sl.clone()]);
            let (cr, cg, cb, d) = (&mut cr[sl.clone()], &mut cg[sl.clone()], &mut cb[sl.clone()], &mut out.depth[sl]);
            for c in 0..TW {
                let dx = offset(x0 + c as u32, s.mean[0]);
                let (alpha, _) = splat_alpha(s, dx, dy);
                let tc = t[c];
                let next_t = tc * (1.0 - alpha);
                // Non-short-circuit `&` keeps the lane branch-free.
                let ok = (alpha >= ALPHA_MIN) & (dn[c] == 0);
                let stop = ok & (next_t < T_MIN);
                let contrib = ok & !stop;
                let w = if contrib { alpha * tc } else { 0.0 };
                cr[c] += w * s.color[0];
                cg[c] += w * s.color[1];
                cb[c] += w * s.color[2];
                d[c] += w * s.depth;
                t[c] = if contrib { next_t } else { tc };
                nc[c] = if contrib { kk } else { nc[c] };
                dn[c] |= stop as u32;
                stopped += stop as u32;
            }
        }
        live -= stopped;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn raster_tile_avx2(x0: u32, y0: u32, list: &[u32], splats: &[Splat], width: u32, height: u32, out: &mut TileOut) {
    raster_tile_impl(x0, y0, list, splats, width, height, out)
}

/// Composite tile (x0, y0) (pixel origin) front to back over `list` (global Gaussian indices in depth order).
pub(crate) fn raster_tile(
    x0: u32,
    y0: u32,
    list: &[u32],
    splats: &[Splat],
    width: u32,
    height: u32,
    out: &mut TileOut,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked above); same IEEE operations as the generic path, no FMA.
        unsafe { raster_tile_avx2(x0, y0, list, splats, width, height, out) };
        return;
    }
    raster_tile_impl(x0, y0, list, splats, width, height, out)
}
