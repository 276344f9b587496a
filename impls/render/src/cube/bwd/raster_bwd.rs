//! Backward compositing, one cube per tile and one unit per pixel, without float atomics.
//!
//! Each pixel walks its list back from its last contributor, recovering T_i = T_{i+1}/(1 − α_i) from the final
//! transmittance. With upstream (dC, dA, dD), P_i = dC·c_i + dD·z_i and the suffix
//! Q_i = Σ_{k>i} α_k T_k P_k + T_N (dC·bg − dA): dL/dα_i = T_i P_i − Q_i/(1 − α_i), dL/dc_i = α_i T_i dC,
//! dL/dz_i = α_i T_i dD; through α = o·exp(power) (unclamped), dL/dpower = α·dL/dα, dL/do = dL/dpower / o, and
//! power = −½(a dx² + 2b dx dy + c dy²) gives the conic and mean gradients (the CPU kernel's `raster_bwd`).
//!
//! All units walk the same list entry at once, so per entry the cube sums the 256 pixels' ten gradients in
//! shared memory (a fixed tree: deterministic) and unit 0 writes them to the entry's slot. Slots are in the
//! binning's per-Gaussian order (Gaussian g's rectangle, row-major, from `offsets[g]`), so [`gather`] sums each
//! Gaussian's slots in a fixed order too: same input, same bits.

use crate::constants::{ALPHA_MAX, ALPHA_MIN, TILE};
use crate::cube::kernels::project::SPLAT;
use crate::cube::types::{RasterBwdArgs, TileLists, Uniforms};
use cubecl::prelude::*;

/// Gradient floats per list entry: [mean x, mean y, conic a, b, c, opacity, r, g, b, depth].
pub const GRAD: usize = 10;
/// List entries per shared-memory batch.
const BATCH: u32 = 128;
/// Half the units: the reduction's first step folds the upper half onto the lower.
const HALF: u32 = 128;
/// Shared-memory sizes: slots per batch, reduction floats (GRAD × HALF), splat floats per batch.
const SLOTS: usize = 128;
const RED_FLOATS: usize = 128 * GRAD;
const BATCH_FLOATS: usize = 128 * SPLAT;

#[cube(launch)]
pub fn raster_bwd(lists: &TileLists, fwd: &RasterBwdArgs, entry_grads: &mut Tensor<f32>, u: &Uniforms) {
    let unit = UNIT_POS;
    let tx = CUBE_POS_X;
    let ty = CUBE_POS_Y;
    let px = tx * TILE + UNIT_POS_X;
    let py = ty * TILE + UNIT_POS_Y;
    let inside = px < u.width && py < u.height;
    let tile = (ty * u.tiles_x + tx) as usize;
    let start = lists.ranges[tile * 2];
    let fx = f32::cast_from(px) + 0.5f32;
    let fy = f32::cast_from(py) + 0.5f32;

    let mut t = 1.0f32;
    let mut nc = 0u32;
    let mut q = 0.0f32;
    let mut dcr = 0.0f32;
    let mut dcg = 0.0f32;
    let mut dcb = 0.0f32;
    let mut dd = 0.0f32;
    if inside {
        let pix = (py * u.width + px) as usize;
        t = fwd.final_t[pix];
        nc = fwd.n_contrib[pix];
        let np = (u.width * u.height) as usize;
        dcr = fwd.upstream[pix * 3];
        dcg = fwd.upstream[pix * 3 + 1];
        dcb = fwd.upstream[pix * 3 + 2];
        dd = fwd.upstream[4 * np + pix];
        q = t * (dcr * u.bg_r + dcg * u.bg_g + dcb * u.bg_b - fwd.upstream[3 * np + pix]);
    }

    // The tile's last contributing entry: a max-reduction of n_contrib.
    let mut slots = Shared::<[u32]>::new_slice(SLOTS);
    let mut red = Shared::<[f32]>::new_slice(RED_FLOATS);
    let mut batch = Shared::<[f32]>::new_slice(BATCH_FLOATS);
    if unit < HALF {
        slots[unit as usize] = nc;
    }
    sync_cube();
    if unit >= HALF {
        slots[(unit - HALF) as usize] = max(slots[(unit - HALF) as usize], nc);
    }
    sync_cube();
    // From a builtin, so the loop counter is a runtime variable (a const expression would be folded).
    let mut s = CUBE_DIM / 4;
    while s > 0 {
        if unit < s {
            slots[unit as usize] = max(slots[unit as usize], slots[(unit + s) as usize]);
        }
        sync_cube();
        s /= 2;
    }
    let last = slots[0usize];
    sync_cube();

    let mut batch_end = last;
    while batch_end > 0 {
        let batch_start = batch_end - min(batch_end, BATCH);
        // Load the batch's splats and each entry's slot: offsets[g] + its tile's rank in g's rectangle.
        if unit < batch_end - batch_start {
            let g = lists.gauss[(start + batch_start + unit) as usize] as usize;
            #[unroll]
            for c in 0..SPLAT {
                batch[(unit as usize) * SPLAT + c] = lists.splats[g * SPLAT + c];
            }
            let tx0 = fwd.rects[g * 4];
            let tx1 = fwd.rects[g * 4 + 1];
            let ty0 = fwd.rects[g * 4 + 2];
            slots[unit as usize] = fwd.offsets[g] + (ty - ty0) * (tx1 - tx0 + 1) + (tx - tx0);
        }
        sync_cube();
        let count = batch_end - batch_start;
        for jj in 0..count {
            let j = count - 1 - jj;
            let k = batch_start + j;
            let o = (j as usize) * SPLAT;
            let ca = batch[o + 2];
            let cb = batch[o + 3];
            let cc = batch[o + 4];
            let opacity = batch[o + 5];
            let dx = fx - batch[o];
            let dy = fy - batch[o + 1];
            let power = -0.5f32 * (ca * dx * dx + cc * dy * dy) - cb * dx * dy;
            let raw = opacity * (power).exp();
            let clamped = raw > ALPHA_MAX;
            let alpha = min(raw, ALPHA_MAX);
            let valid = inside && k < nc && alpha >= ALPHA_MIN;
            let ra = 1.0f32 / (1.0f32 - alpha);
            let ti = t * ra;
            let pk = dcr * batch[o + 6] + dcg * batch[o + 7] + dcb * batch[o + 8] + dd * batch[o + 9];
            let g_alpha = ti * pk - q * ra;
            let mut wgt = 0.0f32;
            let mut v = 0.0f32;
            if valid {
                wgt = alpha * ti;
                if !clamped {
                    v = g_alpha * alpha;
                }
                q += wgt * pk;
                t = ti;
            }
            let mut mine = Array::<f32>::new(GRAD);
            mine[0usize] = v * (ca * dx + cb * dy);
            mine[1usize] = v * (cb * dx + cc * dy);
            mine[2usize] = v * (-0.5f32 * dx * dx);
            mine[3usize] = v * (-dx * dy);
            mine[4usize] = v * (-0.5f32 * dy * dy);
            mine[5usize] = v;
            mine[6usize] = wgt * dcr;
            mine[7usize] = wgt * dcg;
            mine[8usize] = wgt * dcb;
            mine[9usize] = wgt * dd;
            // Fixed-order tree sum over the 256 units: upper half onto lower, then halving.
            if unit >= HALF {
                #[unroll]
                for c in 0..GRAD {
                    red[c * (HALF as usize) + (unit - HALF) as usize] = mine[c];
                }
            }
            sync_cube();
            if unit < HALF {
                #[unroll]
                for c in 0..GRAD {
                    let at = c * (HALF as usize) + unit as usize;
                    red[at] = red[at] + mine[c];
                }
            }
            sync_cube();
            // From a builtin, so the loop counter is a runtime variable (a const expression would be folded).
            let mut s = CUBE_DIM / 4;
            while s > 0 {
                if unit < s {
                    #[unroll]
                    for c in 0..GRAD {
                        let at = c * (HALF as usize) + unit as usize;
                        red[at] = red[at] + red[at + s as usize];
                    }
                }
                sync_cube();
                s /= 2;
            }
            if unit == 0 {
                let slot = slots[j as usize] as usize;
                #[unroll]
                for c in 0..GRAD {
                    entry_grads[slot * GRAD + c] = red[c * (HALF as usize)];
                }
                entry_grads[slot * GRAD + 5] = red[5 * (HALF as usize)] / opacity;
            }
            sync_cube();
        }
        batch_end = batch_start;
    }
}

/// Per Gaussian, the sum of its slots' gradients in slot order (zero for culled Gaussians), and its first two
/// channels again as dL/d(projected mean), the op's probe output (written here rather than by the projection VJP,
/// whose bindings would otherwise exceed the 16 storage buffers per stage some adapters allow).
#[cube(launch)]
pub fn gather(
    entry_grads: &Tensor<f32>,
    offsets: &Tensor<u32>,
    grads2d: &mut Tensor<f32>,
    d_means2d: &mut Tensor<f32>,
    n: u32,
) {
    let g = ABSOLUTE_POS;
    if g >= n as usize {
        terminate!();
    }
    let mut acc = Array::<f32>::new(GRAD);
    #[unroll]
    for c in 0..GRAD {
        acc[c] = 0.0f32;
    }
    for e in offsets[g]..offsets[g + 1] {
        #[unroll]
        for c in 0..GRAD {
            acc[c] += entry_grads[(e as usize) * GRAD + c];
        }
    }
    #[unroll]
    for c in 0..GRAD {
        grads2d[g * GRAD + c] = acc[c];
    }
    d_means2d[g * 2] = acc[0];
    d_means2d[g * 2 + 1] = acc[1];
}
