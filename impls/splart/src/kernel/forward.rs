//! Forward pass: each tile composites its strokes, stroke by stroke over the stroke's part of the tile.

use super::{Prepared, TILE, intersect};
use crate::brush::Brush;
use crate::stroke::{Stroke, texel_coords};
use rayon::prelude::*;

/// Row-major `height × width × 3` image of `strokes` over `background` (f32; see [`crate::reference::render`]).
pub fn forward(strokes: &[Stroke], brush: &Brush, width: u32, height: u32, background: [f32; 3]) -> Vec<f32> {
    let prep = Prepared::new(strokes, brush, width, height);
    let w = width as usize;
    let mut image = vec![0.0f32; w * height as usize * 3];
    if image.is_empty() {
        return image;
    }
    image.par_chunks_mut(TILE as usize * w * 3).enumerate().for_each(|(ty, rows)| {
        let ty = ty as u32;
        for tx in 0..prep.tiles_x {
            let tile = prep.tile_box(tx, ty);
            for y in tile.y0..tile.y1 {
                for x in tile.x0..tile.x1 {
                    let p = ((y - ty * TILE) as usize * w + x as usize) * 3;
                    rows[p..p + 3].copy_from_slice(&background);
                }
            }
            for &k in &prep.tiles[(ty * prep.tiles_x + tx) as usize] {
                let k = k as usize;
                let Some(b) = prep.boxes[k].as_ref().and_then(|b| intersect(b, &tile)) else { continue };
                let f = &prep.frames[k];
                for y in b.y0..b.y1 {
                    for x in b.x0..b.x1 {
                        let (qx, qy) = f.local(x as f32 + 0.5, y as f32 + 0.5);
                        let (tu, tv) = texel_coords(brush, qx, qy);
                        let a = brush.sample(tu, tv).0;
                        if a == 0.0 {
                            continue;
                        }
                        let p = ((y - ty * TILE) as usize * w + x as usize) * 3;
                        for c in 0..3 {
                            // (1 − α)·C + α·colour, not C + α·(colour − C): exactly the colour where α = 1.
                            rows[p + c] = (1.0 - a) * rows[p + c] + a * f.color[c];
                        }
                    }
                }
            }
        }
    });
    image
}
