//! One 16×16 tile as the compositing loops see it ([`TileCtx`]), and the per-pixel maths the forward and backward
//! loops share so that both make bit-identical skip/stop decisions.
//!
//! Pixels of a tile are numbered row-major, p = row·16 + column; tile pixel p of the tile with origin (x0, y0) is
//! image pixel (x0 + p mod 16, y0 + p div 16) and lies outside the image on the right and bottom edge tiles.
//!
//! A splat's rows are those of its bounding box; within a row only the 8-pixel segments that the ellipse
//! dᵀΣ₂⁻¹d ≤ q reaches are evaluated ([`TileCtx::row_segments`]). q exceeds the α ≥ 1/255 bound with a margin,
//! so the skipped lanes are ones the α test would skip anyway: the result is that of evaluating every
//! pixel, and forward and backward visit the same lanes.

use super::fastexp::exp_nonpos;
use super::{Splat, TILE};
use crate::camera::RasterCamera;
use crate::constants::ALPHA_MAX;

/// Pixels per tile.
pub(crate) const TP: usize = (TILE * TILE) as usize;
/// Tile width (lanes per tile row).
pub(crate) const TW: usize = TILE as usize;
/// Lanes per row segment: one AVX2 vector of f32.
pub(crate) const SEG: usize = 8;

/// Where a tile is, how large the image is, and which Gaussians it composites.
#[derive(Clone, Copy)]
pub(crate) struct TileCtx<'a> {
    /// Pixel column of the tile's left edge.
    pub x0: u32,
    /// Pixel row of the tile's top edge.
    pub y0: u32,
    pub width: u32,
    pub height: u32,
    /// Global Gaussian indices in front-to-back order.
    pub list: &'a [u32],
    /// Every projected Gaussian; `list` indexes into it.
    pub splats: &'a [Splat],
}

impl<'a> TileCtx<'a> {
    /// Tile `t` (row-major over `cam`'s tile grid), whose list is `gauss[offsets[t]..offsets[t + 1]]`.
    pub fn new(t: usize, cam: &RasterCamera, offsets: &[usize], gauss: &'a [u32], splats: &'a [Splat]) -> Self {
        let tiles_x = cam.tile_grid().0 as usize;
        TileCtx {
            x0: (t % tiles_x) as u32 * TILE,
            y0: (t / tiles_x) as u32 * TILE,
            width: cam.width,
            height: cam.height,
            list: &gauss[offsets[t]..offsets[t + 1]],
            splats,
        }
    }

    /// Row-major image index of tile pixel `p`, or `None` when it lies outside the image.
    #[inline(always)]
    pub fn pixel(&self, p: usize) -> Option<usize> {
        let (i, j) = (self.y0 as usize + p / TW, self.x0 as usize + p % TW);
        (i < self.height as usize && j < self.width as usize).then_some(i * self.width as usize + j)
    }

    /// Mask of the tile pixels outside the image, and the number inside.
    pub fn outside_mask(&self) -> ([bool; TP], u32) {
        let mut outside = [false; TP];
        let mut inside = 0;
        for (p, o) in outside.iter_mut().enumerate() {
            *o = self.pixel(p).is_none();
            inside += (!*o) as u32;
        }
        (outside, inside)
    }

    /// Tile rows `[r0, r1]` that splat `s`'s bounding box covers.
    #[inline(always)]
    pub fn rows(&self, s: &Splat) -> (usize, usize) {
        ((s.bbox[2].max(self.y0) - self.y0) as usize, (s.bbox[3].min(self.y0 + TILE - 1) - self.y0) as usize)
    }

    /// Segments `[s0, s1]` (of [`SEG`] lanes) of tile row `r` that the splat's span ellipse ([`Splat::span`])
    /// reaches; `None` when it misses the row.
    #[inline(always)]
    pub fn row_segments(&self, s: &Splat, r: usize) -> Option<(usize, usize)> {
        let dy = offset(self.y0 + r as u32, s.mean[1]);
        let [k, h0, h1] = s.span;
        let half2 = h0 - h1 * dy * dy;
        // NaN (degenerate conic) misses too.
        if half2.is_nan() || half2 < 0.0 {
            return None;
        }
        // 0.01 px absorbs the f32 rounding of the centre and the square root.
        let half = half2.sqrt() + 0.01;
        let centre = s.mean[0] - k * dy;
        // Pixel j is reached when |j + 0.5 − centre| ≤ half; clip to the tile's columns and the bounding box.
        let lo = ((centre - half - 0.5).ceil() as i64).max(s.bbox[0].max(self.x0) as i64);
        let hi = ((centre + half - 0.5).floor() as i64).min(s.bbox[1].min(self.x0 + TILE - 1) as i64);
        if lo > hi {
            return None;
        }
        let x0 = self.x0 as i64;
        Some((((lo - x0) as usize) / SEG, ((hi - x0) as usize) / SEG))
    }
}

/// A splat's per-column terms of the exponent, computed once per (splat, tile): for lane c,
/// dx = x0 + c + 0.5 − mean_x, a·dx·dx and b·dx.
pub(crate) struct ColumnTerms {
    pub dx: [f32; TW],
    pub adx2: [f32; TW],
    pub bdx: [f32; TW],
}

impl ColumnTerms {
    #[inline(always)]
    pub fn new(ctx: &TileCtx, s: &Splat) -> Self {
        let dx: [f32; TW] = std::array::from_fn(|c| offset(ctx.x0 + c as u32, s.mean[0]));
        ColumnTerms {
            dx,
            adx2: std::array::from_fn(|c| s.conic[0] * dx[c] * dx[c]),
            bdx: std::array::from_fn(|c| s.conic[1] * dx[c]),
        }
    }
}

/// α of splat `s` at offset (dx, dy) = pixel centre − mean, and whether the 0.99 clamp was active, from the column
/// terms a·dx·dx and b·dx and the row term c·dy·dy: power = −½(a·dx² + c·dy²) − b·dx·dy.
#[inline(always)]
pub(crate) fn lane_alpha(s: &Splat, adx2: f32, bdx: f32, cdy2: f32, dy: f32) -> (f32, bool) {
    let power = -0.5 * (adx2 + cdy2) - bdx * dy;
    let raw = s.opacity * exp_nonpos(power);
    if raw > ALPHA_MAX { (ALPHA_MAX, true) } else { (raw, false) }
}

/// Pixel-centre offset from the splat mean along one axis.
#[inline(always)]
pub(crate) fn offset(pixel: u32, mean: f32) -> f32 {
    pixel as f32 + 0.5 - mean
}

/// Fixed-size view of lanes `start..start + N` (one bounds check, none in the lane loop that uses it).
#[inline(always)]
pub(crate) fn lanes<T, const N: usize>(v: &[T], start: usize) -> &[T; N] {
    v[start..start + N].try_into().expect("N lanes")
}

/// Mutable [`lanes`].
#[inline(always)]
pub(crate) fn lanes_mut<T, const N: usize>(v: &mut [T], start: usize) -> &mut [T; N] {
    (&mut v[start..start + N]).try_into().expect("N lanes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GaussianCloud;
    use crate::constants::ALPHA_MIN;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Every pixel whose α passes the test (evaluated as the tile loops do) lies in a visited segment: the segment
    /// culling never drops a contribution. Thin, rotated, tiny and large splats, all opacities.
    #[test]
    fn row_segments_cover_every_pixel_the_alpha_test_keeps() {
        let mut r = ChaCha8Rng::seed_from_u64(5);
        let cam = RasterCamera {
            width: 70,
            height: 53,
            fx: 60.0,
            fy: 64.0,
            cx: 35.5,
            cy: 26.0,
            viewmat: [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 4.0], [0.0, 0.0, 0.0, 1.0]],
        };
        let n = 3000;
        let mut g = GaussianCloud::empty(0);
        for i in 0..n {
            g.means.push([r.random_range(-2.5..2.5), r.random_range(-2.0..2.0), r.random_range(-1.0..2.0)]);
            // Every tenth is a needle: one axis 30× longer than the others.
            let base = r.random_range(-4.0..-0.5);
            let mut ls = [base, base + r.random_range(-0.5..0.5), base + r.random_range(-0.5..0.5)];
            if i % 10 == 0 {
                ls[r.random_range(0..3)] += 3.4;
            }
            g.log_scales.push(ls);
            g.quats.push(std::array::from_fn(|_| r.random_range(-1.0..1.0)));
            g.opacity_logits.push(r.random_range(-6.0..8.0));
            g.sh.extend([0.5, 0.5, 0.5]);
        }
        let (_, state) = crate::cpu::forward(&g, &cam, [0.0; 3]);
        let (tiles_x, tiles_y) = cam.tile_grid();
        let (mut kept, mut skipped) = (0u64, 0u64);
        for t in 0..(tiles_x * tiles_y) as usize {
            let ctx = TileCtx::new(t, &cam, &state.tile_offsets, &state.tile_gauss, &state.splats);
            for &gi in ctx.list {
                let s = &state.splats[gi as usize];
                let (r0, r1) = ctx.rows(s);
                let col = ColumnTerms::new(&ctx, s);
                for row in r0..=r1 {
                    let dy = offset(ctx.y0 + row as u32, s.mean[1]);
                    let cdy2 = s.conic[2] * dy * dy;
                    let segs = ctx.row_segments(s, row);
                    for c in 0..TW {
                        let (alpha, _) = lane_alpha(s, col.adx2[c], col.bdx[c], cdy2, dy);
                        let visited = segs.is_some_and(|(s0, s1)| (s0..=s1).contains(&(c / SEG)));
                        if ctx.pixel(row * TW + c).is_none() {
                            continue; // outside the image: never composited
                        }
                        if alpha >= ALPHA_MIN {
                            kept += 1;
                            assert!(
                                visited,
                                "tile {t}, Gaussian {gi}, row {row}, column {c}: α = {alpha}, segs {segs:?}, x0 {} y0 {} splat {s:?}",
                                ctx.x0, ctx.y0
                            );
                        } else if !visited {
                            skipped += 1;
                        }
                    }
                }
            }
        }
        assert!(kept > 10_000 && skipped > 10_000, "kept {kept}, skipped {skipped}: the scene exercises both");
    }
}
