//! Tile binning: every visible Gaussian goes into each 16×16 tile its α ≥ 1/255 bounding box touches; each
//! tile's list is in global front-to-back order (depth, then index), obtained by one global sort and a stable
//! counting sort into tiles, so the lists are deterministic.

use super::{Splat, TILE};
use rayon::prelude::*;

pub(crate) struct Bins {
    /// Tile t's Gaussians are `gauss[offsets[t]..offsets[t + 1]]`.
    pub offsets: Vec<usize>,
    pub gauss: Vec<u32>,
}

fn tile_range(s: &Splat) -> [u32; 4] {
    [s.bbox[0] / TILE, s.bbox[1] / TILE, s.bbox[2] / TILE, s.bbox[3] / TILE]
}

/// `visible`: (depth, index) of every Gaussian that reaches at least one pixel.
pub(crate) fn bin(splats: &[Splat], mut visible: Vec<(f64, u32)>, tiles_x: u32, tiles_y: u32) -> Bins {
    visible.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let n_tiles = (tiles_x * tiles_y) as usize;
    let mut counts = vec![0usize; n_tiles + 1];
    for &(_, g) in &visible {
        let [tx0, tx1, ty0, ty1] = tile_range(&splats[g as usize]);
        for ty in ty0..=ty1 {
            for tx in tx0..=tx1 {
                counts[(ty * tiles_x + tx) as usize + 1] += 1;
            }
        }
    }
    for t in 0..n_tiles {
        counts[t + 1] += counts[t];
    }
    let offsets = counts;
    let mut cursor = offsets.clone();
    let mut gauss = vec![0u32; offsets[n_tiles]];
    for &(_, g) in &visible {
        let [tx0, tx1, ty0, ty1] = tile_range(&splats[g as usize]);
        for ty in ty0..=ty1 {
            for tx in tx0..=tx1 {
                let t = (ty * tiles_x + tx) as usize;
                gauss[cursor[t]] = g;
                cursor[t] += 1;
            }
        }
    }
    Bins { offsets, gauss }
}
