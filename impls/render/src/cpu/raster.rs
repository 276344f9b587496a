//! Forward compositing of one 16×16 tile.
//!
//! Gaussian-outer, pixel-inner: per Gaussian only the tile rows its bounding box covers are visited, and in each
//! row only the 8-pixel segments its ellipse reaches ([`TileCtx::row_segments`]), each segment as 8 branch-free
//! lanes (selects, [`exp_nonpos`](super::exp_nonpos)) so the loop vectorises. Per pixel, in list order:
//! α = min(0.99, o·exp(−½dᵀΣ₂⁻¹d)); α < 1/255 is skipped; if T·(1−α) < 1e-4 the pixel stops before this
//! contribution; otherwise C += c·α·T, D += z·α·T, T ← T·(1−α). The tile stops once every pixel has.

use super::tile::{ColumnTerms, SEG, TP, TW, TileCtx, lane_alpha, lanes, lanes_mut, offset};
use crate::constants::{ALPHA_MIN, T_MIN};

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

#[inline(always)]
fn raster_tile_impl(ctx: &TileCtx, out: &mut TileOut) {
    out.color = [[0.0; TP]; 3];
    out.depth = [0.0; TP];
    out.final_t = [1.0; TP];
    out.n_contrib = [0; TP];
    out.pairs = 0;
    let (outside, mut live) = ctx.outside_mask();
    // u32 (not bool) so the lane masks have the f32 width and the loop vectorises.
    let mut done: [u32; TP] = std::array::from_fn(|p| outside[p] as u32);
    let [cr, cg, cb] = &mut out.color;
    for (k, &g) in ctx.list.iter().enumerate() {
        if live == 0 {
            break;
        }
        let s = &ctx.splats[g as usize];
        let (r0, r1) = ctx.rows(s);
        let col = ColumnTerms::new(ctx, s);
        let kk = k as u32 + 1;
        let mut stopped = 0u32;
        for r in r0..=r1 {
            // A finished row costs two vector compares instead of the span computation.
            if lanes::<_, TW>(&done, r * TW).iter().all(|&d| d != 0) {
                continue;
            }
            let Some((s0, s1)) = ctx.row_segments(s, r) else { continue };
            let dy = offset(ctx.y0 + r as u32, s.mean[1]);
            let cdy2 = s.conic[2] * dy * dy;
            for seg in s0..=s1 {
                let (base, lane0) = (r * TW + seg * SEG, seg * SEG);
                let (adx2, bdx) = (lanes::<_, SEG>(&col.adx2, lane0), lanes::<_, SEG>(&col.bdx, lane0));
                let t = lanes_mut::<_, SEG>(&mut out.final_t, base);
                let nc = lanes_mut::<_, SEG>(&mut out.n_contrib, base);
                let dn = lanes_mut::<_, SEG>(&mut done, base);
                // In an opaque scene most segments finish long before the list does.
                if dn.iter().all(|&d| d != 0) {
                    continue;
                }
                out.pairs += SEG as u64;
                let (cr, cg, cb) =
                    (lanes_mut::<_, SEG>(cr, base), lanes_mut::<_, SEG>(cg, base), lanes_mut::<_, SEG>(cb, base));
                let d = lanes_mut::<_, SEG>(&mut out.depth, base);
                for c in 0..SEG {
                    let (alpha, _) = lane_alpha(s, adx2[c], bdx[c], cdy2, dy);
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
        }
        live -= stopped;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn raster_tile_avx2(ctx: &TileCtx, out: &mut TileOut) {
    raster_tile_impl(ctx, out)
}

/// Composite the tile front to back over its list into `out`.
pub(crate) fn raster_tile(ctx: &TileCtx, out: &mut TileOut) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked above); same IEEE operations as the generic path, no FMA.
        unsafe { raster_tile_avx2(ctx, out) };
        return;
    }
    raster_tile_impl(ctx, out)
}
