//! One 16×16 tile as the compositing loops see it ([`TileCtx`]), and the per-pixel maths the forward and backward
//! loops share so that both make bit-identical skip/stop decisions.
//!
//! Pixels of a tile are numbered row-major, p = row·16 + column; tile pixel p of the tile with origin (x0, y0) is
//! image pixel (x0 + p mod 16, y0 + p div 16) and lies outside the image on the right and bottom edge tiles.

use super::fastexp::exp_nonpos;
use super::{Splat, TILE};
use crate::camera::RasterCamera;
use crate::project::ALPHA_MAX;

/// Pixels per tile.
pub(crate) const TP: usize = (TILE * TILE) as usize;
/// Tile width (lanes per tile row).
pub(crate) const TW: usize = TILE as usize;

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
}

/// α of splat `s` at offset (dx, dy) = pixel centre − mean, and whether the 0.99 clamp was active.
#[inline(always)]
pub(crate) fn splat_alpha(s: &Splat, dx: f32, dy: f32) -> (f32, bool) {
    let power = -0.5 * (s.conic[0] * dx * dx + s.conic[2] * dy * dy) - s.conic[1] * dx * dy;
    let raw = s.opacity * exp_nonpos(power);
    if raw > ALPHA_MAX { (ALPHA_MAX, true) } else { (raw, false) }
}

/// Pixel-centre offset from the splat mean along one axis.
#[inline(always)]
pub(crate) fn offset(pixel: u32, mean: f32) -> f32 {
    pixel as f32 + 0.5 - mean
}
