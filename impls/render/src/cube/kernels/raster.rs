//! Forward compositing: one cube per 16×16 tile, one unit per pixel. The tile's sorted list is walked in
//! batches of 256 splats that the cube first copies into shared memory together; every unit then composites
//! the batch front to back, exactly as the CPU tile loop: α = min(0.99, o·exp(−½(a·dx² + c·dy²) − b·dx·dy)) with
//! (dx, dy) = pixel centre − mean; α < 1/255 is skipped; the pixel stops before a contribution that would bring
//! T below 10⁻⁴; otherwise C += c·α·T, D += z·α·T, T ← T·(1 − α).
//!
//! Per pixel it writes the packed `[r, g, b, alpha, depth]` (colour over the background, alpha = 1 − T), the
//! final T and `n_contrib`, one past the list position of the last contributor, which the backward starts from.

use super::project::SPLAT;
use crate::constants::{ALPHA_MAX, ALPHA_MIN, T_MIN, TILE};
use crate::cube::types::{RasterOut, TileLists, Uniforms};
use cubecl::prelude::*;

/// Splats per shared-memory batch (= units per cube).
pub const BATCH: u32 = TILE * TILE;
/// Floats of one batch in shared memory.
const BATCH_FLOATS: usize = BATCH as usize * SPLAT;

#[cube(launch)]
pub fn raster(lists: &TileLists, out: &mut RasterOut, u: &Uniforms) {
    let px = CUBE_POS_X * TILE + UNIT_POS_X;
    let py = CUBE_POS_Y * TILE + UNIT_POS_Y;
    let inside = px < u.width && py < u.height;
    let tile = (CUBE_POS_Y * u.tiles_x + CUBE_POS_X) as usize;
    let start = lists.ranges[tile * 2];
    let end = lists.ranges[tile * 2 + 1];
    let fx = f32::cast_from(px) + 0.5f32;
    let fy = f32::cast_from(py) + 0.5f32;

    let mut batch = Shared::<[f32]>::new_slice(BATCH_FLOATS);
    let mut t = 1.0f32;
    let mut cr = 0.0f32;
    let mut cg = 0.0f32;
    let mut cb = 0.0f32;
    let mut depth = 0.0f32;
    let mut nc = 0u32;
    let mut done = !inside;
    let mut batch_start = start;
    while batch_start < end {
        let e = batch_start + UNIT_POS;
        if e < end {
            let g = lists.gauss[e as usize] as usize;
            #[unroll]
            for s in 0..SPLAT {
                batch[(UNIT_POS as usize) * SPLAT + s] = lists.splats[g * SPLAT + s];
            }
        }
        sync_cube();
        let count = min(BATCH, end - batch_start);
        for j in 0..count {
            if !done {
                let o = (j as usize) * SPLAT;
                let dx = fx - batch[o];
                let dy = fy - batch[o + 1];
                let power = -0.5f32 * (batch[o + 2] * dx * dx + batch[o + 4] * dy * dy) - batch[o + 3] * dx * dy;
                let alpha = min(batch[o + 5] * (power).exp(), ALPHA_MAX);
                if alpha >= ALPHA_MIN {
                    let next_t = t * (1.0f32 - alpha);
                    if next_t < T_MIN {
                        done = true;
                    } else {
                        let wgt = alpha * t;
                        cr += wgt * batch[o + 6];
                        cg += wgt * batch[o + 7];
                        cb += wgt * batch[o + 8];
                        depth += wgt * batch[o + 9];
                        t = next_t;
                        nc = batch_start - start + j + 1;
                    }
                }
            }
        }
        sync_cube();
        batch_start += BATCH;
    }
    if inside {
        let pix = (py * u.width + px) as usize;
        let np = (u.width * u.height) as usize;
        out.packed[pix * 3] = cr + t * u.bg_r;
        out.packed[pix * 3 + 1] = cg + t * u.bg_g;
        out.packed[pix * 3 + 2] = cb + t * u.bg_b;
        out.packed[3 * np + pix] = 1.0f32 - t;
        out.packed[4 * np + pix] = depth;
        out.final_t[pix] = t;
        out.n_contrib[pix] = nc;
    }
}
