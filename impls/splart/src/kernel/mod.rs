//! The fast compositor on the CPU: the over operator of [`crate::reference`] restricted to each stroke's pixel box
//! and binned into 16×16 tiles, forward ([`forward`]) and analytic backward ([`backward`]), parallel over tiles.
//!
//! Binning visits the strokes in creation order, so each tile's list is in creation order too and every pixel sees
//! its strokes in the order the over operator needs.

mod backward;
mod forward;

pub use backward::{StrokeGrads, backward};
pub use forward::forward;

use crate::brush::Brush;
use crate::stroke::{Frame, PixelBox, Stroke};

/// Tile side in pixels.
pub const TILE: u32 = 16;

/// Per-stroke constants and the tile lists shared by the forward and backward passes.
pub(crate) struct Prepared {
    pub width: u32,
    pub height: u32,
    pub tiles_x: u32,
    pub tiles_y: u32,
    pub frames: Vec<Frame>,
    pub boxes: Vec<Option<PixelBox>>,
    /// Stroke indices per tile (row-major tiles), creation order.
    pub tiles: Vec<Vec<u32>>,
}

impl Prepared {
    pub fn new(strokes: &[Stroke], brush: &Brush, width: u32, height: u32) -> Prepared {
        let tiles_x = width.div_ceil(TILE);
        let tiles_y = height.div_ceil(TILE);
        let frames: Vec<Frame> = strokes.iter().map(Frame::new).collect();
        let boxes: Vec<Option<PixelBox>> = strokes.iter().map(|s| s.pixel_box(brush, width, height)).collect();
        let mut tiles = vec![Vec::new(); (tiles_x * tiles_y) as usize];
        for (k, b) in boxes.iter().enumerate() {
            let Some(b) = b else { continue };
            for ty in b.y0 / TILE..=(b.y1 - 1) / TILE {
                for tx in b.x0 / TILE..=(b.x1 - 1) / TILE {
                    tiles[(ty * tiles_x + tx) as usize].push(k as u32);
                }
            }
        }
        Prepared { width, height, tiles_x, tiles_y, frames, boxes, tiles }
    }

    /// Pixel rectangle of tile (tx, ty).
    pub fn tile_box(&self, tx: u32, ty: u32) -> PixelBox {
        PixelBox {
            x0: tx * TILE,
            x1: ((tx + 1) * TILE).min(self.width),
            y0: ty * TILE,
            y1: ((ty + 1) * TILE).min(self.height),
        }
    }
}

/// Intersection of two pixel boxes, `None` when empty.
pub(crate) fn intersect(a: &PixelBox, b: &PixelBox) -> Option<PixelBox> {
    let r = PixelBox { x0: a.x0.max(b.x0), x1: a.x1.min(b.x1), y0: a.y0.max(b.y0), y1: a.y1.min(b.y1) };
    (r.x0 < r.x1 && r.y0 < r.y1).then_some(r)
}
