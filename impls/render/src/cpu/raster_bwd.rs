//! Backward compositing of one 16×16 tile: walk each pixel's list back from its last contributor, recovering
//! T_i = T_{i+1}/(1−α_i) from the final transmittance, and accumulate per list entry (Gaussian in this tile)
//! the gradients of its 2D mean, conic, opacity, colour and depth.
//!
//! For pixel colour C = Σ_i c_i α_i T_i + T_N·bg, alpha A = 1 − T_N and depth D = Σ_i z_i α_i T_i, with
//! upstream (dC, dA, dD), P_i = dC·c_i + dD·z_i and the suffix Q_i = Σ_{k>i} α_k T_k P_k + T_N (dC·bg − dA):
//!   dL/dα_i = T_i P_i − Q_i/(1−α_i),  dL/dc_i = α_i T_i dC,  dL/dz_i = α_i T_i dD.
//! Through α = o·exp(power) (unclamped): dL/dpower = α·dL/dα, dL/do = dL/dpower / o, and
//! power = −½(a dx² + 2b dx dy + c dy²) with d = pixel − mean gives the conic and mean gradients.
//! Lane-wise accumulators summed in a fixed order keep the result deterministic.

use super::tile::{ColumnTerms, SEG, TP, TW, TileCtx, lane_alpha, lanes, lanes_mut, offset};
use crate::constants::ALPHA_MIN;

/// Gradient of one list entry: [mean x, mean y, conic a, conic b, conic c, opacity, r, g, b, depth].
pub(crate) type EntryGrad = [f32; 10];

/// Per-pixel inputs of one tile, row-major within the tile.
pub(crate) struct TileBwdIn {
    pub final_t: [f32; TP],
    pub n_contrib: [u32; TP],
    pub d_color: [[f32; TP]; 3],
    pub d_alpha: [f32; TP],
    pub d_depth: [f32; TP],
}

#[inline(always)]
fn tile_bwd_impl(ctx: &TileCtx, background: [f32; 3], inp: &TileBwdIn, out: &mut [EntryGrad]) {
    let (outside, _) = ctx.outside_mask();
    let mut t = inp.final_t;
    let mut q = [0.0f32; TP];
    for p in 0..TP {
        if !outside[p] {
            let bg: f32 = (0..3).map(|c| inp.d_color[c][p] * background[c]).sum();
            q[p] = inp.final_t[p] * (bg - inp.d_alpha[p]);
        }
    }
    let last = inp.n_contrib.iter().copied().max().unwrap_or(0) as usize;
    for k in (0..last.min(ctx.list.len())).rev() {
        let s = &ctx.splats[ctx.list[k] as usize];
        let (r0, r1) = ctx.rows(s);
        let col = ColumnTerms::new(ctx, s);
        let mut acc = [[0.0f32; TW]; 10];
        for r in r0..=r1 {
            let base = r * TW;
            let nc = lanes::<_, TW>(&inp.n_contrib, base);
            // Rows whose pixels all stopped before entry k contribute nothing (every lane is invalid).
            if nc.iter().all(|&n| n <= k as u32) {
                continue;
            }
            let Some((s0, s1)) = ctx.row_segments(s, r) else { continue };
            // The lanes the forward visited; the others are masked off (whole rows: the lane loop vectorises).
            let (lo, hi) = ((s0 * SEG) as u32, ((s1 + 1) * SEG) as u32);
            let dy = offset(ctx.y0 + r as u32, s.mean[1]);
            let cdy2 = s.conic[2] * dy * dy;
            let t = lanes_mut::<_, TW>(&mut t, base);
            let q = lanes_mut::<_, TW>(&mut q, base);
            let (dcr, dcg) = (lanes::<_, TW>(&inp.d_color[0], base), lanes::<_, TW>(&inp.d_color[1], base));
            let (dcb, dd) = (lanes::<_, TW>(&inp.d_color[2], base), lanes::<_, TW>(&inp.d_depth, base));
            for c in 0..TW {
                let dx = col.dx[c];
                let (alpha, clamped) = lane_alpha(s, col.adx2[c], col.bdx[c], cdy2, dy);
                let visited = (c as u32 >= lo) & ((c as u32) < hi);
                let valid = visited & ((k as u32) < nc[c]) & (alpha >= ALPHA_MIN);
                let ra = 1.0 / (1.0 - alpha);
                let ti = t[c] * ra;
                let (dcr, dcg, dcb, dd) = (dcr[c], dcg[c], dcb[c], dd[c]);
                let pk = dcr * s.color[0] + dcg * s.color[1] + dcb * s.color[2] + dd * s.depth;
                let g_alpha = ti * pk - q[c] * ra;
                let w = if valid { alpha * ti } else { 0.0 };
                let v = if valid & !clamped { g_alpha * alpha } else { 0.0 };
                acc[0][c] += v * (s.conic[0] * dx + s.conic[1] * dy);
                acc[1][c] += v * (s.conic[1] * dx + s.conic[2] * dy);
                acc[2][c] += v * (-0.5 * dx * dx);
                acc[3][c] += v * (-dx * dy);
                acc[4][c] += v * (-0.5 * dy * dy);
                acc[5][c] += v;
                acc[6][c] += w * dcr;
                acc[7][c] += w * dcg;
                acc[8][c] += w * dcb;
                acc[9][c] += w * dd;
                q[c] += w * pk;
                t[c] = if valid { ti } else { t[c] };
            }
        }
        let mut gsum: EntryGrad = std::array::from_fn(|i| acc[i].iter().sum());
        gsum[5] /= s.opacity;
        out[k] = gsum;
    }
    for o in out.iter_mut().skip(last) {
        *o = [0.0; 10];
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn tile_bwd_avx2(ctx: &TileCtx, background: [f32; 3], inp: &TileBwdIn, out: &mut [EntryGrad]) {
    tile_bwd_impl(ctx, background, inp, out)
}

/// Gradients of every entry of the tile's list into `out` (same length as the list).
pub(crate) fn tile_bwd(ctx: &TileCtx, background: [f32; 3], inp: &TileBwdIn, out: &mut [EntryGrad]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked above); same IEEE operations as the generic path.
        unsafe { tile_bwd_avx2(ctx, background, inp, out) };
        return;
    }
    tile_bwd_impl(ctx, background, inp, out)
}
