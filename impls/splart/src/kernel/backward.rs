//! Analytic backward pass.
//!
//! Per pixel, with G the gradient of the loss with respect to the canvas *after* stroke k (G = upstream gradient
//! for the last stroke) and C₋ the canvas *before* it, the over operator C = C₋ + α·(colour − C₋) gives
//!
//! ```text
//! ∂L/∂colourₖ += α·G          ∂L/∂α = G·(colourₖ − C₋)          G ← (1 − α)·G   (moving down one stroke)
//! ```
//!
//! No division by (1 − α) is needed (brushes are fully opaque in their centre): each tile composites its strokes
//! forward, pushing (α, ∂α/∂tu, ∂α/∂tv, q, C₋) on a per-pixel stack, then unwinds each pixel's stack top-down.
//! The alpha gradient reaches the parameters through tu = (qₓ + 1)·W_brush/2 − 0.5 (likewise tv) and
//!
//! ```text
//! ∂qₓ/∂x = −cos θ/sₓ   ∂qₓ/∂y = −sin θ/sₓ   ∂q_y/∂x = sin θ/s_y   ∂q_y/∂y = −cos θ/s_y
//! ∂qₓ/∂θ = q_y·s_y/sₓ  ∂q_y/∂θ = −qₓ·sₓ/s_y  ∂qₓ/∂ln sₓ = −qₓ      ∂q_y/∂ln s_y = −q_y
//! ```
//!
//! and the colour gradient through colour = sigmoid(logit): ∂/∂logit = colour·(1 − colour)·∂/∂colour.
//! Per-stroke sums are accumulated in f64.

use super::{Prepared, intersect};
use crate::brush::Brush;
use crate::stroke::{Stroke, texel_coords};
use rayon::prelude::*;

/// Fixed tile groups of the gradient sum (see `backward`); at most this many per-stroke accumulators live at once.
const GROUPS: usize = 32;

/// Gradient of the loss per stroke, in [`Stroke::to_row`] order: x, y, θ, ln sₓ, ln s_y, logit r, g, b.
#[derive(Clone, Debug, PartialEq)]
pub struct StrokeGrads {
    pub rows: Vec<[f64; 8]>,
}

#[derive(Clone, Copy)]
struct Entry {
    stroke: u32,
    alpha: f32,
    da_du: f32,
    da_dv: f32,
    qx: f32,
    qy: f32,
    below: [f32; 3],
}

/// Gradients of L for the image [`super::forward`] renders, given `d_image` = ∂L/∂image (`height × width × 3`).
pub fn backward(
    strokes: &[Stroke],
    brush: &Brush,
    width: u32,
    height: u32,
    background: [f32; 3],
    d_image: &[f32],
) -> StrokeGrads {
    assert_eq!(d_image.len(), (width * height * 3) as usize, "d_image must be height × width × 3");
    let prep = Prepared::new(strokes, brush, width, height);
    let n = strokes.len();
    let (half_w, half_h) = (0.5 * brush.width as f32, 0.5 * brush.height as f32);
    let tiles = (prep.tiles_x * prep.tiles_y) as usize;
    // Tiles go to GROUPS fixed groups, each summed in tile order, and the groups are added in order: the grouping
    // depends only on the tile count, so the f64 sums have the same bits whatever the thread count.
    let per_group = tiles.div_ceil(GROUPS).max(1);
    let partials: Vec<Vec<[f64; 8]>> = (0..tiles.div_ceil(per_group))
        .into_par_iter()
        .map(|group| {
            let (mut acc, mut stacks, mut canvas) =
                (vec![[0.0f64; 8]; n], Vec::<Vec<Entry>>::new(), Vec::<[f32; 3]>::new());
            for t in group * per_group..((group + 1) * per_group).min(tiles) {
                let (tx, ty) = (t as u32 % prep.tiles_x, t as u32 / prep.tiles_x);
                let tile = prep.tile_box(tx, ty);
                let tw = (tile.x1 - tile.x0) as usize;
                let pixels = tw * (tile.y1 - tile.y0) as usize;
                stacks.resize_with(pixels, Vec::new);
                stacks.iter_mut().for_each(Vec::clear);
                canvas.clear();
                canvas.resize(pixels, background);
                for &k in &prep.tiles[t] {
                    let Some(b) = prep.boxes[k as usize].as_ref().and_then(|b| intersect(b, &tile)) else { continue };
                    let f = &prep.frames[k as usize];
                    for y in b.y0..b.y1 {
                        for x in b.x0..b.x1 {
                            let (qx, qy) = f.local(x as f32 + 0.5, y as f32 + 0.5);
                            let (tu, tv) = texel_coords(brush, qx, qy);
                            let (alpha, da_du, da_dv) = brush.sample(tu, tv);
                            if alpha == 0.0 && da_du == 0.0 && da_dv == 0.0 {
                                continue;
                            }
                            let p = (y - tile.y0) as usize * tw + (x - tile.x0) as usize;
                            let below = canvas[p];
                            stacks[p].push(Entry { stroke: k, alpha, da_du, da_dv, qx, qy, below });
                            for c in 0..3 {
                                canvas[p][c] = (1.0 - alpha) * below[c] + alpha * f.color[c];
                            }
                        }
                    }
                }
                for (p, stack) in stacks.iter().enumerate().take(pixels) {
                    let (x, y) = (tile.x0 as usize + p % tw, tile.y0 as usize + p / tw);
                    let q = (y * width as usize + x) * 3;
                    let mut g = [d_image[q], d_image[q + 1], d_image[q + 2]];
                    for e in stack.iter().rev() {
                        let k = e.stroke as usize;
                        let f = &prep.frames[k];
                        let d_alpha: f32 = (0..3).map(|c| g[c] * (f.color[c] - e.below[c])).sum();
                        let gqx = d_alpha * e.da_du * half_w;
                        let gqy = d_alpha * e.da_dv * half_h;
                        let a = &mut acc[k];
                        a[0] += (-gqx * f.cos * f.inv_sx + gqy * f.sin * f.inv_sy) as f64;
                        a[1] += (-gqx * f.sin * f.inv_sx - gqy * f.cos * f.inv_sy) as f64;
                        a[2] += (gqx * e.qy * f.sy * f.inv_sx - gqy * e.qx * f.sx * f.inv_sy) as f64;
                        a[3] -= (gqx * e.qx) as f64;
                        a[4] -= (gqy * e.qy) as f64;
                        for c in 0..3 {
                            a[5 + c] += (e.alpha * g[c]) as f64;
                            g[c] *= 1.0 - e.alpha;
                        }
                    }
                }
            }
            acc
        })
        .collect();
    let mut colour_grads = vec![[0.0f64; 8]; n];
    for part in &partials {
        for (x, y) in colour_grads.iter_mut().zip(part) {
            for i in 0..8 {
                x[i] += y[i];
            }
        }
    }
    let rows = colour_grads
        .into_iter()
        .zip(&prep.frames)
        .map(|(mut r, f)| {
            for c in 0..3 {
                let col = f.color[c] as f64;
                r[5 + c] *= col * (1.0 - col);
            }
            r
        })
        .collect();
    StrokeGrads { rows }
}
