//! Tile binning on the device, in the CPU kernel's order: every visible Gaussian goes into each tile of its
//! rectangle, and each tile's list runs front to back by depth, ties by Gaussian index.
//!
//! 1. [`scan`]: exclusive prefix sum of the per-Gaussian tile counts (one cube: each unit sums a contiguous chunk,
//!    unit 0 scans the 256 partial sums, each unit writes its chunk's offsets; the total is also written alone,
//!    for the host to size the sort), so Gaussian g owns the
//!    intersection slots `offsets[g]..offsets[g + 1]`, in its rectangle's row-major tile order.
//! 2. [`emit`]: each Gaussian writes its (tile, depth, index) keys into its slots.
//! 3. [`bitonic_step`]: a bitonic sort of the keys padded to a power of two, lexicographic on (tile, depth, index);
//!    the keys are distinct, so the order is total and the result deterministic.
//! 4. [`tile_ranges`]: where each tile's run starts and ends in the sorted keys.

use super::project::SPLAT;
use crate::cube::types::{BinArgs, SortKeys, Uniforms};
use cubecl::prelude::*;

/// Units of the single cube of [`scan`].
pub const SCAN_UNITS: u32 = 256;
const SCAN_SLOTS: usize = 256;

#[cube(launch)]
pub fn scan(counts: &Tensor<u32>, offsets: &mut Tensor<u32>, total: &mut Tensor<u32>, n: u32) {
    let unit = UNIT_POS;
    let chunk = (n + SCAN_UNITS - 1) / SCAN_UNITS;
    let start = min(unit * chunk, n);
    let end = min(start + chunk, n);
    let mut partial = Shared::<[u32]>::new_slice(SCAN_SLOTS);
    let mut sum = 0u32;
    for g in start..end {
        sum += counts[g as usize];
    }
    partial[unit as usize] = sum;
    sync_cube();
    if unit == 0 {
        let mut running = 0u32;
        for j in 0..SCAN_SLOTS {
            let v = partial[j];
            partial[j] = running;
            running += v;
        }
        offsets[n as usize] = running;
        total[0usize] = running;
    }
    sync_cube();
    let mut acc = partial[unit as usize];
    for g in start..end {
        offsets[g as usize] = acc;
        acc += counts[g as usize];
    }
}

#[cube(launch)]
pub fn emit(bins: &BinArgs, keys: &mut SortKeys, u: &Uniforms) {
    let g = ABSOLUTE_POS;
    if g >= u.n as usize {
        terminate!();
    }
    if bins.counts[g] == 0 {
        terminate!();
    }
    let depth = bins.splats[g * SPLAT + 9];
    let tx0 = bins.rects[g * 4];
    let tx1 = bins.rects[g * 4 + 1];
    let ty0 = bins.rects[g * 4 + 2];
    let ty1 = bins.rects[g * 4 + 3];
    let mut slot = bins.offsets[g] as usize;
    for ty in ty0..ty1 + 1 {
        for tx in tx0..tx1 + 1 {
            keys.tile[slot] = ty * u.tiles_x + tx;
            keys.depth[slot] = depth;
            keys.gauss[slot] = g as u32;
            slot += 1;
        }
    }
}

/// Padding after the `m` real keys sorts last (tile u32::MAX).
#[cube(launch)]
pub fn pad(keys: &mut SortKeys, m: u32, p: u32) {
    let i = ABSOLUTE_POS as u32 + m;
    if i >= p {
        terminate!();
    }
    keys.tile[i as usize] = u32::MAX;
    keys.depth[i as usize] = 0.0f32;
    keys.gauss[i as usize] = 0u32;
}

/// One compare-exchange stage (block size `k`, distance `j`) of the bitonic network over `p` keys.
#[cube(launch)]
pub fn bitonic_step(keys: &mut SortKeys, k: u32, j: u32, p: u32) {
    let i = ABSOLUTE_POS as u32;
    let l = i ^ j;
    if i >= p || l <= i {
        terminate!();
    }
    let a = i as usize;
    let b = l as usize;
    let ta = keys.tile[a];
    let da = keys.depth[a];
    let ga = keys.gauss[a];
    let tb = keys.tile[b];
    let db = keys.depth[b];
    let gb = keys.gauss[b];
    let greater = ta > tb || (ta == tb && (da > db || (da == db && ga > gb)));
    let ascending = (i & k) == 0;
    if greater == ascending {
        keys.tile[a] = tb;
        keys.depth[a] = db;
        keys.gauss[a] = gb;
        keys.tile[b] = ta;
        keys.depth[b] = da;
        keys.gauss[b] = ga;
    }
}

/// `ranges[2t]..ranges[2t + 1]` is tile t's run in the `m` sorted keys (zero-initialised: empty).
#[cube(launch)]
pub fn tile_ranges(key_tile: &Tensor<u32>, ranges: &mut Tensor<u32>, m: u32) {
    let i = ABSOLUTE_POS as u32;
    if i >= m {
        terminate!();
    }
    let t = key_tile[i as usize];
    // No short-circuit on the device: guard the neighbour reads explicitly.
    let mut first = true;
    if i > 0 {
        first = key_tile[(i - 1) as usize] != t;
    }
    let mut last = true;
    if i + 1 < m {
        last = key_tile[(i + 1) as usize] != t;
    }
    if first {
        ranges[(t * 2) as usize] = i;
    }
    if last {
        ranges[(t * 2 + 1) as usize] = i + 1;
    }
}
