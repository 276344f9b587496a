//! The forward launches: projection, binning (scan, one read of the intersection count, emit, bitonic sort,
//! tile ranges) and compositing. Returns the packed image, the radii (read to the host: the op returns them
//! there) and what the backward needs.

use super::Forward;
use super::buffers::{On, input, read_u32, shaped};
use crate::cube::kernels::{bin, project, raster};
use burn::tensor::{DType, Shape};
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

/// Tile side, as the CPU kernel's.
const TILE: u32 = project::TILE;

pub(super) fn forward(
    inputs: [CubeTensor; 7],
    width: u32,
    height: u32,
    background: [f32; 3],
) -> (CubeTensor, Vec<u32>, Forward) {
    let shapes = inputs.each_ref().map(|t| t.meta.shape().to_vec());
    let n = shapes[0][0];
    assert!(
        shapes[4].len() == 3 && shapes[4][0] == n && shapes[4][2] == 3,
        "sh must be [N, K, 3] with N = {n}, got {:?}",
        shapes[4]
    );
    let num_coeffs = shapes[4][1];
    let on = On::of(&inputs[0]);
    let [means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics] = inputs.map(input);
    let (tiles_x, tiles_y) = (width.div_ceil(TILE), height.div_ceil(TILE));
    let n_tiles = (tiles_x * tiles_y) as usize;
    let pixels = (width * height) as usize;

    let splats = on.empty(n * project::SPLAT, DType::F32);
    let rects = on.zeros(n * 4, DType::U32);
    let counts = on.zeros(n, DType::U32);
    let radii = on.zeros(n, DType::U32);
    let offsets = on.zeros(n + 1, DType::U32);
    let total = on.zeros(1, DType::U32);
    if n > 0 {
        let (count, dim) = on.grid(n);
        project::project::launch(
            &on.client,
            count,
            dim,
            means.clone().into_tensor_arg(),
            log_scales.clone().into_tensor_arg(),
            quats.clone().into_tensor_arg(),
            opacity_logits.clone().into_tensor_arg(),
            sh.clone().into_tensor_arg(),
            viewmat.clone().into_tensor_arg(),
            intrinsics.clone().into_tensor_arg(),
            splats.clone().into_tensor_arg(),
            rects.clone().into_tensor_arg(),
            counts.clone().into_tensor_arg(),
            radii.clone().into_tensor_arg(),
            n as u32,
            num_coeffs as u32,
            width,
            height,
        );
        bin::scan::launch(
            &on.client,
            CubeCount::Static(1, 1, 1),
            CubeDim::new_1d(bin::SCAN_UNITS),
            counts.clone().into_tensor_arg(),
            offsets.clone().into_tensor_arg(),
            total.clone().into_tensor_arg(),
            n as u32,
        );
    }
    let m = read_u32(total)[0] as usize;
    let mut radii = read_u32(radii);
    radii.truncate(n);

    // Sorted (tile, depth, Gaussian) keys, padded to a power of two.
    let p = m.next_power_of_two().max(1);
    let key_tile = on.empty(p, DType::U32);
    let key_depth = on.empty(p, DType::F32);
    let key_gauss = on.empty(p, DType::U32);
    let ranges = on.zeros(n_tiles * 2, DType::U32);
    if m > 0 {
        let (count, dim) = on.grid(n);
        bin::emit::launch(
            &on.client,
            count,
            dim,
            rects.clone().into_tensor_arg(),
            counts.clone().into_tensor_arg(),
            offsets.clone().into_tensor_arg(),
            splats.clone().into_tensor_arg(),
            key_tile.clone().into_tensor_arg(),
            key_depth.clone().into_tensor_arg(),
            key_gauss.clone().into_tensor_arg(),
            n as u32,
            tiles_x,
        );
        if p > m {
            let (count, dim) = on.grid(p - m);
            bin::pad::launch(
                &on.client,
                count,
                dim,
                key_tile.clone().into_tensor_arg(),
                key_depth.clone().into_tensor_arg(),
                key_gauss.clone().into_tensor_arg(),
                m as u32,
                p as u32,
            );
        }
        let mut k = 2;
        while k <= p {
            let mut j = k / 2;
            while j > 0 {
                let (count, dim) = on.grid(p);
                bin::bitonic_step::launch(
                    &on.client,
                    count,
                    dim,
                    key_tile.clone().into_tensor_arg(),
                    key_depth.clone().into_tensor_arg(),
                    key_gauss.clone().into_tensor_arg(),
                    k as u32,
                    j as u32,
                    p as u32,
                );
                j /= 2;
            }
            k *= 2;
        }
        let (count, dim) = on.grid(m);
        bin::tile_ranges::launch(
            &on.client,
            count,
            dim,
            key_tile.clone().into_tensor_arg(),
            ranges.clone().into_tensor_arg(),
            m as u32,
        );
    }

    let packed = on.empty(pixels * 5, DType::F32);
    let final_t = on.empty(pixels, DType::F32);
    let n_contrib = on.empty(pixels, DType::U32);
    raster::raster::launch(
        &on.client,
        CubeCount::Static(tiles_x, tiles_y, 1),
        CubeDim::new_2d(TILE, TILE),
        splats.clone().into_tensor_arg(),
        key_gauss.clone().into_tensor_arg(),
        ranges.clone().into_tensor_arg(),
        packed.clone().into_tensor_arg(),
        final_t.clone().into_tensor_arg(),
        n_contrib.clone().into_tensor_arg(),
        width,
        height,
        tiles_x,
        background[0],
        background[1],
        background[2],
    );
    let packed = shaped(packed, Shape::new([pixels * 5]));
    let saved = Forward {
        on,
        inputs: [means, log_scales, quats, sh, viewmat, intrinsics],
        shapes,
        splats,
        rects,
        counts,
        offsets,
        key_gauss,
        ranges,
        final_t,
        n_contrib,
        n,
        num_coeffs,
        intersections: m,
        width,
        height,
        background,
    };
    (packed, radii, saved)
}
